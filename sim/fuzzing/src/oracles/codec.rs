//! Codec oracle: every decoder rejects bad bytes without panicking, and whatever it accepts re-encodes
//! to exactly the same bytes (one encoding per value).

use svm::account::Account;
use svm::codec;
use svm::contract_meta::ContractMeta;
use svm::receipt::Receipt;
use svm::transaction::Transaction;

/// Runs every decoder on `data`.
pub fn check(data: &[u8]) {
    if let Ok(tx) = Transaction::from_bytes(data) {
        assert_eq!(tx.to_bytes(), data, "transaction re-encodes differently: {tx:?}");
    }
    if let Ok(receipt) = Receipt::from_bytes(data) {
        assert_eq!(receipt.to_bytes(), data, "receipt re-encodes differently: {receipt:?}");
    }
    if let Ok(account) = codec::decode::<Account>(data) {
        assert_eq!(codec::encode(&account), data, "account re-encodes differently: {account:?}");
    }
    if let Ok(meta) = codec::decode::<ContractMeta>(data) {
        assert_eq!(codec::encode(&meta), data, "contract metadata re-encodes differently: {meta:?}");
    }
}
