//! Encoding of accounts and storage layouts as the state stores them.

use super::{CodecError, Decode, Encode, Reader, Writer};
use crate::ContractState;
use crate::account::{Account, ContractInfo};
use crate::layout::StorageLayout;

impl Encode for Account {
    fn encode(&self, w: &mut Writer) {
        w.u64(self.balance);
        w.u64(self.nonce);
        w.bool(self.contract.is_some());
        if let Some(contract) = &self.contract {
            w.hash(&contract.code_hash);
            w.hash(&contract.meta_hash);
            w.hash(&contract.state.0);
        }
    }
}

impl Decode for Account {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let balance = r.u64("balance")?;
        let nonce = r.u64("nonce")?;
        let contract = if r.bool("contract flag")? {
            Some(ContractInfo {
                code_hash: r.hash("code hash")?,
                meta_hash: r.hash("meta hash")?,
                state: ContractState(r.hash("contract state")?),
            })
        } else {
            None
        };
        Ok(Account { balance, nonce, contract })
    }
}

impl Encode for StorageLayout {
    fn encode(&self, w: &mut Writer) {
        w.u32(self.page_count());
        self.slices().encode(w);
    }
}
