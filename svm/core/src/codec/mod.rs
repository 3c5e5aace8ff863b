//! The canonical binary codec: one encoding per value, versioned at the top level.
//!
//! Integers are fixed-width little-endian; byte strings and lists carry a `u32` length checked against
//! a bound; booleans and options are one byte that must be 0 or 1; enums are a tag byte that must be
//! known. Top-level messages start with [`VERSION`]. Decoding rejects unknown versions and tags,
//! over-long lengths, invalid UTF-8 and trailing bytes, each with a typed [`CodecError`].

mod account;
pub mod bounds;
mod error;
mod layout;
mod meta;
mod reader;
mod receipt;
mod transaction;
mod writer;

pub use error::CodecError;
pub use reader::Reader;
pub use receipt::encode_receipt_consensus;
pub use writer::Writer;

/// The format version every top-level message starts with (2: transactions carry a gas price).
pub const VERSION: u8 = 2;

/// A value with a canonical encoding.
pub trait Encode {
    /// Appends the value's encoding to `w`.
    fn encode(&self, w: &mut Writer);
}

/// A value that can be read back from its canonical encoding.
pub trait Decode: Sized {
    /// Reads one value from `r`.
    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError>;
}

/// The value's encoding, without a version byte (for nested values and hashing).
pub fn encode<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut w = Writer::new();
    value.encode(&mut w);
    w.into_bytes()
}

/// Decodes exactly one value from all of `bytes` (no version byte).
pub fn decode<T: Decode>(bytes: &[u8]) -> Result<T, CodecError> {
    let mut r = Reader::new(bytes);
    let value = T::decode(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// A top-level message: the version byte, then the value.
pub fn to_message<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(VERSION);
    value.encode(&mut w);
    w.into_bytes()
}

/// Reads a top-level message: checks the version, decodes the value, rejects trailing bytes.
pub fn from_message<T: Decode>(bytes: &[u8]) -> Result<T, CodecError> {
    let mut r = Reader::new(bytes);
    let version = r.u8("version")?;
    if version != VERSION {
        return Err(CodecError::UnknownVersion(version));
    }
    let value = T::decode(&mut r)?;
    r.finish()?;
    Ok(value)
}
