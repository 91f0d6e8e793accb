#!/usr/bin/env bash
# The viewer as a wall's operator console (--wall-layout) in a real window under Xvfb with the
# validation layer, driving two offscreen node processes: once both are in step, every frame the
# console sends is presented by both (none by only one), their tiles are written, and the console
# reports 0 validation errors.
set -euo pipefail
. "$(dirname "$0")/in_step.sh"
PT=$1; OUT=$2; FIX=$3
rm -rf "$OUT"; mkdir -p "$OUT" "${XDG_RUNTIME_DIR:-/tmp/xdg}"
chmod 700 "${XDG_RUNTIME_DIR:-/tmp/xdg}" || true
L="$FIX/wall_2x1_small.json"
# Free loopback ports: let the kernel pick two, then hand them to the console.
read -r PF PS < <(python3 -c 'import socket
a=socket.socket(); a.bind(("127.0.0.1",0)); b=socket.socket(); b.bind(("127.0.0.1",0))
print(a.getsockname()[1], b.getsockname()[1])')
xvfb-run -a -s "-screen 0 1280x720x24" bash -s "$PT" "$OUT" "$L" "$PF" "$PS" <<'INNER'
set -euo pipefail
PT=$1; OUT=$2; L=$3; PF=$4; PS=$5
export XDG_CONFIG_HOME="$OUT/config"
# Generous barrier timeouts: on a loaded CI machine a slow frame must not make a node skip one. Text
# at 0.6 times the desk size on this 325x90 px wall (its nodes draw the labels the console places).
"$PT" --validate --size 1280x720 --view yingtan --history none --wall-layout "$L" --ui-scale 0.6 --barrier-timeout 5000 --drop-after 8000 \
  --frame-endpoint "tcp://127.0.0.1:$PF" --sync-endpoint "tcp://127.0.0.1:$PS" >"$OUT/console.log" 2>&1 &
console=$!
nodes=()
for id in left right; do
  timeout 120 "$PT" wall --layout "$L" --node "$id" --frame-endpoint "tcp://127.0.0.1:$PF" \
    --sync-endpoint "tcp://127.0.0.1:$PS" --offscreen "$OUT" >"$OUT/$id.log" 2>&1 &
  nodes+=($!)
done
# Until both have presented a dozen frames (or two minutes pass).
for _ in $(seq 1 240); do
  [ "$(grep -c presented "$OUT/left.log" || true)" -ge 12 ] && [ "$(grep -c presented "$OUT/right.log" || true)" -ge 12 ] && break
  sleep 0.5
done
rc=0
for p in "${nodes[@]}"; do kill -TERM "$p"; wait "$p" || rc=$?; done
kill -TERM "$console"; wait "$console" || rc=$?
cat "$OUT/console.log" "$OUT/left.log" "$OUT/right.log"
[ "$rc" = 0 ] || { echo "a process failed (exit $rc)"; exit 1; }
grep -q "^parktwin: console of " "$OUT/console.log" || { echo "the viewer did not become the console"; exit 1; }
reported=$(grep -o "^validation_errors=[0-9]*$" "$OUT/console.log" | tail -n 1 | cut -d= -f2 || true)
[ "$reported" = 0 ] || { echo "validation errors: '$reported'"; exit 1; }
INNER
# Between the later node's first present and the earlier one's last, both presented the same frames.
[ "$(grep -c "presented [0-9]*" "$OUT/left.log")" -ge 12 ] && [ "$(grep -c "presented [0-9]*" "$OUT/right.log")" -ge 12 ] || { echo "a node presented fewer than 12 frames"; exit 1; }
in_step "$OUT/left.log" "$OUT/right.log" || exit 1
[ "$(ls "$OUT/left" | wc -l)" -ge 1 ] && [ "$(ls "$OUT/right" | wc -l)" -ge 1 ] || { echo "no tiles written"; exit 1; }
