//! A random-number source made of fuzzer bytes: the generators that draw from a `rand::Rng` (the
//! contract generator, the workload) run under libFuzzer with each early decision taken from the
//! input, so that mutating a byte changes a decision; past the end of the input, a ChaCha stream
//! seeded from all of it takes over.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Draws from the input's bytes, then from a ChaCha stream seeded by them.
pub struct ByteRng<'a> {
    bytes: &'a [u8],
    rest: ChaCha8Rng,
}

impl<'a> ByteRng<'a> {
    /// A source over `bytes`.
    pub fn new(bytes: &'a [u8]) -> ByteRng<'a> {
        ByteRng { bytes, rest: ChaCha8Rng::from_seed(*blake3::hash(bytes).as_bytes()) }
    }
}

impl RngCore for ByteRng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut buf = [0u8; 4];
        self.fill_bytes(&mut buf);
        u32::from_le_bytes(buf)
    }

    fn next_u64(&mut self) -> u64 {
        let mut buf = [0u8; 8];
        self.fill_bytes(&mut buf);
        u64::from_le_bytes(buf)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        let taken = dst.len().min(self.bytes.len());
        dst[..taken].copy_from_slice(&self.bytes[..taken]);
        self.bytes = &self.bytes[taken..];
        self.rest.fill_bytes(&mut dst[taken..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn the_input_comes_first_then_a_stream_seeded_by_it() {
        let mut rng = ByteRng::new(&[1, 0, 0, 0, 9]);
        assert_eq!(rng.next_u32(), 1);
        let mixed = rng.next_u32();
        assert_eq!(mixed & 0xFF, 9);
        let again: Vec<u32> = {
            let mut r = ByteRng::new(&[1, 0, 0, 0, 9]);
            (0..4).map(|_| r.random()).collect()
        };
        let mut r = ByteRng::new(&[1, 0, 0, 0, 9]);
        assert_eq!((0..4).map(|_| r.random()).collect::<Vec<u32>>(), again);
        let mut other = ByteRng::new(&[1, 0, 0, 0, 8]);
        assert_ne!((0..4).map(|_| other.random()).collect::<Vec<u32>>(), again);
    }
}
