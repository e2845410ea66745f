#!/usr/bin/env bash
# Instructions per UDP echo, Strata's stack against lwIP (Debian's liblwip),
# counted by callgrind over the same frames in the same run (docs/bench.md).
#   bench/udp_echo/run.sh                          64- and 1024-byte payloads, 10,000 echoes each
#   bench/udp_echo/run.sh --payloads "18 64 512 1472" --count 20000
#   bench/udp_echo/run.sh --top 15 --keep          longer profile, keep the callgrind files
# Options: --payloads "N ...", --count N (measured echoes), --warmup N,
# --top K (lines of each profile shown, 0: none), --out DIR, --keep.
# Exit: 0 when every harness echoed and was counted; 1 when a harness did not
# echo (its reason is printed); 2 on a usage error or a missing tool.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

payloads="64 1024" count=10000 warmup=200 top=12 keep=0 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --payloads) payloads=${2:?--payloads needs sizes}; shift 2 ;;
    --count) count=${2:?--count needs a number}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a number}; shift 2 ;;
    --top) top=${2:?--top needs a number}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; keep=1; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "udp_echo bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in $payloads $count $warmup $top; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "udp_echo bench: '$n' is not a number" >&2; exit 2; }
done

# --- what the bench needs -------------------------------------------------------
missing=()
command -v g++ >/dev/null || missing+=("g++ (apt-get install g++)")
command -v valgrind >/dev/null || missing+=("valgrind (apt-get install valgrind)")
command -v callgrind_annotate >/dev/null || missing+=("callgrind_annotate (apt-get install valgrind)")
[ -f /usr/include/valgrind/callgrind.h ] || missing+=("valgrind/callgrind.h (apt-get install valgrind)")
[ -f /usr/include/lwip/lwip/init.h ] || missing+=("lwIP headers (apt-get install liblwip-dev)")
ls /usr/lib/*/liblwip.so >/dev/null 2>&1 || missing+=("liblwip.so (apt-get install liblwip-dev)")
[ -f /usr/include/hwy/highway.h ] || missing+=("Highway headers (apt-get install libhwy-dev)")
[ -d /usr/include/boost/hana ] || missing+=("Boost.Hana headers (apt-get install libboost-dev)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "udp_echo bench: missing:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "  (./strata bench udp installs them)" >&2
  exit 2
fi

if [ -z "$out" ]; then out=$(mktemp -d "${TMPDIR:-/tmp}/strata-udp-echo.XXXXXX"); fi
mkdir -p "$out"
[ $keep -eq 1 ] || trap 'rm -rf "$out"' EXIT

# --- build ---------------------------------------------------------------------------
# One compiler for all three, -O2 as Strata's hosted build (RelWithDebInfo:
# -O2 -g; -g only lets callgrind name source lines). "image" adds the code
# generation flags of the x86_64 image (targets/x86_64/target.cmake), under
# which Highway's static target is AVX2 instead of the baseline's SSE2.
# lwIP's own code is Debian's prebuilt library whatever these flags say.
common=(-std=c++20 -O2 -g -Wall -Wextra -Werror)
image_flags=(-march=x86-64-v3 -mpclmul -maes)
cxx=g++
echo "building in $out ..."
"$cxx" "${common[@]}" -I"$root/include" "$here/strata_echo.cpp" -o "$out/strata_hosted"
"$cxx" "${common[@]}" "${image_flags[@]}" -I"$root/include" "$here/strata_echo.cpp" -o "$out/strata_image"
# -isystem: lwIP's headers are not ours to keep warning-free.
"$cxx" "${common[@]}" -isystem /usr/include/lwip "$here/lwip_echo.cpp" -o "$out/lwip" -llwip

lwip_pkg=$(dpkg-query -W -f='${Version}' liblwip0 2>/dev/null || echo "?")
lwip_so=$(readlink -f "$(ls /usr/lib/*/liblwip.so | head -1)")
asserts="no"
grep -aq 'Assertion "%s" failed' "$lwip_so" && asserts="yes (LWIP_ASSERT compiled in)"
echo
echo "compiler:   $("$cxx" --version | head -1)"
echo "strata:     headers of $root/include; hosted flags: ${common[*]}; image flags: + ${image_flags[*]}"
echo "lwip:       Debian liblwip0 $lwip_pkg ($lwip_so), harness built with: ${common[*]}"
echo "            $("$out/lwip" --about)"
echo "            asserts in the library: $asserts"
echo "counted by: $(valgrind --version) --tool=callgrind --collect-atstart=no; the harness turns collection on"
echo "            around the $count measured echoes only (after the ARP exchange and $warmup checked warm-up echoes)"
echo

# --- measure ---------------------------------------------------------------------------
# Ir of the measured loop: callgrind's "summary:" line (collection is off
# outside the loop).
measure() {  # measure <binary name> <payload>: prints Ir per echo
  local bin=$1 payload=$2 file="$out/$1-$2.callgrind"
  if ! valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$file" \
       "$out/$bin" --payload "$payload" --count "$count" --warmup "$warmup" >"$out/$bin-$payload.log" 2>&1; then
    echo "udp_echo bench: the $bin harness failed at $payload bytes:" >&2
    grep -v '^==' "$out/$bin-$payload.log" >&2 || cat "$out/$bin-$payload.log" >&2
    return 1
  fi
  local ir
  ir=$(awk '/^summary:/ {print $2}' "$file")
  [ -n "$ir" ] && [ "$ir" -gt 0 ] || { echo "udp_echo bench: no count in $file" >&2; return 1; }
  awk -v ir="$ir" -v n="$count" 'BEGIN { printf "%.1f", ir / n }'
}

rows=()
failed=0
for p in $payloads; do
  s_hosted=$(measure strata_hosted "$p") || { failed=1; continue; }
  s_image=$(measure strata_image "$p") || { failed=1; continue; }
  l=$(measure lwip "$p") || { failed=1; continue; }
  rows+=("$p $s_hosted $s_image $l")
done
[ $failed -eq 0 ] || exit 1

printf '%-9s %16s %16s %14s %16s %16s\n' "payload" "strata Ir/echo" "strata Ir/echo" "lwip Ir/echo" "ratio" "ratio"
printf '%-9s %16s %16s %14s %16s %16s\n' "(bytes)" "(hosted flags)" "(image flags)" "" "(hosted/lwip)" "(image/lwip)"
for r in "${rows[@]}"; do
  read -r p a b c <<<"$r"
  awk -v p="$p" -v a="$a" -v b="$b" -v c="$c" \
    'BEGIN { printf "%-9s %16.1f %16.1f %14.1f %16.2f %16.2f\n", p, a, b, c, a / c, b / c }'
done
echo
echo "markdown:"
echo
echo "| payload (B) | Strata Ir/echo, hosted flags | Strata Ir/echo, image flags | lwIP Ir/echo | ratio hosted/lwIP | ratio image/lwIP | target <= 0.5 (hosted) |"
echo "|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  read -r p a b c <<<"$r"
  awk -v p="$p" -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
    printf "| %s | %.1f | %.1f | %.1f | %.2f | %.2f | %s |\n", p, a, b, c, a / c, b / c, (a / c <= 0.5 ? "met" : "missed") }'
done
echo
echo "command: bench/udp_echo/run.sh --payloads \"$payloads\" --count $count --warmup $warmup"

# --- where the instructions go ------------------------------------------------------------
# For the largest payload. Strata by source line (its functions are mostly
# inlined into a few, so lines say more than names), then both by function
# (Debian's lwIP has no debug information: names only). Ir per echo.
# (`|| true`: head closes the pipe early, which pipefail would count as a failure.)
profile_lines() {  # profile_lines <callgrind file>
  callgrind_annotate --auto=yes --show-percs=no --threshold=100 "$1" 2>/dev/null |
    awk -v n="$count" -v root="$root/" '
      /^-- Auto-annotated source:/ { f = $4; sub(root, "", f) }
      /^ *[0-9][0-9,]* +[^ =]/ && f != "" {
        v = $1; gsub(",", "", v); line = $0; sub(/^ *[0-9,]+ +/, "", line); gsub(/^[ \t]+/, "", line)
        if (line !~ /^=>/ && line !~ /events annotated/) printf "%10.1f  %s: %s\n", v / n, f, substr(line, 1, 100) }' |
    sort -rn | head -n "$top" || true
}
profile_functions() {  # profile_functions <callgrind file>; template arguments and parameters elided
  callgrind_annotate --show-percs=no --threshold=100 "$1" 2>/dev/null |
    sed -n '/file:function/,$p' | tail -n +3 |
    ROOT="$root/" COUNT="$count" perl -ne 'if (/^\s*([\d,]+)\s+(.*)$/) { ($v, $f) = ($1, $2); $v =~ s/,//g;
        1 while $f =~ s/<[^<>]*>//g; $f =~ s/\(anonymous namespace\)/(anon)/g; $f =~ s/\([^()]*\)//g;
        $f =~ s/ \[[^\]]*\]//g; $f =~ s/^\Q$ENV{ROOT}\E//; printf "%10.1f  %s\n", $v / $ENV{COUNT}, substr($f, 0, 120) }' |
    head -n "$top" || true
}
if [ "$top" -gt 0 ]; then
  last=$(echo $payloads | awk '{print $NF}')
  echo
  echo "strata (hosted flags) at $last bytes, top $top source lines, Ir per echo:"
  profile_lines "$out/strata_hosted-$last.callgrind"
  echo
  echo "strata (hosted flags) at $last bytes, top $top functions (self), Ir per echo:"
  profile_functions "$out/strata_hosted-$last.callgrind"
  echo
  echo "lwip at $last bytes, top $top functions (self), Ir per echo:"
  profile_functions "$out/lwip-$last.callgrind"
fi
[ $keep -eq 1 ] && echo && echo "callgrind files kept in $out"
exit 0
