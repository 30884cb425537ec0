# Sourced by the two set-up commands: installs the Debian packages minnow needs, if missing.
#   As root it runs apt-get; otherwise it prints the exact apt-get line and stops.
MINNOW_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libeigen3-dev libfmt-dev catch2   # the math, the output, the tests
  libzip-dev zlib1g-dev             # weight files (.npz) and gzip-compressed IDX data
  libpng-dev                        # PNG pictures written by the examples
  libgraphviz-dev fonts-dejavu-core # model diagrams (plot_model), drawn by Graphviz, lettered in DejaVu
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
)

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
