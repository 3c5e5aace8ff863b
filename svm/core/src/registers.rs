//! The register classes every running program gets: a consensus constant.

/// The register classes as (width in bits, count). The one place to change them between versions.
pub const REGISTER_CLASSES: [(u32, u32); 5] = [(32, 16), (64, 16), (160, 8), (256, 4), (512, 4)];

/// The width in bytes of the `bits`-bit class, if it exists.
pub fn class_width(bits: u32) -> Option<usize> {
    REGISTER_CLASSES.iter().find(|(b, _)| *b == bits).map(|(b, _)| (*b / 8) as usize)
}

/// The number of registers in the `bits`-bit class, if it exists.
pub fn class_count(bits: u32) -> Option<u32> {
    REGISTER_CLASSES.iter().find(|(b, _)| *b == bits).map(|(_, count)| *count)
}
