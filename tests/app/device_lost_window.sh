#!/usr/bin/env bash
# The viewer in a real window under Xvfb when its GPU device is lost: PARKTWIN_FAULT_DEVICE_LOST_AFTER
# makes every renderer's frame 15 fail with VK_ERROR_DEVICE_LOST. Checks: the viewer says the device
# was lost and that it came back (twice in 50 frames: the renderer it made again loses its device
# too), it runs all 50 frames, exits 0 with 0 validation errors across the three renderers (the
# validation layer on, synchronization validation enabled); and with more losses than it accepts
# in 10 minutes it stops with exit 1 and says why.
set -euo pipefail
PT=$1; OUT=$2
rm -rf "$OUT"; mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
command -v xvfb-run >/dev/null || { echo "xvfb-run missing (Debian package xvfb)"; exit 1; }
xvfb-run -a -s "-screen 0 1280x720x24" bash -s "$PT" "$OUT" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2
fail() { echo "FAIL: $*"; cat "$OUT"/*.log; exit 1; }
export VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
rc=0
PARKTWIN_FAULT_DEVICE_LOST_AFTER=15 "$PT" --validate --size 640x360 --view nanchang --frames 50 \
  --feed "sim://?speed=600" --history none >"$OUT/viewer.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "the viewer exited with $rc"
lost=$(grep -c "the GPU device was lost (VK_ERROR_DEVICE_LOST" "$OUT/viewer.log" || true)
back=$(grep -c "the GPU device is back after" "$OUT/viewer.log" || true)
[ "$lost" -ge 2 ] && [ "$back" = "$lost" ] || fail "lost $lost times, came back $back times (2 or more each expected)"
grep -q "^parktwin: 50 frames" "$OUT/viewer.log" || fail "the viewer did not run its 50 frames"
grep -q "^validation_errors=0$" "$OUT/viewer.log" || fail "validation errors (or no count)"
echo "device lost $lost times, back $back times, 50 frames, 0 validation errors"

# A device that keeps failing: lost at every first frame; the viewer gives up after 5 in 10 minutes.
rc=0
PARKTWIN_FAULT_DEVICE_LOST_AFTER=1 timeout 120 "$PT" --size 320x180 --frames 50 --no-live >"$OUT/giving_up.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a device lost again and again: exit $rc, not 1"
grep -q "times in 10 minutes: giving up" "$OUT/giving_up.log" || fail "no message saying why it gave up"
echo "a device lost at every frame: exit 1 after $(grep -c 'is back after' "$OUT/giving_up.log") recoveries"
INNER
