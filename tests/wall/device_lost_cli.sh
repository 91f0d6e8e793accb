#!/usr/bin/env bash
# A wall node whose GPU device is lost (injected: PARKTWIN_FAULT_DEVICE_LOST_AFTER=10, every
# renderer's frame 11 fails with VK_ERROR_DEVICE_LOST) beside one that is fine, under a headless
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
"$PT" wall --layout "$L" --fps 5 --barrier-timeout 2000 --drop-after 8000 --frame-endpoint "tcp://127.0.0.1:$PF" \
  --sync-endpoint "tcp://127.0.0.1:$PS" >"$OUT/master.log" 2>&1 &
master=$!
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_node() {  # id, extra environment
  env $2 timeout 240 "$PT" wall --layout "$L" --node "$1" --frame-endpoint "tcp://127.0.0.1:$PF" \
    --sync-endpoint "tcp://127.0.0.1:$PS" --offscreen "$OUT/tiles" >"$OUT/$1.log" 2>&1 &
}
start_node left PARKTWIN_FAULT_DEVICE_LOST_AFTER=10; left=$!
start_node right PARKTWIN_NONE=1; right=$!
# Until the left node came back twice and presented 7 frames after its last recovery; the logs are
# copied at that moment (the node loses its device again 10 frames after each recovery).
after_back() { awk '/the GPU device is back/ {n=0; seen=1; next} seen && /: presented / {n++} END {print n+0}' "$1"; }
for _ in $(seq 1 360); do
  cp "$OUT/left.log" "$OUT/left_at_check.txt"; cp "$OUT/right.log" "$OUT/right_at_check.txt"
  [ "$(grep -c 'the GPU device is back' "$OUT/left_at_check.txt" || true)" -ge 2 ] &&
    [ "$(after_back "$OUT/left_at_check.txt")" -ge 7 ] && break
  kill -0 "$left" 2>/dev/null || break
  sleep 0.25
done
back=$(grep -c "the GPU device is back" "$OUT/left_at_check.txt" || true)
lost=$(grep -c "the GPU device was lost (VK_ERROR_DEVICE_LOST" "$OUT/left_at_check.txt" || true)
[ "$back" -ge 2 ] || fail "node left came back $back times (lost $lost times), 2 expected"
[ "$(after_back "$OUT/left_at_check.txt")" -ge 7 ] || fail "node left presented $(after_back "$OUT/left_at_check.txt") frames after coming back"
for p in "$left" "$right" "$master"; do
  kill -TERM "$p"; rc=0; wait "$p" || rc=$?
  [ "$rc" = 0 ] || fail "a process exited with $rc"
done
trap - EXIT
for id in left right; do grep -q "^validation_errors=0$" "$OUT/$id.log" || fail "node $id: validation errors (or no count)"; done
# In step over the frames after the last recovery (both logs as they were at the check).
from=$(awk '/the GPU device is back/ {b=NR} END {print b}' "$OUT/left_at_check.txt")
tail -n +"$from" "$OUT/left_at_check.txt" >"$OUT/left_after.txt"
in_step "$OUT/left_after.txt" "$OUT/right_at_check.txt" || fail "the nodes are not in step after the recovery"
echo "node left: device lost $lost times, back $back times; in step with node right afterwards"
