//! Integer and boolean storage variables, read and written whole with the integer vmcalls.

use super::{Slice, Var};

macro_rules! integer_var {
    ($(#[$doc:meta])* $name:ident, $int:ty, $len:expr, $read:ident, $write:ident, $wide:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name(Slice);

        impl $name {
            /// The variable on slice `slice`.
            pub const fn new(slice: u32) -> $name {
                $name(Slice::new(slice))
            }

            /// The variable's slice.
            pub const fn slice(self) -> Slice {
                self.0
            }

            /// The stored value.
            pub fn get(self) -> $int {
                self.0.$read() as $int
            }

            /// Stores `value`.
            pub fn set(self, value: $int) {
                self.0.$write(value as $wide)
            }
        }

        impl Var for $name {
            const SLICE_LEN: u32 = $len;
            const SLICES: u32 = 1;
            fn from_first_slice(first: u32) -> $name {
                $name::new(first)
            }
        }
    };
}

integer_var!(
    /// A `u32` in a 4-byte slice.
    U32, u32, 4, read_u32, write_u32, u32
);
integer_var!(
    /// An `i32` in a 4-byte slice (two's complement).
    I32, i32, 4, read_u32, write_u32, u32
);
integer_var!(
    /// A `u64` in an 8-byte slice.
    U64, u64, 8, read_u64, write_u64, u64
);
integer_var!(
    /// An `i64` in an 8-byte slice (two's complement).
    I64, i64, 8, read_u64, write_u64, u64
);

/// A `bool` in a 1-byte slice: 1 for true, 0 for false; any non-zero byte reads as true.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Bool(Slice);

impl Bool {
    /// The variable on slice `slice`.
    pub const fn new(slice: u32) -> Bool {
        Bool(Slice::new(slice))
    }

    /// The variable's slice.
    pub const fn slice(self) -> Slice {
        self.0
    }

    /// The stored value.
    pub fn get(self) -> bool {
        self.0.read_u32() != 0
    }

    /// Stores `value`.
    pub fn set(self, value: bool) {
        self.0.write_u32(value as u32)
    }
}

impl Var for Bool {
    const SLICE_LEN: u32 = 1;
    const SLICES: u32 = 1;
    fn from_first_slice(first: u32) -> Bool {
        Bool::new(first)
    }
}
