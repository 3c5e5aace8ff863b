//! The transaction's context: who sent it, to which contract, in which layer, with what value, and balances.
//!
//! The helpers that return an [`Address`] pass it through [`SCRATCH`]; the `_to_reg` forms leave it in a
//! register of the caller's choice instead, ready for `storage_write_from_reg` or a comparison.

use crate::abort::require;
use crate::address::Address;
use crate::registers::{Register, SCRATCH};
use crate::vmcalls;

/// The transaction's sender.
pub fn sender() -> Address {
    sender_to_reg(SCRATCH);
    Address::from_reg(SCRATCH)
}

/// Stores the transaction's sender in a 160-bit register; aborts if `reg` is of another class.
pub fn sender_to_reg(reg: Register) {
    require(reg.bits() == 160);
    unsafe { vmcalls::host_sender_to_reg(reg.index()) }
}

/// The running contract's address.
pub fn contract() -> Address {
    contract_to_reg(SCRATCH);
    Address::from_reg(SCRATCH)
}

/// Stores the running contract's address in a 160-bit register; aborts if `reg` is of another class.
pub fn contract_to_reg(reg: Register) {
    require(reg.bits() == 160);
    unsafe { vmcalls::host_contract_to_reg(reg.index()) }
}

/// The layer (block height) the transaction runs in.
pub fn layer() -> u64 {
    unsafe { vmcalls::host_layer() }
}

/// The balance the transaction moved to the contract (already in the contract's balance).
pub fn value() -> u64 {
    unsafe { vmcalls::host_value() }
}

/// The balance of `account`, after the value this call moved and before its fee.
pub fn balance_of(account: &Address) -> u64 {
    account.to_reg(SCRATCH);
    balance_of_reg(SCRATCH)
}

/// The balance of the account whose address is in a 160-bit register (another class fails the call with
/// `host:register-width`).
pub fn balance_of_reg(reg: Register) -> u64 {
    unsafe { vmcalls::get_balance_from_reg(reg.bits(), reg.index()) }
}
