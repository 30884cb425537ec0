#!/usr/bin/env bash
# Command 2: install what is missing, then build and test minnow every way CI does:
#   1. AddressSanitizer + UBSan: the asan build and the whole test suite under it
#   2. the libFuzzer targets, 30 seconds each from their seeds (scripts/fuzz.sh)
#   3. clang-tidy and cppcheck on core/, layers/, optim/ (scripts/lint.sh)
#   4. the Release build and the whole test suite, which also builds a project against an
#      installed minnow (tests/consumer). Last, so that ctest's summary line ends the output.
# `bash scripts/test.sh --quick` runs step 4 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/deps.sh
quick=0
[ "${1:-}" = "--quick" ] && quick=1
if [ "$quick" -eq 1 ]; then minnow_install_missing; else minnow_install_missing "${MINNOW_TEST_PACKAGES[@]}"; fi
minnow_install_onnxruntime
jobs="$(nproc)"
timings=()
stage() {  # stage NAME COMMAND...: runs the command and notes how long it took
  local name="$1" start=$SECONDS
  shift
  echo "==== $name"
  "$@"
  timings+=("$name $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s")
}

build() { cmake --preset "$1" > /dev/null && cmake --build --preset "$1" -j"$jobs"; }

cmake --preset release > /dev/null  # compile_commands.json for the linters
if [ "$quick" -eq 0 ]; then
  stage "asan build" build asan
  stage "asan tests" ctest --preset asan -j"$jobs" --progress
  stage "fuzz" bash scripts/fuzz.sh 30
  stage "lint" bash scripts/lint.sh
fi
stage "release build" build release
start=$SECONDS
echo "==== release tests"
status=0
ctest --preset release -j"$jobs" 2>&1 | tee build/release/ctest.log || status=$?
timings+=("release tests $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s")
echo
printf 'scripts/test.sh took %dm%ds:' $((SECONDS / 60)) $((SECONDS % 60))
printf ' %s,' "${timings[@]}" | sed 's/,$/\n/'
grep -E '[0-9]+% tests passed' build/release/ctest.log | tail -n 1
exit "$status"
