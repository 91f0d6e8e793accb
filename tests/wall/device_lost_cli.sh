#!/usr/bin/env bash
# A wall node whose GPU device is lost (injected: PARKTWIN_FAULT_DEVICE_LOST_AFTER=6, every
# renderer's frame 7 fails with VK_ERROR_DEVICE_LOST) beside one that is fine, under a headless
# master, offscreen: the node says it lost the device and that it is back, keeps presenting after
# each recovery, and once both are in step again they present the same frames; both exit 0 on
# SIGTERM with 0 validation errors (the layer on).
set -euo pipefail
. "$(dirname "$0")/in_step.sh"
PT=$1; OUT=$2; FIX=$3
rm -rf "$OUT"; mkdir -p "$OUT"
L="$FIX/wall_2x1_small.json"
fail() { echo "FAIL: $*"; for f in "$OUT"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }
read -r PF PS < <(python3 -c 'import socket
a=socket.socket(); a.bind(("127.0.0.1",0)); b=socket.socket(); b.bind(("127.0.0.1",0))
print(a.getsockname()[1], b.getsockname()[1])')
export PARKTWIN_VALIDATION=1
"$PT" wall --layout "$L" --fps 5 --barrier-timeout 5000 --drop-after 8000 --frame-endpoint "tcp://127.0.0.1:$PF" \
  --sync-endpoint "tcp://127.0.0.1:$PS" >"$OUT/master.log" 2>&1 &
master=$!
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_node() {  # id, extra environment
  env $2 timeout 240 "$PT" wall --layout "$L" --node "$1" --frame-endpoint "tcp://127.0.0.1:$PF" \
    --sync-endpoint "tcp://127.0.0.1:$PS" --offscreen "$OUT/tiles" >"$OUT/$1.log" 2>&1 &
}
start_node left PARKTWIN_FAULT_DEVICE_LOST_AFTER=6; left=$!
start_node right PARKTWIN_NONE=1; right=$!
# Until the left node came back twice and presented 5 frames after its last recovery.
after_back() { awk '/the GPU device is back/ {n=0; seen=1; next} seen && /: presented / {n++} END {print n+0}' "$OUT/left.log"; }
for _ in $(seq 1 360); do
  [ "$(grep -c 'the GPU device is back' "$OUT/left.log" || true)" -ge 2 ] && [ "$(after_back)" -ge 5 ] && break
  kill -0 "$left" 2>/dev/null || break
  sleep 0.5
done
back=$(grep -c "the GPU device is back" "$OUT/left.log" || true)
lost=$(grep -c "the GPU device was lost (VK_ERROR_DEVICE_LOST" "$OUT/left.log" || true)
[ "$back" -ge 2 ] || fail "node left came back $back times (lost $lost times), 2 expected"
[ "$(after_back)" -ge 5 ] || fail "node left presented $(after_back) frames after coming back"
for p in "$left" "$right" "$master"; do
  kill -TERM "$p"; rc=0; wait "$p" || rc=$?
  [ "$rc" = 0 ] || fail "a process exited with $rc"
done
trap - EXIT
for id in left right; do grep -q "^validation_errors=0$" "$OUT/$id.log" || fail "node $id: validation errors (or no count)"; done
# In step over the frames after the last recovery.
from=$(awk '/the GPU device is back/ {b=NR} END {print b}' "$OUT/left.log")
tail -n +"$from" "$OUT/left.log" >"$OUT/left_after.txt"
in_step "$OUT/left_after.txt" "$OUT/right.log" || fail "the nodes are not in step after the recovery"
echo "node left: device lost $lost times, back $back times; in step with node right afterwards"
