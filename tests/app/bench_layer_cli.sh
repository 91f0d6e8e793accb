#!/usr/bin/env bash
# `parktwin bench --layer`: on 2,000 generated footprints at a small size, every figure the general
# bench promises is printed, the child saw every feature, and the cold-process first frame is later
# than the child's own start, its first tile and its renderer, the complete frame than the load;
# with --mesh-budget-mb, 20,000 footprints keep every feature and meshes within the budget, with
# less GPU memory, and meshes come back after the move; bad options exit 2, a missing file 1.
# Speed is not checked.
set -uo pipefail
PT=$1
MAKE_DATASET=$2
OUT=$3
mkdir -p "$OUT"
fail=0
val() { grep -E "^$2=" "$1" | head -1 | cut -d= -f2-; }

"$MAKE_DATASET" --footprints 2000 --seed 42 --out "$OUT/fp.fgb" > "$OUT/gen.txt" || { echo "FAIL generating"; exit 1; }
"$PT" bench --layer "$OUT/fp.fgb" --height-attr height --look 116.0,28.7,2500,30,40 --size 160x90 --frames 2 \
  > "$OUT/bench.txt" 2> "$OUT/bench.err" || { echo "FAIL bench exited $?"; cat "$OUT/bench.err"; exit 1; }
cat "$OUT/bench.txt"
for k in load_s triangulate_s pipelines_s first_frame_s frame_ms frame_cpu_ms peak_rss_mb gpu_memory_mb buildings triangles device camera size; do
  [ -n "$(val "$OUT/bench.txt" $k)" ] || { echo "FAIL no $k"; fail=1; }
done
[ "$(val "$OUT/bench.txt" buildings)" = 2000 ] || { echo "FAIL buildings is not 2000"; fail=1; }
[ "$(val "$OUT/bench.txt" size)" = 160x90 ] || { echo "FAIL size"; fail=1; }
# Streamed tiles and their levels of detail come laid out by the workers: nothing on the render thread.
[ "$(val "$OUT/bench.txt" render_thread_lay_outs)" = 0 ] || { echo "FAIL the render thread laid out meshes"; fail=1; }
[ -n "$(val "$OUT/bench.txt" building_packs)" ] || { echo "FAIL no building_packs"; fail=1; }
# 2,000 footprints fit the device's largest buffer: no chunk left undrawn for want of room.
[ "$(val "$OUT/bench.txt" chunks_without_room)" = 0 ] || { echo "FAIL chunks_without_room is not 0"; fail=1; }
[ "$(val "$OUT/bench.txt" device_max_allocation_mb)" -gt 0 ] 2>/dev/null || { echo "FAIL no device_max_allocation_mb"; fail=1; }
# The first frame streams: it comes after the child's start, the first tile and the renderer; the
# frame with every tile comes after the whole load (worker time summed over at most one worker a core).
awk -v f="$(val "$OUT/bench.txt" first_frame_s)" -v m="$(val "$OUT/bench.txt" exec_to_main_s)" \
    -v ft="$(val "$OUT/bench.txt" first_tile_s)" -v r="$(val "$OUT/bench.txt" renderer_ready_s)" \
    -v c="$(val "$OUT/bench.txt" complete_frame_s)" -v n="$(val "$OUT/bench.txt" machine_cores)" \
    -v l="$(val "$OUT/bench.txt" load_s)" -v t="$(val "$OUT/bench.txt" triangulate_s)" \
    'BEGIN { exit !(m > 0 && ft > m && r > m && f >= ft && f >= r && c >= f && n >= 1 && (c - m) * n >= l + t) }' ||
  { echo "FAIL first_frame_s / complete_frame_s do not cover start, first tile, renderer and load"; fail=1; }
awk -v c="$(val "$OUT/bench.txt" camera)" 'BEGIN { exit !(c ~ /^116\.0+,28\.70+,2500,30\.0,40\.0$/) }' || { echo "FAIL camera"; fail=1; }

# A mesh budget: every feature still read, the meshes kept within it, far chunks dropped, GPU memory
# below the same layer's without it, and the move to the far corner brings meshes back.
"$MAKE_DATASET" --footprints 20000 --seed 42 --out "$OUT/fp20k.fgb" > "$OUT/gen20k.txt" || { echo "FAIL generating 20k"; exit 1; }
for run in all budget; do
  extra=(); [ $run = budget ] && extra=(--mesh-budget-mb 40)
  "$PT" bench --layer "$OUT/fp20k.fgb" --look 116.0,28.7,2500,30,40 --size 160x90 --frames 2 "${extra[@]}" \
    > "$OUT/bench_$run.txt" 2> "$OUT/bench_$run.err" || { echo "FAIL bench ($run) exited $?"; cat "$OUT/bench_$run.err"; exit 1; }
done
grep -E '^(buildings|gpu_memory_mb|mesh_budget_mb|meshes_resident_mb|blocks_mb|chunks_|residency_)' "$OUT/bench_budget.txt"
B="$OUT/bench_budget.txt" A="$OUT/bench_all.txt"
[ "$(val "$B" buildings)" = 20000 ] || { echo "FAIL buildings with a budget is not 20000"; fail=1; }
[ "$(val "$B" mesh_budget_mb)" = 40 ] || { echo "FAIL mesh_budget_mb"; fail=1; }
[ -z "$(val "$A" mesh_budget_mb)" ] || { echo "FAIL residency figures without a budget"; fail=1; }
awk -v r="$(val "$B" meshes_resident_mb)" -v e="$(val "$B" chunks_evicted)" -v k="$(val "$B" chunks_resident)" \
    -v m="$(val "$B" residency_move_restores)" -v gb="$(val "$B" gpu_memory_mb)" -v ga="$(val "$A" gpu_memory_mb)" \
    -v b="$(val "$B" blocks_mb)" \
    'BEGIN { exit !(r > 0 && b > 0 && r + b <= 40 && e > 0 && k > 0 && m > 0 && gb < ga) }' ||
  { echo "FAIL the budget's figures (meshes and blocks within 40 MiB, chunks dropped and kept, meshes back after the move, less GPU memory)"; fail=1; }
"$PT" bench --layer "$OUT/fp.fgb" --mesh-budget-mb 0 > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL --mesh-budget-mb 0 did not exit 2"; fail=1; }

"$PT" bench --layer "$OUT/fp.fgb" --size 12 > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL bad --size did not exit 2"; fail=1; }
"$PT" bench --layer "$OUT/fp.fgb" --frobnicate > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL unknown option did not exit 2"; fail=1; }
"$PT" bench --layer "$OUT/missing.fgb" --size 64x64 --frames 1 > /dev/null 2> "$OUT/missing.err"
[ $? -eq 1 ] && grep -q missing.fgb "$OUT/missing.err" || { echo "FAIL a missing file: not exit 1 naming it"; cat "$OUT/missing.err"; fail=1; }
[ $fail -eq 0 ] && echo "bench --layer: ok"
exit $fail
