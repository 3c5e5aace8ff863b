//! `differential`: see `svm_fuzzing::targets::differential`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::differential(data));
