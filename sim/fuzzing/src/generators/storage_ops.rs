//! Storage operation sequences: packed slice layouts and writes, reads, commits, discards and reloads
//! spread over two contracts.

use arbitrary::{Result, Unstructured};
use svm::storage::page_slices::{PageSlice, StorageLayout};
use svm::storage::pages::PAGE_SIZE;

/// One storage operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageOp {
    /// Write bytes into a slice (indices may be out of range on purpose).
    Write {
        /// Which contract.
        contract: usize,
        /// Slice index.
        slice: u32,
        /// Offset inside the slice.
        offset: u32,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Read bytes of a slice.
    Read {
        /// Which contract.
        contract: usize,
        /// Slice index.
        slice: u32,
        /// Offset inside the slice.
        offset: u32,
        /// How many bytes.
        len: usize,
    },
    /// Commit the contract's execution and start the next one at the new state.
    Commit {
        /// Which contract.
        contract: usize,
    },
    /// Discard the contract's execution.
    Discard {
        /// Which contract.
        contract: usize,
    },
    /// Reload the contract's `back`-th last committed state and compare it.
    Reload {
        /// Which contract.
        contract: usize,
        /// How far back.
        back: usize,
    },
}

impl StorageOp {
    /// The contract the operation is on.
    pub fn contract(&self) -> usize {
        match self {
            StorageOp::Write { contract, .. }
            | StorageOp::Read { contract, .. }
            | StorageOp::Commit { contract }
            | StorageOp::Discard { contract }
            | StorageOp::Reload { contract, .. } => *contract,
        }
    }
}

/// A layout packed the way a compiler would, from fuzzer bytes.
pub fn layout(u: &mut Unstructured<'_>) -> Result<StorageLayout> {
    let count = u.int_in_range(1..=12)?;
    let (mut page, mut offset, mut slices) = (0u32, 0u32, Vec::new());
    for _ in 0..count {
        let len: u32 = u.int_in_range(1..=1500)?;
        offset += u.int_in_range(0..=40)?;
        if u.ratio(1, 6)? || offset + len > PAGE_SIZE as u32 {
            page += 1;
            offset = 0;
        }
        slices.push(PageSlice { page, offset, len });
        offset += len;
    }
    let spare = u.int_in_range(0..=3)?;
    // Packed slices never overlap and always fit their page: this cannot fail.
    StorageLayout::new(page + 1 + spare, slices).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// Up to `max` operations.
pub fn ops(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<StorageOp>> {
    let mut ops = Vec::new();
    while ops.len() < max && !u.is_empty() {
        let contract = u.int_in_range(0..=1)?;
        ops.push(match u.int_in_range(0..=9)? {
            0..=3 => {
                let len = if u.ratio(1, 8)? { u.int_in_range(0..=1600)? } else { u.int_in_range(0..=40)? };
                let fill: u8 = u.arbitrary()?;
                let bytes = if u.arbitrary()? { vec![fill; len] } else { u.bytes(len.min(u.len()))?.to_vec() };
                StorageOp::Write { contract, slice: u.int_in_range(0..=13)?, offset: u.int_in_range(0..=1600)?, bytes }
            }
            4..=6 => StorageOp::Read {
                contract,
                slice: u.int_in_range(0..=13)?,
                offset: u.int_in_range(0..=1600)?,
                len: u.int_in_range(0..=64)?,
            },
            7 => StorageOp::Commit { contract },
            8 => StorageOp::Discard { contract },
            _ => StorageOp::Reload { contract, back: u.int_in_range(0..=8)? },
        });
    }
    Ok(ops)
}
