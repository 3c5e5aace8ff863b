//! Reads canonical encodings back, rejecting every non-canonical input.

use super::CodecError;
use crate::{Address, Hash};

/// A cursor over encoded bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    /// The number of bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Fails unless every byte was consumed.
    pub fn finish(&self) -> Result<(), CodecError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(CodecError::TrailingBytes(n)),
        }
    }

    /// The next `n` bytes.
    pub fn raw(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(CodecError::UnexpectedEnd { what })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.raw(N, what)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// A boolean: exactly 0 or 1.
    pub fn bool(&mut self, what: &'static str) -> Result<bool, CodecError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(CodecError::UnknownTag { what, tag }),
        }
    }

    /// A little-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// A little-endian u64.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A length prefix no greater than `max`.
    pub fn len(&mut self, max: u32, what: &'static str) -> Result<usize, CodecError> {
        let len = self.u32(what)?;
        if len > max {
            return Err(CodecError::TooLong { what, len: len.into(), max: max.into() });
        }
        Ok(len as usize)
    }

    /// A length-prefixed byte string of at most `max` bytes.
    pub fn bytes(&mut self, max: u32, what: &'static str) -> Result<Vec<u8>, CodecError> {
        let len = self.len(max, what)?;
        Ok(self.raw(len, what)?.to_vec())
    }

    /// A length-prefixed UTF-8 string of at most `max` bytes.
    pub fn str(&mut self, max: u32, what: &'static str) -> Result<String, CodecError> {
        String::from_utf8(self.bytes(max, what)?).map_err(|_| CodecError::InvalidUtf8 { what })
    }

    /// A 20-byte address.
    pub fn address(&mut self, what: &'static str) -> Result<Address, CodecError> {
        Ok(Address(self.array(what)?))
    }

    /// A 32-byte hash.
    pub fn hash(&mut self, what: &'static str) -> Result<Hash, CodecError> {
        Ok(Hash(self.array(what)?))
    }
}
