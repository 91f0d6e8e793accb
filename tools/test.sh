#!/usr/bin/env bash
# The test command: installs what is missing (Debian 12, as root), configures, builds and runs every
# test. Rendering tests use the Vulkan device present (Mesa's CPU driver lavapipe on machines
# without a GPU); the window test runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup-debian.sh
BUILD=${PARKTWIN_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" --parallel "$(nproc)"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/parktwin-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
ctest --test-dir "$BUILD" --output-on-failure --parallel "$(nproc)" --timeout 600
