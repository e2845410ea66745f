# What the benches that boot a strata image next to Linux guests share,
# sourced by bench/net-boot.sh and bench/http/run.sh: messages, the scratch
# directory and the harness's lifetime, the image (built, found, copied), its
# QEMU command, and the report's common facts. They call, in this order:
#   bench_init NAME SCRIPT "$@"   messages as "NAME: ...", the command line
#                           (SCRIPT and its arguments), the start time and load
#   bench_need TOOL...      each tool on PATH, python3 >= 3.9
#   bench_scratch PREFIX    $scratch, removed on exit unless keep=1
#   bench_image IMAGE TARGET...   $elf and $name (below)
#   bench_vm_command PROTO PORT   $scratch/strata.cmd, $strata_memory
#   bench_report_sets       set_args for the harness's report
# Expects root, build_dir, do_build, keep, machine and (for the report)
# strata_addr, linux_memory, linux_append to be set by the caller.
# shellcheck shell=bash disable=SC2154,SC2034  # those, and what is set here for the caller

bench_init() {
  bench_name=$1 command_line=$2
  shift 2
  [ $# -eq 0 ] || command_line+=$(printf ' %q' "$@")
  t_bench_start=$EPOCHREALTIME
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
}
die() { echo "$bench_name: $*" >&2; exit 2; }
note() { echo "$bench_name: $*" >&2; }

bench_need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (./strata setup installs what the benches need)"
  done
  python3 -c 'import os; os.pidfd_open' 2>/dev/null || die "python3 >= 3.9 needed (os.pidfd_open)"
}

bench_scratch() {
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  harness_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM HUP
}
bench_cleanup() {
  # The harness kills its QEMU (and wrk) by PID when it gets SIGTERM.
  if [ -n "$harness_pid" ]; then kill "$harness_pid" 2>/dev/null || true; wait "$harness_pid" 2>/dev/null || true; fi
  if [ "$keep" -eq 1 ]; then note "scratch directory kept: $scratch"; else rm -rf "$scratch"; fi
}

# bench_harness SCRIPT ARGS...: python3 SCRIPT ARGS in the background, so that
# a signal to the bench reaches it (through bench_cleanup) at once, not after
# it finishes.
bench_harness() {
  local rc=0
  python3 "$@" & harness_pid=$!
  wait "$harness_pid" || rc=$?
  harness_pid=""
  return $rc
}

# bench_build TARGET...: the targets built in build_dir, configured first if
# it is not (as ./strata build configures build/gcc).
bench_build() {
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    note "configuring $build_dir"
    CC=gcc CXX=g++ cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DSTRATA_WERROR=OFF --log-level=WARNING >"$scratch/build.log" 2>&1 \
      || { tail -n 20 "$scratch/build.log" >&2; die "cannot configure $build_dir"; }
  fi
  note "building $* in $build_dir"
  cmake --build "$build_dir" -j "$(nproc)" --target "$@" >>"$scratch/build.log" 2>&1 \
    || { tail -n 30 "$scratch/build.log" >&2; die "cannot build $* (log above)"; }
}

# bench_find_elf NAME: NAME.elf in build_dir, or nothing.
bench_find_elf() {
  find "$build_dir" -name "$1.elf" -type f -not -path '*/CMakeFiles/*' 2>/dev/null | head -n 1
}

# bench_image IMAGE [TARGET...]: the image measured, as $elf (a copy in the
# scratch directory: a rebuild meanwhile cannot change what is measured) and
# $name. IMAGE is an .elf path, or a target's name in build_dir, built there
# (with the TARGETs, default IMAGE) unless do_build=0. With IMAGE empty,
# bench_pick_image (the caller's) names it after the build.
bench_image() {
  local image=$1
  shift
  if [[ $image == *.elf ]]; then
    elf=$(realpath "$image" 2>/dev/null) || die "no such image '$image'"
    [ -f "$elf" ] || die "no such image '$image'"
  else
    if [ "$do_build" -eq 1 ]; then
      if [ $# -gt 0 ]; then bench_build "$@"; else bench_build "$image"; fi
    fi
    [ -n "$image" ] || image=$(bench_pick_image)
    elf=$(bench_find_elf "$image")
    [ -n "$elf" ] || die "no image $image.elf under $build_dir (build it, or check --build-dir)"
  fi
  name=$(basename "$elf" .elf)
  cp "$elf" "$scratch/$name.elf"
  elf="$scratch/$name.elf"
}

# bench_vm_command PROTO PORT: the image's QEMU command (derived from its
# type by targets/x86_64/inspect.sh), one argument a line, with {port} for
# the host side of its PROTO PORT forward (the harness picks a free port per
# boot) and {memory} for -m, in $scratch/strata.cmd; its own -m in
# $strata_memory. The Linux guests get the same command with their kernel
# (with_kernel, bench/linux-guest.sh), so QEMU sets up the same machine,
# devices and user network for all.
bench_vm_command() {
  local proto=$1 port=$2
  "$root/targets/x86_64/inspect.sh" vm "$elf" "$machine" >"$scratch/image.cmd" || die "cannot read the VM command of $elf"
  grep -q "hostfwd=$proto:127\.0\.0\.1:0-:$port\b" "$scratch/image.cmd" \
    || die "$name has no ${proto^^} port $port forward in its command"
  strata_memory=$(awk 'prev == "-m" { print; exit } { prev = $0 }' "$scratch/image.cmd")
  [ -n "$strata_memory" ] || die "no -m in the command of $name"
  sed -e "s/hostfwd=$proto:127\.0\.0\.1:0-:$port\b/hostfwd=$proto:127.0.0.1:{port}-:$port/" \
      -e '/^-m$/{n;s/.*/{memory}/}' "$scratch/image.cmd" >"$scratch/strata.cmd"
}

# bench_grid MAX_MIB: the -m values (KiB) the smallest-memory search tries:
# 256 KiB steps up to 4 MiB, then 1 MiB steps up to MAX_MIB.
bench_grid() { { seq 256 256 4096; seq 5120 1024 $(($1 * 1024)); } | paste -sd, -; }

# bench_report_sets: set_args, the --set arguments every report takes: when,
# where, how it was run, and the image's sizes.
bench_report_sets() {
  local load_filesz=0 type fsz total
  strip -o "$scratch/$name.stripped" "$elf"
  while read -r type _ _ _ fsz _; do
    [ "$type" = LOAD ] || continue
    load_filesz=$((load_filesz + fsz))  # readelf prints 0x... hex
  done < <(readelf -lW "$elf")
  total=$(awk -v a="$t_bench_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
  set_args=(
    --set "date=$(date -u '+%Y-%m-%d %H:%M UTC')" --set "machine=$machine" --set "command=$command_line"
    --set "load_start=$load_start" --set "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" --set "total_s=$total"
    --set "qemu=$(qemu-system-x86_64 --version | head -n 1 | sed 's/^QEMU emulator version //')"
    --set "cpu=$(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))"
    --set "image=$name" --set "image_addr=$strata_addr" --set "image_memory=$strata_memory"
    --set "linux_memory=$linux_memory" --set "linux_append=$linux_append"
    --set "size_image=$(stat -c %s "$elf")" --set "size_image_stripped=$(stat -c %s "$scratch/$name.stripped")"
    --set "size_image_load=$load_filesz"
  )
}
