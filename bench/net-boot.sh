#!/usr/bin/env bash
# Boot-to-first-echo benchmark: strata's UDP echo image, the null image
# (QEMU's floor) and a Linux guest doing the same job, under the same QEMU.
#
#   bench/net-boot.sh [--runs N] [--machine microvm|q35] [--image NAME|PATH]
#                     [--build-dir DIR] [--no-build] [--no-memory]
#                     [--linux-memory SIZE] [--timeout S] [--cache-dir DIR]
#                     [--rebuild-guest] [--keep]
#
#   --runs N            timed boots of each guest (default 20), interleaved
#   --machine M         microvm (default) or q35
#   --image NAME|PATH   the strata image: a target's name (udp_echo, net_echo)
#                       looked up in the build directory, or an .elf path.
#                       Default: udp_echo once it gets its address by DHCP
#                       (its image holds the "dhcp: bound" line), else net_echo
#                       (static 10.0.2.15, what QEMU user networking expects)
#   --build-dir DIR     where the images are (default build/gcc); built there
#                       (only the images this bench needs) unless --no-build
#   --no-build          use the images as they are
#   --no-memory         skip the search for the smallest -m that still answers
#   --linux-memory SIZE -m of the Linux guest in the timed runs (default 128M)
#   --timeout S         kill a QEMU run (by PID) after S seconds; the run
#                       counts as failed (default 60)
#   --cache-dir DIR     where the Linux guest is kept between runs (default
#                       ${XDG_CACHE_HOME:-~/.cache}/strata/net-boot)
#   --rebuild-guest     build the Linux guest again even if it is cached
#   --keep              keep the scratch directory (commands, logs, raw times)
#
# Measures QEMU launch -> DHCP lease (the guest's "dhcp: bound" console line)
# and QEMU launch -> first UDP echo answered, with bench/net-boot.py, for the
# strata image and a Linux guest (Debian's cloud kernel + a busybox-static
# initramfs, built here from Debian packages by bench/linux-guest.sh), and launch ->
# exit for the null image; then the smallest -m at which each echo guest still
# answers, and the sizes of the images. See docs/bench.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench="$root/bench"

# shellcheck source=bench/common.sh
. "$bench/common.sh"
bench_init net-boot.sh bench/net-boot.sh "$@"

runs=20 machine=microvm image="" build_dir="" do_build=1 do_memory=1 linux_memory=128M
timeout=60 cache_dir="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/strata/net-boot" rebuild_guest=0 keep=0
marker="dhcp: bound"

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --machine) machine=${2:?--machine needs microvm or q35}; shift 2 ;;
    --image) image=${2:?--image needs a name or a path}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --no-memory) do_memory=0; shift ;;
    --linux-memory) linux_memory=${2:?--linux-memory needs a size}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
    --cache-dir) cache_dir=${2:?--cache-dir needs a directory}; shift 2 ;;
    --rebuild-guest) rebuild_guest=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see bench/net-boot.sh --help)" ;;
  esac
done
if ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ]; then die "--runs takes a positive number"; fi
[[ $timeout =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--timeout takes seconds"
[[ $linux_memory =~ ^[0-9]+[MG]$ ]] || die "--linux-memory takes a size like 128M"
case "$machine" in microvm|q35) ;; *) die "unknown machine '$machine'; use microvm or q35" ;; esac
[ -n "$build_dir" ] || build_dir="$root/build/gcc"
build_dir=$(realpath -m "$build_dir")

bench_need qemu-system-x86_64 python3 gcc as ld strip readelf objcopy apt-get apt-cache dpkg-deb cpio gzip sha256sum
bench_scratch strata-net-boot
harness() { bench_harness "$bench/net-boot.py" "$@"; }

# --- the strata image -----------------------------------------------------------
# udp_echo once its DHCP client has landed; until then it has a static
# 10.0.0.2 that QEMU user networking cannot reach, and net_echo stands in.
bench_pick_image() {
  local udp
  udp=$(bench_find_elf udp_echo)
  if [ -n "$udp" ] && grep -qaF "$marker" "$udp"; then echo udp_echo; else echo net_echo; fi
}
if [ -n "$image" ]; then bench_image "$image"; else bench_image "" udp_echo net_echo; fi
# An image that holds the lease line gets its address by DHCP: probes start at
# that line (see bench/net-boot.py on why), and the lease column is measured.
if grep -qaF "$marker" "$elf"; then strata_kind=dhcp-echo strata_addr="DHCP"; else strata_kind=echo strata_addr="static address"; fi

as --64 -o "$scratch/null.o" "$bench/null/null.S" || die "cannot assemble bench/null/null.S"
ld -m elf_x86_64 -n -T "$bench/null/null.ld" --build-id=none -z noexecstack \
  -o "$scratch/null.elf" "$scratch/null.o" || die "cannot link the null image"
strip -s "$scratch/null.elf"

# --- the Linux guest -----------------------------------------------------------
# Debian's cloud kernel and busybox-static (bench/linux-guest.sh), serving
# UDP echo with bench/net-guest/udp-echo.c as its /etc/serve.
# shellcheck source=bench/linux-guest.sh
. "$bench/linux-guest.sh"
linux_guest_packages
kpkg=$lg_kpkg
guest="$cache_dir/$kpkg-$(linux_guest_key)"

build_guest() {
  local work="$scratch/guest" r="$scratch/guest/root"
  note "building the Linux guest ($kpkg $lg_kver, busybox-static $lg_bbver) in $guest"
  linux_guest_fetch "$work" "$kpkg" busybox-static
  linux_guest_root "$work" "$r"
  gcc -static -Os -s -Wall -o "$r/bin/udp-echo" "$bench/net-guest/udp-echo.c" \
    || die "cannot build bench/net-guest/udp-echo.c statically (libc6-dev has libc.a)"
  ln -s /bin/udp-echo "$r/etc/serve"
  linux_guest_pack "$r" "$work/initramfs.gz"
  mkdir -p "$guest"
  cp "$lg_kimg" "$guest/vmlinuz"; cp "$work/initramfs.gz" "$guest/initramfs.gz"
  linux_guest_info "$r" >"$guest/info"
}
if [ $rebuild_guest -eq 1 ] || [ ! -f "$guest/info" ]; then build_guest; else note "Linux guest from the cache: $guest"; fi

# --- the commands ----------------------------------------------------------------
# The image's own command (what ./strata run uses; bench/common.sh), the null
# image's and the Linux guest's: the same with their kernel.
bench_vm_command udp 7
with_kernel "$scratch/strata.cmd" "$scratch/null.elf" >"$scratch/null.cmd"
linux_append=$(linux_guest_append) || exit 2  # the reasons for each option: bench/linux-guest.sh
{ with_kernel "$scratch/strata.cmd" "$guest/vmlinuz"; printf '%s\n' -initrd "$guest/initramfs.gz" -append "$linux_append"; } >"$scratch/linux.cmd"

# --- timed runs ---------------------------------------------------------------------
note "timing $name ($strata_addr), null and the Linux guest, $runs runs each on $machine (+1 warm-up each)"
rc=0
harness time --guest "strata:$strata_kind:$scratch/strata.cmd" --guest "null:exit:$scratch/null.cmd" \
  --guest "linux:dhcp-echo:$scratch/linux.cmd" --memory "strata=$strata_memory" --memory "null=$strata_memory" \
  --memory "linux=$linux_memory" --marker "$marker" --runs "$runs" --timeout "$timeout" --out "$scratch" --progress \
  || rc=$?
[ $rc -le 1 ] || die "the timing harness failed (status $rc)"
failed=$rc

# --- smallest -m ----------------------------------------------------------------------
min_strata=skipped min_linux=skipped
if [ $do_memory -eq 1 ]; then
  note "smallest -m at which each still answers (bisection, one boot per step)"
  # 10 s per strata boot: it answers within a second when it answers at all.
  harness memory --guest "strata:$strata_kind:$scratch/strata.cmd" --grid-kib "$(bench_grid 64)" \
    --marker "$marker" --timeout 10 --out "$scratch" --result "$scratch/min.strata" || true
  harness memory --guest "linux:dhcp-echo:$scratch/linux.cmd" --grid-kib "$(bench_grid 512)" \
    --marker "$marker" --timeout "$timeout" --out "$scratch" --result "$scratch/min.linux" || true
  min_strata=$(cat "$scratch/min.strata" 2>/dev/null || echo none)
  min_linux=$(cat "$scratch/min.linux" 2>/dev/null || echo none)
fi

# --- report ------------------------------------------------------------------------------
bench_report_sets
set_args+=(
  --set "runs=$runs" --set "min_strata=$min_strata" --set "min_linux=$min_linux"
  --set "size_vmlinuz=$(stat -c %s "$guest/vmlinuz")" --set "size_initramfs=$(stat -c %s "$guest/initramfs.gz")"
  --set "size_null=$(stat -c %s "$scratch/null.elf")"
)
while IFS='=' read -r k v; do set_args+=(--set "guest_$k=$v"); done <"$guest/info"
python3 "$bench/net-boot.py" report --out "$scratch" "${set_args[@]}"
[ "$failed" -eq 0 ] || { note "some runs failed (see above)"; exit 1; }
