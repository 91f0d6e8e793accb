#!/usr/bin/env bash
# A tour played in the real viewer window under Xvfb with the validation layer: started with
# --tour, it flies, shows its caption and highlight, holds at its pause step until the presenter
# presses Space (sent with xdotool), then runs to its end. Checks the tour's own report lines in
# that order, 0 validation errors, and that the caption is on screen while held.
set -euo pipefail
PT=$1
OUT=$2
FIXTURES=$3
mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
command -v xdotool >/dev/null || { echo "xdotool missing (Debian package xdotool)"; exit 1; }
xvfb-run -a -s "-screen 0 1280x720x24" bash -s "$PT" "$OUT" "$FIXTURES" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2; FIX=$3
export VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation
export XDG_CONFIG_HOME="$OUT/config"
# The pointer parked in a corner: no hover tooltip over the picture.
xdotool mousemove 5 700 || true
"$PT" --validate --size 1280x720 --tour "$FIX/short_tour.json" --feed "sim://?seed=3" --history none \
  >"$OUT/viewer.log" 2>&1 &
pid=$!
wait_for() {  # wait_for PATTERN SECONDS: until the viewer's log has the line
  for _ in $(seq 1 $(( $2 * 2 ))); do
    grep -q "$1" "$OUT/viewer.log" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "never saw '$1' in the viewer's log"; cat "$OUT/viewer.log"; kill "$pid" 2>/dev/null || true; exit 1
}
wait_for "^tour: waiting for the presenter at step 5 of 8" 90
sleep 2   # held: the clock must stand still, and the caption stays
import -window root "$OUT/held.png"
grep -q "^tour: finished" "$OUT/viewer.log" && { echo "the tour ran past its pause step"; exit 1; }
win=$(xdotool search --name "ParkTwin" | head -n 1)
xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus --sync "$win"
xdotool key --window "$win" space
wait_for "^tour: playing at step" 30
wait_for "^tour: finished at step 8 of 8" 60
sleep 1
import -window root "$OUT/finished.png"
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
cat "$OUT/viewer.log"
[ "$rc" = 0 ] || { echo "viewer exit code $rc"; exit 1; }
reported=$(grep -o "^validation_errors=[0-9]*$" "$OUT/viewer.log" | tail -n 1 | cut -d= -f2 || true)
[ -n "$reported" ] || { echo "the viewer reported no validation_errors=N line"; exit 1; }
logged=$(grep -c -e "vulkan validation error:" -e "Validation Error" "$OUT/viewer.log" || true)
[ "$reported" = 0 ] && [ "$logged" = 0 ] || { echo "validation errors: reported $reported, logged $logged"; exit 1; }
echo "validation_errors=0"
INNER
# The caption box: centred, ending at 86 % of the height, a dark translucent box with white text.
# Over the park (light ground, yellow and green roofs) the box makes its region far darker than
# the map just above it, and its glyphs are the only near-white pixels in it.
crop="700x90+290+520"; above="700x90+290+300"
grey() { convert "$OUT/held.png" -crop "$1" +repage -colorspace Gray "${@:2}" -format "%[fx:mean]" info:; }
mean=$(grey $crop); map=$(grey $above); text=$(grey $crop -threshold 80%)
echo "held frame: caption region mean grey $mean, map above $map, near-white share in the caption region $text"
awk -v m="$mean" -v a="$map" 'BEGIN { exit !(m < 0.6 * a) }' || { echo "no caption box in the held frame"; exit 1; }
awk -v t="$text" 'BEGIN { exit !(t > 0.01) }' || { echo "no caption text in the held frame"; exit 1; }
