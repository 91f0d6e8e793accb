#!/usr/bin/env bash
# `parktwin bench soak` for a few seconds, twice: as is, it runs frames without errors and reports
# its memory lines; under a file-size limit (what a full disk looks like to the history) the same
# run counts the refused writes among its errors, says so on stderr, and reports the samples the
# history never recorded.
set -euo pipefail
PT=$1; OUT=$2
rm -rf "$OUT"; mkdir -p "$OUT"
fail() { echo "FAIL: $*"; for f in "$OUT"/*.out "$OUT"/*.err; do echo "== $f"; cat "$f"; done; exit 1; }
value() { grep "^$1=" "$2" | head -n 1 | cut -d= -f2; }

"$PT" bench soak --minutes 0.2 --history "$OUT/ok.db" >"$OUT/ok.out" 2>"$OUT/ok.err" || fail "the soak run failed"
for k in soak_rss_growth_mb soak_rss_slope_mb_per_h soak_frames soak_errors; do
  grep -q "^$k=" "$OUT/ok.out" || fail "no $k line"
done
[ "$(value soak_frames "$OUT/ok.out")" -ge 3 ] || fail "fewer than 3 frames in 12 s"
[ "$(value soak_errors "$OUT/ok.out")" = 0 ] || fail "errors in a clean run"
[ "$(value soak_samples_accepted "$OUT/ok.out")" -gt 0 ] || fail "no samples accepted"

# 2 MiB per file: the history stops growing within seconds at 3600x.
( ulimit -f 2048; "$PT" bench soak --minutes 0.3 --history "$OUT/full.db" >"$OUT/full.out" 2>"$OUT/full.err" ) \
  || fail "the soak run under a file-size limit failed"
[ "$(value soak_errors "$OUT/full.out")" -ge 1 ] || fail "a history that refused writes counted no error"
grep -q "cannot record samples" "$OUT/full.err" || fail "stderr does not say the history refused writes"
[ "$(value soak_samples_unrecorded "$OUT/full.out")" -gt 0 ] || fail "no unrecorded samples reported"
echo "clean: $(value soak_frames "$OUT/ok.out") frames, 0 errors; full disk: $(value soak_errors "$OUT/full.out") errors, $(value soak_samples_unrecorded "$OUT/full.out") samples unrecorded"
