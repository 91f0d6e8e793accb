#!/usr/bin/env bash
# `parktwin kpi`: the dashboard's KPIs for scripts. The trailing year ending 2023-01-01 00:00 Beijing
# time is exactly the calendar year 2022 there, so the simulator's totals must be the source
# document's 2022 figures (Nanchang electronics 1500亿元, Yingtan copper 3724.5亿元, Yichun lithium
# 1117亿元, quoted in assets/facts.json) within 1 %; the same day at 02:00 and 16:00 must agree
# within 2 % (a year's total does not swing with the hour); an offset and Z name the same moment.
set -uo pipefail
PT=$1
OUT=$2
mkdir -p "$OUT"
fail=0
val() { grep -E "^$2=" "$1" | head -1 | cut -d= -f2-; }
near() {  # near NAME GOT WANT REL
  awk -v g="$2" -v w="$3" -v r="$4" 'BEGIN { d = (g - w) / w; if (d < 0) d = -d; exit !(g != "" && d <= r) }' ||
    { echo "FAIL $1: $2 vs $3 (allowed $4 relative)"; fail=1; return; }
  echo "ok   $1: $2 vs $3"
}

"$PT" kpi --feed "sim://?seed=7" --at 2023-01-01T00:00:00+08:00 > "$OUT/2022.txt" 2> "$OUT/2022.err" ||
  { echo "FAIL kpi exited $?"; cat "$OUT/2022.err"; exit 1; }
cat "$OUT/2022.txt"
near nanchang_revenue "$(val "$OUT/2022.txt" nanchang_revenue_yuan)" 150000000000 0.01
near yingtan_revenue "$(val "$OUT/2022.txt" yingtan_revenue_yuan)" 372450000000 0.01
near yichun_revenue "$(val "$OUT/2022.txt" yichun_revenue_yuan)" 111700000000 0.01
near nanchang_handsets "$(val "$OUT/2022.txt" nanchang_handsets)" 120000000 0.01
near yingtan_copper "$(val "$OUT/2022.txt" yingtan_copper_t)" 1292600 0.01
near yichun_lithium_salts "$(val "$OUT/2022.txt" yichun_lithium_salts_t)" 140000 0.01
for k in nanchang_revenue_yuan nanchang_handsets yingtan_revenue_yuan yingtan_copper_t yichun_revenue_yuan yichun_lithium_salts_t; do
  w=$(val "$OUT/2022.txt" "${k}_window")
  [ "$w" = "2021-12-31T16:00:00Z/2022-12-31T16:00:00Z" ] || { echo "FAIL ${k}_window is '$w'"; fail=1; }
  [ "$(val "$OUT/2022.txt" "${k}_basis")" = simulator ] || { echo "FAIL ${k}_basis"; fail=1; }
  [ "$(val "$OUT/2022.txt" "${k}_simulated")" = 1 ] || { echo "FAIL ${k}_simulated"; fail=1; }
done
[ "$(val "$OUT/2022.txt" at)" = "2022-12-31T16:00:00Z" ] || { echo "FAIL at= is not the UTC moment"; fail=1; }

# The same moment written with Z gives the same report.
"$PT" kpi --feed "sim://?seed=7" --at 2022-12-31T16:00:00Z > "$OUT/2022z.txt" 2>/dev/null
cmp -s "$OUT/2022.txt" "$OUT/2022z.txt" || { echo "FAIL --at with Z and with +08:00 differ"; diff "$OUT/2022.txt" "$OUT/2022z.txt"; fail=1; }

# One 2026 day at 02:00 and 16:00 Beijing time.
"$PT" kpi --feed "sim://?seed=7" --at 2026-05-20T02:00:00+08:00 > "$OUT/night.txt" 2>/dev/null
"$PT" kpi --feed "sim://?seed=7" --at 2026-05-20T16:00:00+08:00 > "$OUT/day.txt" 2>/dev/null
for k in nanchang_revenue_yuan yingtan_revenue_yuan yichun_revenue_yuan nanchang_handsets; do
  near "${k}_night_vs_day" "$(val "$OUT/night.txt" "$k")" "$(val "$OUT/day.txt" "$k")" 0.02
done
# ... while the rate now does swing with the shift (it is a rate, labelled as one).
r_night=$(val "$OUT/night.txt" nanchang_revenue_yuan_rate_now_per_h)
r_day=$(val "$OUT/day.txt" nanchang_revenue_yuan_rate_now_per_h)
awk -v n="$r_night" -v d="$r_day" 'BEGIN { exit !(d > 1.2 * n) }' ||
  { echo "FAIL the hourly rate should be higher on the day shift: night $r_night, day $r_day"; fail=1; }

# Bad input: a clear message and exit 2; a missing recording: exit 1 naming the file.
"$PT" kpi --at yesterday > "$OUT/bad_at.txt" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "RFC 3339" "$OUT/bad_at.txt" || { echo "FAIL bad --at: exit $rc"; cat "$OUT/bad_at.txt"; fail=1; }
"$PT" kpi --feed "history://$OUT/none.db" --at 2026-01-01T00:00:00Z > "$OUT/no_history.txt" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "none.db" "$OUT/no_history.txt" || { echo "FAIL missing history: exit $rc"; cat "$OUT/no_history.txt"; fail=1; }
exit $fail
