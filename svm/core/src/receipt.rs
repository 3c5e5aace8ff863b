//! Receipts: what the runtime says about each transaction.

use crate::call::CallRecord;
use crate::codec::{self, Encode, Writer};
use crate::event::Event;
use crate::outcome::Outcome;
use crate::{Address, ContractState, Hash, Value};

/// The result of one transaction. Everything but `diagnostic` is consensus data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// What happened.
    pub outcome: Outcome,
    /// Gas charged (the whole limit when out of gas; 0 when invalid).
    pub gas_used: u64,
    /// The contract the transaction deployed or executed, when there is one.
    pub contract: Option<Address>,
    /// The contract's state after a successful deploy or execution.
    pub state: Option<ContractState>,
    /// The called function's return values.
    pub returns: Vec<Value>,
    /// Bytes the contract set with `returndata_set`.
    pub returndata: Vec<u8>,
    /// Log entries, in order.
    pub logs: Vec<Vec<u8>>,
    /// Events emitted, in order (consensus data, and kept in the event store until they expire).
    pub events: Vec<Event>,
    /// The calls the transaction made, in the order made (a failed callee's own calls dropped).
    pub calls: Vec<CallRecord>,
    /// Human-readable detail (engine trap text, validation detail). Not consensus data: excluded
    /// from [`Receipt::hash`], free to differ between nodes.
    pub diagnostic: String,
}

impl Receipt {
    /// A receipt for `outcome` with nothing else in it.
    pub fn new(outcome: Outcome) -> Receipt {
        Receipt {
            outcome,
            gas_used: 0,
            contract: None,
            state: None,
            returns: Vec::new(),
            returndata: Vec::new(),
            logs: Vec::new(),
            events: Vec::new(),
            calls: Vec::new(),
            diagnostic: String::new(),
        }
    }

    /// The receipt's consensus fields, canonically encoded.
    pub fn consensus_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        codec::encode_receipt_consensus(self, &mut w);
        w.into_bytes()
    }

    /// The hash replicas compare: blake3 over the consensus fields only.
    pub fn hash(&self) -> Hash {
        blake3::hash(&self.consensus_bytes()).into()
    }

    /// The full receipt (diagnostic included) as a versioned message.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::to_message(self)
    }

    /// Reads a receipt message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Receipt, codec::CodecError> {
        codec::from_message(bytes)
    }
}

impl Encode for Receipt {
    fn encode(&self, w: &mut Writer) {
        codec::encode_receipt_consensus(self, w);
        w.str(&self.diagnostic);
    }
}
