//! SVM's shared fuzzing library: generators apart from oracles, used alike by the cargo-fuzz targets
//! (`fuzz/`), the runtime's proptests, the simulator's workload and the regression replay in
//! `cargo test`. A fuzz target is one generator joined to one oracle ([`targets`]), so that stable
//! `cargo test` replays every corpus and regression file through exactly the code the fuzzer runs.
//!
//! - [`corpus`] and [`contract_source`]: the corpus contracts (WAT with a layout line), which of them
//!   are callable and with what.
//! - [`stream`] and [`tx_format`]: transaction streams and their file format.
//! - [`generators`]: modules, calls, storage operations, arbitrary streams, seeded workloads.
//! - [`models`]: what contracts must do, from their plans and sources (expected effects).
//! - [`oracles`]: what must hold — codec round trips, the storage model, execution invariants,
//!   agreement between replicas, differential runs across engines.

pub mod contract_source;
pub mod corpus;
pub mod generators;
pub mod invariants;
pub mod models;
pub mod oracles;
pub mod stream;
pub mod targets;
pub mod tx_format;
