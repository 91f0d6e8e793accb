#!/usr/bin/env bash
# The viewer's default mesh budget with a streamed layer of 20,000 generated footprints, in the real
# window under Xvfb and validation (window_smoke.sh): on this machine as it is, the budget it
# announces holds the whole layer and no mesh is dropped; as if only 100 MiB were available
# (--assume-memory-mb), it announces a smaller budget and drops far chunks' meshes; with
# --mesh-budget-mb all there is no budget. Speed is not checked.
set -uo pipefail
PT=$1
MAKE_DATASET=$2
OUT=$3
SMOKE=$(dirname "$0")/window_smoke.sh
mkdir -p "$OUT"
fail=0
"$MAKE_DATASET" --footprints 20000 --seed 42 --out "$OUT/fp20k.fgb" > "$OUT/gen.txt" || { echo "FAIL generating"; exit 1; }
LAYER="--no-dataset --layer $OUT/fp20k.fgb --height-attr height --tile-cache none --view fit"
budget_of() { grep -o "building meshes within [0-9]* MiB" "$1" | grep -o "[0-9]*" | head -1; }
dropped_in() { grep -o "^mesh_budget: [0-9]* meshes dropped" "$1" | grep -o "[0-9]*" | head -1; }

"$SMOKE" "$PT" "$OUT/machine" "$LAYER" > "$OUT/machine.txt" 2>&1 || { echo "FAIL the viewer (machine's memory)"; cat "$OUT/machine.txt"; exit 1; }
b=$(budget_of "$OUT/machine/viewer.log"); d=$(dropped_in "$OUT/machine/viewer.log")
echo "machine's memory: budget ${b:-none} MiB, ${d:-no} meshes dropped"
[ -n "$b" ] || { echo "FAIL no default budget announced for a streamed layer"; fail=1; }
[ "$d" = 0 ] || { echo "FAIL meshes dropped though the machine holds the layer"; fail=1; }

"$SMOKE" "$PT" "$OUT/small" "$LAYER --assume-memory-mb 100" > "$OUT/small.txt" 2>&1 || { echo "FAIL the viewer (100 MiB)"; cat "$OUT/small.txt"; exit 1; }
s=$(budget_of "$OUT/small/viewer.log"); d=$(dropped_in "$OUT/small/viewer.log")
echo "100 MiB: budget ${s:-none} MiB, ${d:-no} meshes dropped"
[ -n "$s" ] && [ -n "$b" ] && [ "$s" -lt "$b" ] || { echo "FAIL the budget did not follow the memory available"; fail=1; }
[ -n "$d" ] && [ "$d" -gt 0 ] || { echo "FAIL no mesh dropped within the small budget"; fail=1; }

"$SMOKE" "$PT" "$OUT/all" "$LAYER --mesh-budget-mb all" > "$OUT/all.txt" 2>&1 || { echo "FAIL the viewer (all)"; cat "$OUT/all.txt"; exit 1; }
[ -z "$(budget_of "$OUT/all/viewer.log")" ] && [ -z "$(dropped_in "$OUT/all/viewer.log")" ] ||
  { echo "FAIL --mesh-budget-mb all still kept a budget"; fail=1; }
[ $fail -eq 0 ] && echo "default mesh budget: ok"
exit $fail
