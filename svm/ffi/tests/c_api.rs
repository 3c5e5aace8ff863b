//! The C test (`tests/c/api_test.c`): compiled with the system `cc` against the committed header and
//! the static library this very test build made, then run on the corpus counter.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The static library cargo built beside this test binary (`target/<profile>/deps/libsvm_ffi.a`).
fn static_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let library = deps.join("libsvm_ffi.a");
    assert!(library.exists(), "no {} next to the test binary", library.display());
    library
}

#[test]
fn the_c_test_compiles_against_the_header_and_passes() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let binary = work.path().join("api_test");
    let compiled = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&binary)
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(crate_dir.join("tests/c/api_test.c"))
        .arg(static_library())
        // What the Rust standard library needs from the system (`--print native-static-libs`).
        .args(["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc"])
        .output()
        .expect("the system C compiler `cc` must be installed");
    assert!(compiled.status.success(), "cc failed:\n{}", String::from_utf8_lossy(&compiled.stderr));
    let counter = crate_dir.join("../../corpus/contracts/c/counter.clang.wasm");
    let ran = Command::new(&binary).arg(counter).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&ran.stdout), String::from_utf8_lossy(&ran.stderr));
    assert!(ran.status.success(), "the C test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
