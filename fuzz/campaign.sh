#!/usr/bin/env bash
# A fuzzing campaign: every target (or the ones named) for SECONDS each, two at a time, each starting
# from its seed corpus (read-only) plus a working corpus under fuzz/corpus/<target>; then a summary in
# reports/fuzz/campaign-<UTC date>.md. Findings land in fuzz/artifacts/<target>/. Then fuzz/upkeep.sh folds
# each working corpus into a candidate seed corpus and the report says how much coverage it adds.
#
#   fuzz/campaign.sh SECONDS [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/campaign.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(codec storage collections events vmcalls differential stream contracts)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Coverage and assertions stay off wasmer's code generators (see fuzz/uninstrumented-compilers).
export RUSTC_WRAPPER="$PWD/fuzz/uninstrumented-compilers"
cargo fuzz build --sanitizer none
mkdir -p reports/fuzz fuzz/logs
stamp=$(date -u +%Y-%m-%dT%H%MZ)

run_one() {
  local t=$1
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  local dict=()
  case $t in vmcalls|differential) dict=(-dict=fuzz/vmcalls.dict) ;; esac
  cargo fuzz run "$t" --sanitizer none "fuzz/corpus/$t" "corpus/fuzz/$t" -- \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="fuzz/artifacts/$t/" > "fuzz/logs/$t.log" 2>&1 || true
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

report="reports/fuzz/campaign-$stamp.md"
{
  echo "# Fuzzing campaign, $stamp"
  echo
  echo "\`fuzz/campaign.sh $seconds ${targets[*]}\` on commit $(git rev-parse --short HEAD), $(nproc) cores, two targets at a time."
  echo
  echo "| target | seconds | executions | execs/s | coverage (cov) | features (ft) | corpus | findings |"
  echo "|---|---|---|---|---|---|---|---|"
  for t in "${targets[@]}"; do
    log="fuzz/logs/$t.log"
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | awk '{print $2}' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -n 1 | awk '{print $2}' || true)
    line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true)
    ran=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1 | awk '{print $5}' || true)
    [ -n "$ran" ] || ran="$(( ${execs:-0} / (${rate:-1} > 0 ? ${rate:-1} : 1) )) (stopped at a finding)"
    cov=$(echo "$line" | grep -o 'cov: [0-9]*' | awk '{print $2}' || true)
    ft=$(echo "$line" | grep -o 'ft: [0-9]*' | awk '{print $2}' || true)
    corp=$(echo "$line" | grep -o 'corp: [0-9]*' | awk '{print $2}' || true)
    findings=$(find "fuzz/artifacts/$t" -type f 2>/dev/null | wc -l || true)
    echo "| $t | $ran | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $findings |"
  done
} > "$report"
{
  echo
  fuzz/upkeep.sh "${targets[@]}"
} >> "$report"
cat "$report"
