#!/usr/bin/env bash
# Opens the real viewer window under Xvfb with the validation layer, waits until it shows,
# takes a screenshot of the screen, stops it with SIGTERM and checks: clean exit, 0 validation
# errors, and a screenshot that is a picture (not a blank screen).
set -euo pipefail
PT=$1
OUT=$2
mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
command -v xvfb-run >/dev/null || { echo "xvfb-run missing (Debian package xvfb)"; exit 1; }
xvfb-run -a -s "-screen 0 1600x900x24" bash -s "$PT" "$OUT" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2
"$PT" --validate --size 1600x900 --view nanchang --feed "sim://?speed=600" --history "$OUT/history.db" >"$OUT/viewer.log" 2>&1 &
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
grep -q "^validation_errors=0$" "$OUT/viewer.log" || { echo "validation errors (or none reported)"; exit 1; }
INNER
# A blank or single-colour screen has a tiny standard deviation; the viewer's map and panels do not.
sd=$(/usr/bin/convert "$OUT/window.png" -colorspace Gray -format "%[fx:standard_deviation]" info:)
echo "screenshot $OUT/window.png, grey standard deviation $sd"
awk -v s="$sd" 'BEGIN { exit !(s > 0.05) }' || { echo "the screenshot looks blank"; exit 1; }
