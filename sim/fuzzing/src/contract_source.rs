//! Contract sources: WebAssembly text with its storage layout declared in a comment line, or compiled
//! contracts that carry it in their `svm-layout` section.
//!
//! A source declares its layout on a line of its own:
//! `;; svm-layout: pages=2 slices=0:0:8 0:8:8 1:0:8` (each slice is `page:offset:length`).

use svm::storage::page_slices::PageSlice;
use thiserror::Error;

/// The marker of the layout line.
pub const LAYOUT_MARKER: &str = ";; svm-layout:";

/// A contract ready to deploy: its binary and its storage layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractSource {
    /// A short name (the file stem).
    pub name: String,
    /// The WebAssembly binary.
    pub code: Vec<u8>,
    /// The number of storage pages.
    pub page_count: u32,
    /// The storage slices.
    pub slices: Vec<PageSlice>,
}

/// Why a contract source could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// No `;; svm-layout:` line.
    #[error("{0}: no `{LAYOUT_MARKER}` line")]
    MissingLayout(String),
    /// The layout line does not parse.
    #[error("{name}: bad layout line: {why}")]
    BadLayout {
        /// The contract.
        name: String,
        /// What is wrong.
        why: String,
    },
    /// The text is not valid WebAssembly text.
    #[error("{name}: {why}")]
    BadWat {
        /// The contract.
        name: String,
        /// The parser's message.
        why: String,
    },
    /// A compiled contract's `svm-layout` section is missing or unusable.
    #[error("{name}: {source}")]
    BadLayoutSection {
        /// The contract.
        name: String,
        /// Why.
        source: svm::layout_section::LayoutSectionError,
    },
}

impl ContractSource {
    /// A compiled contract called `name`: `code` as it is, with the layout its `svm-layout` section
    /// declares (as the SDK and the C header write it).
    pub fn from_wasm(name: &str, code: &[u8]) -> Result<ContractSource, SourceError> {
        let layout = svm::layout_section::layout_of(code)
            .map_err(|source| SourceError::BadLayoutSection { name: name.to_string(), source })?;
        Ok(ContractSource {
            name: name.to_string(),
            code: code.to_vec(),
            page_count: layout.page_count(),
            slices: layout.slices().to_vec(),
        })
    }

    /// Parses `text` (WebAssembly text with a layout line) into a contract called `name`.
    pub fn from_wat(name: &str, text: &str) -> Result<ContractSource, SourceError> {
        let line = text
            .lines()
            .find_map(|line| line.trim().strip_prefix(LAYOUT_MARKER))
            .ok_or_else(|| SourceError::MissingLayout(name.to_string()))?;
        let (page_count, slices) =
            parse_layout(line).map_err(|why| SourceError::BadLayout { name: name.to_string(), why })?;
        let code =
            wat::parse_str(text).map_err(|e| SourceError::BadWat { name: name.to_string(), why: e.to_string() })?;
        Ok(ContractSource { name: name.to_string(), code, page_count, slices })
    }
}

fn parse_layout(line: &str) -> Result<(u32, Vec<PageSlice>), String> {
    let mut page_count = None;
    let mut slices = Vec::new();
    let mut in_slices = false;
    for word in line.split_whitespace() {
        if let Some(pages) = word.strip_prefix("pages=") {
            page_count = Some(pages.parse::<u32>().map_err(|e| format!("pages: {e}"))?);
            in_slices = false;
            continue;
        }
        let spec = match word.strip_prefix("slices=") {
            Some(rest) => {
                in_slices = true;
                rest
            }
            None if in_slices => word,
            None => return Err(format!("unexpected {word:?}")),
        };
        if spec.is_empty() {
            continue;
        }
        let parts: Vec<u32> =
            spec.split(':').map(|p| p.parse::<u32>()).collect::<Result<_, _>>().map_err(|e| format!("{spec}: {e}"))?;
        let [page, offset, len] = parts[..] else {
            return Err(format!("{spec}: expected page:offset:length"));
        };
        slices.push(PageSlice { page, offset, len });
    }
    Ok((page_count.ok_or("no pages=")?, slices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_layout_line_and_the_text() {
        let src = ";; svm-layout: pages=2 slices=0:0:8 1:4:2\n(module (func (export \"f\")))";
        let contract = ContractSource::from_wat("t", src).unwrap();
        assert_eq!(contract.page_count, 2);
        assert_eq!(
            contract.slices,
            vec![PageSlice { page: 0, offset: 0, len: 8 }, PageSlice { page: 1, offset: 4, len: 2 }]
        );
        assert_eq!(&contract.code[..4], b"\0asm");
    }

    #[test]
    fn bad_sources_are_typed_errors() {
        assert_eq!(ContractSource::from_wat("a", "(module)"), Err(SourceError::MissingLayout("a".into())));
        assert!(matches!(
            ContractSource::from_wat("b", ";; svm-layout: slices=0:0\n(module)"),
            Err(SourceError::BadLayout { .. })
        ));
        assert!(matches!(
            ContractSource::from_wat("c", ";; svm-layout: pages=x\n(module)"),
            Err(SourceError::BadLayout { .. })
        ));
        assert!(matches!(
            ContractSource::from_wat("d", ";; svm-layout: pages=0 slices=\n(modul"),
            Err(SourceError::BadWat { .. })
        ));
    }
}
