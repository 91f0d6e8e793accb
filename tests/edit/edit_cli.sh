#!/usr/bin/env bash
# parktwin edit on a copy of the default dataset: edits from a file applied headless, a refusal
# reported with its reason, the save checked through sqlite3 (not through the code that wrote it),
# the journal emptied by the save (conflicts between planners: tests/edit/test_store.cpp).
# usage: edit_cli.sh PARKTWIN OUT_DIR ASSET_DIR
set -euo pipefail
PT=$1; OUT=$2; ASSETS=$3
rm -rf "$OUT"; mkdir -p "$OUT"
DB=$OUT/park.gpkg
cp "$ASSETS/parktwin.gpkg" "$DB"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$DB" "$1"; }

before_count=$(q "select count(*) from buildings")
floors3=$(q "select floors from buildings where fid = 3")
cat > "$OUT/edits.json" <<JSON
[{"op": "move", "layer": "buildings", "fids": [1], "offset": [1.5, 0]},
 {"op": "move", "layer": "buildings", "fids": [2], "offset": [5000, 0]},
 {"op": "set", "layer": "buildings", "fid": 3, "field": "floors", "value": $((floors3 + 2))},
 {"op": "set", "layer": "buildings", "fid": 3, "field": "floors", "value": "many"},
 {"op": "delete", "layer": "buildings", "fids": [4]}]
JSON
set +e
"$PT" edit --dataset "$DB" --apply "$OUT/edits.json" --save > "$OUT/run1.txt" 2> "$OUT/run1.err"
rc=$?
set -e
cat "$OUT/run1.txt"
[ "$rc" = 3 ] || fail "exit $rc, expected 3 (some edits refused)"
grep -q '^ack 1 ' "$OUT/run1.txt" || fail "edit 1 not acknowledged"
grep -q '^refused 2: .*outside its parcel' "$OUT/run1.txt" || fail "edit 2 (a building moved 5 km) not refused with its reason"
grep -q '^refused 4: .*integer' "$OUT/run1.txt" || fail "edit 4 (text into floors) not refused with its reason"
grep -q '^saved to .*3 features changed' "$OUT/run1.txt" || grep -q '^saved to' "$OUT/run1.txt" || fail "no save line"
grep -q '^violations=' "$OUT/run1.txt" || fail "no indicators"
grep -q '^indicators_basis=generated' "$OUT/run1.txt" || fail "indicators on the generated layout not marked as such"

# Through sqlite3: the file holds the edits and nothing else changed in the buildings layer.
[ "$(q 'pragma integrity_check')" = ok ] || fail "integrity_check"
[ "$(q "select floors from buildings where fid = 3")" = $((floors3 + 2)) ] || fail "floors of fid 3 not saved"
[ "$(q "select count(*) from buildings where fid = 4")" = 0 ] || fail "fid 4 not deleted"
[ "$(q "select count(*) from buildings")" = $((before_count - 1)) ] || fail "building count"
[ "$(q "select pt_version from buildings where fid = 1")" = 1 ] || fail "fid 1 version not bumped"
[ "$(q "select count(*) from buildings where pt_version > 0")" = 2 ] || fail "only the two edited buildings carry a new version"
orig=$(sqlite3 "$ASSETS/parktwin.gpkg" "select hex(geom) from buildings where fid = 5")
[ "$(q "select hex(geom) from buildings where fid = 5")" = "$orig" ] || fail "an untouched building was rewritten"
[ "$(q "select hex(geom) from buildings where fid = 1")" != "$(sqlite3 "$ASSETS/parktwin.gpkg" "select hex(geom) from buildings where fid = 1")" ] || fail "fid 1 geometry unchanged"
# The journal was emptied by the save: its one line is the header.
[ "$(wc -l < "$DB.ptjournal")" = 1 ] || fail "journal not emptied after the save"

echo "edit_cli: ok"
