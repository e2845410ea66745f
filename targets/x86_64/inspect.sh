#!/usr/bin/env bash
# inspect.sh: reads what a strata x86_64 image says about itself.
#   inspect.sh vm IMAGE [MACHINE]   the QEMU command that runs IMAGE, one argument per line:
#                                   the arguments the compiler derived from the description
#                                   (section .strata.vm), with the memory from the linked image
#   inspect.sh audit IMAGE [--json] the compile-time audit report (section .strata.audit[.json])
#                                   followed by the checks of the binary; exit 1 if one fails
# Symbols and debug information are read from IMAGE.debug when it exists.
set -euo pipefail

die() { echo "inspect: $*" >&2; exit 2; }

# Hex to number in awk (Debian's default awk, mawk, has no strtonum).
awk_hex='function hex(s,   i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return v }'


section() {  # section NAME IMAGE: the section's bytes (NULs kept), or nothing if absent
  local tmp
  tmp=$(mktemp)
  if objcopy --dump-section "$1=$tmp" "$2" /dev/null 2>/dev/null; then cat "$tmp"; fi
  rm -f "$tmp"
}

# The memory the image needs: the end of its last loaded segment (it is linked
# at 1 MiB; page tables and stacks are inside it), plus 64 KiB of headroom for
# the boot information QEMU places in RAM, in whole MiB, at least 2 MiB.
memory_of() {
  local end
  end=$(readelf -lW "$1" | awk "$awk_hex"' $1 == "LOAD" { e = hex($3) + hex($6); if (e > max) max = e } END { printf "%d\n", max }')
  local mib=$(( (end + 65536 + 1048575) / 1048576 ))
  [ "$mib" -lt 2 ] && mib=2
  echo "${mib}M"
}

vm() {
  local image=$1 machine=${2:-} args=() a
  [ -f "$image" ] || die "no such image: $image"
  mapfile -d '' args < <(section .strata.vm "$image")
  [ ${#args[@]} -gt 0 ] || die "$image has no .strata.vm section: not a strata image, or one built for the hosted target"
  local memory previous=""
  memory=$(memory_of "$image")
  for a in "${args[@]}"; do
    [ -z "$a" ] && continue
    case "$a" in
      "{memory}") a=$memory ;;
      "{image}") a=$image ;;
      "{net-device},"*)  # virtio-net over MMIO on microvm, over PCI (modern only) on q35
        if [ "${machine:-microvm}" = microvm ]; then a="virtio-net-device${a#\{net-device\}}"
        else a="virtio-net-pci,disable-legacy=on${a#\{net-device\}}"; fi ;;
    esac
    [ "$previous" = "-M" ] && [ -n "$machine" ] && a=$machine
    printf '%s\n' "$a"
    previous=$a
  done
}

# --- the binary checks -------------------------------------------------------
checks=()    # "name|ok|detail" or "name|FAIL|detail"
record() { checks+=("$1|$2|$3"); }

check_wx() {
  local image=$1 bad
  bad=$(readelf -lW "$image" | awk '$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f $i; if (f ~ /W/ && f ~ /E/) print $3 }')
  if [ -n "$bad" ]; then record "wx_segments" FAIL "writable and executable LOAD segment at $bad"; return; fi
  local problems=""
  while read -r name flags; do
    case "$name" in
      .text) [[ $flags == *X* && $flags != *W* ]] || problems+=" .text=$flags" ;;
      .rodata) [[ $flags != *W* && $flags != *X* ]] || problems+=" .rodata=$flags" ;;
      .data|.bss) [[ $flags != *X* ]] || problems+=" $name=$flags" ;;
    esac
  done < <(readelf -SW "$image" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '{ print $1, $(NF-3) }')
  if [ -n "$problems" ]; then record "wx_sections" FAIL "wrong permissions:$problems"; return; fi
  record "wx" ok "no segment is both writable and executable; .text R+X, .rodata R, .data/.bss R+W"
}

check_stack_guard() {
  local syms=$1 guard bottom
  guard=$(awk '$NF == "__stack_guard" { print $1 }' <<<"$syms")
  bottom=$(awk '$NF == "__stack_bottom" { print $1 }' <<<"$syms")
  if [ -z "$guard" ] || [ -z "$bottom" ]; then record "stack_guard" FAIL "no __stack_guard/__stack_bottom symbols"; return; fi
  local size=$(( 16#$bottom - 16#$guard ))
  if [ $((16#$guard % 4096)) -ne 0 ] || [ "$size" -lt 4096 ]; then
    record "stack_guard" FAIL "the guard below the stack is not a whole page (0x$guard, $size bytes)"; return
  fi
  record "stack_guard" ok "a $size-byte guard page at 0x$guard, unmapped at boot, below the stack"
}

check_stack_protector() {  # the image has no symbols: __stack_chk_fail's address comes from the .debug file
  local image=$1 debug=$2 fail calls
  fail=$(nm "$debug" 2>/dev/null | awk '$3 == "__stack_chk_fail" { sub(/^0+/, "", $1); print $1 }')
  calls=0
  [ -n "$fail" ] && calls=$(objdump -d --no-show-raw-insn "$image" | grep -cE "call +(0x)?0*$fail( |$)" || true)
  if [ "$calls" -eq 0 ]; then record "stack_protector" FAIL "no function calls __stack_chk_fail: built without -fstack-protector"; return; fi
  record "stack_protector" ok "$calls functions check their stack canary"
}

library_rows() {  # component, runtime, header, present: one line each, tab-separated
  grep -o '{"component": "[^"]*", "runtime": "[^"]*", "header": "[^"]*", "present": [a-z]*}' <<<"$1" |
    sed 's/{"component": "\([^"]*\)", "runtime": "\([^"]*\)", "header": "\([^"]*\)", "present": \([a-z]*\)}/\1\t\2\t\3\t\4/'
}

check_absent() {  # absent library components must leave no symbol and no debug information
  local json=$1 syms=$2 debug=$3 found="" component runtime header present short names
  names=$(readelf --debug-dump=info "$debug" 2>/dev/null | sed -n 's/.*DW_AT_name *: \(([^)]*): \)\{0,1\}//p')  # DWARF 4 and 5 string forms
  while IFS=$'\t' read -r component runtime header present; do
    [ "$present" = false ] || continue
    short=${runtime##*::}
    if grep -qF "$runtime" <<<"$syms"; then found+=" $runtime (symbol)"; fi
    if grep -qE "^$short(<|$)" <<<"$names"; then found+=" $short (debug information)"; fi
  done < <(library_rows "$json")
  if [ -n "$found" ]; then record "absent_components" FAIL "code of components not in the description:$found"; return; fi
  record "absent_components" ok "nothing of the strata components left out of the description"
}

present_headers() {  # header, then the name of the component of the description that uses it
  local component runtime header present name
  while IFS=$'\t' read -r component runtime header present; do
    [ "$present" = true ] || continue
    # A component's entry (name, then runtime), not the document's own name.
    name=$(grep -o "\"name\": \"$component[^\"]*\", \"runtime\"" <<<"$1" | head -1 |
           sed 's/"name": "\([^"]*\)", "runtime"/\1/')
    printf '%s\t%s\n' "$header" "${name:-$component}"
  done < <(library_rows "$1")
}

# Code bytes per component: every instruction is attributed to the source
# file the line table gives for it (inlined code keeps its own file), and
# files to components: a library component's header, the unikernel's own
# source for its apps, fmt, the C++ library, the target, the core.
sizes() {
  local image=$1 debug=$2 json=$3 apps
  apps=$({ grep -o '"name": "app<[^"]*"' <<<"$json" || true; } | sed 's/"name": "\(.*\)"/\1/' | paste -sd' ' -)
  objdump -d --no-show-raw-insn "$image" | awk '/^ *[0-9a-f]+:\t/ { sub(":", "", $1); print "0x" $1 }' >"$scratch/addresses"
  addr2line -e "$debug" <"$scratch/addresses" | paste "$scratch/addresses" - |
    awk -v library="$(present_headers "$json")" \
        -v apps="${apps:-(app)}" "$awk_hex"'
      BEGIN { n = split(library, rows, "\n"); for (i = 1; i <= n; i++) { split(rows[i], f, "\t"); hdr[i] = f[1]; who[i] = f[2] } }
      function owner(file,   i) {
        for (i = 1; i <= n; i++) if (hdr[i] != "" && index(file, "include/" hdr[i]) > 0) return who[i]
        if (file ~ /\/fmt\// || file ~ /strata\/(format|detail\/fmt)\.hpp/) return "(fmt, console formatting)"
        if (file ~ /targets\/x86_64\//) return "(target: boot, traps, platform)"
        if (file ~ /include\/strata\//) return "(strata core: system, event loop)"
        if (file ~ /\/c\+\+\// || file ~ /\/usr\/include\//) return "(C++ library)"
        if (file ~ /^\?\?/) return "(no line information: assembly, libgcc)"
        return apps
      }
      { address = hex($1); file = $2; sub(/:[0-9?]+( \(discriminator [0-9]+\))?$/, "", file)
        if (NR > 1) bytes[owner(previous_file)] += address - previous; previous = address; previous_file = file }
      END { for (o in bytes) printf "  %-40s %7d B\n", o, bytes[o] }' | sort
}

audit() {
  local image=$1 format=${2:-text}
  [ -f "$image" ] || die "no such image: $image"
  local debug=$image
  [ -f "${image%.elf}.debug" ] && debug=${image%.elf}.debug
  local text json syms
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  text=$(section .strata.audit "$image" | tr -d '\0')
  json=$(section .strata.audit.json "$image" | tr -d '\0')
  [ -n "$json" ] || die "$image has no .strata.audit sections: not a strata image"
  syms=$(nm -S -C -l --defined-only "$debug" 2>/dev/null || true)
  [ -n "$syms" ] || die "no symbols in $debug: keep the .debug file beside the image"

  check_wx "$image"
  check_stack_guard "$syms"
  check_stack_protector "$image" "$debug"
  check_absent "$json" "$syms" "$debug"
  local failed=0 c
  for c in "${checks[@]}"; do [[ $c == *"|FAIL|"* ]] && failed=1; done

  local file_size loaded memory
  file_size=$(stat -c %s "$image")
  loaded=$(readelf -lW "$image" | awk "$awk_hex"' $1 == "LOAD" { f += hex($5); m += hex($6) } END { printf "%d %d\n", f, m }')
  memory=$(memory_of "$image")

  if [ "$format" = json ]; then
    printf '%s, "binary": {"file_bytes": %s, "loaded_file_bytes": %s, "loaded_memory_bytes": %s, "memory": "%s", "checks": [' \
      "${json%\}*}" "$file_size" "${loaded% *}" "${loaded#* }" "$memory"
    local first=1 name status detail
    for c in "${checks[@]}"; do
      IFS='|' read -r name status detail <<<"$c"
      [ $first -eq 1 ] || printf ', '
      first=0
      printf '{"check": "%s", "ok": %s, "detail": "%s"}' "$name" "$([ "$status" = ok ] && echo true || echo false)" "${detail//\"/\\\"}"
    done
    printf ']}}\n'
  else
    printf '%s\n\n== binary (%s)\n' "$text" "$image"
    printf '  file %s B; loaded %s B from the file, %s B in memory; runs in -m %s\n' \
      "$file_size" "${loaded% *}" "${loaded#* }" "$memory"
    printf '\n== code by component (instructions, by the source file of each)\n'
    sizes "$image" "$debug" "$json"
    printf '\n== checks\n'
    local name status detail
    for c in "${checks[@]}"; do
      IFS='|' read -r name status detail <<<"$c"
      printf '  %-18s %-4s %s\n' "$name" "$status" "$detail"
    done
  fi
  return $failed
}

case "${1:-}" in
  vm) shift; [ $# -ge 1 ] || die "usage: inspect.sh vm IMAGE [MACHINE]"; vm "$@" ;;
  audit) shift; [ $# -ge 1 ] || die "usage: inspect.sh audit IMAGE [--json]"
         image=$1; fmt=text; [ "${2:-}" = --json ] && fmt=json; audit "$image" "$fmt" ;;
  *) die "usage: inspect.sh vm IMAGE [MACHINE] | inspect.sh audit IMAGE [--json]" ;;
esac
