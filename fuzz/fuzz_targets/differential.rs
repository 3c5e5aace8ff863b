//! `differential`: see `svm_sim::fuzzing::targets::differential`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_sim::fuzzing::targets::differential(data));
