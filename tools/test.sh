#!/usr/bin/env bash
# The test command: installs what is missing (Debian 12, as root), configures, builds and runs every
# test. Rendering tests use the Vulkan device present (Mesa's CPU driver lavapipe on machines
# without a GPU); the window test runs under Xvfb. Then a second build with clang runs the suites of
# the libraries without a GPU (GIS, dataset, scene, editor, live, wall) under AddressSanitizer and
# UndefinedBehaviorSanitizer, and every libFuzzer target over its seeds and for a few seconds
# (PARKTWIN_FUZZ_SECONDS, default 5; PARKTWIN_SANITIZE_TESTS=0 skips the second build).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup-debian.sh
BUILD=${PARKTWIN_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARKTWIN_TEST_SHARDS=ON
cmake --build "$BUILD" --parallel "$(nproc)"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/parktwin-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
ctest --test-dir "$BUILD" --output-on-failure --parallel "$(nproc)" --timeout 600

if [ "${PARKTWIN_SANITIZE_TESTS:-1}" != 0 ]; then
  SAN=${PARKTWIN_SAN_BUILD_DIR:-build-san}
  # -O1 -g1: what the sanitizers recommend, and line numbers in their reports at a fraction of -g's cost.
  CC=clang CXX=clang++ cmake -S . -B "$SAN" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    -DPARKTWIN_SANITIZE=ON -DPARKTWIN_FUZZ=ON -DPARKTWIN_TEST_SHARDS=ON
  cmake --build "$SAN" --parallel "$(nproc)" --target gis_tests dataset_tests scene_tests edit_tests edit_snap_tests edit_store_tests live_tests wall_tests fuzz
  # Any report fails its test: UB stops the process, leaks are errors (third-party leaks that are
  # not ours are listed in tests/sanitizers/lsan.supp, each with its reason).
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0 \
    ctest --test-dir "$SAN" -L sanitized --output-on-failure --parallel "$(nproc)" --timeout 900
  FUZZ_BUILD_DIR="$PWD/$SAN" ./tools/fuzz.sh "${PARKTWIN_FUZZ_SECONDS:-5}"
fi
