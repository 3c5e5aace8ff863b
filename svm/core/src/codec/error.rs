//! Why bytes could not be decoded.

use thiserror::Error;

/// A decoding failure; every malformed input maps to exactly one of these, never to a panic.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The input ended inside `what`.
    #[error("input ends inside {what}")]
    UnexpectedEnd {
        /// The field being read.
        what: &'static str,
    },
    /// Bytes remain after the value.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// The message's version is not one this build reads.
    #[error("unknown format version {0}")]
    UnknownVersion(u8),
    /// An enum tag (or boolean) with no meaning.
    #[error("unknown {what} tag {tag}")]
    UnknownTag {
        /// The field being read.
        what: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// A length beyond the field's bound.
    #[error("{what} of length {len} exceeds the bound {max}")]
    TooLong {
        /// The field being read.
        what: &'static str,
        /// The length found.
        len: u64,
        /// The bound.
        max: u64,
    },
    /// A string that is not UTF-8.
    #[error("{what} is not valid UTF-8")]
    InvalidUtf8 {
        /// The field being read.
        what: &'static str,
    },
    /// Well-formed bytes whose value breaks a rule (an invalid layout, names out of order).
    #[error("invalid {what}")]
    Invalid {
        /// What is wrong.
        what: &'static str,
    },
}
