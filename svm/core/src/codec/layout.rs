//! Encoding of storage layouts and the values passed to functions.

use super::{CodecError, Decode, Encode, Reader, Writer, bounds};
use crate::layout::PageSlice;
use crate::{Value, ValueType};

impl Encode for PageSlice {
    fn encode(&self, w: &mut Writer) {
        w.u32(self.page);
        w.u32(self.offset);
        w.u32(self.len);
    }
}

impl Decode for PageSlice {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PageSlice { page: r.u32("slice page")?, offset: r.u32("slice offset")?, len: r.u32("slice length")? })
    }
}

impl Encode for [PageSlice] {
    fn encode(&self, w: &mut Writer) {
        w.len(self.len());
        self.iter().for_each(|s| s.encode(w));
    }
}

/// Reads a slice list.
pub(super) fn decode_slices(r: &mut Reader<'_>) -> Result<Vec<PageSlice>, CodecError> {
    let n = r.len(bounds::MAX_SLICES, "slice list")?;
    // Each slice takes 12 bytes: a count the input cannot hold fails before anything is allocated.
    if r.remaining() / 12 < n {
        return Err(CodecError::UnexpectedEnd { what: "slice list" });
    }
    (0..n).map(|_| PageSlice::decode(r)).collect()
}

impl Encode for Value {
    fn encode(&self, w: &mut Writer) {
        w.u8(self.ty().code());
        match self {
            Value::I32(v) => w.u32(*v as u32),
            Value::I64(v) => w.u64(*v as u64),
            Value::F32(bits) => w.u32(*bits),
            Value::F64(bits) => w.u64(*bits),
        }
    }
}

impl Decode for Value {
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let tag = r.u8("value type")?;
        match ValueType::from_code(tag) {
            Some(ValueType::I32) => Ok(Value::I32(r.u32("i32 value")? as i32)),
            Some(ValueType::I64) => Ok(Value::I64(r.u64("i64 value")? as i64)),
            Some(ValueType::F32) => Ok(Value::F32(r.u32("f32 value")?)),
            Some(ValueType::F64) => Ok(Value::F64(r.u64("f64 value")?)),
            None => Err(CodecError::UnknownTag { what: "value type", tag }),
        }
    }
}

impl Encode for [Value] {
    fn encode(&self, w: &mut Writer) {
        w.len(self.len());
        self.iter().for_each(|v| v.encode(w));
    }
}

/// Reads a value list.
pub(super) fn decode_values(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<Value>, CodecError> {
    let n = r.len(bounds::MAX_VALUES, what)?;
    (0..n).map(|_| Value::decode(r)).collect()
}
