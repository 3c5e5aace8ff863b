#!/usr/bin/env bash
# Rebuilds every compiled contract in corpus/contracts from its source, from a clean state, reproducibly.
#
#   sdk/<name>.wasm        svm/sdk/examples/<name>.rs: the svm-sdk examples, Debian's rustc 1.63 and cargo
#                          (wasm32-unknown-unknown; profile and flags in svm/sdk/Cargo.toml and .cargo/config.toml);
#                          the library mathlib also with --import-memory, and stats must import it by the blake3
#                          hash of what this builds (b3sum)
#   c/<name>.clang.wasm    c/<name>.c with clang 14 --target=wasm32: WebAssembly 1.0, no bulk memory
#   c/<name>.zig.wasm      the same source with zig cc --target=wasm32-freestanding (current LLVM): bulk memory,
#                          so copies and fills are memory.copy / memory.fill
#
# Usage: corpus/contracts/build.sh            rebuild, replace the checked-in .wasm files, print what it wrote
#        corpus/contracts/build.sh --check    rebuild into a temporary directory; compare with the checked-in files
# Exit:  0 built (or every file identical), 1 a checked-in file differs, is missing or has no source,
#        2 bad usage, or a toolchain missing or not the pinned version (the output is only byte-identical
#        with exactly these versions).
#
# Every build starts from empty cargo/zig caches and target directories in a temporary directory, with a minimal
# environment (no RUSTFLAGS, no user cargo config). No debug info is generated and name/producers sections are
# stripped, and sources are passed by relative path, so the bytes depend neither on the checkout's path nor on
# the temporary directory's.
set -euo pipefail

SDK_EXAMPLES=(token vault storage_forms registry router mathlib stats)
# The examples that are libraries: linked with the caller's memory instead of one of their own.
SDK_LIBRARIES=(mathlib)
C_CONTRACTS=(counter buffer)

RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
RUSTC_VERSION="rustc 1.63.0"
CLANG=clang-14
CLANG_VERSION="Debian clang version 14.0.6"
ZIG_VERSION="0.17.1"

# Flags both C compilers get: no libc, no debug info, no entry point, a 64 KiB stack, names and producers stripped.
# shellcheck disable=SC2054 # the commas belong to the -Wl, and -z, arguments
C_FLAGS=(-O2 -g0 -nostdlib -ffreestanding -Wall -Wextra -Werror
    -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536)

fail() {
    echo "build.sh: $*" >&2
    exit 2
}

check=false
case "${1-}" in
    "") ;;
    --check) check=true ;;
    *) fail "usage: build.sh [--check]" ;;
esac
[ $# -le 1 ] || fail "usage: build.sh [--check]"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

# The toolchains, each at its pinned version.
[ -x "$RUSTC" ] || fail "$RUSTC not found: apt-get install rustc cargo libstd-rust-dev-wasm32"
[ -x "$CARGO" ] || fail "$CARGO not found: apt-get install cargo"
[ "$("$RUSTC" -V)" = "$RUSTC_VERSION" ] || fail "$RUSTC is '$("$RUSTC" -V)'; the pinned toolchain is '$RUSTC_VERSION'"
compgen -G "$("$RUSTC" --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib/libcore-*.rlib" >/dev/null ||
    fail "$RUSTC has no wasm32-unknown-unknown standard library: apt-get install libstd-rust-dev-wasm32"
command -v "$CLANG" >/dev/null || fail "$CLANG not found: apt-get install clang-14 lld-14"
clang_path=$(command -v "$CLANG")
[ "$("$clang_path" --version | head -n 1)" = "$CLANG_VERSION" ] ||
    fail "$CLANG is '$("$clang_path" --version | head -n 1)'; the pinned compiler is '$CLANG_VERSION'"
command -v wasm-ld >/dev/null || fail "wasm-ld not found: apt-get install lld-14"
command -v b3sum >/dev/null || fail "b3sum not found: apt-get install b3sum"
command -v python3 >/dev/null || fail "python3 not found (zig comes from the ziglang wheel)"
python=$(python3 -c 'import sys; print(sys.executable)')
zig_version=$("$python" -m ziglang version 2>/dev/null) || fail "zig not found: pip install ziglang==$ZIG_VERSION"
[ "$zig_version" = "$ZIG_VERSION" ] || fail "zig is $zig_version; the pinned version is $ZIG_VERSION"

work=$(mktemp -d "${TMPDIR:-/tmp}/svm-contracts.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$out/sdk" "$out/c" "$work/home"

# A minimal environment for every compiler run: nothing from the caller's shell reaches the build.
run() {
    env -i PATH="/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 TZ=UTC SOURCE_DATE_EPOCH=0 \
        CARGO_HOME="$work/cargo-home" CARGO_TARGET_DIR="$work/cargo-target" RUSTC="$RUSTC" \
        ZIG_GLOBAL_CACHE_DIR="$work/zig-cache" ZIG_LOCAL_CACHE_DIR="$work/zig-cache" "$@"
}

# The SDK examples, all in one cargo build.
(cd "$root/svm/sdk" &&
    run "$CARGO" build --quiet --offline --locked --release --examples --target wasm32-unknown-unknown) ||
    { echo "build.sh: cargo build of the svm-sdk examples failed" >&2; exit 2; }
# Libraries again, on their caller's memory: the same cdylib with the memory imported as env.memory.
for name in "${SDK_LIBRARIES[@]}"; do
    (cd "$root/svm/sdk" && run "$CARGO" rustc --quiet --offline --locked --release --example "$name" \
        --target wasm32-unknown-unknown -- -C link-arg=--import-memory) ||
        { echo "build.sh: cargo rustc of the svm-sdk library $name failed" >&2; exit 2; }
done
# A contract names a library by its code hash: stats must import the mathlib built here.
mathlib_hash=$(b3sum --no-names "$work/cargo-target/wasm32-unknown-unknown/release/examples/mathlib.wasm")
grep -q "wasm_import_module = \"$mathlib_hash\"" "$root/svm/sdk/examples/stats.rs" ||
    { echo "build.sh: svm/sdk/examples/stats.rs must import mathlib as \"$mathlib_hash\", the hash of the mathlib" \
        "this builds" >&2; exit 1; }
for name in "${SDK_EXAMPLES[@]}"; do
    built="$work/cargo-target/wasm32-unknown-unknown/release/examples/$name.wasm"
    [ -f "$built" ] || { echo "build.sh: cargo produced no $name.wasm (is it a cdylib [[example]]?)" >&2; exit 2; }
    cp "$built" "$out/sdk/$name.wasm"
done

# The C contracts, each with both compilers; mem.c supplies memcpy/memmove/memset where there is no bulk memory.
for name in "${C_CONTRACTS[@]}"; do
    (cd "$here/c" &&
        run "$clang_path" --target=wasm32 "${C_FLAGS[@]}" -o "$out/c/$name.clang.wasm" "$name.c" mem.c &&
        run "$python" -m ziglang cc --target=wasm32-freestanding "${C_FLAGS[@]}" \
            -o "$out/c/$name.zig.wasm" "$name.c" mem.c) ||
        { echo "build.sh: compiling c/$name.c failed" >&2; exit 2; }
done

built_files=$(cd "$out" && find sdk c -name '*.wasm' | LC_ALL=C sort)
checked_in=$(cd "$here" && find sdk c -name '*.wasm' 2>/dev/null | LC_ALL=C sort)

if $check; then
    status=0
    for file in $built_files; do
        if [ ! -f "$here/$file" ]; then
            echo "missing  corpus/contracts/$file"
            status=1
        elif cmp -s "$out/$file" "$here/$file"; then
            echo "same     corpus/contracts/$file"
        else
            echo "DIFFERS  corpus/contracts/$file ($(stat -c %s "$here/$file") bytes checked in," \
                "$(stat -c %s "$out/$file") rebuilt)"
            status=1
        fi
    done
    for file in $checked_in; do
        if [ ! -f "$out/$file" ]; then
            echo "extra    corpus/contracts/$file (no source builds it)"
            status=1
        fi
    done
    [ $status -eq 0 ] && echo "build.sh --check: every contract rebuilds byte-identical" ||
        echo "build.sh --check: checked-in contracts differ from their sources; run corpus/contracts/build.sh" >&2
    exit $status
fi

for file in $checked_in; do
    if [ ! -f "$out/$file" ]; then
        rm "$here/$file"
        echo "removed  corpus/contracts/$file (no source builds it)"
    fi
done
mkdir -p "$here/sdk" "$here/c"
for file in $built_files; do
    cp "$out/$file" "$here/$file"
    echo "wrote    corpus/contracts/$file ($(stat -c %s "$out/$file") bytes," \
        "sha256 $(sha256sum "$out/$file" | cut -d' ' -f1))"
done
