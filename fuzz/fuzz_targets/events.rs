//! `events`: see `svm_fuzzing::targets::events`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::events(data));
