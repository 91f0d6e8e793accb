#!/usr/bin/env bash
# Runs the kill -9 loop of `parktwin bench edit` and holds it to the issue's bar: at least RUNS runs,
# some killed during a save, 0 corrupt files, 0 lost acknowledged edits.
# usage: edit_crash.sh PARKTWIN RUNS
set -euo pipefail
PT=$1; RUNS=$2
out=$("$PT" bench edit --only crash --crash-runs "$RUNS" --seed "${PARKTWIN_CRASH_SEED:-$RANDOM}") || { echo "$out"; echo "FAIL: the loop reported a problem"; exit 1; }
echo "$out"
val() { echo "$out" | sed -n "s/^$1=//p"; }
[ "$(val crash_runs)" -ge "$RUNS" ] || { echo "FAIL: fewer runs than $RUNS"; exit 1; }
[ "$(val crash_killed_during_save)" -ge $((RUNS / 4)) ] || { echo "FAIL: too few kills landed in a save"; exit 1; }
[ "$(val crash_acknowledged_edits)" -gt 0 ] || { echo "FAIL: no edit was ever acknowledged"; exit 1; }
[ "$(val crash_corrupt)" = 0 ] || { echo "FAIL: corrupt files"; exit 1; }
[ "$(val crash_lost_edits)" = 0 ] || { echo "FAIL: lost acknowledged edits"; exit 1; }
echo "edit_crash: ok"
