# Sourced by the two set-up commands: installs the Debian packages minnow needs, if missing.
#   As root it runs apt-get; otherwise it prints the exact apt-get line and stops.
MINNOW_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libeigen3-dev libfmt-dev catch2   # the math, the output, the tests
  libzip-dev zlib1g-dev             # weight files (.npz) and gzip-compressed IDX data
  libpng-dev                        # PNG pictures written by the examples
  libgraphviz-dev fonts-dejavu-core # model diagrams (plot_model), drawn by Graphviz, lettered in DejaVu
  libonnx-dev libprotobuf-dev       # ONNX files in and out (save_onnx, load_onnx), with ONNX's own checker
  python3                           # the documentation checks (scripts/doc_samples.py, check_api_docs.py)
  dataset-fashion-mnist             # the real data the training examples use
)
# What the whole test run (scripts/test.sh) needs on top: clang with libFuzzer and the sanitizer
# runtimes (libclang-rt-14-dev) and OpenMP (libomp-dev) for the fuzz build, the linters, and
# chromium, the browser that opens the training report in its test, and tmux, the terminal the
# stepper's interactive test drives.
MINNOW_TEST_PACKAGES=(
  clang libclang-rt-14-dev libomp-dev
  clang-tidy cppcheck clang-format
  chromium
  tmux
  python3-onnx                      # ONNX's Python checker (full_check), run on every exported model
)

# minnow_install_onnxruntime: ONNX Runtime's CPU build, which the ONNX tests run exported models
# in, from the npm package onnxruntime-node (pinned), into build/onnxruntime/. --ignore-scripts
# skips its install script, which only fetches optional GPU parts. Without node and npm, or without
# the npm registry, it says so and the tests that need it report themselves skipped.
MINNOW_ONNXRUNTIME_VERSION=1.31.1
minnow_install_onnxruntime() {
  local dir=build/onnxruntime
  [ -f "$dir/node_modules/onnxruntime-node/package.json" ] && return 0
  if ! command -v npm > /dev/null; then
    echo "npm not found: the tests that run exported ONNX models in ONNX Runtime will be skipped"
    return 0
  fi
  mkdir -p "$dir"
  echo "Installing onnxruntime-node@$MINNOW_ONNXRUNTIME_VERSION (npm) into $dir"
  (cd "$dir" && timeout 600 npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
      "onnxruntime-node@$MINNOW_ONNXRUNTIME_VERSION" > /dev/null) ||
    echo "npm install failed: the tests that run exported ONNX models in ONNX Runtime will be skipped"
}

# minnow_install_missing [more packages...]: MINNOW_PACKAGES and the ones given.
minnow_install_missing() {
  local missing=()
  for p in "${MINNOW_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "minnow needs these Debian packages: ${missing[*]}"
    echo "Install them with:"
    echo "  sudo apt-get update && sudo $line"
    exit 1
  fi
  echo "Installing missing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  $line -qq
}
