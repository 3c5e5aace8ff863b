#!/usr/bin/env bash
# Corpus upkeep: folds each target's working corpus (fuzz/corpus/<target>/, what campaigns grew) into its
# reviewed seed corpus (corpus/fuzz/<target>/): every seed stays, and of the working corpus only the inputs
# that reach coverage the seeds and each other do not are added (libFuzzer's -merge=1, into a copy of the
# seeds at fuzz/corpus/<target>.merged/). Prints a Markdown section: files, bytes and coverage (cov: edges,
# ft: features, from libFuzzer's INITED line over the corpus with nothing new run) before and after.
# fuzz/campaign.sh appends it to its report; with --apply the additions are copied into corpus/fuzz/<target>/
# (see fuzz/README.md, "Corpus upkeep", for when to commit them).
#
#   fuzz/upkeep.sh [--apply] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
apply=false
if [ "${1:-}" = --apply ]; then
  apply=true
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(codec storage collections events vmcalls differential stream contracts)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# The build fuzz/campaign.sh and .ci/run make: nothing to do when it is there.
export RUSTC_WRAPPER="$PWD/fuzz/uninstrumented-compilers"
cargo fuzz build --sanitizer none >&2
bin=fuzz/target/x86_64-unknown-linux-gnu/release
mkdir -p fuzz/logs

# "cov ft" of a corpus folder.
coverage() {
  "$bin/$1" -runs=0 -timeout=30 -rss_limit_mb=4096 "$2" > "fuzz/logs/$1.coverage.log" 2>&1 || true
  grep -o 'INITED cov: [0-9]* ft: [0-9]*' "fuzz/logs/$1.coverage.log" | tail -n 1 | awk '{print $3, $5}'
}

# "files bytes" of a folder.
size() {
  echo "$(find "$1" -type f | wc -l) $(find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
}

echo "## Corpus upkeep"
echo
echo "\`fuzz/upkeep.sh$($apply && echo ' --apply') ${targets[*]}\`: each working corpus folded into its seed corpus (every seed kept;"
echo "only inputs that add coverage added). cov: edges, ft: features, as libFuzzer counts them over the corpus."
echo
echo "| target | working corpus | seeds: files / bytes | cov | ft | seeds + additions: files / bytes | cov | ft | added (cov / ft grew) | $($apply && echo applied || echo 'to apply') |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
  seeds=corpus/fuzz/$t
  work=fuzz/corpus/$t
  merged=fuzz/corpus/$t.merged
  rm -rf "$merged"
  cp -r "$seeds" "$merged"
  read -r cov0 ft0 < <(coverage "$t" "$seeds")
  read -r seed_files seed_bytes < <(size "$seeds")
  working=0
  if [ -d "$work" ] && [ -n "$(ls -A "$work")" ]; then
    working=$(find "$work" -type f | wc -l)
    if ! "$bin/$t" -merge=1 -timeout=30 -rss_limit_mb=4096 "$merged" "$work" > "fuzz/logs/$t.merge.log" 2>&1; then
      echo "| $t | $working | merge failed: see fuzz/logs/$t.merge.log |"
      continue
    fi
  fi
  read -r cov1 ft1 < <(coverage "$t" "$merged")
  read -r files bytes < <(size "$merged")
  added=$((files - seed_files))
  action="\`--apply\`"
  if [ "$added" -eq 0 ]; then
    action="nothing"
  elif $apply; then
    for f in "$merged"/*; do
      [ -e "$seeds/$(basename "$f")" ] || cp "$f" "$seeds/"
    done
    action="copied into \`$seeds/\`"
  fi
  grew="$(printf '%+d' $((${cov1:-0} - ${cov0:-0}))) / $(printf '%+d' $((${ft1:-0} - ${ft0:-0})))"
  echo "| $t | $working | $seed_files / $seed_bytes | ${cov0:-?} | ${ft0:-?} | $files / $bytes | ${cov1:-?} | ${ft1:-?} | $added ($grew) | $action |"
done
