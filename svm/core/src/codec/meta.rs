//! Encoding of contract metadata as the contract store keeps it.

use super::layout::decode_slices;
use super::{CodecError, Decode, Encode, Reader, Writer, bounds};
use crate::contract_meta::{ContractMeta, FunctionSignature};
use crate::layout::StorageLayout;
use crate::value::ValueType;
use std::collections::BTreeMap;

fn encode_types(types: &[ValueType], w: &mut Writer) {
    w.len(types.len());
    types.iter().for_each(|t| w.u8(t.code()));
}

fn decode_types(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<ValueType>, CodecError> {
    let n = r.len(bounds::MAX_VALUES, what)?;
    (0..n)
        .map(|_| {
            let tag = r.u8("value type")?;
            ValueType::from_code(tag).ok_or(CodecError::UnknownTag { what: "value type", tag })
        })
        .collect()
}

impl Encode for ContractMeta {
    fn encode(&self, w: &mut Writer) {
        w.u32(self.code_len);
        self.layout.encode(w);
        w.len(self.exports.len());
        for (name, signature) in &self.exports {
            w.str(name);
            encode_types(&signature.params, w);
            encode_types(&signature.results, w);
        }
        // The libraries follow only when there are some, so a contract that links none encodes as before.
        if !self.libraries.is_empty() {
            w.len(self.libraries.len());
            self.libraries.iter().for_each(|hash| w.hash(hash));
        }
    }
}

impl Decode for ContractMeta {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let code_len = r.u32("code length")?;
        let page_count = r.u32("page count")?;
        let slices = decode_slices(r)?;
        let layout = StorageLayout::new(page_count, slices).map_err(|_| CodecError::Invalid { what: "layout" })?;
        let count = r.len(bounds::MAX_EXPORTS, "exports")?;
        let mut exports = BTreeMap::new();
        let mut previous: Option<String> = None;
        for _ in 0..count {
            let name = r.str(bounds::MAX_FUNCTION_NAME_BYTES, "export name")?;
            // One encoding per value: names strictly ascending.
            if previous.as_ref().is_some_and(|p| *p >= name) {
                return Err(CodecError::Invalid { what: "export order" });
            }
            previous = Some(name.clone());
            let params = decode_types(r, "parameter types")?;
            let results = decode_types(r, "result types")?;
            exports.insert(name, FunctionSignature { params, results });
        }
        let mut libraries = Vec::new();
        if r.remaining() > 0 {
            let count = r.len(crate::link_rule::MAX_LIBRARIES as u32, "libraries")?;
            if count == 0 {
                return Err(CodecError::Invalid { what: "empty library list" });
            }
            for _ in 0..count {
                libraries.push(r.hash("library code hash")?);
            }
        }
        Ok(ContractMeta { code_len, layout: std::sync::Arc::new(layout), exports, libraries })
    }
}
