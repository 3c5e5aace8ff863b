//! Fuzzing: generators and oracles shared by the cargo-fuzz targets (`fuzz/`), the regression replay
//! in `cargo test`, and the benchmarks. A fuzz target is one generator joined to one oracle; the whole
//! target is a function here, so that stable `cargo test` can replay every corpus and regression file
//! through exactly the code the fuzzer runs.

pub mod generators;
pub mod oracles;
pub mod targets;
