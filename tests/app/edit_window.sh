#!/usr/bin/env bash
# The editor in the real viewer window under Xvfb with the validation layer (synchronization
# validation on). Two runs look straight down at the same building of the default dataset:
#   before: the viewer starts normally and E (a synthetic key press, xdotool) enters edit mode;
#   after:  --edit-script moves that building 12 m east and gives it 8 more floors.
# Checked from the screenshots (not from what the viewer says): both runs exit cleanly with 0
# validation errors; the editor's panels are up in both (dark windows where the tool bar and the
# Plan indicators panel open, over a bright map); the map differs where the building was and went;
# the indicators table differs (the floors change the GFA); the map far from the building does not.
set -euo pipefail
PT=$1
OUT=$2
GPKG=$3
mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
# Edit journals of this test only (the shipped dataset's journal lives under $XDG_STATE_HOME).
rm -rf "$OUT/state"; export XDG_STATE_HOME="$OUT/state"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
for tool in xvfb-run xdotool python3; do command -v $tool >/dev/null || { echo "$tool missing"; exit 1; }; done

# A Nanchang building 25 to 60 m across standing deepest inside its parcel's box (so a 12 m move
# keeps it in its parcel), by the GeoPackage's own envelopes (not the viewer's reader): fid, lon, lat.
read -r FID LON LAT < <(python3 - "$GPKG" <<'PY'
import math, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
def env(blob):  # GeoPackage binary header: the envelope minx, maxx, miny, maxy
    if not blob or (blob[3] >> 1) & 7 == 0: return None
    return struct.unpack(('<' if blob[3] & 1 else '>') + 'dddd', blob[8:40])
parcels = {pid: env(g) for pid, g in db.execute("select parcel_id, geom from parcels")}
best = None
for fid, g, pid in db.execute("select fid, geom, parcel_id from buildings where park_id = 'nanchang'"):
    b, p = env(g), parcels.get(pid)
    if not b or not p: continue
    lat = (b[2] + b[3]) / 2
    mx, my = 111320 * math.cos(math.radians(lat)), 110540
    w, h = (b[1] - b[0]) * mx, (b[3] - b[2]) * my
    if not (25 <= w <= 60 and 25 <= h <= 60): continue
    margin = min((p[1] - b[1]) * mx, (b[0] - p[0]) * mx, (p[3] - b[3]) * my, (b[2] - p[2]) * my)
    if best is None or margin > best[0]: best = (margin, fid, (b[0] + b[1]) / 2, lat)
print(best[1], "%.7f" % best[2], "%.7f" % best[3])
PY
)
echo "building fid $FID at $LON, $LAT"
cat > "$OUT/edit.json" <<EOF
[{"op": "move", "layer": "buildings", "fids": [$FID], "offset": [12, 0]},
 {"op": "set", "layer": "buildings", "fid": $FID, "field": "floors", "value": 10}]
EOF

W=1280; H=720
xvfb-run -a -s "-screen 0 ${W}x${H}x24" bash -s "$PT" "$OUT" "$LON" "$LAT" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2; LON=$3; LAT=$4
export VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation
export VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
# Straight down from 300 m, no live data (a still map), the window filling the screen.
COMMON=(--validate --size 1280x720 --look "$LON,$LAT,300,0,89" --no-live --history none)
run() {  # NAME, then extra options
  local name=$1; shift
  "$PT" "${COMMON[@]}" "$@" >"$OUT/$name.log" 2>&1 &
  local pid=$! shown=0
  for _ in $(seq 1 120); do
    if xwininfo -root -tree 2>/dev/null | grep -q "ParkTwin"; then shown=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ "$shown" != 1 ]; then echo "$name: the viewer window never appeared"; cat "$OUT/$name.log"; kill "$pid" 2>/dev/null || true; exit 1; fi
  sleep 6   # the first frames pay shader compilation on the CPU driver
  if [ "$name" = before ]; then
    # E enters edit mode: a real key press through the window system.
    win=$(xdotool search --name ParkTwin | head -n 1)
    xdotool windowfocus --sync "$win" 2>/dev/null || true
    xdotool mousemove 640 360 key --window "$win" e
    sleep 4
  fi
  sleep 3
  import -window root "$OUT/$name.png"
  kill -TERM "$pid"
  local rc=0; wait "$pid" || rc=$?
  echo "$name: viewer exit code $rc"
  cat "$OUT/$name.log"
  [ "$rc" = 0 ] || exit 1
  local reported logged
  reported=$(grep -o "^validation_errors=[0-9]*$" "$OUT/$name.log" | tail -n 1 | cut -d= -f2 || true)
  [ -n "$reported" ] || { echo "$name: no validation_errors=N line"; exit 1; }
  logged=$(grep -c -e "vulkan validation error:" -e "Validation Error" "$OUT/$name.log" || true)
  echo "$name: validation_errors=$reported, error lines $logged"
  [ "$reported" = 0 ] && [ "$logged" = 0 ] || { echo "$name: the validation layer reported errors"; exit 1; }
}
run before
run after --edit-script "$OUT/edit.json"
INNER

# Pixel checks with ImageMagick.
mean() { /usr/bin/convert "$1" -crop "$2" +repage -colorspace Gray -format "%[fx:mean]" info:; }
crop_diff() {  # pixels that differ by more than 3 % inside WxH+X+Y
  /usr/bin/convert "$1" -crop "$3" +repage "$OUT/a.png"
  /usr/bin/convert "$2" -crop "$3" +repage "$OUT/b.png"
  /usr/bin/compare -metric AE -fuzz 3% "$OUT/a.png" "$OUT/b.png" null: 2>&1 | cut -d' ' -f1 || true
}
fail=0
check() { if awk "BEGIN { exit !($2) }"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
for s in before after; do
  tb=$(mean "$OUT/$s.png" 380x120+10+40)        # the Edit tools window (top left)
  ind=$(mean "$OUT/$s.png" 440x150+820+40)      # the Plan indicators window (top right)
  check "$s: the tool bar is up (mean grey $tb < 0.3)" "$tb < 0.3"
  check "$s: the Plan indicators panel is up (mean grey $ind < 0.3)" "$ind < 0.3"
done
centre=$(crop_diff "$OUT/before.png" "$OUT/after.png" 180x240+520+240)
check "the map changed around the building: $centre pixels of 43200" "$centre > 5000"
table=$(crop_diff "$OUT/before.png" "$OUT/after.png" 440x150+820+40)
check "the indicators changed (GFA): $table pixels" "$table > 20"
far=$(crop_diff "$OUT/before.png" "$OUT/after.png" 300x120+480+590)
check "the map far from the building did not change: $far pixels of 36000" "$far < 1800"
exit $fail
