//! The storage layout: where [`crate::layout!`] puts each variable, and the `svm-layout` section it emits.
//!
//! Variables get slice indices in declaration order (an [`crate::storage::Array`] takes one per element). The
//! slices are packed onto pages the way a compiler lays out fields: one after another, unaligned, starting a new
//! page whenever the next slice would cross a page boundary (a slice is never split across pages). The page
//! count is the last used page plus one (0 for a contract without storage).
//!
//! The section's bytes: u32 little-endian page count, u32 LE slice count, then per slice three u32 LE: page,
//! offset, length. Its length is exactly `8 + 12 × slice count`, so a deployer can tell a malformed section,
//! or two sections the linker concatenated, from a good one.

use crate::storage::Var;

/// Bytes in one storage page.
pub const PAGE_SIZE: u32 = 4096;

/// The bytes a collection slot (a slice declared with length 0) takes in its page: one collection state.
pub const COLLECTION_SLOT_BYTES: u32 = 48;

/// The wasm custom section that carries the layout.
pub const SECTION_NAME: &str = "svm-layout";

/// The most slices one contract may declare (the VM's limit).
pub const MAX_SLICES: u32 = 1 << 20;

/// One variable's shape: [`VarShape::slices`] consecutive slices of [`VarShape::slice_len`] bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VarShape {
    /// Bytes in each slice.
    pub slice_len: u32,
    /// How many slices.
    pub slices: u32,
}

impl VarShape {
    /// The shape of storage variables of type `T`.
    pub const fn of<T: Var>() -> VarShape {
        VarShape { slice_len: T::SLICE_LEN, slices: T::SLICES }
    }
}

/// One slice's place: `len` bytes at `offset` inside page `page`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PageSlice {
    /// The page holding the slice.
    pub page: u32,
    /// The slice's first byte inside the page.
    pub offset: u32,
    /// The slice's length in bytes.
    pub len: u32,
}

/// Where the packer puts the next slice.
#[derive(Clone, Copy)]
struct Cursor {
    page: u32,
    offset: u32,
}

impl Cursor {
    /// The start of page 0.
    const START: Cursor = Cursor { page: 0, offset: 0 };

    /// Places a slice of `len` bytes (0: a collection slot, taking [`COLLECTION_SLOT_BYTES`]) here, or at
    /// the start of the next page if it would cross this one's end.
    const fn place(self, len: u32) -> (PageSlice, Cursor) {
        if len > PAGE_SIZE {
            panic!("svm-sdk layout: a storage slice wider than a page (4096 bytes)");
        }
        let span = if len == 0 { COLLECTION_SLOT_BYTES } else { len };
        let at = if self.offset + span > PAGE_SIZE { Cursor { page: self.page + 1, offset: 0 } } else { self };
        (PageSlice { page: at.page, offset: at.offset, len }, Cursor { page: at.page, offset: at.offset + span })
    }
}

/// The index of the first slice of variable `position` (0-based, in declaration order).
pub const fn first_slice(vars: &[VarShape], position: usize) -> u32 {
    let mut first = 0;
    let mut i = 0;
    while i < position {
        first += vars[i].slices;
        i += 1;
    }
    first
}

/// The number of slices all the variables take.
pub const fn slice_count(vars: &[VarShape]) -> u32 {
    let count = first_slice(vars, vars.len());
    if count > MAX_SLICES {
        panic!("svm-sdk layout: more slices than the VM allows (2^20)");
    }
    count
}

/// The length of the `svm-layout` section for `vars`.
pub const fn section_len(vars: &[VarShape]) -> usize {
    8 + 12 * slice_count(vars) as usize
}

/// Writes `value` little-endian into `out[at..at + 4]` (const fns may not take `&mut` on Rust 1.63).
macro_rules! put_u32 {
    ($out:ident, $at:expr, $value:expr) => {{
        let bytes = u32::to_le_bytes($value);
        $out[$at] = bytes[0];
        $out[$at + 1] = bytes[1];
        $out[$at + 2] = bytes[2];
        $out[$at + 3] = bytes[3];
    }};
}

/// The `svm-layout` section for `vars`; `N` must be [`section_len`]`(vars)`.
pub const fn section<const N: usize>(vars: &[VarShape]) -> [u8; N] {
    if N != section_len(vars) {
        panic!("svm-sdk layout: section length does not match the variables");
    }
    let mut out = [0u8; N];
    let mut cursor = Cursor::START;
    let mut page_count = 0;
    let mut at = 8;
    let mut var = 0;
    while var < vars.len() {
        let mut k = 0;
        while k < vars[var].slices {
            let (slice, next) = cursor.place(vars[var].slice_len);
            put_u32!(out, at, slice.page);
            put_u32!(out, at + 4, slice.offset);
            put_u32!(out, at + 8, slice.len);
            page_count = slice.page + 1;
            cursor = next;
            at += 12;
            k += 1;
        }
        var += 1;
    }
    put_u32!(out, 0, page_count);
    put_u32!(out, 4, slice_count(vars));
    out
}

/// Declares a contract's storage variables, in order, and emits the matching `svm-layout` section.
///
/// ```ignore
/// use svm_sdk::storage::{Array, U64};
/// svm_sdk::layout! {
///     /// Total supply.
///     SUPPLY: U64,
///     /// One balance per holder.
///     BALANCES: Array<U64, 8>,
/// }
/// ```
///
/// Each entry becomes a `const` of its type bound to its first slice index; the section is a `#[used]` static
/// in the custom section `svm-layout`. Use it once per contract crate: two sections would be concatenated by
/// the linker (and a second use in the same module does not compile).
#[macro_export]
macro_rules! layout {
    ($($(#[$attr:meta])* $vis:vis $name:ident : $ty:ty),* $(,)?) => {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
        enum __SvmLayoutVar { $($name),* }

        #[doc(hidden)]
        const __SVM_LAYOUT_VARS: &[$crate::layout::VarShape] = &[$($crate::layout::VarShape::of::<$ty>()),*];

        $(
            $(#[$attr])*
            $vis const $name: $ty =
                <$ty>::new($crate::layout::first_slice(__SVM_LAYOUT_VARS, __SvmLayoutVar::$name as usize));
        )*

        const _: () = {
            const LEN: usize = $crate::layout::section_len(__SVM_LAYOUT_VARS);
            #[link_section = "svm-layout"]
            #[used]
            static SVM_LAYOUT: [u8; LEN] = $crate::layout::section::<LEN>(__SVM_LAYOUT_VARS);
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Addr, Array, Bool, Bytes, U32, U64};

    fn decode(section: &[u8]) -> (u32, Vec<(u32, u32, u32)>) {
        let word = |i: usize| u32::from_le_bytes(section[i..i + 4].try_into().unwrap());
        let count = word(4) as usize;
        assert_eq!(section.len(), 8 + 12 * count);
        (word(0), (0..count).map(|s| (word(8 + 12 * s), word(12 + 12 * s), word(16 + 12 * s))).collect())
    }

    #[test]
    fn packs_in_order_and_starts_a_page_rather_than_split_a_slice() {
        const VARS: &[VarShape] = &[
            VarShape::of::<U32>(),
            VarShape::of::<Array<Addr, 205>>(),
            VarShape::of::<Bytes<4096>>(),
            VarShape::of::<Bool>(),
        ];
        const LEN: usize = section_len(VARS);
        let (pages, slices) = decode(&section::<LEN>(VARS));
        assert_eq!(slices.len(), 1 + 205 + 1 + 1);
        assert_eq!(slices[0], (0, 0, 4));
        assert_eq!(slices[1], (0, 4, 20));
        // 4 + 204 × 20 = 4084: address 204 would end at 4104, so it opens page 1.
        assert_eq!(slices[204], (0, 4064, 20));
        assert_eq!(slices[205], (1, 0, 20));
        assert_eq!(slices[206], (2, 0, 4096));
        assert_eq!(slices[207], (3, 0, 1));
        assert_eq!(pages, 4);
        assert_eq!(first_slice(VARS, 2), 206);
    }

    #[test]
    fn a_collection_slot_is_declared_with_length_0_and_takes_48_bytes() {
        use crate::storage::{List, Map};
        const VARS: &[VarShape] =
            &[VarShape::of::<U32>(), VarShape::of::<Map<8>>(), VarShape::of::<List>(), VarShape::of::<Bytes<4000>>()];
        const LEN: usize = section_len(VARS);
        let (pages, slices) = decode(&section::<LEN>(VARS));
        assert_eq!(slices, vec![(0, 0, 4), (0, 4, 0), (0, 52, 0), (1, 0, 4000)]);
        assert_eq!(pages, 2);
    }

    #[test]
    fn no_variables_is_no_pages_and_no_slices() {
        assert_eq!(section::<8>(&[]), [0; 8]);
    }

    crate::layout! {
        COUNT: U64,
        pub PAIRS: Array<Array<U32, 2>, 3>,
        FLAG: Bool,
    }

    #[test]
    fn the_macro_numbers_variables_and_nested_arrays() {
        assert_eq!(COUNT.slice().index(), 0);
        assert_eq!(PAIRS.at(0).at(0).slice().index(), 1);
        assert_eq!(PAIRS.at(2).at(1).slice().index(), 6);
        assert_eq!(FLAG.slice().index(), 7);
        assert!(PAIRS.get(3).is_none());
        let (pages, slices) = decode(&section::<{ section_len(__SVM_LAYOUT_VARS) }>(__SVM_LAYOUT_VARS));
        assert_eq!(pages, 1);
        assert_eq!(slices[6], (0, 28, 4));
        assert_eq!(slices[7], (0, 32, 1));
    }
}
