#!/usr/bin/env bash
# `parktwin render --save-state` and `--state`: a still's view state, rendered again, gives the same
# image pixel for pixel — first for a --look camera on simulated data at a set moment (the state
# carries the feed and the moment), then for a state edited by hand (English labels, an enterprise
# selected, colour by chain, a chain highlighted, a layer hidden) saved and rendered once more.
# A state file of another version or with a bad field: a clear message and exit 2.
set -uo pipefail
PT=$1
OUT=$2
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.json
fail=0
same_image() {  # same_image NAME A.png B.png
  local ae
  ae=$(compare -metric AE "$2" "$3" /dev/null 2>&1 | awk '{print $1}')
  if [ "$ae" = 0 ]; then echo "ok   $1: identical"; else echo "FAIL $1: $ae pixels differ ($2 vs $3)"; fail=1; fi
}
run() {  # run NAME CMD... ; output in $OUT/NAME.log, must exit 0
  local name=$1; shift
  "$@" >"$OUT/$name.log" 2>&1 || { echo "FAIL $name: exit $?"; cat "$OUT/$name.log"; fail=1; }
}

COMMON=(--size 480x270 --msaa 1)
run save "$PT" render "${COMMON[@]}" --look 116.062,28.717,2200,60,40 --feed "sim://?seed=7" \
  --at 2026-05-20T08:00:00Z --save-state "$OUT/a.json" --out "$OUT/a.png"
grep -q '"version": "parktwin.viewstate/1"' "$OUT/a.json" || { echo "FAIL save: no version in a.json"; fail=1; }
grep -q '"source": "sim://?seed=7"' "$OUT/a.json" || { echo "FAIL save: the feed is not in a.json"; fail=1; }
grep -q '"moment": 1779264000000' "$OUT/a.json" || { echo "FAIL save: the moment is not 2026-05-20T08:00:00Z"; fail=1; }
# No --feed and no --at: both come from the state.
run restore "$PT" render "${COMMON[@]}" --state "$OUT/a.json" --out "$OUT/a_again.png"
same_image look_feed_moment "$OUT/a.png" "$OUT/a_again.png"

# Edit the state by hand, render it saving its state, then render that.
sed -e 's/"language": "zh"/"language": "en"/' \
    -e 's/"color_by": "kind"/"color_by": "chain"/' \
    -e 's/"highlight": null/"highlight": "electronic_information"/' \
    -e 's/"selected_enterprise": null/"selected_enterprise": "huaqin"/' \
    -e '/"id": "roads"/{n;s/"visible": true/"visible": false/}' \
    "$OUT/a.json" > "$OUT/b.json"
for want in '"language": "en"' '"color_by": "chain"' '"highlight": "electronic_information"' \
            '"selected_enterprise": "huaqin"'; do
  grep -qF "$want" "$OUT/b.json" || { echo "FAIL edit: b.json lacks $want"; fail=1; }
done
run edited "$PT" render "${COMMON[@]}" --state "$OUT/b.json" --save-state "$OUT/c.json" --out "$OUT/b.png"
run edited_again "$PT" render "${COMMON[@]}" --state "$OUT/c.json" --out "$OUT/b_again.png"
same_image edited_state "$OUT/b.png" "$OUT/b_again.png"
cmp -s "$OUT/b.json" "$OUT/c.json" || { echo "FAIL the state saved from b.json differs from it"; diff "$OUT/b.json" "$OUT/c.json"; fail=1; }
ae=$(compare -metric AE "$OUT/a.png" "$OUT/b.png" /dev/null 2>&1 | awk '{print $1}')
[ "$ae" != 0 ] || { echo "FAIL the edited state renders like the original"; fail=1; }

# Bad state files: exit 2 naming the file and the problem.
bad() {  # bad NAME TEXT-EXPECTED ; reads the state from stdin
  cat > "$OUT/$1.json"
  "$PT" render "${COMMON[@]}" --state "$OUT/$1.json" --out "$OUT/$1.png" >"$OUT/$1.log" 2>&1
  local rc=$?
  if [ $rc = 2 ] && grep -qF "$1.json" "$OUT/$1.log" && grep -qF -- "$2" "$OUT/$1.log"; then
    echo "ok   $1 (exit 2: $(grep -F "$1.json" "$OUT/$1.log" | head -1))"
  else
    echo "FAIL $1: exit $rc"; cat "$OUT/$1.log"; fail=1
  fi
}
sed 's|parktwin.viewstate/1|parktwin.viewstate/9|' "$OUT/a.json" | bad bad_version "parktwin.viewstate/1"
sed 's|"lat": [0-9.]*|"lat": 128.5|' "$OUT/a.json" | bad bad_lat "camera.lat"
echo '{"version": "parktwin.viewstate/1", "camera": {' | bad bad_json "not JSON"
"$PT" render "${COMMON[@]}" --state "$OUT/missing.json" --out "$OUT/missing.png" >"$OUT/missing.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -qF missing.json "$OUT/missing.log" || { echo "FAIL missing state: exit $rc"; cat "$OUT/missing.log"; fail=1; }
exit $fail
