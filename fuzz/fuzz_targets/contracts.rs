//! `contracts`: see `svm_fuzzing::targets::contracts`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::contracts(data));
