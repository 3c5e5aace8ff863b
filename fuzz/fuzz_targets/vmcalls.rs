//! `vmcalls`: see `svm_fuzzing::targets::vmcalls`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| svm_fuzzing::targets::vmcalls(data));
