//! Encoding of receipts.

use super::layout::decode_values;
use super::{CodecError, Decode, Encode, Reader, Writer, bounds};
use crate::ContractState;
use crate::call::CallRecord;
use crate::event::Event;
use crate::outcome::Outcome;
use crate::receipt::Receipt;

/// Writes the consensus fields of `receipt` (everything but the diagnostic).
pub fn encode_receipt_consensus(receipt: &Receipt, w: &mut Writer) {
    let (class, detail) = receipt.outcome.codes();
    w.u8(class);
    w.u8(detail);
    w.u64(receipt.gas_used);
    w.bool(receipt.contract.is_some());
    if let Some(contract) = &receipt.contract {
        w.address(contract);
    }
    w.bool(receipt.state.is_some());
    if let Some(state) = &receipt.state {
        w.hash(&state.0);
    }
    receipt.returns.encode(w);
    w.bytes(&receipt.returndata);
    w.len(receipt.logs.len());
    for log in &receipt.logs {
        w.bytes(log);
    }
    w.len(receipt.events.len());
    for event in &receipt.events {
        event.encode(w);
    }
    w.len(receipt.calls.len());
    for call in &receipt.calls {
        call.encode(w);
    }
}

impl Decode for Receipt {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let (class, detail) = (r.u8("outcome class")?, r.u8("outcome detail")?);
        let outcome =
            Outcome::from_codes(class, detail).ok_or(CodecError::UnknownTag { what: "outcome", tag: class })?;
        let gas_used = r.u64("gas used")?;
        let contract = if r.bool("contract flag")? { Some(r.address("contract")?) } else { None };
        let state = if r.bool("state flag")? { Some(ContractState(r.hash("state")?)) } else { None };
        let returns = decode_values(r, "return values")?;
        let returndata = r.bytes(bounds::MAX_RETURNDATA_BYTES, "returndata")?;
        let count = r.len(bounds::MAX_LOGS, "logs")?;
        let logs = (0..count).map(|_| r.bytes(bounds::MAX_LOG_BYTES, "log")).collect::<Result<_, _>>()?;
        let count = r.len(bounds::MAX_EVENTS, "events")?;
        let events = (0..count).map(|_| Event::decode(r)).collect::<Result<_, _>>()?;
        let count = r.len(bounds::MAX_CALLS, "calls")?;
        let calls = (0..count).map(|_| CallRecord::decode(r)).collect::<Result<_, _>>()?;
        let diagnostic = r.str(bounds::MAX_DIAGNOSTIC_BYTES, "diagnostic")?;
        Ok(Receipt { outcome, gas_used, contract, state, returns, returndata, logs, events, calls, diagnostic })
    }
}
