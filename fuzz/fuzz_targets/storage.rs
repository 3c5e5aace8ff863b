//! `storage`: see `svm_fuzzing::targets::storage`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::storage(data));
