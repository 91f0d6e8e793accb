#!/usr/bin/env bash
# Wall nodes presenting to real windows under Xvfb, with the validation layer (synchronization
# validation on): a headless master and the two nodes of wall_2x1_small.json (160x90 px panels)
# with --windowed, then one node driving both panels without --windowed on this one-monitor screen
# (it falls back to windows side by side), then a node fullscreen on the screen beside an offscreen
# one. Checks: each node says which present barrier it uses; once both are in step they present the
# same frames; 0 validation errors; the windows exist at the panels' sizes and places, and a
# screenshot shows a picture (not the screen's background) in each; Esc sent to a node window is
# logged as ignored and the node goes on presenting; a frame the master does not release is never
# presented and the next is drawn over it; every node exits 0 on SIGTERM.
set -euo pipefail
. "$(dirname "$0")/in_step.sh"
PT=$1; OUT=$2; FIX=$3
rm -rf "$OUT"; mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
for tool in xvfb-run xdotool xwininfo import; do
  command -v "$tool" >/dev/null || { echo "$tool missing (Debian packages xvfb, xdotool, x11-utils, imagemagick)"; exit 1; }
done
# One node driving both panels of the 2x1 wall: two outputs on a machine with one monitor.
sed -e 's/"nodes": .*/"nodes": [{"id": "both", "panels": [[0, 0], [1, 0]]}]/' "$FIX/wall_2x1_small.json" >"$OUT/wall_2x1_one_node.json"
xvfb-run -a -s "-screen 0 1280x720x24" bash -s "$PT" "$OUT" "$FIX/wall_2x1_small.json" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2; L=$3
export PARKTWIN_VALIDATION=1
export VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
fail() { echo "FAIL: $*"; for f in "$OUT"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT  # nothing outlives a failed check
ports() { python3 -c 'import socket
a=socket.socket(); a.bind(("127.0.0.1",0)); b=socket.socket(); b.bind(("127.0.0.1",0))
print(a.getsockname()[1], b.getsockname()[1])'; }
presents() { grep -c ": presented " "$1" || true; }
# Waits until log $1 holds at least $2 presents (or $3 half-seconds pass).
wait_presents() { for _ in $(seq 1 "$3"); do [ "$(presents "$1")" -ge "$2" ] && return 0; sleep 0.5; done; return 1; }
start_master() {  # layout, log
  read -r PF PS < <(ports)
  # Generous barrier timeouts: on a loaded machine a slow frame must not make a node skip one.
  "$PT" wall --layout "$1" --fps 5 --barrier-timeout 5000 --drop-after 8000 \
    --frame-endpoint "tcp://127.0.0.1:$PF" --sync-endpoint "tcp://127.0.0.1:$PS" >"$2" 2>&1 &
  master=$!
}
start_node() {  # layout, id, log, extra options...
  local layout=$1 id=$2 log=$3; shift 3
  timeout 180 "$PT" wall --layout "$layout" --node "$id" --frame-endpoint "tcp://127.0.0.1:$PF" \
    --sync-endpoint "tcp://127.0.0.1:$PS" "$@" >"$log" 2>&1 &
  eval "pid_$id=\$!"
}
stop() {  # pid, what: SIGTERM, then its exit code must be 0
  kill -TERM "$1"; local rc=0; wait "$1" || rc=$?
  [ "$rc" = 0 ] || fail "$2 exited with $rc"
}
window() {  # title pattern -> "X Y W H" of the first window whose name matches
  local id; id=$(xdotool search --name "$1" | head -n 1)
  [ -n "$id" ] || return 1
  xwininfo -id "$id" | awk '/Absolute upper-left X/{x=$NF} /Absolute upper-left Y/{y=$NF} /Width:/{w=$NF} /Height:/{h=$NF} END{print x, y, w, h}'
}
# A picture, not the screen's background nor one flat colour: over half of the rectangle's pixels
# differ (by more than 6 %) from the root window's background (BG, read where no window is) and it
# has at least 16 colours (the map: water, land, borders, markers, arcs).
picture_in() {  # shot, x, y, w, h, what -> fails with a message
  /usr/bin/convert "$1" -crop "${4}x${5}+${2}+${3}" +repage "$OUT/crop.png"
  /usr/bin/convert -size "${4}x${5}" "xc:$BG" "$OUT/bg.png"
  local differ colours share
  differ=$(compare -metric AE -fuzz 6% "$OUT/crop.png" "$OUT/bg.png" null: 2>&1 || true)
  colours=$(/usr/bin/convert "$OUT/crop.png" -format "%k" info:)
  share=$(( ${differ%%.*} * 100 / ($4 * $5) ))
  echo "$6: ${share} % of its pixels unlike the background, $colours colours"
  [ "$share" -ge 50 ] && [ "$colours" -ge 16 ] || fail "$6 shows no picture"
}

# ---- 1. Two nodes, --windowed: each panel at its place in the wall's picture --------------------
start_master "$L" "$OUT/master.log"
start_node "$L" left "$OUT/left.log" --windowed
start_node "$L" right "$OUT/right.log" --windowed
wait_presents "$OUT/left.log" 10 360 && wait_presents "$OUT/right.log" 10 360 || fail "the nodes did not present 10 frames each"
# 2x1 panels of 128x72 mm with 2 mm bezels at 1.25 px/mm: the wall is 330x95 px, the panels at (3,3) and (168,3).
read -r lx ly lw lh < <(window "ParkTwin wall left panel") || fail "no window of node left"
read -r rx ry rw rh < <(window "ParkTwin wall right panel") || fail "no window of node right"
echo "left window ${lw}x${lh} at $lx,$ly; right window ${rw}x${rh} at $rx,$ry"
[ "$lw $lh $rw $rh" = "160 90 160 90" ] || fail "the windows are not the panels' 160x90 px"
[ "$lx $ly $rx $ry" = "3 3 168 3" ] || fail "the windows are not at the panels' places in the wall (3,3 and 168,3)"
import -window root "$OUT/windowed.png"
BG=$(/usr/bin/convert "$OUT/windowed.png" -format "%[pixel:p{1279,719}]" info:)
echo "the screen's background: $BG"
picture_in "$OUT/windowed.png" "$lx" "$ly" "$lw" "$lh" "the left window"
picture_in "$OUT/windowed.png" "$rx" "$ry" "$rw" "$rh" "the right window"
# Esc to the left node's window, by XTEST to the focused window and by an event sent to it.
before=$(presents "$OUT/left.log")
wid=$(xdotool search --name "ParkTwin wall left panel" | head -n 1)
timeout 10 xdotool windowfocus --sync "$wid" || true
xdotool key Escape
xdotool key --window "$wid" Escape
wait_presents "$OUT/left.log" $(( before + 5 )) 240 || fail "node left stopped presenting after Esc"
kill -0 "$pid_left" 2>/dev/null || fail "node left ended after Esc"
grep -q "Esc on panel \[0, 0\] ignored" "$OUT/left.log" || fail "node left never saw the Esc (no 'ignored' line)"
stop "$pid_left" "node left"; stop "$pid_right" "node right"; stop "$master" "the master"

# ---- 2. One node, two outputs, one monitor: windows side by side instead of fullscreen ---------
start_master "$OUT/wall_2x1_one_node.json" "$OUT/master_both.log"
start_node "$OUT/wall_2x1_one_node.json" both "$OUT/both.log"
wait_presents "$OUT/both.log" 5 360 || fail "node both did not present 5 frames"
grep -q "this machine has 1 monitor(s) and the layout gives this node 2 output(s)" "$OUT/both.log" || fail "node both did not say why it is windowed"
read -r ax ay aw ah < <(window "ParkTwin wall both panel \[0, 0\]") || fail "no window of panel [0, 0]"
read -r bx by bw bh < <(window "ParkTwin wall both panel \[1, 0\]") || fail "no window of panel [1, 0]"
echo "node both: ${aw}x${ah} at $ax,$ay and ${bw}x${bh} at $bx,$by"
[ "$aw $ah $ax $ay $bw $bh $bx $by" = "160 90 3 3 160 90 168 3" ] || fail "node both's windows are not side by side at the panels' sizes"
import -window root "$OUT/both.png"
picture_in "$OUT/both.png" "$ax" "$ay" "$aw" "$ah" "node both's panel [0, 0]"
picture_in "$OUT/both.png" "$bx" "$by" "$bw" "$bh" "node both's panel [1, 0]"
stop "$pid_both" "node both"; stop "$master" "the master"

# ---- 3. Fullscreen: node left on output 0, the screen; node right offscreen -------------------
start_master "$L" "$OUT/master_full.log"
start_node "$L" left "$OUT/left_full.log"
start_node "$L" right "$OUT/right_offscreen.log" --offscreen "$OUT/tiles"
wait_presents "$OUT/left_full.log" 3 360 && wait_presents "$OUT/right_offscreen.log" 3 360 || fail "the nodes did not present 3 frames each"
read -r fx fy fw fh < <(window "ParkTwin wall left panel") || fail "no fullscreen window"
echo "fullscreen window ${fw}x${fh} at $fx,$fy"
[ "$fx $fy $fw $fh" = "0 0 1280 720" ] || fail "the node's window does not cover the screen"
import -window root "$OUT/fullscreen.png"
picture_in "$OUT/fullscreen.png" 0 0 1280 720 "the fullscreen window"
# A master that hangs in the middle of a barrier: node right stops (SIGSTOP), so the master's
# barrier waits for it (up to 5 s); a second later the master stops too. Node left, ready and waiting
# for the present, waits as long as the master's frame says its barrier may take (2 x 5 s), then
# gives the frame up. When both go on, left takes the next frame and draws it over the unreleased
# one in the same swapchain image (validation checks that path) and presents go on.
unreleased() { grep -c "not released by the master; the next frame is drawn over it" "$OUT/left_full.log" || true; }
before=$(unreleased)
right=$(pgrep -P "$pid_right")  # the node itself, under timeout(1)
[ -n "$right" ] || fail "node right is not running"
kill -STOP "$right"
sleep 1
kill -STOP "$master"
for _ in $(seq 1 60); do [ "$(unreleased)" -gt "$before" ] && break; sleep 0.5; done
kill -CONT "$master"; kill -CONT "$right"
[ "$(unreleased)" -gt "$before" ] || fail "node left never had a frame the master did not release"
n=$(presents "$OUT/left_full.log")
wait_presents "$OUT/left_full.log" $(( n + 3 )) 360 || fail "node left did not present again after an unreleased frame"
echo "node left: $(( $(unreleased) - before )) frame(s) not released while the master was stopped, then presents again"
stop "$pid_left" "the fullscreen node"; stop "$pid_right" "node right (offscreen)"; stop "$master" "the master"
INNER

# ---- the logs: barrier mode, validation, frames in step ------------------------------------------
for log in left right both left_full; do
  f="$OUT/$log.log"
  mode=$(grep -o "present barrier: .*" "$f" | head -n 1 || true)
  echo "$log: $mode"
  echo "$mode" | grep -Eq "^present barrier: (software|VK_NV_present_barrier)$" || { cat "$f"; echo "$log did not say which present barrier it uses"; exit 1; }
  v=$(grep -o "^validation_errors=[0-9]*$" "$f" | tail -n 1 | cut -d= -f2 || true)
  lines=$(grep -c -e "vulkan validation error:" -e "Validation Error" "$f" || true)
  echo "$log: validation_errors=$v, error lines $lines"
  [ "$v" = 0 ] && [ "$lines" = 0 ] || { cat "$f"; echo "$log: validation errors"; exit 1; }
done
in_step "$OUT/left.log" "$OUT/right.log" || exit 1
