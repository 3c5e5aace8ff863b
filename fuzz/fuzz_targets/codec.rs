//! `codec`: see `svm_fuzzing::targets::codec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::codec(data));
