#!/bin/bash -eu
# Builds every fuzz target in fuzz/fuzz_targets/ the way ClusterFuzzLite (and OSS-Fuzz) expect it: each
# binary in $OUT, its seed corpus as $OUT/<target>_seed_corpus.zip (from corpus/fuzz/<target>/) and, for
# the targets whose inputs carry wasm modules, the vmcall dictionary as $OUT/<target>.dict.
#
# Inside ClusterFuzzLite's image the repository is $SRC/svm (see Dockerfile) and SANITIZER is set by the
# builder. On the host (.ci/run does this): point $SRC/svm at a checkout, make $OUT, and set
# SANITIZER=none for the stable toolchain:
#
#   src=$(mktemp -d); ln -s "$PWD" "$src/svm"
#   SRC=$src OUT=$(mktemp -d) SANITIZER=none .clusterfuzzlite/build.sh
#
# The flags are cargo-fuzz's defaults written out (-O: release; --debug-assertions: on, as without -O),
# and fuzz/uninstrumented-compilers (the rustc wrapper) keeps coverage and assertions off wasmer's code
# generators, so this build, fuzz/campaign.sh's and a by-hand
# `RUSTC_WRAPPER=$PWD/fuzz/uninstrumented-compilers cargo fuzz build --sanitizer none` share fuzz/target/.
cd "$SRC/svm"

case "${SANITIZER:-address}" in
  # The base image's cargo wrapper turns `cargo fuzz build` into a coverage build by itself (and a coverage
  # report should show the code generators as they are: no rustc wrapper of ours there).
  coverage) sanitizer=() ;;
  none | address | leak | memory | thread)
    sanitizer=(--sanitizer "${SANITIZER:-address}")
    export RUSTC_WRAPPER="$PWD/fuzz/uninstrumented-compilers"
    ;;
  *) echo "build.sh: cargo-fuzz has no sanitizer \"$SANITIZER\"" >&2; exit 1 ;;
esac
cargo fuzz build -O --debug-assertions "${sanitizer[@]}"

built=fuzz/target/x86_64-unknown-linux-gnu/release
for source in fuzz/fuzz_targets/*.rs; do
  target=$(basename "$source" .rs)
  cp "$built/$target" "$OUT/"
  seeds="corpus/fuzz/$target"
  if [ -d "$seeds" ]; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "$seeds" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
  # fuzz/campaign.sh gives these two targets the dictionary too: their inputs carry wasm modules.
  case $target in
    vmcalls | differential) cp fuzz/vmcalls.dict "$OUT/$target.dict" ;;
  esac
done
