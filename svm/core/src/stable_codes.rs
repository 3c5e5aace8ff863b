//! Stable one-byte codes and names for the fieldless enums that end up in receipts.

/// Gives a fieldless enum `ALL` (in code order), `code`, `from_code` and `name`. A variant's code is
/// its position in the list: append new variants, never reorder — codes are consensus data.
macro_rules! stable_codes {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in code order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The value's stable code.
            pub fn code(self) -> u8 {
                $ty::ALL.iter().position(|&v| v == self).map_or(u8::MAX, |i| i as u8)
            }

            /// The value with code `code`.
            pub fn from_code(code: u8) -> Option<$ty> {
                $ty::ALL.get(code as usize).copied()
            }

            /// The value's name as reports and documentation spell it.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),*
                }
            }
        }
    };
}

pub(crate) use stable_codes;
