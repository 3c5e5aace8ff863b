//! The rustc wrapper of fuzz builds (`fuzz/uninstrumented-compilers`): run with echo standing in for
//! rustc, it must drop coverage and assertion flags for wasmer's code generators only,
//! comparison tracing only for the reference VM, and pass every other crate's arguments through untouched.

use std::path::PathBuf;
use std::process::Command;

/// cargo-fuzz's flags as it writes them (`-C…` single arguments); `wrapped_arguments` adds two split
/// `-C flag` pairs.
const FUZZ_FLAGS: [&str; 10] = [
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
    "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
    "-Cdebug-assertions",
    "-Copt-level=3",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The arguments the wrapper hands to rustc when cargo compiles `crate_name` with cargo-fuzz's flags.
fn wrapped_arguments(crate_name: &str) -> Vec<String> {
    // echo as rustc: no argument here contains a space, and none is one of echo's own options.
    let output = Command::new(root().join("fuzz/uninstrumented-compilers"))
        .arg("/bin/echo")
        .args(["--crate-name", crate_name])
        .args(FUZZ_FLAGS)
        .args(["-C", "overflow-checks=on", "-C", "llvm-args=-sanitizer-coverage-trace-divs"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().split_whitespace().map(str::to_owned).collect()
}

#[test]
fn code_generators_are_built_without_coverage_or_assertions() {
    for generator in ["cranelift_codegen", "regalloc2", "wasmer_compiler_singlepass", "wasmer_compiler_cranelift"] {
        let args = wrapped_arguments(generator);
        let expected: Vec<&str> = vec![
            "--crate-name",
            generator,
            "--cfg",
            "fuzzing",
            "-Copt-level=3",
            "-Cdebug-assertions=off",
            "-Coverflow-checks=off",
        ];
        assert_eq!(args, expected, "{generator}");
    }
}

#[test]
fn svm_crates_keep_every_flag_cargo_fuzz_asks_for() {
    for crate_name in ["svm", "svm_fuzzing", "wasmer_vm", "wasmparser"] {
        let mut expected = vec!["--crate-name".to_owned(), crate_name.to_owned()];
        expected.extend(FUZZ_FLAGS.iter().map(|flag| flag.to_string()));
        expected
            .extend(["-C", "overflow-checks=on", "-C", "llvm-args=-sanitizer-coverage-trace-divs"].map(String::from));
        assert_eq!(wrapped_arguments(crate_name), expected, "{crate_name}");
    }
}

#[test]
fn the_reference_vm_keeps_edge_coverage_without_comparison_tracing() {
    let args = wrapped_arguments("svm_reference");
    assert!(!args.iter().any(|a| a == "-Cllvm-args=-sanitizer-coverage-trace-compares"));
    for kept in ["-Cpasses=sancov-module", "-Cllvm-args=-sanitizer-coverage-level=4", "-Cdebug-assertions", "fuzzing"] {
        assert!(args.iter().any(|a| a == kept), "{kept} dropped: {args:?}");
    }
    assert_eq!(args.len(), 2 + FUZZ_FLAGS.len() - 1 + 4);
}

#[test]
fn every_fuzz_build_script_uses_the_wrapper() {
    for script in [".clusterfuzzlite/build.sh", "fuzz/campaign.sh", "fuzz/upkeep.sh"] {
        let text = std::fs::read_to_string(root().join(script)).unwrap();
        assert!(
            text.contains("export RUSTC_WRAPPER=\"$PWD/fuzz/uninstrumented-compilers\""),
            "{script} builds fuzz targets without the wrapper"
        );
    }
}
