//! The transaction-level model: the rules, restated from `docs/consensus.md`-level prose rather than
//! taken from the runtime, that decide whether a transaction is invalid, runs out of gas before any
//! code, is refused, or reaches the contract's model — and so what its receipt must say.

use super::calls::World;
use super::linking::LinkExpectation;
use super::{Balances, CallEffects, ContractModel, ModelCall};
use svm::account::Account;
use svm::fee::FEE_ACCOUNT;
use svm::gas::intrinsic;
use svm::outcome::{InvalidTx, Outcome, Refusal};
use svm::storage::page_slices::PageSlice;
use svm::transaction::{Deploy, DeployLibrary, Execute, Transfer};
use svm::{Address, Limits, Value};

/// The accounts before the transaction.
pub trait Ledger {
    /// The account at `address`, if it exists.
    fn account(&self, address: &Address) -> Option<Account>;
}

/// What a receipt must say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this outcome, and for a success these returns, returndata, logs and slices.
    Exactly(CallEffects),
    /// Admitted, but no model says more: any outcome except `invalid`.
    Admitted,
    /// A deploy whose code breaks an allow-list rule: `refused:code-rejected:*`.
    CodeRejected,
}

/// The expectation for one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// What the receipt must say.
    pub expected: Expected,
    /// Whether running out of gas is also acceptable: the gas limit is below what the model knows to
    /// be ample for this call.
    pub may_run_out_of_gas: bool,
    /// The contract a successful deploy creates.
    pub contract: Option<Address>,
    /// The linked length of a deploy's code, when the model knows it (what its executions pay intrinsic gas for).
    pub code_len: Option<usize>,
}

impl Expectation {
    fn exactly(outcome: Outcome) -> Expectation {
        Expectation {
            expected: Expected::Exactly(CallEffects::failed(outcome)),
            may_run_out_of_gas: false,
            contract: None,
            code_len: None,
        }
    }

    fn invalid(reason: InvalidTx) -> Expectation {
        Expectation::exactly(Outcome::Invalid(reason))
    }
}

/// The fee rule's admission: `Some(reason)` when the sender cannot pay the most the transaction can
/// cost (`gas_limit × price + moved`), or the transaction is invalid for another reason checked first.
pub fn admission(
    ledger: &dyn Ledger,
    sender: &Address,
    nonce: u64,
    gas_limit: u64,
    price: u64,
    moved: u64,
) -> Option<InvalidTx> {
    if *sender == FEE_ACCOUNT {
        return Some(InvalidTx::FeeAccount);
    }
    if gas_limit > Limits::default().max_gas_limit {
        return Some(InvalidTx::GasLimitTooHigh);
    }
    let account = ledger.account(sender).unwrap_or_default();
    if account.library.is_some() {
        return Some(InvalidTx::LibraryAccount);
    }
    if account.nonce != nonce {
        return Some(InvalidTx::NonceMismatch);
    }
    let Some(max_fee) = gas_limit.checked_mul(price) else { return Some(InvalidTx::FeeOverflow) };
    let Some(upfront) = max_fee.checked_add(moved) else { return Some(InvalidTx::FeeOverflow) };
    if account.balance < upfront {
        return Some(InvalidTx::InsufficientBalance);
    }
    let collected = ledger.account(&FEE_ACCOUNT).map_or(0, |a| a.balance);
    collected.checked_add(max_fee).is_none().then_some(InvalidTx::BalanceOverflow)
}

fn balance(ledger: &dyn Ledger, address: &Address) -> u64 {
    ledger.account(address).map_or(0, |a| a.balance)
}

/// A transfer: admitted, to anyone but the fee account, without overflowing the recipient: applied.
pub fn transfer(tx: &Transfer, ledger: &dyn Ledger) -> Expectation {
    if let Some(reason) = admission(ledger, &tx.from, tx.nonce, intrinsic::TRANSFER, tx.gas_price, tx.amount) {
        return Expectation::invalid(reason);
    }
    if tx.to == FEE_ACCOUNT {
        return Expectation::invalid(InvalidTx::FeeAccount);
    }
    if ledger.account(&tx.to).is_some_and(|a| a.library.is_some()) {
        return Expectation::invalid(InvalidTx::LibraryAccount);
    }
    if tx.to != tx.from && balance(ledger, &tx.to).checked_add(tx.amount).is_none() {
        return Expectation::invalid(InvalidTx::BalanceOverflow);
    }
    Expectation::exactly(Outcome::Success)
}

/// What a deploy's code is known to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownCode {
    /// Valid code with a valid layout (a generated contract, a modelled corpus contract).
    Valid,
    /// Code the allow-list rejects.
    Rejected,
    /// Nothing is known.
    Unknown,
}

/// A deploy of code known to be `code`, which linking must treat as `link` says.
pub fn deploy(tx: &Deploy, ledger: &dyn Ledger, code: KnownCode, link: LinkExpectation) -> Expectation {
    if let Some(reason) = admission(ledger, &tx.author, tx.nonce, tx.gas_limit, tx.gas_price, tx.initial_balance) {
        return Expectation::invalid(reason);
    }
    let address = svm::runtime::contract_address(&tx.author, tx.nonce, &svm::code::code_hash(&tx.code));
    if address == FEE_ACCOUNT {
        return Expectation::invalid(InvalidTx::FeeAccount);
    }
    let existing = ledger.account(&address).unwrap_or_default();
    if existing.contract.is_some() {
        return Expectation::invalid(InvalidTx::AddressTaken);
    }
    if existing.balance.checked_add(tx.initial_balance).is_none() {
        return Expectation::invalid(InvalidTx::BalanceOverflow);
    }
    if intrinsic::deploy(tx.code.len(), tx.slices.len()) > tx.gas_limit {
        return Expectation::exactly(Outcome::OutOfGas);
    }
    if !layout_is_valid(tx.page_count, &tx.slices) {
        return Expectation::exactly(Outcome::Refused(Refusal::InvalidLayout));
    }
    let code_len = match link {
        LinkExpectation::NoLibraries => tx.code.len(),
        LinkExpectation::UnknownFirst => {
            return Expectation::exactly(Outcome::Refused(Refusal::Link(svm::link_rule::LinkRule::UnknownLibrary)));
        }
        LinkExpectation::Unknown => {
            return Expectation { expected: Expected::Admitted, ..Expectation::exactly(Outcome::Success) };
        }
        LinkExpectation::Linked { code_len } => code_len,
    };
    if intrinsic::deploy(code_len, tx.slices.len()) > tx.gas_limit {
        return Expectation::exactly(Outcome::OutOfGas);
    }
    let code_len = Some(code_len);
    match code {
        KnownCode::Valid => Expectation { contract: Some(address), code_len, ..Expectation::exactly(Outcome::Success) },
        KnownCode::Rejected => {
            Expectation { expected: Expected::CodeRejected, ..Expectation::exactly(Outcome::Success) }
        }
        KnownCode::Unknown => Expectation { expected: Expected::Admitted, ..Expectation::exactly(Outcome::Success) },
    }
}

/// A library deploy: admitted, of a library not deployed yet, with gas for its own code; then its shape and what
/// linking must make of it (`link`) decide exactly, and only the allow-list's verdict is left open.
pub fn deploy_library(tx: &DeployLibrary, ledger: &dyn Ledger, link: LinkExpectation) -> Expectation {
    if let Some(reason) = admission(ledger, &tx.author, tx.nonce, tx.gas_limit, tx.gas_price, 0) {
        return Expectation::invalid(reason);
    }
    let address = svm::address::library_address(&svm::code::code_hash(&tx.code));
    if ledger.account(&address).is_some_and(|a| a.library.is_some()) {
        return Expectation::invalid(InvalidTx::AddressTaken);
    }
    if intrinsic::deploy(tx.code.len(), 0) > tx.gas_limit {
        return Expectation::exactly(Outcome::OutOfGas);
    }
    let refused = |rule| Expectation::exactly(Outcome::Refused(Refusal::Link(rule)));
    if let Err(rule) = super::linking::library_shape(&tx.code) {
        return refused(rule);
    }
    let code_len = match link {
        LinkExpectation::UnknownFirst => return refused(svm::link_rule::LinkRule::UnknownLibrary),
        LinkExpectation::Linked { code_len } => code_len,
        LinkExpectation::NoLibraries | LinkExpectation::Unknown => tx.code.len(),
    };
    if intrinsic::deploy(code_len, 0) > tx.gas_limit {
        return Expectation::exactly(Outcome::OutOfGas);
    }
    Expectation { expected: Expected::Admitted, ..Expectation::exactly(Outcome::Success) }
}

/// The layout rules: at most `max_pages` pages and `MAX_SLICES` slices; every slice — its length, or
/// a collection state's 48 bytes for a slot (length 0) — on a page that exists, inside its page, and
/// sharing no byte with another.
pub fn layout_is_valid(page_count: u32, slices: &[PageSlice]) -> bool {
    let page_size = svm::storage::pages::PAGE_SIZE as u64;
    if page_count > Limits::default().max_pages || slices.len() > svm::layout::MAX_SLICES {
        return false;
    }
    let span = |s: &PageSlice| if s.len == 0 { svm::layout::COLLECTION_STATE_LEN } else { s.len };
    let fits = |s: &PageSlice| s.page < page_count && u64::from(s.offset) + u64::from(span(s)) <= page_size;
    if !slices.iter().all(fits) {
        return false;
    }
    let mut sorted: Vec<&PageSlice> = slices.iter().collect();
    sorted.sort_by_key(|s| (s.page, s.offset));
    sorted.windows(2).all(|pair| pair[0].page != pair[1].page || pair[0].offset + span(pair[0]) <= pair[1].offset)
}

/// A deployed contract as the execute model needs it.
pub struct Target<'a> {
    /// Its code's length (the intrinsic gas depends on it).
    pub code_len: usize,
    /// Its model, if it has one.
    pub model: Option<&'a dyn ContractModel>,
    /// Its slices before the call.
    pub slices: &'a [Vec<u8>],
    /// Gas beyond the intrinsic cost that no call to it can use up unless it is meant to.
    pub ample_gas: u64,
}

/// Balances during a call: the ledger's, with the value moved from the sender to the contract.
struct DuringCall<'a> {
    ledger: &'a dyn Ledger,
    tx: &'a Execute,
}

impl Balances for DuringCall<'_> {
    fn balance(&self, address: &Address) -> u64 {
        let before = balance(self.ledger, address);
        if self.tx.sender == self.tx.contract {
            return before;
        }
        if *address == self.tx.sender {
            before.saturating_sub(self.tx.value)
        } else if *address == self.tx.contract {
            before.saturating_add(self.tx.value)
        } else {
            before
        }
    }
}

/// An execution in `layer` of `target` (`None`: no contract is known at the address).
pub fn execute(
    tx: &Execute,
    ledger: &dyn Ledger,
    target: Option<Target<'_>>,
    world: &dyn World,
    layer: u64,
) -> Expectation {
    if tx.calldata.len() > Limits::default().max_calldata_bytes as usize {
        return Expectation::invalid(InvalidTx::CalldataTooLarge);
    }
    if let Some(reason) = admission(ledger, &tx.sender, tx.nonce, tx.gas_limit, tx.gas_price, tx.value) {
        return Expectation::invalid(reason);
    }
    let contract = ledger.account(&tx.contract).unwrap_or_default();
    let Some(target) = target.filter(|_| contract.contract.is_some()) else {
        return Expectation::invalid(InvalidTx::UnknownContract);
    };
    if tx.contract != tx.sender && contract.balance.checked_add(tx.value).is_none() {
        return Expectation::invalid(InvalidTx::BalanceOverflow);
    }
    let intrinsic = intrinsic::execute(target.code_len, tx.calldata.len());
    if intrinsic > tx.gas_limit {
        return Expectation::exactly(Outcome::OutOfGas);
    }
    let Some(model) = target.model else {
        return Expectation { expected: Expected::Admitted, ..Expectation::exactly(Outcome::Success) };
    };
    let Some(params) = model.params(&tx.function) else {
        return Expectation::exactly(Outcome::Refused(Refusal::NoSuchFunction));
    };
    if !params.iter().copied().eq(tx.args.iter().map(Value::ty)) {
        return Expectation::exactly(Outcome::Refused(Refusal::ArgumentMismatch));
    }
    let ample = tx.gas_limit >= intrinsic.saturating_add(target.ample_gas);
    let call = ModelCall {
        sender: tx.sender,
        contract: tx.contract,
        function: &tx.function,
        args: &tx.args,
        calldata: &tx.calldata,
        value: tx.value,
        layer,
        world,
        ample,
    };
    let effects = model.call(target.slices, &call, &DuringCall { ledger, tx });
    let may_run_out_of_gas = !ample || effects.callees_ran;
    if effects.uncertain {
        return Expectation { expected: Expected::Admitted, may_run_out_of_gas, contract: None, code_len: None };
    }
    Expectation { expected: Expected::Exactly(effects), may_run_out_of_gas, contract: None, code_len: None }
}
