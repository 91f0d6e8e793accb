#!/usr/bin/env bash
# `parktwin record`: a tour rendered on a fixed clock. The same tour recorded twice gives the same
# bytes frame for frame; frame count = floor(duration x fps) + 1; a presenter pause is a zero-length
# stop; the moment changes with the tour's timeline steps (the second half shows other data);
# captions appear; a KML tour records too, naming what it does not support; bad input exits 2.
# --out FILE.mp4: H.264/MP4, the same bytes twice, the frame count and order read back by
# video_probe (the tests' own decoder); odd sizes and other containers refused before rendering.
# With --mesh-budget-mb the recording is still the same bytes twice, and far buildings are left out.
set -uo pipefail
PT=$1
OUT=$2
FIX=$3
PROBE=$4
mkdir -p "$OUT"
fail=0
rm -rf "$OUT/a" "$OUT/b" "$OUT/kml" "$OUT/mp4" "$OUT/png_only" "$OUT"/*.mp4
for run in a b; do
  "$PT" record --tour "$FIX/short_tour.json" --view yingtan --size 192x108 --fps 4 --out "$OUT/$run" \
    > "$OUT/$run.log" 2>&1 || { echo "FAIL record $run exited $?"; cat "$OUT/$run.log"; exit 1; }
done
n=$(ls "$OUT/a" | wc -l)
# 2.5 s of tour (the pause takes no time) at 4 fps: frames 0..10.
[ "$n" = 11 ] || { echo "FAIL expected 11 frames, got $n"; fail=1; }
for f in "$OUT"/a/*.png; do
  cmp -s "$f" "$OUT/b/$(basename "$f")" || { echo "FAIL $(basename "$f") differs between two recordings"; fail=1; }
done
[ $fail = 0 ] && echo "ok   $n frames identical in two recordings"
# The flight moves the camera: first and sixth frames differ; the caption shows after the flight
# (frame 6 at 1.5 s) and the second timeline step (at 2.0 s) changes the data between frames 8 and 10.
differ() { [ "$(compare -metric AE "$1" "$2" null: 2>&1 | cut -d' ' -f1)" != 0 ]; }
differ "$OUT/a/frame_00000.png" "$OUT/a/frame_00006.png" || { echo "FAIL the flight did not move the camera"; fail=1; }
differ "$OUT/a/frame_00005.png" "$OUT/a/frame_00007.png" || { echo "FAIL no caption after the flight"; fail=1; }
differ "$OUT/a/frame_00007.png" "$OUT/a/frame_00010.png" || { echo "FAIL the timeline step did not change the data"; fail=1; }
# Frames 7 and 8 (1.75 s, 2.0 s - before the second timeline step is reached) hold the same picture.
if differ "$OUT/a/frame_00006.png" "$OUT/a/frame_00007.png"; then echo "FAIL the wait after the pause moved"; fail=1; fi
# KML.
"$PT" record --tour "$FIX/tour.kml" --size 160x90 --fps 0.5 --out "$OUT/kml" > "$OUT/kml.log" 2>&1 ||
  { echo "FAIL KML record exited $?"; cat "$OUT/kml.log"; fail=1; }
[ -s "$OUT/kml/frame_00000.png" ] || { echo "FAIL no KML frames"; fail=1; }
# MP4, twice.
for run in a b; do
  "$PT" record --tour "$FIX/short_tour.json" --view yingtan --size 192x108 --fps 4 --out "$OUT/mp4/tour_$run.MP4" \
    > "$OUT/mp4_$run.log" 2>&1 || { echo "FAIL MP4 record $run exited $?"; cat "$OUT/mp4_$run.log"; exit 1; }
done
cmp "$OUT/mp4/tour_a.MP4" "$OUT/mp4/tour_b.MP4" || { echo "FAIL two MP4 recordings differ"; fail=1; }
"$PROBE" "$OUT/mp4/tour_a.MP4" > "$OUT/probe.txt" || { echo "FAIL video_probe cannot read the MP4"; fail=1; }
for want in codec=h264 size=192x108 fps=4/1 duration_s=2.750 frames=11 in_order=1; do
  grep -qx "$want" "$OUT/probe.txt" || { echo "FAIL MP4: expected $want, got:"; cat "$OUT/probe.txt"; fail=1; }
done
grep -q "^container=.*mp4" "$OUT/probe.txt" || { echo "FAIL MP4: not an mp4 container"; fail=1; }
[ $fail = 0 ] && echo "ok   MP4: 11 frames in order, identical in two recordings"
# Odd sizes and other containers: exit 2 with a message, before anything is rendered or written.
"$PT" record --tour "$FIX/short_tour.json" --size 191x108 --out "$OUT/odd.mp4" > "$OUT/odd.log" 2>&1; rc=$?
{ [ $rc = 2 ] && grep -q "191x108" "$OUT/odd.log" && grep -q "even" "$OUT/odd.log" && [ ! -e "$OUT/odd.mp4" ]; } ||
  { echo "FAIL odd size for MP4: exit $rc"; cat "$OUT/odd.log"; fail=1; }
"$PT" record --tour "$FIX/short_tour.json" --size 192x108 --out "$OUT/tour.mkv" > "$OUT/mkv.log" 2>&1; rc=$?
{ [ $rc = 2 ] && grep -q "tour.mkv" "$OUT/mkv.log" && [ ! -e "$OUT/tour.mkv" ]; } ||
  { echo "FAIL .mkv: exit $rc"; cat "$OUT/mkv.log"; fail=1; }
# A folder that is a file: exit 1 naming it, no crash.
"$PT" record --tour "$FIX/short_tour.json" --size 192x108 --out "$OUT/a.log/x.mp4" > "$OUT/unwritable.log" 2>&1; rc=$?
{ [ $rc = 1 ] && grep -q "a.log" "$OUT/unwritable.log"; } ||
  { echo "FAIL unwritable MP4 path: exit $rc"; cat "$OUT/unwritable.log"; fail=1; }
# The H.264 encoder is a module loaded when an MP4 is opened: a PNG recording maps no libav*
# library (the dynamic loader's own record of what it loaded), an MP4 recording loads the module,
# and without it the MP4 recording fails naming it and what to do, leaving no file.
LD_DEBUG=files "$PT" record --tour "$FIX/short_tour.json" --view yingtan --size 160x90 --fps 1 --out "$OUT/png_only" \
  > "$OUT/png_only.log" 2>&1 || { echo "FAIL PNG record with LD_DEBUG exited $?"; tail -5 "$OUT/png_only.log"; fail=1; }
if grep -qE "file=libav(codec|format)" "$OUT/png_only.log"; then echo "FAIL a PNG recording loaded libav*"; fail=1; fi
grep -q "frame_00000.png" <(ls "$OUT/png_only") || { echo "FAIL no PNG frames"; fail=1; }
LD_DEBUG=files "$PT" record --tour "$FIX/short_tour.json" --view yingtan --size 160x90 --fps 1 --out "$OUT/mp4/ld.mp4" \
  > "$OUT/mp4_ld.log" 2>&1 || { echo "FAIL MP4 record with LD_DEBUG exited $?"; tail -5 "$OUT/mp4_ld.log"; fail=1; }
grep -q "libparktwin_video.so" "$OUT/mp4_ld.log" && grep -qE "file=libavcodec" "$OUT/mp4_ld.log" ||
  { echo "FAIL an MP4 recording did not load the encoder module and libavcodec"; fail=1; }
PARKTWIN_VIDEO_MODULE="$OUT/no_such_module.so" "$PT" record --tour "$FIX/short_tour.json" --size 160x90 --fps 1 \
  --out "$OUT/nomodule.mp4" > "$OUT/nomodule.log" 2>&1; rc=$?
{ [ $rc != 0 ] && grep -q "no_such_module.so" "$OUT/nomodule.log" && grep -q "PARKTWIN_VIDEO_MODULE" "$OUT/nomodule.log" &&
  [ ! -e "$OUT/nomodule.mp4" ]; } || { echo "FAIL missing encoder module: exit $rc"; cat "$OUT/nomodule.log"; fail=1; }
[ $fail = 0 ] && echo "ok   libav* only with an MP4; a missing encoder module is named"
# --mesh-budget-mb: each frame waits for the meshes that fit near where it looks, so two recordings
# are the same bytes; the budget (1 MiB) leaves far buildings out, so some frame differs from the
# recording with every mesh.
# (From Nanchang's view, whose buildings lie in many chunks.)
rm -rf "$OUT/budget_a" "$OUT/budget_b" "$OUT/budget_none"
for run in budget_a budget_b budget_none; do
  budget=(--mesh-budget-mb 1); [ $run = budget_none ] && budget=()
  "$PT" record --tour "$FIX/short_tour.json" --view nanchang --size 192x108 --fps 4 --out "$OUT/$run" "${budget[@]}" \
    > "$OUT/$run.log" 2>&1 || { echo "FAIL record $run exited $?"; cat "$OUT/$run.log"; exit 1; }
done
same_budget=1 fewer=0
for f in "$OUT"/budget_a/*.png; do
  cmp -s "$f" "$OUT/budget_b/$(basename "$f")" || { echo "FAIL $(basename "$f") differs between two budgeted recordings"; same_budget=0; fail=1; }
  differ "$f" "$OUT/budget_none/$(basename "$f")" && fewer=$((fewer + 1))
done
[ "$fewer" -gt 0 ] || { echo "FAIL a 1 MiB mesh budget changed no frame"; fail=1; }
[ $same_budget = 1 ] && [ "$fewer" -gt 0 ] && echo "ok   with a mesh budget: identical twice, $fewer frames without far buildings"
# Bad input.
"$PT" record --tour "$OUT/none.json" --out "$OUT/x" > "$OUT/bad.log" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "none.json" "$OUT/bad.log" || { echo "FAIL missing tour: exit $rc"; cat "$OUT/bad.log"; fail=1; }
"$PT" record --tour "$FIX/short_tour.json" --fps 0 --out "$OUT/x" > "$OUT/bad_fps.log" 2>&1; rc=$?
[ $rc = 2 ] || { echo "FAIL --fps 0: exit $rc"; fail=1; }
exit $fail
