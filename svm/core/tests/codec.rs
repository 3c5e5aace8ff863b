//! The canonical codec: round trips, exactly one encoding per value, and a typed error for every
//! malformed input.

use proptest::prelude::*;
use svm_core::call::CallRecord;
use svm_core::codec::CodecError;
use svm_core::event::Event;
use svm_core::layout::PageSlice;
use svm_core::outcome::{InvalidTx, Outcome, Refusal, TrapKind};
use svm_core::receipt::Receipt;
use svm_core::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};
use svm_core::vmcalls::HostError;
use svm_core::{Address, ContractState, Hash, Value};

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address)
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::I32),
        any::<i64>().prop_map(Value::I64),
        any::<u32>().prop_map(Value::F32),
        any::<u64>().prop_map(Value::F64),
    ]
}

fn transaction() -> impl Strategy<Value = Transaction> {
    let slice =
        (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(page, offset, len)| PageSlice { page, offset, len });
    prop_oneof![
        (
            address(),
            any::<u64>(),
            prop::collection::vec(any::<u8>(), 0..64),
            any::<u32>(),
            prop::collection::vec(slice, 0..5),
            any::<u64>(),
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(|(author, nonce, code, page_count, slices, initial_balance, gas_limit, gas_price)| {
                Transaction::Deploy(Deploy {
                    author,
                    nonce,
                    code,
                    page_count,
                    slices,
                    initial_balance,
                    gas_limit,
                    gas_price,
                })
            }),
        (
            address(),
            address(),
            any::<u64>(),
            "[a-z_é]{0,12}",
            prop::collection::vec(value(), 0..5),
            prop::collection::vec(any::<u8>(), 0..32),
            any::<u64>(),
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(|(contract, sender, nonce, function, args, calldata, gas_limit, gas_price, value)| {
                Transaction::Execute(Execute {
                    contract,
                    sender,
                    nonce,
                    function,
                    args,
                    calldata,
                    gas_limit,
                    gas_price,
                    value,
                })
            }),
        (address(), address(), any::<u64>(), any::<u64>(), any::<u64>()).prop_map(
            |(from, to, nonce, amount, gas_price)| Transaction::Transfer(Transfer {
                from,
                to,
                nonce,
                amount,
                gas_price
            })
        ),
        (address(), any::<u64>(), prop::collection::vec(any::<u8>(), 0..64), any::<u64>(), any::<u64>()).prop_map(
            |(author, nonce, code, gas_limit, gas_price)| Transaction::DeployLibrary(DeployLibrary {
                author,
                nonce,
                code,
                gas_limit,
                gas_price
            })
        ),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Success),
        Just(Outcome::OutOfGas),
        Just(Outcome::StackExhausted),
        (0u8..=255).prop_filter_map("a reason", InvalidTx::from_code).prop_map(Outcome::Invalid),
        prop::sample::select(TrapKind::ALL.to_vec()).prop_map(Outcome::Trap),
        prop::sample::select(HostError::ALL.to_vec()).prop_map(Outcome::Host),
        (0u8..=255).prop_filter_map("a refusal", Refusal::from_code).prop_map(Outcome::Refused),
    ]
}

fn receipt() -> impl Strategy<Value = Receipt> {
    (
        outcome(),
        any::<u64>(),
        prop::option::of(address()),
        prop::option::of(any::<[u8; 32]>().prop_map(|b| ContractState(Hash(b)))),
        prop::collection::vec(value(), 0..3),
        prop::collection::vec(any::<u8>(), 0..16),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..3),
        prop::collection::vec(event(), 0..3),
        prop::collection::vec(call_record(), 0..3),
        ".{0,20}",
    )
        .prop_map(|(outcome, gas_used, contract, state, returns, returndata, logs, events, calls, diagnostic)| {
            Receipt { outcome, gas_used, contract, state, returns, returndata, logs, events, calls, diagnostic }
        })
}

fn call_record() -> impl Strategy<Value = CallRecord> {
    (any::<u8>(), address(), address(), "[a-z_]{0,12}", outcome(), any::<u64>(), any::<u64>()).prop_map(
        |(depth, caller, callee, function, outcome, gas_used, value)| CallRecord {
            depth,
            caller,
            callee,
            function,
            outcome,
            gas_used,
            value,
        },
    )
}

fn event() -> impl Strategy<Value = Event> {
    (
        address(),
        prop::collection::vec(any::<[u8; 32]>(), 0..=4),
        prop::collection::vec(any::<u8>(), 0..40),
        any::<u64>(),
    )
        .prop_map(|(contract, topics, data, expires)| Event { contract, topics, data, expires })
}

proptest! {
    #[test]
    fn transactions_round_trip(tx in transaction()) {
        let bytes = tx.to_bytes();
        prop_assert_eq!(Transaction::from_bytes(&bytes), Ok(tx));
    }

    #[test]
    fn receipts_round_trip_and_the_hash_ignores_the_diagnostic(r in receipt()) {
        let bytes = r.to_bytes();
        prop_assert_eq!(Receipt::from_bytes(&bytes), Ok(r.clone()));
        let mut other = r.clone();
        other.diagnostic.push_str(" (cranelift says something else)");
        prop_assert_eq!(other.hash(), r.hash());
        let mut changed = r.clone();
        changed.gas_used ^= 1;
        prop_assert_ne!(changed.hash(), r.hash());
    }

    #[test]
    fn every_strict_prefix_and_every_extension_is_rejected(tx in transaction(), extra in 1usize..4) {
        let bytes = tx.to_bytes();
        for cut in 0..bytes.len() {
            prop_assert!(Transaction::from_bytes(&bytes[..cut]).is_err(), "prefix of {} bytes decoded", cut);
        }
        let mut longer = bytes.clone();
        longer.extend(std::iter::repeat_n(0u8, extra));
        prop_assert_eq!(Transaction::from_bytes(&longer), Err(CodecError::TrailingBytes(extra)));
    }

    #[test]
    fn whatever_decodes_re_encodes_to_the_same_bytes(bytes in prop::collection::vec(any::<u8>(), 0..96)) {
        if let Ok(tx) = Transaction::from_bytes(&bytes) {
            prop_assert_eq!(tx.to_bytes(), bytes.clone());
        }
        if let Ok(r) = Receipt::from_bytes(&bytes) {
            prop_assert_eq!(r.to_bytes(), bytes);
        }
    }

    #[test]
    fn flipping_any_byte_never_panics(tx in transaction(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = tx.to_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(decoded) = Transaction::from_bytes(&bytes) {
            prop_assert_eq!(decoded.to_bytes(), bytes);
        }
    }
}

#[test]
fn each_malformation_has_its_typed_error() {
    let tx = Transaction::Transfer(Transfer {
        from: Address([1; 20]),
        to: Address([2; 20]),
        nonce: 3,
        amount: 4,
        gas_price: 5,
    });
    let good = tx.to_bytes();

    let mut wrong_version = good.clone();
    wrong_version[0] = 1;
    assert_eq!(Transaction::from_bytes(&wrong_version), Err(CodecError::UnknownVersion(1)));

    let mut wrong_kind = good.clone();
    wrong_kind[1] = 9;
    assert_eq!(Transaction::from_bytes(&wrong_kind), Err(CodecError::UnknownTag { what: "transaction kind", tag: 9 }));

    assert_eq!(Transaction::from_bytes(&good[..5]), Err(CodecError::UnexpectedEnd { what: "from" }));
    assert_eq!(Transaction::from_bytes(&[]), Err(CodecError::UnexpectedEnd { what: "version" }));

    let execute = Transaction::Execute(Execute {
        contract: Address([1; 20]),
        sender: Address([2; 20]),
        nonce: 0,
        function: "f".into(),
        args: vec![Value::I32(1)],
        calldata: vec![],
        gas_limit: 1,
        gas_price: 1,
        value: 0,
    });
    let bytes = execute.to_bytes();
    // Layout: version, kind, contract (20), sender (20), nonce (8), name length (4) at offset 50.
    let mut long_name = bytes.clone();
    long_name[50..54].copy_from_slice(&1000u32.to_le_bytes());
    assert_eq!(
        Transaction::from_bytes(&long_name),
        Err(CodecError::TooLong { what: "function name", len: 1000, max: 256 })
    );
    let mut bad_utf8 = bytes.clone();
    bad_utf8[54] = 0xFF;
    assert_eq!(Transaction::from_bytes(&bad_utf8), Err(CodecError::InvalidUtf8 { what: "function name" }));
    let mut bad_value_type = bytes.clone();
    bad_value_type[59] = 0x7B; // v128: not a value a transaction can carry
    assert_eq!(Transaction::from_bytes(&bad_value_type), Err(CodecError::UnknownTag { what: "value type", tag: 0x7B }));

    let receipt = Receipt::new(Outcome::Success).to_bytes();
    let mut bad_flag = receipt.clone();
    bad_flag[11] = 2; // the contract-present flag after version, outcome (2) and gas (8)
    assert_eq!(Receipt::from_bytes(&bad_flag), Err(CodecError::UnknownTag { what: "contract flag", tag: 2 }));
    let mut bad_outcome = receipt.clone();
    bad_outcome[1] = 7;
    assert!(matches!(Receipt::from_bytes(&bad_outcome), Err(CodecError::UnknownTag { what: "outcome", .. })));
}

#[test]
fn a_huge_slice_count_fails_without_allocating() {
    // version, kind, author, nonce, code length 0, page count, then a slice count of 2^20.
    let mut bytes = vec![svm_core::codec::VERSION, 0];
    bytes.extend([0; 20]);
    bytes.extend(0u64.to_le_bytes());
    bytes.extend(0u32.to_le_bytes());
    bytes.extend(1u32.to_le_bytes());
    bytes.extend((1u32 << 20).to_le_bytes());
    assert_eq!(Transaction::from_bytes(&bytes), Err(CodecError::UnexpectedEnd { what: "slice list" }));
}

#[test]
fn accounts_of_each_kind_round_trip_and_a_plain_or_contract_account_encodes_as_before_libraries() {
    use svm_core::account::{Account, ContractInfo};
    let plain = Account { balance: 5, nonce: 2, contract: None, library: None };
    let contract = Account {
        contract: Some(ContractInfo {
            code_hash: Hash([1; 32]),
            meta_hash: Hash([2; 32]),
            state: ContractState(Hash([3; 32])),
        }),
        ..plain.clone()
    };
    let library = Account { library: Some(Hash([4; 32])), ..Account::default() };
    for account in [&plain, &contract, &library] {
        let bytes = svm_core::codec::encode(account);
        assert_eq!(&svm_core::codec::decode::<Account>(&bytes).unwrap(), account);
    }
    // The kind byte after balance and nonce: 0 and 1 as the boolean contract flag was, 2 for a library.
    assert_eq!(svm_core::codec::encode(&plain)[16..], [0]);
    assert_eq!(svm_core::codec::encode(&contract)[16], 1);
    assert_eq!(svm_core::codec::encode(&library)[16..17], [2]);
    assert_eq!(svm_core::codec::encode(&library).len(), 16 + 1 + 32);
    let mut unknown = svm_core::codec::encode(&plain);
    unknown[16] = 3;
    assert_eq!(
        svm_core::codec::decode::<Account>(&unknown),
        Err(CodecError::UnknownTag { what: "account kind", tag: 3 })
    );
}

#[test]
fn contract_metadata_lists_its_libraries_only_when_it_has_some() {
    use svm_core::contract_meta::ContractMeta;
    use svm_core::layout::StorageLayout;
    let meta = ContractMeta {
        code_len: 10,
        layout: std::sync::Arc::new(StorageLayout::new(1, vec![]).unwrap()),
        exports: Default::default(),
        libraries: vec![],
    };
    let linked = ContractMeta { libraries: vec![Hash([8; 32]), Hash([9; 32])], ..meta.clone() };
    let (plain_bytes, linked_bytes) = (svm_core::codec::encode(&meta), svm_core::codec::encode(&linked));
    assert_eq!(linked_bytes.len(), plain_bytes.len() + 4 + 64);
    assert_eq!(linked_bytes[..plain_bytes.len()], plain_bytes[..]);
    assert_eq!(svm_core::codec::decode::<ContractMeta>(&plain_bytes).unwrap(), meta);
    assert_eq!(svm_core::codec::decode::<ContractMeta>(&linked_bytes).unwrap(), linked);
    // An empty list written out is not the one encoding of "no libraries".
    let mut empty = plain_bytes.clone();
    empty.extend(0u32.to_le_bytes());
    assert_eq!(
        svm_core::codec::decode::<ContractMeta>(&empty),
        Err(CodecError::Invalid { what: "empty library list" })
    );
}
