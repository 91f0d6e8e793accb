#!/usr/bin/env bash
# Side by side with deck.gl on this machine: the same generated footprints and the same camera,
# deck.gl 9.4 in headless Chromium over Mesa llvmpipe (the peer harness, ../shared/peer) against
# `parktwin bench --layer` on lavapipe, back to back, ROUNDS times per size.
#
#   tools/side_by_side.sh [N ...]          (default: 10000 100000)
#
# Environment (all optional):
#   PARKTWIN   the parktwin binary (default build/tools/parktwin/parktwin)
#   PEER_DIR   a scratch copy of the harness (default /tmp/peer-bench; copied from ../shared/peer
#              when missing: the harness writes node_modules/, data/ and out/ beside itself)
#   ROUNDS     rounds per size (default 2)
#   OUT        where the raw outputs and the table go (default /tmp/side-by-side-<time>)
# The harness installs chromium (apt) and its pinned npm packages on first use.
#
# Fairness: both sides with MESA_SHADER_CACHE_DISABLE=true (a cached second run is no first
# frame), 1920x1080, 4x MSAA, the peer's default camera (--look 116.0,28.7,9650,30,40), the
# same GeoJSON file. The two "first frame" figures do not cover the same work: deck.gl's starts
# once Chromium, the page and deck.gl are up and the GeoJSON is parsed (setProps to a finished
# frame); ParkTwin's covers its whole cold process (exec, Vulkan, reading the GeoJSON with GDAL,
# triangulation, pipelines, first frame). The table also shows deck.gl's parse + first frame.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PARKTWIN="${PARKTWIN:-$ROOT/build/tools/parktwin/parktwin}"
PEER_DIR="${PEER_DIR:-/tmp/peer-bench}"
ROUNDS="${ROUNDS:-2}"
OUT="${OUT:-/tmp/side-by-side-$(date +%Y%m%d-%H%M%S)}"
LOOK="116.0,28.7,9650,30,40"
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000)

[[ -x "$PARKTWIN" ]] || { echo "side_by_side: no parktwin at $PARKTWIN (build it, or set PARKTWIN)" >&2; exit 1; }
if [[ ! -x "$PEER_DIR/run_peer.sh" ]]; then
  SRC="$ROOT/../shared/peer"
  [[ -d "$SRC" ]] || SRC=/work/shared/peer
  [[ -d "$SRC" ]] || { echo "side_by_side: no peer harness (set PEER_DIR)" >&2; exit 1; }
  mkdir -p "$PEER_DIR"
  cp -r "$SRC/." "$PEER_DIR/"
fi
mkdir -p "$OUT"
export MESA_SHADER_CACHE_DISABLE=true
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-side-by-side}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

val() { grep -m1 "^$1=" "$2" | cut -d= -f2- || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "NA"; else printf "%.2f", a / b }'; }

{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "cores=$(nproc)"
  echo "load_avg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

ROWS=()
for N in "${SIZES[@]}"; do
  for R in $(seq 1 "$ROUNDS"); do
    P="$OUT/peer_${N}_r${R}.txt"
    T="$OUT/parktwin_${N}_r${R}.txt"
    LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
    echo "# N=$N round $R: deck.gl (load $LOAD_BEFORE)" >&2
    PEER_BACKEND=llvmpipe PEER_SKIP_EARCUT=1 PEER_OUT="$OUT/peer_${N}_r${R}" \
      "$PEER_DIR/run_peer.sh" "$N" >"$P" 2>"$P.log" || { echo "side_by_side: the peer failed, see $P.log" >&2; exit 1; }
    DATA="$(val peer_data "$P")"
    echo "# N=$N round $R: ParkTwin on $DATA" >&2
    VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/share/vulkan/icd.d/lvp_icd.x86_64.json}" \
      "$PARKTWIN" bench --layer "$DATA" --height-attr height --look "$LOOK" --size 1920x1080 >"$T" 2>"$T.log" \
      || { echo "side_by_side: parktwin failed, see $T.log" >&2; exit 1; }
    D_FIRST="$(val deckgl_first_frame_ms "$P")"
    D_PARSE="$(val deckgl_json_parse_ms "$P")"
    D_FRAME="$(val deckgl_frame_ms_median "$P")"
    D_PARSE_FIRST="$(awk -v a="$D_FIRST" -v b="$D_PARSE" 'BEGIN { printf "%.0f", a + b }')"
    T_FIRST="$(awk -v s="$(val first_frame_s "$T")" 'BEGIN { printf "%.0f", s * 1000 }')"
    T_FRAME="$(val frame_ms "$T")"
    T_COMPLETE="$(awk -v s="$(val complete_frame_s "$T")" 'BEGIN { printf "%.0f", s * 1000 }')"
    T_SHOWN="$(val first_frame_buildings "$T")"
    ROWS+=("| $N | $R | $LOAD_BEFORE | $D_FIRST | $D_PARSE_FIRST | $D_FRAME | $T_FIRST ($T_SHOWN) | $T_COMPLETE | $T_FRAME | $(ratio "$D_FIRST" "$T_FIRST") | $(ratio "$D_PARSE_FIRST" "$T_FIRST") | $(ratio "$D_FRAME" "$T_FRAME") |")
  done
done

{
  echo
  echo "deck.gl $(val deckgl_version "$P") in Chromium $(val peer_chromium_version "$P") over $(val deckgl_renderer "$P");"
  echo "ParkTwin on $(val device "$T"). 1920x1080, 4x MSAA, camera --look $LOOK. Times in ms."
  echo "Ratios are deck.gl / ParkTwin (above 1: ParkTwin sooner or faster). load = 1-min load average before the round."
  echo
  echo "ParkTwin streams: its first frame shows the first tiles (buildings in it in brackets); \"every tile\" is its first frame with all of them."
  echo
  echo "| N | round | load | deck.gl first frame | deck.gl parse + first frame | deck.gl frame (median) | ParkTwin first frame (cold process) | ParkTwin every tile | ParkTwin frame (median) | first ratio | parse+first ratio | frame ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "load_avg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/table.md"
echo "side_by_side_out=$OUT"
