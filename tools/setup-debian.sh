#!/usr/bin/env bash
# Installs the Debian 12 packages ParkTwin builds, runs and tests with.
# Idempotent: packages already present are left alone and apt is not even asked.
# Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libvulkan-dev mesa-vulkan-drivers vulkan-tools vulkan-validationlayers glslc
  libglfw3-dev libimgui-dev libstb-dev libglm-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev
  libgdal-dev proj-data libgeos-dev
  libmeshoptimizer-dev
  xvfb xauth x11-utils xdotool imagemagick fonts-wqy-microhei
  mosquitto mosquitto-clients libmosquitto-dev openssl
  sqlite3 libsqlite3-dev
  postgresql-15 postgresql-15-postgis-3
  libxml2-dev
  libzmq3-dev cppzmq-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  clang libclang-rt-14-dev llvm-14
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: need root to install: ${missing[*]}" >&2
    echo "setup: run this script as root, or install those packages yourself" >&2
    exit 1
  fi
fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
