//! The fee rule: who pays for a transaction, how much, and to whom.
//!
//! Every transaction names a gas price. Before anything else, the sender must be able to pay the most
//! the transaction can cost — `gas_limit × gas_price`, plus the value (or initial balance) it moves —
//! or the transaction is *invalid* and changes nothing. A transaction that passes that check always
//! consumes its nonce and pays `gas_used × gas_price` to [`FEE_ACCOUNT`], whatever its outcome; a
//! failed one changes nothing else. The fee account can neither send nor receive a transaction.

use crate::Address;

/// The account every fee is paid to: the first 20 bytes of blake3("svm/v1/fee-account").
/// `c2bdd09821a37c2b73747d42f4a5116a984d5a3f` is its hex; a test pins it.
pub const FEE_ACCOUNT: Address = Address([
    0xc2, 0xbd, 0xd0, 0x98, 0x21, 0xa3, 0x7c, 0x2b, 0x73, 0x74, 0x7d, 0x42, 0xf4, 0xa5, 0x11, 0x6a, 0x98, 0x4d, 0x5a,
    0x3f,
]);

/// The fee for `gas` at `price`, or `None` if it does not fit a `u64`.
pub fn fee(gas: u64, price: u64) -> Option<u64> {
    gas.checked_mul(price)
}

/// What the sender must hold before the transaction runs: the most it can pay in fees plus what it
/// moves, or `None` if that does not fit a `u64`.
pub fn upfront_cost(gas_limit: u64, price: u64, moved: u64) -> Option<u64> {
    fee(gas_limit, price)?.checked_add(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_account_is_the_documented_derivation() {
        let derived = blake3::hash(b"svm/v1/fee-account");
        assert_eq!(FEE_ACCOUNT.as_bytes()[..], derived.as_bytes()[..20]);
    }

    #[test]
    fn overflow_is_none_not_a_wrap() {
        assert_eq!(fee(3, 7), Some(21));
        assert_eq!(fee(u64::MAX, 2), None);
        assert_eq!(upfront_cost(10, 10, u64::MAX - 99), None);
        assert_eq!(upfront_cost(10, 10, u64::MAX - 100), Some(u64::MAX));
    }
}
