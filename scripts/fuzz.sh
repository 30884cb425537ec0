#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, the fuzz preset: clang, AddressSanitizer + UBSan) and
# runs each one from its committed seeds:
#   bash scripts/fuzz.sh [seconds per target, default 30] [more libFuzzer flags, e.g. -runs=1000000]
# New inputs go to build/fuzz/corpus/<target>, so tests/fuzz/corpus stays as committed. A crash,
# a leak or a sanitizer report stops the script with the fuzzer's report; the input that caused it
# is kept in build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-30}"
shift || true
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j"$(nproc)"
mkdir -p build/fuzz/artifacts
# fuzz_weights and fuzz_onnx write each input to a scratch file: in memory (tmpfs) it runs 10-40 times faster.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
for target in idx npy weights onnx; do
  mkdir -p "build/fuzz/corpus/$target"
  log="build/fuzz/fuzz_$target.log"
  if ! "./build/fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
      -dict="tests/fuzz/$target.dict" -artifact_prefix="build/fuzz/artifacts/$target-" "$@" \
      "build/fuzz/corpus/$target" "tests/fuzz/corpus/$target" > "$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz_$target FAILED: see $log and build/fuzz/artifacts/"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz_$target: $runs runs, $speed exec/s, no crash, leak or sanitizer report"
done
