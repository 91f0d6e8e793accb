#!/usr/bin/env bash
# The run command: installs what is missing (Debian 12, as root), builds, and opens the viewer on
# the default dataset. Without a display it says so and renders a still instead.
# Extra arguments go to parktwin (see `parktwin --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup-debian.sh
BUILD=${PARKTWIN_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" --target parktwin
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/parktwin-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
exec "$BUILD/tools/parktwin/parktwin" "$@"
