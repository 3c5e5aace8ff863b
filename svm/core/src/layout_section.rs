//! The storage layout a contract carries in its code: the `svm-layout` custom section, written by the
//! contract SDK (and the C header) from the contract's own declarations, so that the layout a deploy
//! names comes from the contract and not from hand-written numbers. The VM strips custom sections
//! before compiling; this is for tools that build deploy transactions.
//!
//! The section's bytes: u32 little-endian page count, u32 LE slice count, then per slice three u32 LE:
//! page, offset, length — exactly `8 + 12 × count` bytes.

use crate::layout::{LayoutError, PageSlice, StorageLayout};
use thiserror::Error;
use wasmparser::{Parser, Payload};

/// The custom section's name.
pub const LAYOUT_SECTION: &str = "svm-layout";

/// Why a contract's layout section could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LayoutSectionError {
    /// The code is not a module that parses.
    #[error("the code does not parse: {0}")]
    Malformed(String),
    /// The code carries no `svm-layout` section.
    #[error("no `{LAYOUT_SECTION}` custom section")]
    Missing,
    /// More than one `svm-layout` section.
    #[error("{0} `{LAYOUT_SECTION}` sections; a contract declares its layout once")]
    Repeated(usize),
    /// The section's length does not match its slice count.
    #[error("`{LAYOUT_SECTION}` is {len} bytes; a section of {count} slices is {expected}")]
    BadLength {
        /// Its length.
        len: usize,
        /// The slice count it names.
        count: u32,
        /// The length that count needs.
        expected: u64,
    },
    /// The layout breaks a layout rule.
    #[error("`{LAYOUT_SECTION}` names an invalid layout: {0}")]
    Invalid(#[from] LayoutError),
}

/// The storage layout `code` declares in its `svm-layout` section.
pub fn layout_of(code: &[u8]) -> Result<StorageLayout, LayoutSectionError> {
    let mut sections = Vec::new();
    for payload in Parser::new(0).parse_all(code) {
        match payload.map_err(|e| LayoutSectionError::Malformed(e.message().to_string()))? {
            Payload::CustomSection(reader) if reader.name() == LAYOUT_SECTION => sections.push(reader.data().to_vec()),
            _ => {}
        }
    }
    match sections.len() {
        0 => Err(LayoutSectionError::Missing),
        1 => decode(&sections[0]),
        n => Err(LayoutSectionError::Repeated(n)),
    }
}

fn decode(bytes: &[u8]) -> Result<StorageLayout, LayoutSectionError> {
    let word = |i: usize| bytes.get(4 * i..4 * i + 4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    let (Some(page_count), Some(count)) = (word(0), word(1)) else {
        return Err(LayoutSectionError::BadLength { len: bytes.len(), count: 0, expected: 8 });
    };
    let expected = 8 + 12 * u64::from(count);
    if bytes.len() as u64 != expected {
        return Err(LayoutSectionError::BadLength { len: bytes.len(), count, expected });
    }
    let slices = (0..count as usize)
        .map(|i| PageSlice {
            page: word(2 + 3 * i).unwrap_or_default(),
            offset: word(3 + 3 * i).unwrap_or_default(),
            len: word(4 + 3 * i).unwrap_or_default(),
        })
        .collect();
    Ok(StorageLayout::new(page_count, slices)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_with(sections: &[&[u8]]) -> Vec<u8> {
        let mut code = b"\0asm\x01\0\0\0".to_vec();
        for data in sections {
            let name = LAYOUT_SECTION.as_bytes();
            let size = 1 + name.len() + data.len();
            code.push(0);
            code.push(size as u8);
            code.push(name.len() as u8);
            code.extend_from_slice(name);
            code.extend_from_slice(data);
        }
        code
    }

    fn words(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn reads_the_declared_layout_and_names_each_defect() {
        let good = words(&[2, 2, 0, 0, 8, 1, 4, 4]);
        let layout = layout_of(&module_with(&[&good])).unwrap();
        assert_eq!(layout.page_count(), 2);
        assert_eq!(
            layout.slices(),
            &[PageSlice { page: 0, offset: 0, len: 8 }, PageSlice { page: 1, offset: 4, len: 4 }]
        );
        assert_eq!(layout_of(&module_with(&[])), Err(LayoutSectionError::Missing));
        assert_eq!(layout_of(&module_with(&[&good, &good])), Err(LayoutSectionError::Repeated(2)));
        assert!(matches!(layout_of(&module_with(&[&good[..12]])), Err(LayoutSectionError::BadLength { .. })));
        let overlapping = words(&[1, 2, 0, 0, 8, 0, 4, 8]);
        assert!(matches!(layout_of(&module_with(&[&overlapping])), Err(LayoutSectionError::Invalid(_))));
        assert!(matches!(layout_of(b"junk"), Err(LayoutSectionError::Malformed(_))));
    }
}
