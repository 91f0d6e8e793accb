#!/usr/bin/env bash
# Packs the parktwin binary with the shared libraries it needs into one relocatable folder, for
# machines that do not have our Debian packages (wall nodes, a GPU box with another distribution).
#
#   tools/bundle.sh [--lean | --no-mp4] [--stub SONAME-PATTERN]... [--out DIR] [--tar FILE.tar.xz]
#                   [--xz-level N] [--no-assets] [--no-font] [--with-lavapipe] [BINARY]
#
# BINARY defaults to build/tools/parktwin/parktwin; --tar also packs the folder with xz (level 9 by
# default, all cores) and prints the size.
#
# The folder (default build/bundle/parktwin) holds:
#   parktwin          the launcher: sets LD_LIBRARY_PATH, GDAL_DATA, PROJ_DATA/PROJ_LIB,
#                     GDAL_DRIVER_PATH and PARKTWIN_ASSETS, then runs bin/parktwin with the arguments
#   bin/parktwin      the binary as built
#   lib/              every shared library of its closure (ldd) under its SONAME, except what every
#                     target has: glibc (libc, libm, libpthread, libdl, librt, ld-linux), libstdc++,
#                     libgcc_s. The Vulkan loader libvulkan.so.1 is in; no Vulkan driver is, the target's
#                     own ICD is used (--with-lavapipe adds Mesa's CPU driver, its LLVM and
#                     lib/lvp_icd.json; PARKTWIN_BUNDLE_LAVAPIPE=1 then makes the launcher use it)
#   lib/driver/       libXext and libGLdispatch, which NVIDIA's Vulkan driver needs besides libX11
#                     (in lib/): last in LD_LIBRARY_PATH, for images without X libraries
#   share/gdal        GDAL_DATA; share/proj: proj.db and PROJ's small files (no datum grids)
#   share/fonts/...   the UI font (fonts-wqy-microhei). NOTE: engine/ui/src/fonts.cpp looks for it only
#                     at /usr/share/fonts/{truetype/wqy,wqy-microhei}/wqy-microhei.ttc and has no
#                     override, so on a target without it the UI falls back to ImGui's Latin font
#                     unless the file is copied there (the launcher does not touch system folders)
#   assets/           a copy of the repository's assets (default dataset, tours, views)
#   BUNDLE.txt        what is in it, where it came from and what was stubbed
#
# --lean replaces libraries that the benches, render, record and the default dataset (GeoPackage)
# never call by generated stubs of the same SONAME and symbol versions. A stub defines exactly the
# symbols the kept objects import from the library (their strong undefined dynamic symbols that the
# dropped library defines and no kept object, glibc or libstdc++ does); each function aborts with
# "parktwin bundle: libX was left out of this lean bundle; FEATURE is not available (called SYM)",
# data symbols are zero-filled (.bss). What only the dropped libraries needed falls out with them.
# That takes the xz tarball from ~72 MiB to ~30 MiB: FFmpeg is kept with libx264 (MP4 recording) but
# its other codecs, formats and protocols go (x265, codec2, aom, SVT-AV1, rav1e, vpx, jxl, rsvg,
# openmpt ...), and so do ICU's 31 MB data table (only read for XML in exotic encodings), Poppler,
# HDF5, Xerces-C, CFITSIO, libheif, Armadillo and their LAPACK/Fortran runtime. --no-mp4 also drops
# FFmpeg (libavcodec, libavformat, libavutil, libswscale): about 7 MiB less, no MP4 recording.
# --stub 'libfoo.so.*' stubs one more library (implies --lean); try what you stub with LD_BIND_NOW=1.
# BUNDLE.txt lists every stub with the symbols it defines and who imports them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/tools/parktwin/parktwin
OUT=$ROOT/build/bundle/parktwin
TAR=
XZ_LEVEL=9
LEAN=0
ASSETS=1
FONT=1
LAVAPIPE=0
NO_MP4=0
EXTRA_STUBS=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --lean) LEAN=1 ;;
    --no-mp4) LEAN=1; NO_MP4=1 ;;
    --stub) LEAN=1; EXTRA_STUBS+=("$2|what needs it is not available"); shift ;;
    --out) OUT=$2; shift ;;
    --tar) TAR=$2; shift ;;
    --xz-level) XZ_LEVEL=$2; shift ;;
    --no-assets) ASSETS=0 ;;
    --no-font) FONT=0 ;;
    --with-lavapipe) LAVAPIPE=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "bundle.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) BIN=$1 ;;
  esac
  shift
done

for tool in ldd readelf cc tar xz; do
  command -v "$tool" >/dev/null || { echo "bundle.sh: needs $tool" >&2; exit 1; }
done
[[ -x $BIN ]] || { echo "bundle.sh: no binary at $BIN (build it first: cmake --build build)" >&2; exit 1; }
BIN=$(readlink -f "$BIN")

# What every target has (glibc and the GCC runtime): never bundled, never stubbed.
BASE_RE='^(libc\.so\.|libm\.so\.|libpthread\.so\.|libdl\.so\.|librt\.so\.|ld-linux|libstdc\+\+\.so\.|libgcc_s\.so\.|linux-vdso|libresolv\.so\.|libutil\.so\.|libmvec\.so\.)'

# The libraries --lean leaves out: SONAME pattern | what is lost then. Only leaves whose loss the
# benches, `parktwin render`, `parktwin record` (H.264 through libx264 in MP4) and the GeoPackage,
# GeoJSON, Shapefile, FlatGeobuf and PostGIS layer paths never notice; the libraries they pull in and
# nothing kept needs fall out with them. libnetcdf stays: GDALAllRegister calls nc_inq_libvers.
FFMPEG_MISSING='this FFmpeg codec, format or protocol is not available (the bundle keeps H.264 through libx264 in MP4)'
LEAN_TABLE=(
  'libicudata.so.*|ICU conversion of XML in exotic encodings is not available'
  'libarmadillo.so.*|GDAL thin plate spline transforms are not available'
  'libheif.so.*|HEIF/AVIF rasters (GDAL HEIF driver) are not available'
  'libpoppler.so.*|PDF (GDAL PDF driver) is not available'
  'libhdf5_serial.so.*|HDF5 (GDAL HDF5 and BAG drivers) is not available'
  'libxerces-c-*.so|GMLAS, NAS and ILI (GDAL drivers that need Xerces-C) are not available'
  'libcfitsio.so.*|FITS (GDAL FITS driver) is not available'
)
for so in libaom libbluray libbz2 libcairo libchromaprint libcodec2 libdav1d libdrm libglib-2.0 libgme libgobject-2.0 \
          libgsm libjxl libjxl_threads libmfx libmp3lame libOpenCL libopenmpt libopus librabbitmq librav1e librist \
          librsvg-2 libshine libsoxr libspeex libsrt-gnutls libssh-gcrypt libSvtAv1Enc libtheoradec libtheoraenc \
          libtwolame libva libva-drm libva-x11 libvdpau libvorbis libvorbisenc libvpx libwebpmux libx265 \
          libxvidcore libzvbi; do
  LEAN_TABLE+=("$so.so.*|$FFMPEG_MISSING")
done
# Functions FFmpeg calls for every codec in its table on the first encoder lookup (the codecs'
# init_static_data: capability probes). Their stubs return 0 (no version, no capabilities, no
# interface), which FFmpeg takes as "that codec is not there", instead of aborting.
PROBE_SYMBOLS=' aom_codec_version aom_codec_get_caps aom_codec_av1_cx aom_codec_av1_dx vpx_codec_version vpx_codec_get_caps vpx_codec_vp8_cx vpx_codec_vp9_cx vpx_codec_vp8_dx vpx_codec_vp9_dx x265_api_get x265_api_get_199 '
# --no-mp4: FFmpeg itself goes too (about 7 MiB less in the xz tarball).
NO_MP4_TABLE=(
  'libavcodec.so.*|MP4 recording is not available'
  'libavformat.so.*|MP4 recording is not available'
  'libavutil.so.*|MP4 recording is not available'
  'libswscale.so.*|MP4 recording is not available'
)

lean_feature() {  # SONAME -> what is lost (nothing when kept)
  local e pat
  ((LEAN)) || return 0
  local table=("${LEAN_TABLE[@]}")
  ((NO_MP4)) && table+=("${NO_MP4_TABLE[@]}")
  table+=("${EXTRA_STUBS[@]}")
  for e in "${table[@]}"; do
    pat=${e%%|*}
    # shellcheck disable=SC2053
    if [[ $1 == $pat ]]; then echo "${e#*|}"; return 0; fi
  done
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# SONAME -> path, as this machine's loader resolves the binary's closure.
declare -A PATH_OF=()
while read -r so arrow path _; do
  [[ $arrow == "=>" && $path == /* ]] && PATH_OF[$so]=$path
done < <(ldd "$BIN")
missing=$(ldd "$BIN" | grep 'not found' || true)
[[ -z $missing ]] || { printf 'bundle.sh: unresolved libraries:\n%s\n' "$missing" >&2; exit 1; }

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

# Walk the NEEDED graph from the binary; a stubbed library is a leaf (its stub needs only libc).
declare -A SEEN=() STUB=()
KEPT=()
queue=("$BIN")
while ((${#queue[@]})); do
  obj=${queue[0]}
  queue=("${queue[@]:1}")
  while read -r so; do
    [[ -z $so || -n ${SEEN[$so]:-} ]] && continue
    SEEN[$so]=1
    [[ $so =~ $BASE_RE ]] && continue
    [[ -n ${PATH_OF[$so]:-} ]] || { echo "bundle.sh: $so (needed by $obj) is not in ldd's answer" >&2; exit 1; }
    feature=$(lean_feature "$so")
    if [[ -n $feature ]]; then
      STUB[$so]=$feature
    else
      KEPT+=("$so")
      queue+=("${PATH_OF[$so]}")
    fi
  done < <(needed "$obj")
done

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib" "$OUT/share"
cp "$BIN" "$OUT/bin/parktwin"
for so in "${KEPT[@]}"; do cp -L "${PATH_OF[$so]}" "$OUT/lib/$so"; done

# --- stubs -------------------------------------------------------------------------------------
# Dynamic symbols as "name version bind type size ndx" (version empty when unversioned).
dynsyms() {
  readelf --dyn-syms -W "$1" | awk 'NF >= 8 && $1 ~ /^[0-9]+:$/ {
      name = $8; ver = ""
      if ((i = index(name, "@")) > 0) { ver = substr(name, i); name = substr(name, 1, i - 1) }
      sub(/^@+/, "", ver)
      if (name != "") print name, (ver == "" ? "-" : ver), $5, $4, $3, $7 }'
}

if ((${#STUB[@]})); then
  # Every kept object's imports and exports; the base libraries' exports count as kept, so a stub
  # never shadows a symbol that glibc or libstdc++ provide.
  : >"$WORK/undef" && : >"$WORK/kept_def"
  kept_objs=("$BIN")
  for so in "${KEPT[@]}"; do kept_objs+=("${PATH_OF[$so]}"); done
  for obj in "${kept_objs[@]}"; do
    dynsyms "$obj" | awk -v W="$WORK" -v o="${obj##*/}" '$6 == "UND" { print $1, $2, $3, o >> (W "/undef"); next }
                                       $3 != "LOCAL" { print $1 >> (W "/kept_def") }'
  done
  for so in "${!PATH_OF[@]}"; do
    [[ $so =~ $BASE_RE ]] && dynsyms "${PATH_OF[$so]}" | awk '$6 != "UND" && $3 != "LOCAL" { print $1 }' >>"$WORK/kept_def"
  done
  sort -u -o "$WORK/kept_def" "$WORK/kept_def"

  for so in "${!STUB[@]}"; do
    lib=${so%%.so*}
    dir=$WORK/stub-$so
    mkdir -p "$dir"
    # The version nodes the kept objects require of this SONAME (glibc refuses to load without them).
    for obj in "${kept_objs[@]}"; do
      readelf -V -W "$obj" | awk -v so="$so" '/File:/ { f = $0; sub(/.*File: /, "", f); sub(/ .*/, "", f) }
                                             /Name:/ && f == so { print $3 }'
    done | sort -u >"$dir/nodes"
    # Its exports (default version when several) joined with the strong imports nobody kept defines.
    dynsyms "${PATH_OF[$so]}" | awk '$6 != "UND" && $3 != "LOCAL" && $4 != "SECTION" && $4 != "FILE" {
        if (!($1 in t) || index($0, "@@")) { t[$1] = $4; s[$1] = $5 } }
        END { for (n in t) print n, t[n], s[n] }' | sort >"$dir/defs"
    awk 'NR == FNR { kept[$1] = 1; next }
         FILENAME ~ /undef$/ { if (!($1 in kept)) { if ($3 != "WEAK") strong[$1] = 1
                                                     if ($2 != "-" && !(($1, $2) in seen)) { seen[$1, $2] = 1; v[$1] = v[$1] " " $2 } }
                               next }
         ($1 in strong) { print $1, $2, $3, (v[$1] == "" ? "-" : v[$1]) }' \
      "$WORK/kept_def" "$WORK/undef" "$dir/defs" >"$dir/syms"
    {
      echo '/* generated by tools/bundle.sh: stub of '"$so"' for a lean parktwin bundle */'
      echo '#include <stdlib.h>'
      echo '#include <string.h>'
      echo '#include <unistd.h>'
      echo '__attribute__((noreturn, cold, noinline)) static void parktwin_stub_die(const char* sym) {'
      printf '  static const char head[] = "parktwin bundle: %s was left out of this lean bundle; %s (called ";\n' \
        "$lib" "${STUB[$so]}"
      echo '  (void)!write(2, head, sizeof head - 1);'
      echo '  (void)!write(2, sym, strlen(sym));'
      echo '  (void)!write(2, ")\n", 2);'
      echo '  abort();'
      echo '}'
      awk -v probes="$PROBE_SYMBOLS" 'function num(s,   v, i) { if (s !~ /^0x/) return s + 0
                                      v = 0; s = tolower(substr(s, 3))
                                      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                                      return v }
           { n = NR; name = $1; type = $2; size = num($3); if (size < 1) size = 1
             if (name !~ /^[A-Za-z0-9_.$]+$/) { print "bundle.sh: cannot stub symbol " name > "/dev/stderr"; exit 1 }
             if (type == "OBJECT" || type == "COMMON")
               printf "__attribute__((aligned(64), used)) char parktwin_d%d[%d] __asm__(\"%s\");\n", n, size, name
             else if (type == "TLS")
               printf "__attribute__((aligned(64), used)) __thread char parktwin_t%d[%d] __asm__(\"%s\");\n", n, size, name
             else if (index(probes, " " name " "))
               printf "long parktwin_f%d(void) __asm__(\"%s\");\nlong parktwin_f%d(void) { return 0; }\n", n, name, n
             else
               printf "void parktwin_f%d(void) __asm__(\"%s\");\nvoid parktwin_f%d(void) { parktwin_stub_die(\"%s\"); }\n", n, name, n, name }' \
        "$dir/syms"
    } >"$dir/stub.c"
    # Version script: one node per required version, each symbol in the node it is imported with.
    vs=()
    if [[ -s $dir/nodes ]]; then
      awk 'NR == FNR { node[$1] = 1; order[++k] = $1; next }
           { m = NF - 3; last = $NF
             if ($4 == "-") m = 0
             if (m > 1) { print "bundle.sh: " $1 " is imported in more than one version" > "/dev/stderr"; exit 1 }
             if (m == 1) { members[last] = members[last] " " $1 ";"; if (!(last in node)) { node[last] = 1; order[++k] = last } } }
           END { for (i = 1; i <= k; i++) printf "%s {%s%s };\n", order[i], (members[order[i]] == "" ? "" : " global:"), members[order[i]] }' \
        "$dir/nodes" "$dir/syms" >"$dir/versions.map"
      vs=(-Wl,--version-script="$dir/versions.map")
    fi
    cc -shared -fPIC -O1 -w -o "$OUT/lib/$so" -Wl,-soname,"$so" "${vs[@]}" "$dir/stub.c"
    importers=$(awk 'NR == FNR { want[$1] = 1; next } ($1 in want) && !($4 in seen) { seen[$4] = 1; printf " %s", $4 }' \
      "$dir/syms" "$WORK/undef")
    # An FFmpeg leaf that something else imports from is not a leaf here: keep it out of the table.
    if [[ ${STUB[$so]} == "$FFMPEG_MISSING" ]]; then
      for imp in $importers; do
        [[ $imp =~ ^lib(av|sw) ]] || { echo "bundle.sh: $so is stubbed as an FFmpeg leaf but $imp imports from it" >&2; exit 1; }
      done
    fi
    echo "$so $(wc -l <"$dir/syms") $(stat -L -c %s "${PATH_OF[$so]}")${importers:- (none)}" >>"$WORK/stubbed"
  done
fi

# --- data --------------------------------------------------------------------------------------
gdal_data=${GDAL_DATA:-/usr/share/gdal}
[[ -f $gdal_data/gdalvrt.xsd || -f $gdal_data/header.dxf ]] || gdal_data=$(gdal-config --datadir 2>/dev/null || echo /usr/share/gdal)
cp -r "$gdal_data" "$OUT/share/gdal"
proj_data=${PROJ_DATA:-${PROJ_LIB:-/usr/share/proj}}
[[ -f $proj_data/proj.db ]] || { echo "bundle.sh: no proj.db in $proj_data (set PROJ_DATA)" >&2; exit 1; }
mkdir -p "$OUT/share/proj"
# proj.db and the small text files; datum shift grids (.gsb .gtx .tif) stay out.
find "$proj_data" -maxdepth 1 -type f ! -name '*.gsb' ! -name '*.gtx' ! -name '*.tif' -exec cp {} "$OUT/share/proj/" \;
FONT_NOTE="not included (--no-font)"
if ((FONT)); then
  FONT_NOTE="not found on this machine (fonts-wqy-microhei)"
  for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/wqy-microhei/wqy-microhei.ttc; do
    if [[ -f $f ]]; then
      mkdir -p "$OUT/share/fonts/truetype/wqy"
      cp "$f" "$OUT/share/fonts/truetype/wqy/"
      FONT_NOTE="share/fonts/truetype/wqy/wqy-microhei.ttc; parktwin reads it only at /usr/share/fonts/truetype/wqy/ (no override), copy it there on the target for Chinese text"
      break
    fi
  done
fi
if ((ASSETS)); then
  cp -r "$ROOT/assets" "$OUT/assets"
fi
# Libraries the target's Vulkan driver may need and a bare image may lack (NVIDIA's libGLX_nvidia
# needs libX11, libXext and libGLdispatch): lib/driver comes last in LD_LIBRARY_PATH, so the
# target's own copies win where it has them.
mkdir -p "$OUT/lib/driver"
for so in libXext.so.6 libGLdispatch.so.0; do
  path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64/ && !found { print $NF; found = 1 }')
  [[ -n $path && ! -e $OUT/lib/$so ]] || continue
  cp -L "$path" "$OUT/lib/driver/$so"
  while read -r dep arrow dpath _; do
    [[ $arrow == "=>" && $dpath == /* && ! $dep =~ $BASE_RE && ! -e $OUT/lib/$dep && ! -e $OUT/lib/driver/$dep ]] &&
      cp -L "$dpath" "$OUT/lib/driver/$dep"
  done < <(ldd "$path")
done
if ((LAVAPIPE)); then
  icd=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
  lvp=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$icd")
  cp -L "$lvp" "$OUT/lib/"
  while read -r so arrow path _; do
    [[ $arrow == "=>" && $path == /* && ! $so =~ $BASE_RE && ! -e $OUT/lib/$so ]] && cp -L "$path" "$OUT/lib/$so"
  done < <(ldd "$lvp")
  sed "s|\"library_path\": *\"[^\"]*\"|\"library_path\": \"./$(basename "$lvp")\"|" "$icd" >"$OUT/lib/lvp_icd.json"
fi

cat >"$OUT/parktwin" <<'EOF'
#!/bin/sh
# parktwin launcher (tools/bundle.sh): runs bin/parktwin with the bundled libraries and data. Works
# from any folder and through a symlink. The Vulkan driver is the machine's own: set VK_DRIVER_FILES
# to its ICD json when the loader does not find it in the standard folders.
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}:$here/lib/driver"
GDAL_DATA="$here/share/gdal"
PROJ_DATA="$here/share/proj"
PROJ_LIB="$PROJ_DATA"
GDAL_DRIVER_PATH=${GDAL_DRIVER_PATH:-disable}
export LD_LIBRARY_PATH GDAL_DATA PROJ_DATA PROJ_LIB GDAL_DRIVER_PATH
if [ -z "${PARKTWIN_ASSETS:-}" ] && [ -d "$here/assets" ]; then
  PARKTWIN_ASSETS="$here/assets"
  export PARKTWIN_ASSETS
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ "${PARKTWIN_BUNDLE_LAVAPIPE:-}" = 1 ] && [ -f "$here/lib/lvp_icd.json" ]; then
  VK_DRIVER_FILES="$here/lib/lvp_icd.json"
  export VK_DRIVER_FILES
fi
exec "$here/bin/parktwin" "$@"
EOF
chmod +x "$OUT/parktwin"

{
  echo "parktwin bundle made by tools/bundle.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "binary: $BIN ($("$BIN" --version 2>/dev/null || echo '?'), sha256 $(sha256sum "$BIN" | cut -c1-16)...)"
  echo "build machine: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(ldd --version | sed -n 1p)"
  echo "needs on the target: x86-64 Linux with glibc >= $(ldd --version | awk 'NR == 1 { print $NF }'), libstdc++ (GCC >= $(cc -dumpversion)), a Vulkan driver"
  echo "mode: $( ((LEAN)) && echo lean || echo full), ${#KEPT[@]} libraries"
  echo "font: $FONT_NOTE"
  echo "assets: $( ((ASSETS)) && echo assets/ || echo 'not included: set PARKTWIN_ASSETS')"
  if [[ -s $WORK/stubbed ]]; then
    echo "stubbed: each function aborts with \"parktwin bundle: libX was left out of this lean bundle; ...\":"
    sort "$WORK/stubbed" | while read -r so n size importers; do
      printf '  %-26s %4d symbols, %9d bytes left out, imported by %s\n' "$so" "$n" "$size" "$importers"
    done
  fi
  echo "libraries:"
  (cd "$OUT/lib" && ls -p | grep -v /; ls driver | sed 's|^|driver/|')
} >"$OUT/BUNDLE.txt"

raw=$(du -sb "$OUT" | cut -f1)
echo "bundle: $OUT ($((raw / 1048576)) MiB unpacked, ${#KEPT[@]} libraries, ${#STUB[@]} stubs)"
if [[ -n $TAR ]]; then
  mkdir -p "$(dirname "$TAR")"
  TAR=$(readlink -f "$TAR")
  tar -C "$(dirname "$OUT")" -cf - "$(basename "$OUT")" | xz -T0 "-$XZ_LEVEL" >"$TAR.part"
  mv "$TAR.part" "$TAR"
  size=$(stat -c %s "$TAR")
  awk -v t="$TAR" -v s="$size" -v l="$XZ_LEVEL" 'BEGIN { printf "tarball: %s (%d bytes, %.1f MiB, xz -%s)\n", t, s, s / 1048576, l }'
fi
