#!/usr/bin/env bash
# The command line's contract: help, exit codes, and clear messages for bad input while the rest
# still renders.
set -uo pipefail
PT=$1
OUT=$2
FIX=$3
mkdir -p "$OUT"
fail=0
check() {  # check NAME EXPECTED_RC CMD... ; output in $OUT/NAME.log
  local name=$1 want=$2; shift 2
  "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"; cat "$OUT/$name.log"; fail=1
  else
    echo "ok   $name (exit $rc)"
  fi
}
expect_text() {  # expect_text NAME TEXT
  grep -qF -- "$2" "$OUT/$1.log" || { echo "FAIL $1: output lacks '$2'"; cat "$OUT/$1.log"; fail=1; }
}

check help 0 "$PT" --help
# A wall keeps every mesh: --mesh-budget-mb is said to be unused (here before the missing layout).
check wall_mesh_budget 2 "$PT" wall --mesh-budget-mb 8
expect_text wall_mesh_budget "--mesh-budget-mb is not used by a wall"
expect_text wall_mesh_budget "--layout FILE"
# A budget is MiB or all; the memory assumed for the default budget is MiB from 1.
check mesh_budget_word 2 "$PT" --mesh-budget-mb lots
expect_text mesh_budget_word "or all"
check assume_memory_zero 2 "$PT" --assume-memory-mb 0
# How far a stream's workers may get ahead is MiB from 0 (no limit); refused before any loading.
check stream_ahead_negative 2 "$PT" bench --layer "$FIX/footprints.geojson" --stream-ahead-mb -1
expect_text stream_ahead_negative "--stream-ahead-mb takes a whole number of MiB"
# bench scale's counts are whole numbers in range, refused before anything is generated.
for bad in 5x 0 ""; do
  check "scale_frames_${bad:-empty}" 2 "$PT" bench scale --frames "$bad"
  expect_text "scale_frames_${bad:-empty}" "--frames wants a count"
done
for sub in render bench layers; do expect_text help "parktwin $sub"; done

check unknown_option 2 "$PT" --frobnicate
expect_text unknown_option "unknown option --frobnicate"

check render_needs_out 2 "$PT" render --view province
expect_text render_needs_out "--out"

check unknown_view 2 "$PT" render --view atlantis --size 64x36 --out "$OUT/x.png"
expect_text unknown_view "unknown view 'atlantis'"

# A missing extra layer: reported by name, the rest renders, exit 1 (it could not do all its job).
check missing_layer 1 "$PT" render --view nanchang --size 160x90 --layer "$OUT/nope.gpkg" --out "$OUT/missing_layer.png"
expect_text missing_layer "nope.gpkg"
[ -s "$OUT/missing_layer.png" ] || { echo "FAIL missing_layer: no image written"; fail=1; }

# A corrupt GeoPackage.
head -c 4096 /dev/urandom > "$OUT/corrupt.gpkg"
check corrupt_layer 1 "$PT" render --view nanchang --size 160x90 --layer "$OUT/corrupt.gpkg" --out "$OUT/corrupt.png"
expect_text corrupt_layer "corrupt.gpkg"

# A missing dataset: clear message, non-zero exit.
check missing_dataset 1 "$PT" render --dataset "$OUT/none.gpkg" --size 64x36 --out "$OUT/none.png"
expect_text missing_dataset "none.gpkg"

# User footprints with a height attribute, framed with --view fit.
check user_layer 0 "$PT" render --no-dataset --layer "$FIX/footprints.geojson" --height-attr hgt --view fit \
  --size 320x180 --out "$OUT/user.png"
[ -s "$OUT/user.png" ] || { echo "FAIL user_layer: no image"; fail=1; }

# The layers subcommand on the fixture.
check layers 0 "$PT" layers "$FIX/footprints.geojson"
expect_text layers "footprints: 5 features"
expect_text layers "geometry: 5 polygons, 0 lines, 0 points, 0 none"

# Strict numbers: the whole token, in range, finite (each of these was accepted: 1x1abc as 1x1,
# 4294967297x2 wrapped to 1x2, 4abc as 4, NaN in --look drew a blank picture, inf days was undefined).
check size_trailing 2 "$PT" render --size 1x1abc --out "$OUT/n.png"
expect_text size_trailing "--size wants WIDTHxHEIGHT"
check size_wraps 2 "$PT" render --size 4294967297x2 --out "$OUT/n.png"
expect_text size_wraps "--size wants WIDTHxHEIGHT"
check msaa_trailing 2 "$PT" render --msaa 4abc --size 64x36 --out "$OUT/n.png"
expect_text msaa_trailing "--msaa wants 1 or 4"
check look_nan 2 "$PT" render --look nan,28,1000,0,45 --size 64x36 --out "$OUT/n.png"
expect_text look_nan "--look wants LON,LAT,DISTANCE"
check retention_inf 2 "$PT" render --retention-days inf --size 64x36 --out "$OUT/n.png"
expect_text retention_inf "--retention-days wants days"
check frames_negative 2 "$PT" --frames -5
expect_text frames_negative "--frames wants a whole count"
check at_without_feed 2 "$PT" render --at 2026-01-01T00:00:00Z --size 64x36 --out "$OUT/n.png"
expect_text at_without_feed "needs a feed"
# A write that fails (a full disk: /dev/full) is an error, not "wrote" with exit 0.
check png_disk_full 1 "$PT" render --size 64x36 --out /dev/full
expect_text png_disk_full "No space left on device"
# Local files only: a layer argument never fetches from the network unless asked.
check remote_layer 1 "$PT" render --layer /vsicurl/http://127.0.0.1:1/x.gpkg --size 64x36 --out "$OUT/r.png"
expect_text remote_layer "is a network source"
check remote_layers_cmd 1 "$PT" layers https://127.0.0.1:1/x.geojson
expect_text remote_layers_cmd "--allow-remote"

# Live data on stills: a bad time, a bad source URL, a missing recording, a broker that is not there.
check bad_time 2 "$PT" render --feed "sim://" --at garbage --size 64x36 --out "$OUT/t.png"
expect_text bad_time "--at wants an RFC 3339 time"
check bad_feed_url 1 "$PT" render --feed "mqtt://host:notaport" --size 64x36 --out "$OUT/u.png"
expect_text bad_feed_url "port 'notaport'"
check bad_sim_param 1 "$PT" render --feed "sim://?sed=7" --size 64x36 --out "$OUT/s.png"
expect_text bad_sim_param "unknown parameter 'sed'"
# The simulator far outside its years (this crashed: a NaN reached the colour ramp).
check sim_year_4468 1 "$PT" render --feed "sim://" --at 4468-01-01T00:00:00Z --size 64x36 --out "$OUT/y.png"
expect_text sim_year_4468 "the simulator covers 2000-01-01 to 2100-01-01"
check sim_start_5000 1 "$PT" render --feed "sim://?start=5000-01-01T00:00:00Z" --size 64x36 --out "$OUT/y5.png"
expect_text sim_start_5000 "outside what the simulator covers"
check missing_history 1 "$PT" render --feed "history://$OUT/none.db" --size 64x36 --out "$OUT/h.png"
expect_text missing_history "none.db"
check feed_no_broker 1 timeout 60 "$PT" feed --broker mqtt://127.0.0.1:1 --duration 2 --rate 10
expect_text feed_no_broker "is the broker running on 127.0.0.1:1"

# A simulated moment renders, and the caption says simulated.
check sim_still 0 "$PT" render --feed "sim://?seed=3" --at 2026-07-01T10:00:00Z --view yichun --size 320x180 \
  --out "$OUT/sim.png"
[ -s "$OUT/sim.png" ] || { echo "FAIL sim_still: no image"; fail=1; }

exit $fail
