//! The account encoding and the global state root (`docs/consensus.md`, Account and Account trie and
//! global state root), computed naively from the full set of stored accounts every time.

use crate::chain::hashing::{blake3, blake3_keyed};
use crate::chain::state::State;
use svm_core::account::Account;
use svm_core::{Address, Hash, StateRoot};

/// The account-trie leaf key: `svm/v1/account-trie/leaf` padded with `.` to 32 bytes.
pub const LEAF_KEY: [u8; 32] = *b"svm/v1/account-trie/leaf........";
/// The account-trie internal-node key: `svm/v1/account-trie/node` padded with `.` to 32 bytes.
pub const NODE_KEY: [u8; 32] = *b"svm/v1/account-trie/node........";

/// Two distinct addresses with the same 256-bit key path: a node fault, never an outcome.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the key paths of {0} and {1} collide")]
pub struct KeyCollision(pub Address, pub Address);

/// `enc(Account)`: `u64 balance ‖ u64 nonce ‖ u8 kind ‖ …`: kind 0 a plain account (17 bytes), 1 a contract
/// followed by `code_hash ‖ meta_hash ‖ state` (113 bytes), 2 a library followed by its `code_hash` (49 bytes).
pub fn encode_account(account: &Account) -> Vec<u8> {
    let mut out = Vec::with_capacity(113);
    out.extend_from_slice(&account.balance.to_le_bytes());
    out.extend_from_slice(&account.nonce.to_le_bytes());
    match (&account.contract, &account.library) {
        (None, None) => out.push(0),
        (Some(contract), _) => {
            out.push(1);
            out.extend_from_slice(&contract.code_hash.0);
            out.extend_from_slice(&contract.meta_hash.0);
            out.extend_from_slice(&contract.state.0.0);
        }
        (None, Some(library)) => {
            out.push(2);
            out.extend_from_slice(&library.0);
        }
    }
    out
}

/// `key(a) = blake3(a)`: the account's 256-bit path.
pub fn key_path(address: &Address) -> Hash {
    blake3(&address.0)
}

/// `leaf_hash(a, acct) = blake3_k(LEAF_KEY, a ‖ enc(acct))`.
pub fn leaf_hash(address: &Address, account: &Account) -> Hash {
    let mut preimage = address.0.to_vec();
    preimage.extend_from_slice(&encode_account(account));
    blake3_keyed(&LEAF_KEY, &preimage)
}

/// `inner_hash(L, R) = blake3_k(NODE_KEY_trie, L ‖ R)`, with no zero shortcut.
pub fn inner_hash(left: &Hash, right: &Hash) -> Hash {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(&left.0);
    preimage[32..].copy_from_slice(&right.0);
    blake3_keyed(&NODE_KEY, &preimage)
}

/// `bit(k, d) = (k[d div 8] >> (7 − d mod 8)) & 1`.
fn bit(key: &Hash, depth: usize) -> u8 {
    (key.0[depth / 8] >> (7 - depth % 8)) & 1
}

/// One stored account as the trie sees it: its address, key path and leaf hash.
struct Entry {
    address: Address,
    key: Hash,
    leaf: Hash,
}

/// `root(S, d)`: `ZERO` for no account, the leaf hash for one, else the inner hash of the roots of the
/// accounts whose path has bit `d` = 0 and = 1.
fn root(entries: &[&Entry], depth: usize) -> Result<Hash, KeyCollision> {
    match entries {
        [] => Ok(Hash::ZERO),
        [one] => Ok(one.leaf),
        [first, second, ..] => {
            if depth == 256 {
                return Err(KeyCollision(first.address, second.address));
            }
            let (zeros, ones): (Vec<&Entry>, Vec<&Entry>) = entries.iter().partition(|e| bit(&e.key, depth) == 0);
            Ok(inner_hash(&root(&zeros, depth + 1)?, &root(&ones, depth + 1)?))
        }
    }
}

/// The root of the account trie over `accounts` (address, account) — in any order.
pub fn state_root_of<'a>(
    accounts: impl IntoIterator<Item = (&'a Address, Account)>,
) -> Result<StateRoot, KeyCollision> {
    let entries: Vec<Entry> = accounts
        .into_iter()
        .map(|(address, account)| Entry {
            address: *address,
            key: key_path(address),
            leaf: leaf_hash(address, &account),
        })
        .collect();
    let refs: Vec<&Entry> = entries.iter().collect();
    root(&refs, 0).map(StateRoot)
}

/// The global state root of `state`.
pub fn state_root(state: &State) -> Result<StateRoot, KeyCollision> {
    state_root_of(state.accounts().iter().map(|(address, record)| (address, record.to_account())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm_core::ContractState;
    use svm_core::account::ContractInfo;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn contract_account() -> Account {
        Account {
            balance: 5,
            nonce: 0,
            contract: Some(ContractInfo {
                code_hash: Hash([0xC0; 32]),
                meta_hash: Hash([0x3E; 32]),
                state: ContractState(Hash([0x57; 32])),
            }),
            library: None,
        }
    }

    #[test]
    fn keys_and_encodings_are_the_documented_bytes() {
        assert_eq!(hex(&LEAF_KEY), "73766d2f76312f6163636f756e742d747269652f6c6561662e2e2e2e2e2e2e2e");
        assert_eq!(hex(&NODE_KEY), "73766d2f76312f6163636f756e742d747269652f6e6f64652e2e2e2e2e2e2e2e");
        let plain = Account { balance: 1000, nonce: 1, contract: None, library: None };
        assert_eq!(hex(&encode_account(&plain)), "e803000000000000010000000000000000");
        let contract = contract_account();
        let expected =
            format!("0500000000000000000000000000000001{}{}{}", "c0".repeat(32), "3e".repeat(32), "57".repeat(32));
        assert_eq!(hex(&encode_account(&contract)), expected);
        for account in [plain, contract] {
            assert_eq!(encode_account(&account), svm_core::codec::encode(&account), "svm-core's codec agrees");
        }
    }

    #[test]
    fn roots_of_the_worked_examples() {
        let (a1, a2, a3) = (Address([1; 20]), Address([2; 20]), Address([3; 20]));
        let acct1 = Account { balance: 1000, nonce: 1, contract: None, library: None };
        let acct3 = Account { balance: 0, nonce: 9, contract: None, library: None };
        assert_eq!(state_root_of([]).unwrap(), StateRoot::EMPTY);
        let one = state_root_of([(&a1, acct1.clone())]).unwrap();
        assert_eq!(one.to_string(), "d3e8ea143826b482b1222fc142256dbadb478f05b95842b4a775cf7db748e9d4");
        assert_eq!(one.0, leaf_hash(&a1, &acct1));
        let two = state_root_of([(&a2, contract_account()), (&a1, acct1.clone())]).unwrap();
        assert_eq!(two.to_string(), "2201563e49fe427a410bf81951023808b9a289c725afb61bff9491a593341981");
        let three = state_root_of([(&a3, acct3.clone()), (&a1, acct1.clone()), (&a2, contract_account())]).unwrap();
        assert_eq!(three.to_string(), "d505d08240064de33eabbfd686c79fad5ac777fca3ac580ab8e292ce8aa754d5");
        let (leaf2, leaf3) = (leaf_hash(&a2, &contract_account()), leaf_hash(&a3, &acct3));
        assert_eq!(leaf2.to_string(), "1844bf85c732c8075a5236b2926f9ed6a7c47f6f2c7b8b6d1a61c24eb89f8674");
        assert_eq!(leaf3.to_string(), "036e9e0eaa1195ef482c7c2d53499f20f3622dde1da2ac82b6feccfd63a6e1fe");
        let shape = inner_hash(&inner_hash(&leaf_hash(&a1, &acct1), &inner_hash(&leaf3, &leaf2)), &Hash::ZERO);
        assert_eq!(three.0, shape);
    }

    #[test]
    fn a_duplicate_path_is_a_collision() {
        let a = Address([7; 20]);
        let account = Account { balance: 1, nonce: 0, contract: None, library: None };
        assert_eq!(state_root_of([(&a, account.clone()), (&a, account)]), Err(KeyCollision(a, a)));
    }
}
