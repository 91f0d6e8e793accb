#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, address and undefined-behaviour sanitizers,
# and runs each: first once over its seeds (a seed that now crashes is a regression), then for
# SECONDS of fuzzing on a scratch copy of the seeds. Exits non-zero on any crash, leak, timeout or
# out-of-memory, naming the input that triggered it and the command that reproduces it.
#
# Usage: tools/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS   fuzzing time per target (default 20; 0 = only run the seeds)
#   TARGET    payload geojson gpkg shapefile tour view_state wall_layout geojson_head geojson_extent
#             (default: all)
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_WORK_DIR (scratch; default a new temp
# directory, kept when something was found), FUZZ_JOBS (build parallelism, default nproc).
# Long runs and how to keep what they find: docs/fuzzing.md.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
shift $(( $# > 0 ? 1 : 0 ))
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
all_targets=(payload geojson gpkg shapefile tour view_state wall_layout geojson_head geojson_extent)
targets=("${@:-${all_targets[@]}}")

if ! [[ $seconds =~ ^[0-9]+$ ]]; then
  echo "fuzz.sh: SECONDS must be a whole number of seconds, not '$seconds' (usage: tools/fuzz.sh [SECONDS] [TARGET...])" >&2
  exit 2
fi

# Per target: the largest input tried (bytes), and seed files from the repository besides the
# target's own corpus (tests/fuzz/corpus/NAME/).
declare -A max_len=([payload]=8192 [geojson]=16384 [gpkg]=131072 [shapefile]=16384 [tour]=16384
                    [view_state]=8192 [wall_layout]=4096 [geojson_head]=16384 [geojson_extent]=16384)
declare -A dict_of=([geojson_head]=geojson [geojson_extent]=geojson)  # targets sharing a dictionary
declare -A extra_seeds=([geojson]="tests/fixtures/footprints.geojson" [geojson_head]="tests/fixtures/footprints.geojson"
                        [geojson_extent]="tests/fixtures/footprints.geojson"
                        [tour]="assets/tours/*.json tests/fixtures/short_tour.json"
                        [wall_layout]="tests/fixtures/wall_*.json")
for t in "${targets[@]}"; do
  if [[ -z ${max_len[$t]:-} ]]; then
    echo "fuzz.sh: unknown target '$t'; the targets are: ${all_targets[*]}" >&2
    exit 2
  fi
done

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found; install clang (Debian: clang-14, libfuzzer-14-dev)" >&2; exit 2; }

t0=$(date +%s)
if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARKTWIN_SANITIZE=ON -DPARKTWIN_FUZZ=ON >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; echo "fuzz.sh: configuring $build failed (log above)" >&2; exit 2; }
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]/%/_fuzz}" ||
  { echo "fuzz.sh: building the fuzz targets in $build failed" >&2; exit 2; }
t1=$(date +%s)
echo "fuzz.sh: build $((t1 - t0)) s"

work=${FUZZ_WORK_DIR:-$(mktemp -d /tmp/parktwin-fuzz.XXXXXX)}
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-12s %10s %8s %8s %8s  %s\n' target runs cov ft corpus result
for t in "${targets[@]}"; do
  exe=$build/tests/fuzz/${t}_fuzz
  dir=$work/$t
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/seeds" "$dir/artifacts"
  [[ -d $repo/tests/fuzz/corpus/$t ]] && cp "$repo/tests/fuzz/corpus/$t"/* "$dir/seeds/" 2>/dev/null
  for f in ${extra_seeds[$t]:-}; do cp "$repo"/$f "$dir/seeds/"; done
  cp "$dir/seeds"/* "$dir/corpus/" 2>/dev/null
  dict=$repo/tests/fuzz/dict/${dict_of[$t]:-$t}.dict
  common=(-max_len="${max_len[$t]}" -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$dir/artifacts/")
  [[ -f $dict ]] && common+=(-dict="$dict")

  result=ok
  # 1. The seeds, once each: a seed that crashes now is a regression.
  if ! "$exe" "${common[@]}" -runs=0 "$dir/seeds" >"$dir/seeds.log" 2>&1; then
    result="seed regression"
  elif ((seconds > 0)); then
    # 2. Fuzzing on the scratch copy (new inputs land there, never in the repository).
    "$exe" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 "$dir/corpus" >"$dir/fuzz.log" 2>&1 ||
      result="found"
  fi
  log=$dir/fuzz.log
  [[ -f $log ]] || log=$dir/seeds.log
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [[ -n $runs ]] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  corpus=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  printf '%-12s %10s %8s %8s %8s  %s\n' "$t" "${runs:--}" "${cov:--}" "${ft:--}" "${corpus:--}" "$result"
  if [[ $result != ok ]]; then
    failed+=("$t")
    # The sanitizer's own line says more than libFuzzer's "deadly signal".
    kind=$(grep -m1 -E 'runtime error:|ERROR: (AddressSanitizer|LeakSanitizer)|terminate called|ERROR: libFuzzer' "$log")
    echo "  $t: ${kind:-failed} (log: $log)"
    crash=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | awk '{print $NF}')
    if [[ -n $crash ]]; then
      echo "  input: $crash"
      # The artifact is a copy; name the seed it came from.
      for s in "$dir/seeds"/*; do
        cmp -s "$s" "$crash" && echo "  it is the seed $(basename "$s")"
      done
      echo "  reproduce: ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS $exe $crash"
    fi
  fi
done
echo "fuzz.sh: build $((t1 - t0)) s, fuzzing $(( $(date +%s) - t1 )) s; scratch in $work"
if ((${#failed[@]})); then
  echo "fuzz.sh: FAILED: ${failed[*]}; keep the input as a regression seed and test (docs/fuzzing.md)" >&2
  exit 1
fi
[[ -z ${FUZZ_WORK_DIR:-} ]] && rm -rf "$work"
exit 0
