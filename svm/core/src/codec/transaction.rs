//! Encoding of transactions.

use super::layout::{decode_slices, decode_values};
use super::{CodecError, Decode, Encode, Reader, Writer, bounds};
use crate::transaction::{Deploy, DeployLibrary, Execute, Transaction, Transfer};

const DEPLOY: u8 = 0;
const EXECUTE: u8 = 1;
const TRANSFER: u8 = 2;
const DEPLOY_LIBRARY: u8 = 3;

impl Encode for Transaction {
    fn encode(&self, w: &mut Writer) {
        match self {
            Transaction::Deploy(d) => {
                w.u8(DEPLOY);
                w.address(&d.author);
                w.u64(d.nonce);
                w.bytes(&d.code);
                w.u32(d.page_count);
                d.slices.encode(w);
                w.u64(d.initial_balance);
                w.u64(d.gas_limit);
                w.u64(d.gas_price);
            }
            Transaction::Execute(e) => {
                w.u8(EXECUTE);
                w.address(&e.contract);
                w.address(&e.sender);
                w.u64(e.nonce);
                w.str(&e.function);
                e.args.encode(w);
                w.bytes(&e.calldata);
                w.u64(e.gas_limit);
                w.u64(e.gas_price);
                w.u64(e.value);
            }
            Transaction::Transfer(t) => {
                w.u8(TRANSFER);
                w.address(&t.from);
                w.address(&t.to);
                w.u64(t.nonce);
                w.u64(t.amount);
                w.u64(t.gas_price);
            }
            Transaction::DeployLibrary(l) => {
                w.u8(DEPLOY_LIBRARY);
                w.address(&l.author);
                w.u64(l.nonce);
                w.bytes(&l.code);
                w.u64(l.gas_limit);
                w.u64(l.gas_price);
            }
        }
    }
}

impl Decode for Transaction {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("transaction kind")? {
            DEPLOY => Ok(Transaction::Deploy(Deploy {
                author: r.address("author")?,
                nonce: r.u64("nonce")?,
                code: r.bytes(bounds::MAX_CODE_BYTES, "code")?,
                page_count: r.u32("page count")?,
                slices: decode_slices(r)?,
                initial_balance: r.u64("initial balance")?,
                gas_limit: r.u64("gas limit")?,
                gas_price: r.u64("gas price")?,
            })),
            EXECUTE => Ok(Transaction::Execute(Execute {
                contract: r.address("contract")?,
                sender: r.address("sender")?,
                nonce: r.u64("nonce")?,
                function: r.str(bounds::MAX_FUNCTION_NAME_BYTES, "function name")?,
                args: decode_values(r, "arguments")?,
                calldata: r.bytes(bounds::MAX_CALLDATA_BYTES, "calldata")?,
                gas_limit: r.u64("gas limit")?,
                gas_price: r.u64("gas price")?,
                value: r.u64("value")?,
            })),
            TRANSFER => Ok(Transaction::Transfer(Transfer {
                from: r.address("from")?,
                to: r.address("to")?,
                nonce: r.u64("nonce")?,
                amount: r.u64("amount")?,
                gas_price: r.u64("gas price")?,
            })),
            DEPLOY_LIBRARY => Ok(Transaction::DeployLibrary(DeployLibrary {
                author: r.address("author")?,
                nonce: r.u64("nonce")?,
                code: r.bytes(bounds::MAX_CODE_BYTES, "code")?,
                gas_limit: r.u64("gas limit")?,
                gas_price: r.u64("gas price")?,
            })),
            tag => Err(CodecError::UnknownTag { what: "transaction kind", tag }),
        }
    }
}

impl Transaction {
    /// The transaction as a versioned message.
    pub fn to_bytes(&self) -> Vec<u8> {
        super::to_message(self)
    }

    /// Reads a transaction message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Transaction, CodecError> {
        super::from_message(bytes)
    }

    /// The transaction's hash: blake3 over its message.
    pub fn hash(&self) -> crate::Hash {
        blake3::hash(&self.to_bytes()).into()
    }
}
