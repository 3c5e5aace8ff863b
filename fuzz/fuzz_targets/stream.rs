//! `stream`: see `svm_sim::replica_oracle::stream_target`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_sim::replica_oracle::stream_target(data));
