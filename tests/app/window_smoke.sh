#!/usr/bin/env bash
# Opens the real viewer window under Xvfb with the validation layer (synchronization validation
# on), waits until it shows, takes a screenshot of the screen, stops it with SIGTERM and checks:
# clean exit, 0 validation errors, and a screenshot that is a picture (not a blank screen).
# The swapchain path (acquire, record, present) runs under the layer; errors are
# counted both from the viewer's own validation_errors=N and from the error lines in its log
# (the viewer prints only the first 20 messages), and validation_errors=N is printed.
# A third argument adds viewer options; with --mesh-budget-mb N the viewer must also have dropped
# meshes (its mesh_budget line at exit).
set -euo pipefail
PT=$1
OUT=$2
EXTRA=${3:-}
mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
command -v xvfb-run >/dev/null || { echo "xvfb-run missing (Debian package xvfb)"; exit 1; }
xvfb-run -a -s "-screen 0 1600x900x24" bash -s "$PT" "$OUT" "$EXTRA" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2; EXTRA=$3
# The layer through the loader as well as --validate, with synchronization validation enabled.
export VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation
export VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
# shellcheck disable=SC2086 # EXTRA is a list of options
"$PT" --validate --size 1600x900 --view nanchang --feed "sim://?speed=600" --history "$OUT/history.db" $EXTRA >"$OUT/viewer.log" 2>&1 &
pid=$!
shown=0
for _ in $(seq 1 120); do
  if xwininfo -root -tree 2>/dev/null | grep -q "ParkTwin"; then shown=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$shown" != 1 ]; then echo "the viewer window never appeared"; cat "$OUT/viewer.log"; kill "$pid" 2>/dev/null || true; exit 1; fi
sleep 5   # a few frames: the first pays shader compilation on the CPU driver
import -window root "$OUT/window.png"
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
echo "viewer exit code $rc"
cat "$OUT/viewer.log"
[ "$rc" = 0 ] || exit 1
if grep -q "validation requested but VK_LAYER_KHRONOS_validation is not installed" "$OUT/viewer.log"; then
  echo "the validation layer is not installed (Debian package vulkan-validationlayers)"; exit 1
fi
reported=$(grep -o "^validation_errors=[0-9]*$" "$OUT/viewer.log" | tail -n 1 | cut -d= -f2 || true)
[ -n "$reported" ] || { echo "the viewer reported no validation_errors=N line"; exit 1; }
logged=$(grep -c -e "vulkan validation error:" -e "Validation Error" "$OUT/viewer.log" || true)
errors=$(( reported > logged ? reported : logged ))
echo "validation_errors=$errors (reported $reported, error lines in the log $logged)"
[ "$errors" = 0 ] || { echo "the validation layer reported errors"; exit 1; }
if [[ "$EXTRA" =~ --mesh-budget-mb\ [0-9] ]]; then
  dropped=$(grep -o "^mesh_budget: [0-9]* meshes dropped" "$OUT/viewer.log" | grep -o "[0-9]*" || true)
  [ -n "$dropped" ] && [ "$dropped" -gt 0 ] || { echo "with a mesh budget the viewer dropped no meshes"; exit 1; }
fi
INNER
# A blank or single-colour screen has a tiny standard deviation; the viewer's map and panels do not.
sd=$(/usr/bin/convert "$OUT/window.png" -colorspace Gray -format "%[fx:standard_deviation]" info:)
echo "screenshot $OUT/window.png, grey standard deviation $sd"
awk -v s="$sd" 'BEGIN { exit !(s > 0.05) }' || { echo "the screenshot looks blank"; exit 1; }
