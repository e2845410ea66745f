#!/usr/bin/env bash
# Boot benchmark of strata: boot time, image size, cold compile time.
#
#   bench/boot.sh [--runs N] [--machine microvm|q35] [--build-dir DIR]
#                 [--no-build] [--no-compile] [--timeout S] [--keep]
#
#   --runs N          boots of each image (default 30), interleaved run by run
#   --machine M       microvm (default) or q35
#   --build-dir DIR   take hello.elf/ticker.elf from DIR and do not build
#                     (default: build/gcc, built with ./strata build)
#   --no-build        do not call ./strata build (use what is in build/gcc)
#   --no-compile      skip the cold-compile measurement
#   --timeout S       kill a QEMU run (by PID) after S seconds; the run counts
#                     as failed (default 30)
#   --keep            keep the scratch directory (harness, null image, logs)
#
# Measures, for samples/hello.cpp's image and for the null image
# (bench/null/null.S, QEMU's floor), QEMU launch -> first serial byte and
# QEMU launch -> QEMU exit, with bench/boot-timer.c (CLOCK_MONOTONIC, fork/exec,
# first read() of QEMU's stdout pipe, SIGCHLD). See docs/bench.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench="$root/bench"
samples=(hello ticker)

runs=30 machine=microvm build_dir="" do_build=1 do_compile=1 timeout=30 keep=0
command_line="bench/boot.sh"
[ $# -eq 0 ] || command_line+=$(printf ' %q' "$@")

die() { echo "boot.sh: $*" >&2; exit 2; }
note() { echo "boot.sh: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --machine) machine=${2:?--machine needs microvm or q35}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; do_build=0; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --no-compile) do_compile=0; shift ;;
    --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see bench/boot.sh --help)" ;;
  esac
done
if ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ]; then die "--runs takes a positive number"; fi
[[ $timeout =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--timeout takes seconds"
case "$machine" in microvm|q35) ;; *) die "unknown machine '$machine'; use microvm or q35" ;; esac
[ -n "$build_dir" ] || build_dir="$root/build/gcc"
build_dir=$(realpath -m "$build_dir")

for tool in qemu-system-x86_64 gcc as ld readelf strip awk sort; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (./strata setup installs what strata needs)"
done
if [ $do_compile -eq 1 ]; then
  for tool in cmake ninja g++; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (or use --no-compile)"
  done
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench.XXXXXX")
cleanup() {
  if [ $keep -eq 1 ]; then note "scratch directory kept: $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

t_bench_start=$EPOCHREALTIME
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- build --------------------------------------------------------------------
if [ $do_build -eq 1 ]; then
  note "building (./strata build, log in the scratch dir)"
  if ! "$root/strata" build >"$scratch/build.log" 2>&1; then
    tail -n 30 "$scratch/build.log" >&2
    keep=1
    die "./strata build failed (log: $scratch/build.log)"
  fi
fi
# Work on copies, so that a rebuild running meanwhile cannot change them.
for s in "${samples[@]}"; do
  [ -f "$build_dir/$s.elf" ] || die "no image $build_dir/$s.elf (build it, or check --build-dir)"
  cp "$build_dir/$s.elf" "$scratch/$s.elf"
done

gcc -O2 -Wall -Wextra -std=c11 -o "$scratch/boot-timer" "$bench/boot-timer.c" \
  || die "cannot compile bench/boot-timer.c"
as --64 -o "$scratch/null.o" "$bench/null/null.S" || die "cannot assemble bench/null/null.S"
ld -m elf_x86_64 -n -T "$bench/null/null.ld" --build-id=none -z noexecstack \
  -o "$scratch/null.elf" "$scratch/null.o" || die "cannot link the null image"
strip -s "$scratch/null.elf"

# --- boot time ----------------------------------------------------------------
# shellcheck disable=SC2054  # the commas are QEMU's
qemu=(qemu-system-x86_64 -M "$machine" -cpu max -m 16M -nodefaults -no-reboot -display none
      -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04)
# (with -nodefaults neither machine prints firmware text on the serial port)

declare -A image=([hello]="$scratch/hello.elf" [null]="$scratch/null.elf")
declare -A expect=([hello]="hello from strata" [null]="N")   # the guest's serial output
sched=""
failed=0

# boot <name> <run label>: one timed boot; appends "first exit" to $scratch/<name>.times
boot() {
  local name=$1 label=$2 line result first exit_ms status policy
  line=$("$scratch/boot-timer" -r -t "$timeout" -o "$scratch/$name.out" -- \
           "${qemu[@]}" -kernel "${image[$name]}" 2>"$scratch/$name.err") || true
  read -r result first exit_ms status _ policy <<<"$line"
  sched=${policy:-?}
  local why=""
  if [ "$result" = timeout ]; then why="timed out after ${timeout}s, killed"
  elif [ "$result" != ok ]; then why="harness error: $(cat "$scratch/$name.err")"
  elif [ "$status" != 1 ]; then why="QEMU status $status, want 1 (isa-debug-exit code 0)"
  elif [ "$first" = - ]; then why="no serial output"
  elif ! grep -qF "${expect[$name]}" "$scratch/$name.out"; then why="serial output lacks '${expect[$name]}'"
  fi
  if [ -n "$why" ]; then
    note "run $label, $name: FAILED: $why"
    sed 's/^/    qemu: /' "$scratch/$name.err" | head -n 5 >&2
    failed=$((failed + 1))
    return 0
  fi
  [ "$label" = warm-up ] || echo "$first $exit_ms" >>"$scratch/$name.times"
}

note "booting hello and null $runs times each on $machine (+1 warm-up each)"
: >"$scratch/hello.times"; : >"$scratch/null.times"
boot null warm-up; boot hello warm-up   # page cache, QEMU's first-run costs; not counted
for ((i = 1; i <= runs; i++)); do
  if ((i % 2)); then boot hello "$i"; boot null "$i"; else boot null "$i"; boot hello "$i"; fi
done
ok_hello=$(wc -l <"$scratch/hello.times"); ok_null=$(wc -l <"$scratch/null.times")
if [ "$ok_hello" -eq 0 ] || [ "$ok_null" -eq 0 ]; then
  die "no successful runs (hello: $ok_hello, null: $ok_null)"
fi

# stats <file> <column>: "median min max" of one column
stats() {
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
# paired <column>: median of the per-run differences hello - null (same run index)
paired() {
  paste -d' ' "$scratch/hello.times" "$scratch/null.times" | awk -v c="$1" 'NF == 4 { print $c - $(c + 2) }' \
    | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
                      printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
read -r h1_med h1_min h1_max <<<"$(stats "$scratch/hello.times" 1)"
read -r h2_med h2_min h2_max <<<"$(stats "$scratch/hello.times" 2)"
read -r n1_med n1_min n1_max <<<"$(stats "$scratch/null.times" 1)"
read -r n2_med n2_min n2_max <<<"$(stats "$scratch/null.times" 2)"
d1=$(awk -v a="$h1_med" -v b="$n1_med" 'BEGIN { printf "%.2f", a - b }')
d2=$(awk -v a="$h2_med" -v b="$n2_med" 'BEGIN { printf "%.2f", a - b }')
dm1=$(awk -v a="$h1_min" -v b="$n1_min" 'BEGIN { printf "%.2f", a - b }')
dm2=$(awk -v a="$h2_min" -v b="$n2_min" 'BEGIN { printf "%.2f", a - b }')
# Paired differences (hello and null of the same run, booted back to back) cancel
# most of the load drift of a shared machine: their median is the headline
# "boot cost". They need every run to have succeeded (the lines stay aligned);
# otherwise the difference of the medians stands in.
if [ $failed -eq 0 ]; then p1=$(paired 1); p2=$(paired 2); cost=$p1 cost_how="median of paired runs"
else p1=n/a; p2=n/a; cost=$d1 cost_how="difference of medians; some runs failed"; fi

# --- sizes --------------------------------------------------------------------
# size <elf>: "file stripped load_filesz load_memsz" in bytes
size_of() {
  local elf=$1 stripped
  stripped="$scratch/$(basename "$1" .elf).stripped"
  strip -o "$stripped" "$elf"
  local type fsz msz fsum=0 msum=0
  while read -r type _ _ _ fsz msz _; do
    [ "$type" = LOAD ] || continue
    fsum=$((fsum + fsz)) msum=$((msum + msz))   # readelf prints 0x... hex
  done < <(readelf -lW "$elf")
  echo "$(stat -c %s "$elf") $(stat -c %s "$stripped") $fsum $msum"
}
declare -A sizes
for s in "${samples[@]}"; do sizes[$s]=$(size_of "$scratch/$s.elf"); done
sizes[null]=$(size_of "$scratch/null.elf")

# --- cold compile -------------------------------------------------------------
# A fresh CMake tree configured as ./strata build configures build/gcc (Ninja,
# RelWithDebInfo, STRATA_WERROR=OFF, g++), so the commands and flags are the
# build's own. Per sample, 3 times: "image" = ninja -t clean <sample>.elf
# (removes the image and every object built for it), then ninja -j1
# <sample>.elf: the sample's TU + the 4 target TUs + the link, one at a time.
# "TU" = delete only the sample's object, rebuild: its TU + the link.
declare -A compile_image compile_tu
if [ $do_compile -eq 1 ]; then
  note "cold compile (g++, fresh CMake tree, -j1, 3 times per sample)"
  ctree="$scratch/compile"
  if ! CC=gcc CXX=g++ cmake -S "$root" -B "$ctree" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DSTRATA_WERROR=OFF >"$scratch/compile.log" 2>&1; then
    tail -n 20 "$scratch/compile.log" >&2; die "cannot configure $ctree"
  fi
  # elapsed <cmd...>: wall time of cmd in ms
  elapsed() {
    local t0=$EPOCHREALTIME
    "$@" >>"$scratch/compile.log" 2>&1 || { tail -n 20 "$scratch/compile.log" >&2; die "failed: $*"; }
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }'
  }
  for s in "${samples[@]}"; do
    : >"$scratch/ci.$s"; : >"$scratch/ct.$s"
    obj=$(find "$ctree/CMakeFiles/$s.dir" -name "$s.cpp.o" 2>/dev/null | head -n 1)
    for _ in 1 2 3; do
      ninja -C "$ctree" -t clean "$s.elf" >/dev/null
      elapsed ninja -C "$ctree" -j1 "$s.elf" >>"$scratch/ci.$s"
      obj=${obj:-$(find "$ctree/CMakeFiles/$s.dir" -name "$s.cpp.o" | head -n 1)}
      [ -f "$obj" ] || die "cannot find the object of samples/$s.cpp in $ctree"
      rm -f "$obj"
      elapsed ninja -C "$ctree" -j1 "$s.elf" >>"$scratch/ct.$s"
    done
    compile_image[$s]=$(sort -g "$scratch/ci.$s" | sed -n 2p)   # median of 3
    compile_tu[$s]=$(sort -g "$scratch/ct.$s" | sed -n 2p)
  done
fi

# --- report -------------------------------------------------------------------
qemu_version=$(qemu-system-x86_64 --version | head -n 1 | sed 's/^QEMU emulator version //')
gxx_version=$(g++ -dumpfullversion 2>/dev/null || echo ?)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
total=$(awk -v a="$t_bench_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
verdict() {  # verdict <value> <limit> -> "met" / "missed by X"
  awk -v v="$1" -v l="$2" -v u="$3" 'BEGIN { if (v <= l) { print "met"; exit }
    d = v - l; if (u == "B") printf "MISSED by %d B (%.1fx the target)\n", d, v / l
    else printf "MISSED by %.2f %s (%.1fx the target)\n", d, u, v / l }'
}

echo
echo "strata boot benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  machine=$machine  runs=$runs (ok: hello $ok_hello, null $ok_null; failed $failed)"
echo "QEMU $qemu_version, TCG, $(nproc) cores ($cpu); g++ $gxx_version; harness scheduling: $sched"
echo "load average at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg); whole bench ${total}s"
echo
printf '%-28s %9s %9s %9s    %9s %9s %9s\n' "ms from QEMU launch" "1st byte" min max "exit" min max
printf '%-28s %9s %9s %9s    %9s %9s %9s\n' "hello (median)" "$h1_med" "$h1_min" "$h1_max" "$h2_med" "$h2_min" "$h2_max"
printf '%-28s %9s %9s %9s    %9s %9s %9s\n' "null  (median)" "$n1_med" "$n1_min" "$n1_max" "$n2_med" "$n2_min" "$n2_max"
printf '%-28s %9s %9s %9s    %9s\n' "hello - null (of medians)" "$d1" "" "" "$d2"
printf '%-28s %9s %9s %9s    %9s\n' "hello - null (of minimums)" "$dm1" "" "" "$dm2"
printf '%-28s %9s %9s %9s    %9s\n' "hello - null (paired, med.)" "$p1" "" "" "$p2"
echo
printf '%-12s %12s %12s %14s %14s\n' "bytes" "on disk" "stripped" "LOAD filesz" "LOAD memsz"
for s in "${samples[@]}" null; do
  read -r f st lf lm <<<"${sizes[$s]}"
  printf '%-12s %12s %12s %14s %14s\n' "$s.elf" "$f" "$st" "$lf" "$lm"
done
if [ $do_compile -eq 1 ]; then
  echo
  printf '%-12s %26s %26s\n' "g++ ms" "image from scratch (-j1)" "sample TU + link"
  for s in "${samples[@]}"; do printf '%-12s %26s %26s\n' "$s" "${compile_image[$s]}" "${compile_tu[$s]}"; done
fi

read -r hf hst _ _ <<<"${sizes[hello]}"
echo
echo "## Results ($(date -u '+%Y-%m-%d'), QEMU $qemu_version TCG, $machine, $runs runs, g++ $gxx_version)"
echo
echo "Command: \`$command_line\` (load average at start: $load_start; ${total}s)"
echo
echo "| metric, ms (median of $runs; min-max) | hello | null | hello - null (ms) |"
echo "|---|---|---|---|"
echo "| QEMU launch -> first serial byte | $h1_med ($h1_min-$h1_max) | $n1_med ($n1_min-$n1_max) | paired $p1; of medians $d1; of minimums $dm1 |"
echo "| QEMU launch -> QEMU exit | $h2_med ($h2_min-$h2_max) | $n2_med ($n2_min-$n2_max) | paired $p2; of medians $d2; of minimums $dm2 |"
echo
echo "| image | on disk (B) | stripped (B) | LOAD filesz (B) | LOAD memsz (B) | cold g++, image from scratch -j1 (ms) | cold g++, sample TU + link (ms) |"
echo "|---|---|---|---|---|---|---|"
for s in "${samples[@]}" null; do
  read -r f st lf lm <<<"${sizes[$s]}"
  if [ "$s" = null ]; then ci="as+ld" ct="-"; else ci=${compile_image[$s]:-skipped} ct=${compile_tu[$s]:-skipped}; fi
  echo "| $s.elf | $f | $st | $lf | $lm | $ci | $ct |"
done
echo
echo "| target | measured | verdict |"
echo "|---|---|---|"
echo "| boot cost over QEMU floor (hello - null, first serial byte, median) <= 5 ms | $cost ms ($machine, $cost_how) | $(verdict "$cost" 5 ms) |"
echo "| hello image <= 32 KB (32768 B) on disk, as built | $hf B ($(kb "$hf") KiB) | $(verdict "$hf" 32768 B) |"
echo "| hello image <= 32 KB (32768 B) on disk, stripped | $hst B ($(kb "$hst") KiB) | $(verdict "$hst" 32768 B) |"
if [ $do_compile -eq 1 ]; then
  for s in "${samples[@]}"; do
    echo "| cold compile of $s (g++, image from scratch, -j1) <= 10 s | ${compile_image[$s]} ms | $(verdict "${compile_image[$s]}" 10000 ms) |"
  done
fi
[ $failed -eq 0 ] || { note "$failed run(s) failed (see above)"; exit 1; }
