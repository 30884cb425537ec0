#!/usr/bin/env bash
# The linters on the library's sources (every floor: core/, core/kernels/, layers/, optim/, io/,
# plot/, model/, tools/, callbacks/, diagram/, onnx/, report/), with build/release's
# compile_commands.json (configured here if missing):
#   clang-tidy  the checks chosen in .clang-tidy (bugprone, performance, modernize, readability)
#   cppcheck    warning, performance and portability checks (false positives: .cppcheck-suppressions)
#   clang-format every C++ file of the project is formatted by .clang-format (fix: clang-format -i)
#   floors      every file includes only its own folder and floors below (scripts/check_floors.py)
#   sizes       files <= 400 lines, public headers <= 120, functions <= 40 outside core/kernels
#               (scripts/check_sizes.py)
# Prints every finding and exits non-zero if there is any.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f build/release/compile_commands.json ] || cmake --preset release > /dev/null
sources=(core/*.cpp core/kernels/*.cpp layers/*.cpp optim/*.cpp io/*.cpp plot/*.cpp model/*.cpp tools/*.cpp callbacks/*.cpp
         diagram/*.cpp onnx/*.cpp onnx/internal/*.cpp report/*.cpp)
status=0

echo "clang-tidy: ${#sources[@]} files"
printf '%s\n' "${sources[@]}" |
  xargs -P"$(nproc)" -n1 clang-tidy -p build/release --quiet --warnings-as-errors='*' \
    > build/release/clang-tidy.log 2> build/release/clang-tidy.err || status=1
grep -E -A3 'warning:|error:' build/release/clang-tidy.log || true
[ "$status" -eq 0 ] || echo "clang-tidy failed: build/release/clang-tidy.log and clang-tidy.err have the details"

echo "cppcheck"
# Paths as cppcheck reports them, relative to the project; false positives in .cppcheck-suppressions.
cppcheck --project=build/release/compile_commands.json --file-filter='core/*' --file-filter='layers/*' \
  --file-filter='optim/*' --file-filter='io/*' --file-filter='plot/*' --file-filter='model/*' --file-filter='tools/*' --file-filter='callbacks/*' --file-filter='diagram/*' --file-filter='onnx/*' \
  --file-filter='report/*' \
  --enable=warning,performance,portability --std=c++20 --inline-suppr --quiet \
  --suppress=missingIncludeSystem --suppressions-list=.cppcheck-suppressions --error-exitcode=1 -j"$(nproc)" ||
  status=1

echo "clang-format"
git ls-files '*.cpp' '*.h' | grep -E '^(core|layers|optim|io|plot|model|tools|callbacks|diagram|onnx|report|examples|tests|bench)/|^minnow\.h$' |
  xargs clang-format --dry-run --Werror || status=1

echo "floors"
python3 scripts/check_floors.py || status=1

echo "sizes"
python3 scripts/check_sizes.py || status=1

if [ "$status" -eq 0 ]; then echo "lint: clean"; else echo "lint: findings above"; fi
exit "$status"
