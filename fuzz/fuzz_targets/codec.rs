//! `codec`: see `svm_sim::fuzzing::targets::codec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_sim::fuzzing::targets::codec(data));
