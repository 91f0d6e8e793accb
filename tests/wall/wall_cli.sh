#!/usr/bin/env bash
# A video wall on one machine: a master and 8 node processes (one panel each, a 4x2 wall with
# bezels) rendering offscreen and meeting at the swap barrier over ZeroMQ on loopback. Checks:
# every node is live and presents every frame the master counts, the barrier reports no skew, the
# tiles stitched (bezels removed) equal the master's single render of the whole wall with the same
# overlay (enterprise labels placed once for the whole wall, the tour's caption, the attribution)
# within the golden tolerance and differ from its render without the overlay, a node killed with
# SIGKILL is dropped while the others go on, and a node started again under the same id rejoins
# and presents again. The nodes are given another simulator seed than the master: the picture
# matches only if they show the values the master sends.
set -euo pipefail
PT=$1; OUT=$2; FIX=$3; CHECK=$4
rm -rf "$OUT"; mkdir -p "$OUT"
L="$FIX/wall_4x2_small.json"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- master"; cat "$OUT/master.log"; for f in "$OUT"/n*.log; do echo "--- $f"; tail -n 5 "$f"; done; exit 1; }

timeout 300 "$PT" wall --layout "$L" --frame-endpoint "tcp://127.0.0.1:*" --sync-endpoint "tcp://127.0.0.1:*" \
  --endpoints-file "$OUT/endpoints" --wall-frames 60 --fps 5 --reference --offscreen "$OUT" \
  --tour "$FIX/short_tour.json" --barrier-timeout 2000 --drop-after 2000 --ui-scale 0.6 >"$OUT/master.log" 2>&1 &
master=$!
# (Text at 0.6 times the desk size: this wall is 660x190 px. The nodes are not told: they build their
# fonts for the size the master's frames ask.)
for _ in $(seq 1 240); do [ -s "$OUT/endpoints" ] && break; sleep 0.5; done
[ -s "$OUT/endpoints" ] || fail "the master never wrote its endpoints"
FE=$(sed -n 1p "$OUT/endpoints"); SE=$(sed -n 2p "$OUT/endpoints")
start_node() {
  "$PT" wall --layout "$L" --node "$1" --frame-endpoint "$FE" --sync-endpoint "$SE" --offscreen "$OUT" \
    --feed "sim://?seed=99" >>"$OUT/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
}
for i in 1 2 3 4 5 6 7 8; do start_node "n$i"; done

# Phase 1: all live, then a dozen counted frames (the tour's caption shows from 1.5 s, frame 9 at 5 fps).
for _ in $(seq 1 240); do grep -q "all 8 nodes live" "$OUT/master.log" && break; kill -0 $master 2>/dev/null || break; sleep 0.5; done
grep -q "all 8 nodes live" "$OUT/master.log" || fail "not all 8 nodes became live"
for _ in $(seq 1 120); do [ "$(grep -c '^wall master: frame ' "$OUT/master.log")" -ge 12 ] && break; sleep 0.25; done
first=$(grep -m1 "^wall master: frame " "$OUT/master.log" | awk '{print $4}')
# Phase 2: kill n3 hard; the others go on without it.
kill -KILL "$pid_n3"
killed_at=$(grep "^wall master: frame " "$OUT/master.log" | tail -n 1 | awk '{print $4}')
for _ in $(seq 1 120); do grep -q "dropped 1 " "$OUT/master.log" && break; sleep 0.25; done
grep -q "dropped 1 " "$OUT/master.log" || fail "the killed node was never dropped"
# Phase 3: n3 again, same id: it rejoins.
start_node n3
wait "$master" || fail "the master failed (exit $?)"

frames=$(grep -c "^wall master: frame " "$OUT/master.log")
[ "$frames" = 60 ] || fail "the master counted $frames frames, not 60"
grep -q "skew_frames_max=0 " "$OUT/master.log" || fail "frames were presented out of step (skew)"
# Before the kill every node presented every counted frame.
for n in $(seq "$first" "$killed_at"); do
  for i in 1 2 3 4 5 6 7 8; do grep -q "^wall node n$i: presented $n\$" "$OUT/n$i.log" || fail "n$i did not present frame $n"; done
done
# While n3 was gone the other seven were ready every frame; after it came back all eight were again.
dropped_frame=$(grep "dropped 1 " "$OUT/master.log" | head -n 1 | awk '{print $4}')
seven=$(awk -v d="$dropped_frame" '$1=="wall" && $3=="frame" && $4>d && $6==7' "$OUT/master.log" | wc -l)
[ "$seven" -ge 1 ] || fail "no frame after the drop ran with the seven others"
rejoined=$(awk -v d="$dropped_frame" '$1=="wall" && $3=="frame" && $4>d && $6==8' "$OUT/master.log" | head -n 1 | awk '{print $4}')
[ -n "$rejoined" ] || fail "the restarted node never rejoined the barrier"
grep -q "^wall node n3: presented $rejoined\$" "$OUT/n3.log" || fail "the restarted n3 did not present frame $rejoined"
# Stalls: the frame of the drop waited at most the drop timeout (2000 ms) plus one frame.
stall=$(grep "dropped 1 " "$OUT/master.log" | head -n 1 | awk '{print $12}')
awk -v s="$stall" 'BEGIN { exit !(s <= 2000 + 1000) }' || fail "the drop stalled the wall $stall ms"
echo "counted frames $first..$((first + 59)), n3 killed after $killed_at, dropped at $dropped_frame (waited $stall ms), rejoined at $rejoined"
# The picture: tiles of the last frame before the kill against the single render. That frame has
# labels and the caption (the master's line says how many labels it placed for the whole wall).
# The last frame before the kill that n3 wrote too: SIGKILL may land after it presented a frame and
# before it wrote that frame's tile.
shot=$killed_at
while [ "$shot" -gt "$first" ] && ! compgen -G "$OUT/n3/*_$(printf '%06d' "$shot").png" >/dev/null; do shot=$((shot - 1)); done
line=$(grep "^wall master: frame $shot " "$OUT/master.log")
labels=$(echo "$line" | awk '{print $14}'); caption=$(echo "$line" | awk '{print $16}')
echo "frame $shot: $labels labels, caption $caption"
[ "${labels:-0}" -ge 2 ] || fail "the master placed ${labels:-no} labels on frame $shot (2 or more expected)"
[ "$caption" = 1 ] || fail "frame $shot has no caption"
"$CHECK" "$L" "$OUT" "$shot" 5000 || fail "the stitched tiles differ from the single render, or lack the overlay"
