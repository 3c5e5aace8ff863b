//! Test aids (feature `testing`): stores that count or fail, artifact damage. Never in a node's build.

mod artifact_damage;
mod counting_kv;

pub use counting_kv::CountingKv;
