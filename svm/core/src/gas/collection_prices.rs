//! Collection work gas: what a collection vmcall pays for the tree work, besides its price, after its
//! checks and before the work (`docs/consensus.md`, Collections).

/// Per level of a read (a lookup or half a cursor step).
pub const COLLECTION_READ_LEVEL: u64 = 60;
/// Per level of a write (a path rewritten and hashed).
pub const COLLECTION_WRITE_LEVEL: u64 = 250;

/// The collection prices by name, for the schedule fingerprint and the docs.
pub const COLLECTION_PRICES: [(&str, u64); 2] =
    [("collection_read_level", COLLECTION_READ_LEVEL), ("collection_write_level", COLLECTION_WRITE_LEVEL)];

/// The levels a collection of `length` entries is charged for: bit length of `length`, plus one.
pub fn levels(length: u64) -> u64 {
    u64::from(u64::BITS - length.leading_zeros()) + 1
}

/// The gas of a read in a collection of `length` entries.
pub fn read_work(length: u64) -> u64 {
    COLLECTION_READ_LEVEL * levels(length)
}

/// The gas of a write in a collection of `length` entries.
pub fn write_work(length: u64) -> u64 {
    COLLECTION_WRITE_LEVEL * levels(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_grow_with_the_bit_length() {
        let cases = [(0, 1), (1, 2), (2, 3), (3, 3), (4, 4), (1_000_000, 21), (u64::MAX, 65)];
        for (length, expected) in cases {
            assert_eq!(levels(length), expected, "levels({length})");
        }
        assert_eq!(write_work(3), 750);
    }
}
