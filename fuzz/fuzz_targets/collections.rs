//! `collections`: see `svm_fuzzing::targets::collections`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::collections(data));
