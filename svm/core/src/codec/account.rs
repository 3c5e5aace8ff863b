//! Encoding of accounts and storage layouts as the state stores them.

use super::{CodecError, Decode, Encode, Reader, Writer};
use crate::ContractState;
use crate::account::{Account, ContractInfo};
use crate::layout::StorageLayout;

const PLAIN: u8 = 0;
const CONTRACT: u8 = 1;
const LIBRARY: u8 = 2;

impl Encode for Account {
    fn encode(&self, w: &mut Writer) {
        w.u64(self.balance);
        w.u64(self.nonce);
        // The kind tag: 0 a plain account, 1 a contract, 2 a library (a contract's is never a library's).
        match (&self.contract, &self.library) {
            (Some(contract), _) => {
                w.u8(CONTRACT);
                w.hash(&contract.code_hash);
                w.hash(&contract.meta_hash);
                w.hash(&contract.state.0);
            }
            (None, Some(library)) => {
                w.u8(LIBRARY);
                w.hash(library);
            }
            (None, None) => w.u8(PLAIN),
        }
    }
}

impl Decode for Account {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let balance = r.u64("balance")?;
        let nonce = r.u64("nonce")?;
        let (contract, library) = match r.u8("account kind")? {
            PLAIN => (None, None),
            CONTRACT => (
                Some(ContractInfo {
                    code_hash: r.hash("code hash")?,
                    meta_hash: r.hash("meta hash")?,
                    state: ContractState(r.hash("contract state")?),
                }),
                None,
            ),
            LIBRARY => (None, Some(r.hash("library code hash")?)),
            tag => return Err(CodecError::UnknownTag { what: "account kind", tag }),
        };
        Ok(Account { balance, nonce, contract, library })
    }
}

impl Encode for StorageLayout {
    fn encode(&self, w: &mut Writer) {
        w.u32(self.page_count());
        self.slices().encode(w);
    }
}
