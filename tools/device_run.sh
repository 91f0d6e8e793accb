#!/usr/bin/env bash
# Runs the benches on a GPU machine that has none of our Debian packages, from the bundle that
# tools/bundle.sh made (see there):
#
#   tools/bundle.sh --lean --tar .gpu/parktwin-bundle.tar.xz     # here, on the Debian 12 build machine
#   bash tools/device_run.sh                                      # there, from the repository root
#
# It unpacks .gpu/parktwin-bundle.tar.xz into /tmp, points the Vulkan loader at the NVIDIA driver, and
# first checks in seconds that parktwin starts and sees the NVIDIA device (else it stops there and
# says why). Then, each under its own timeout and all within BUDGET_S (default 330 s) together:
# parktwin bench wall --nodes 8, parktwin bench, bench flows, bench labels, bench record. Everything
# goes to the terminal and to $OUT/device_log.txt (OUT defaults to /tmp/out); the bench lines alone to
# $OUT/device_bench.txt, the wall bench's stitched frame to $OUT/.
# BENCH_SET=edit runs only parktwin bench edit (edit to frame, save, a 20-run kill -9 loop).
# BENCH_SET=layers runs only the big-layer figures: parktwin bench flows (the adaptive flow budget),
# then parktwin bench scale --max 10m at 3840x2160
# (100k, 1M and 10M generated footprints, kept in SCALE_DIR, default /tmp/parktwin-scale, for a
# rerun), then at 1920x1080 (the size of the figures from the CPU machines), both in one budget
# (BUDGET_S defaults to 540 there).
# SCALE_MAX (default 10m) and SCALE_FRAMES (default 10) are bench scale's --max and --frames there.
# Environment: OUT, BUDGET_S, TARBALL, BENCH_SET, SCALE_MAX, SCALE_FRAMES; DEVICE_MATCH, the device name the smoke check wants (default
# NVIDIA; llvmpipe to try this script with lavapipe); VK_DRIVER_FILES (default: NVIDIA's json under
# /usr/local/nvidia or a standard ICD folder); PARKTWIN_NO_FONT_INSTALL=1: do not copy the bundled UI
# font to /usr/share/fonts/truetype/wqy when it is missing there (parktwin looks nowhere else).
set -uo pipefail

T0=$(date +%s)
OUT=${OUT:-/tmp/out}
if [[ ${BENCH_SET:-all} == layers ]]; then BUDGET_S=${BUDGET_S:-540}; else BUDGET_S=${BUDGET_S:-330}; fi
TARBALL=${TARBALL:-.gpu/parktwin-bundle.tar.xz}
DEVICE_MATCH=${DEVICE_MATCH:-NVIDIA}
DEST=/tmp/parktwin-bundle
mkdir -p "$OUT"
LOG=$OUT/device_log.txt
BENCH=$OUT/device_bench.txt
: >"$BENCH"

say() { printf '[device_run %3ds] %s\n' "$(($(date +%s) - T0))" "$*"; }
left() { echo $((BUDGET_S - ($(date +%s) - T0))); }
RESULTS=()

# run NAME TIMEOUT_S ARGS...: parktwin ARGS under min(TIMEOUT_S, what is left of the budget).
run() {
  local name=$1 limit=$2 rc t
  shift 2
  local rest
  rest=$(left)
  if ((rest < 15)); then
    say "SKIP $name: only ${rest}s of the ${BUDGET_S}s budget left"
    RESULTS+=("$name: skipped (budget)")
    return 0
  fi
  ((limit > rest)) && limit=$rest
  say "RUN  $name (timeout ${limit}s): parktwin $*"
  t=$(date +%s)
  timeout -k 5 "$limit" "$P" "$@" 2>&1 | tee "$OUT/$name.txt"
  rc=${PIPESTATUS[0]}
  t=$(($(date +%s) - t))
  { echo "## $name: parktwin $* (rc=$rc, ${t}s)"; grep -E '^[A-Za-z0-9_]+=' "$OUT/$name.txt"; echo; } >>"$BENCH"
  case $rc in
    0) say "OK   $name in ${t}s" ;;
    124 | 137) say "FAIL $name: timed out after ${t}s" ;;
    *) say "FAIL $name: exit status $rc after ${t}s" ;;
  esac
  RESULTS+=("$name: rc=$rc ${t}s")
}

main() {
  say "host $(hostname) | $(uname -srm) | $(ldd --version 2>/dev/null | head -1) | $(nproc) cores | OUT=$OUT"

  # --- unpack ------------------------------------------------------------------------------------
  if [[ ! -f $TARBALL ]]; then
    say "FATAL: no bundle at $TARBALL (make it with: tools/bundle.sh --lean --tar $TARBALL)"
    return 2
  fi
  rm -rf "$DEST"
  mkdir -p "$DEST"
  if command -v xz >/dev/null; then
    unpack() { tar -C "$DEST" -xJf "$TARBALL"; }
  else  # no xz-utils: Python's lzma
    unpack() { python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$TARBALL" "$DEST"; }
  fi
  if ! unpack; then
    say "FATAL: cannot unpack $TARBALL"
    return 2
  fi
  P=$DEST/parktwin/parktwin
  [[ -x $P ]] || { say "FATAL: $P missing after unpacking"; return 2; }
  say "unpacked $TARBALL ($(stat -c %s "$TARBALL") bytes) into $DEST ($(du -sm "$DEST" | cut -f1) MiB)"
  sed -n '1,7p' "$DEST/parktwin/BUNDLE.txt"

  # --- Vulkan driver -----------------------------------------------------------------------------
  # NVIDIA's Vulkan driver (libGLX_nvidia) gives the loader no vkCreateInstance unless GLVND is
  # installed system-wide (libGLdispatch, libGLX, libEGL...): without it the smoke check fails with
  # "Could not get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr'". Debian's packages of them,
  # downloaded beside the bundle (apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1
  # libglx0 libgles2 into GLVND_DEBS, default .gl), are unpacked into / when present.
  GLVND_DEBS=${GLVND_DEBS:-.gl}
  if compgen -G "$GLVND_DEBS/*.deb" >/dev/null && [[ $(id -u) == 0 ]]; then
    for f in "$GLVND_DEBS"/*.deb; do dpkg -x "$f" / && say "unpacked $(basename "$f") into /"; done
    ldconfig
  fi
  if [[ -z ${VK_DRIVER_FILES:-} ]]; then
    for j in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
             /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
      [[ -f $j ]] && { VK_DRIVER_FILES=$j; break; }
    done
  fi
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
  export PARKTWIN_DEVICE=${PARKTWIN_DEVICE:-$DEVICE_MATCH}
  export HOME=${HOME:-/tmp}
  say "VK_DRIVER_FILES=$VK_DRIVER_FILES LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  timeout 10 nvidia-smi -L || say "nvidia-smi -L failed (status $?)"

  icd_diagnose() {
    say "diagnosis:"
    local lib="" found=""
    if [[ -f $VK_DRIVER_FILES ]]; then
      cat "$VK_DRIVER_FILES"
      lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$VK_DRIVER_FILES")
      if [[ $lib == /* ]]; then
        ls -la "$lib" 2>&1 && found=$lib
      else
        echo "library_path $lib: in LD_LIBRARY_PATH: $(IFS=:; for d in ${LD_LIBRARY_PATH:-}; do [[ -e $d/$lib ]] && echo "$d/$lib"; done)"
        echo "in the ld.so cache: $(ldconfig -p 2>/dev/null | grep -F "$lib" | head -3)"
      fi
    else
      echo "no file at VK_DRIVER_FILES=$VK_DRIVER_FILES; ICD files here:"
      find /usr /etc /opt -path '*vulkan/icd.d/*.json' 2>/dev/null | head
    fi
    [[ -z $found && -n $lib ]] &&
      found=$(IFS=:; for d in ${LD_LIBRARY_PATH:-} /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do [[ -e $d/$lib ]] && { echo "$d/$lib"; break; }; done)
    [[ -n $found ]] && { echo "ldd $found (with the bundle's libraries):"; LD_LIBRARY_PATH="$DEST/parktwin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}:$DEST/parktwin/lib/driver" ldd "$found"; }
    echo "the Vulkan loader on the same still (VK_LOADER_DEBUG=error,warn,driver):"
    VK_LOADER_DEBUG=error,warn,driver timeout -k 3 20 "$P" render --out /tmp/parktwin-smoke.png --size 320x180 2>&1 | tail -40
    echo "libraries the bundled binary does not find:"
    LD_LIBRARY_PATH="$DEST/parktwin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$DEST/parktwin/bin/parktwin" | grep -E 'not found|version' || echo "  none"
  }

  # --- smoke: starts, loads the dataset, renders a small still on the NVIDIA device ---------------
  say "SMOKE: parktwin --version and a 320x180 still (timeout 20s)"
  timeout 10 "$P" --version
  ST=$(date +%s)
  SMOKE_OUT=$(timeout -k 3 20 "$P" render --out /tmp/parktwin-smoke.png --size 320x180 2>&1)
  rc=$?
  echo "$SMOKE_OUT"
  if ((rc != 0)) || ! grep -q "$DEVICE_MATCH" <<<"$SMOKE_OUT"; then
    say "SMOKE FAILED (status $rc, $(($(date +%s) - ST))s): parktwin did not render on a $DEVICE_MATCH device; skipping the benches"
    icd_diagnose
    return 1
  fi
  say "SMOKE OK in $(($(date +%s) - ST))s: $(grep -o 'wrote .*' <<<"$SMOKE_OUT")"
  cp /tmp/parktwin-smoke.png "$OUT/" 2>/dev/null

  # The UI font: parktwin looks only under /usr/share/fonts (engine/ui/src/fonts.cpp). Without it the
  # panels use ImGui's Latin font, which changes the panel costs the benches measure.
  FONT_SRC=$DEST/parktwin/share/fonts/truetype/wqy/wqy-microhei.ttc
  FONT_DST=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
  if [[ -f $FONT_DST ]]; then
    say "font: $FONT_DST present"
  elif [[ ${PARKTWIN_NO_FONT_INSTALL:-} != 1 && -f $FONT_SRC ]] && mkdir -p "${FONT_DST%/*}" 2>/dev/null && cp "$FONT_SRC" "$FONT_DST" 2>/dev/null; then
    say "font: copied the bundled wqy-microhei.ttc to $FONT_DST (parktwin has no font override)"
  else
    say "font: none at $FONT_DST; panels use ImGui's Latin font (Chinese shows as '?')"
  fi

  # --- benches -----------------------------------------------------------------------------------
  # Times on the 2-core build machine under lavapipe: wall 28 s, bench 70 s, flows 55 s, labels 14 s,
  # record 21 s; on a GPU they are mostly CPU and process start-up.
  if [[ ${BENCH_SET:-all} == edit ]]; then
    run bench_edit 200 bench edit --crash-runs 20
  elif [[ ${BENCH_SET:-all} == layers ]]; then
    # 10M footprints: about 90 s to generate on 2 cores, 34 GiB of memory and 12 GB of meshes;
    # the bench skips a size that will not fit. The files are made once, then reused by name.
    SCALE_DIR=${SCALE_DIR:-/tmp/parktwin-scale}
    run bench_flows 60 bench flows  # the flow budget that follows the GPU time: all 100k arcs?
    # The 10M memory check takes ASSUME_MEMORY_GB (default 110 of the machine's 128 GiB) rather than
    # MemAvailable, in case a VM's memory grows as it is used (on 2026-12-04 it read 125 GiB at once).
    grep -E 'MemTotal|MemAvailable' /proc/meminfo
    MEM=(--assume-memory-gb "${ASSUME_MEMORY_GB:-110}")
    SCALE=(--max "${SCALE_MAX:-10m}" --frames "${SCALE_FRAMES:-10}" --keep "$SCALE_DIR" "${MEM[@]}")
    run bench_scale_2160p 420 bench scale --size 3840x2160 "${SCALE[@]}"
    run bench_scale_1080p 240 bench scale --size 1920x1080 "${SCALE[@]}"
  else
    run bench_wall 120 bench wall --nodes 8
    cp /tmp/parktwin-bench-wall-stitched.png "$OUT/" 2>/dev/null
    run bench 100 bench
    run bench_flows 75 bench flows
    run bench_labels 45 bench labels
    run bench_record 60 bench record
    run bench_edit 120 bench edit --crash-runs 20
  fi

  say "summary (${BUDGET_S}s budget, $(($(date +%s) - T0))s used):"
  for r in "${RESULTS[@]}"; do echo "  $r"; done
  grep -hE '^## |^(device|wall_(join_s|skew_frames_max|barrier_p50_ms|barrier_p99_ms|stitch_diff_pct|node_drop_stall_ms)|frame_ms_[a-z]+|load_to_first_frame_s|flows_100k_frame_ms|flows_100k_adaptive_[a-z_]+|declutter_10k_ms|record_[0-9x]+_(mp4_)?fps|edit_to_frame_ms(_100k)?|edit_to_frame_ratio_100k|save_1000_features_gpkg_ms|crash_(runs|corrupt|lost_edits)|scale_[0-9a-z]+_(first_frame_s|complete_frame_s|frame_ms|frame_cpu_ms|gpu_memory_mb|peak_rss_mb|skipped|error)|scale_[0-9a-z]+_over_100k_[a-z_]+)=' "$BENCH" | sed 's/^/  /'
  say "log: $LOG, bench lines: $BENCH"
}

main "$@" 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
