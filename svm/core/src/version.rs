//! The consensus version: which rules a node, a stream, a pin or a reproducer was made under.

/// The version of SVM's consensus rules. Every rule change (gas, hashing, outcomes, admission, limits)
/// bumps it; golden pins, stream headers and reproducers record it, and tools refuse files made under
/// another version.
pub const CONSENSUS_VERSION: u32 = 1;
