#!/usr/bin/env bash
# HTTP benchmark: strata's hello_http against nginx and busybox httpd in a
# Linux guest, under the same QEMU, with the same client (wrk), in one run.
#
#   bench/http/run.sh [--image NAME|PATH] [--build-dir DIR] [--no-build]
#                     [--machine microvm|q35] [--rounds R] [--duration S]
#                     [--warmup S] [--connections N] [--threads N] [--runs N]
#                     [--no-memory] [--linux-memory SIZE] [--timeout S]
#                     [--cache-dir DIR] [--rebuild-guest] [--keep]
#
#   --image NAME|PATH   the strata image: a target's name looked up in the
#                       build directory, or an .elf path (default hello_http)
#   --build-dir DIR     where the image is (default build/gcc); only the image
#                       is built there, unless --no-build
#   --no-build          use the image as it is
#   --machine M         microvm (default) or q35
#   --rounds R          wrk runs against each server (default 2), each on a
#                       fresh boot, servers interleaved; 0: none
#   --duration S        seconds of each measured wrk run (default 10)
#   --warmup S          seconds of wrk before each measured run, discarded
#                       (default 2)
#   --connections N     wrk -c (default 8; keep-alive, wrk's default)
#   --threads N         wrk -t (default 1)
#   --runs N            boots of each server timed to its first HTTP
#                       response (default 10, plus a warm-up each); 0: none
#   --no-memory         skip the search for the smallest -m that still serves
#   --linux-memory SIZE -m of the Linux guests (default 128M)
#   --timeout S         kill a QEMU that has not answered after S seconds; the
#                       boot counts as failed (default 60)
#   --cache-dir DIR     where the Linux guests are kept between runs (default
#                       ${XDG_CACHE_HOME:-~/.cache}/strata/http)
#   --rebuild-guest     build the Linux guests again even if cached
#   --keep              keep the scratch directory (commands, logs, wrk output)
#
# Every server serves samples/hello_http/site/ on port 80: strata from its
# image, nginx (Debian's package, with its shared libraries) and busybox
# httpd from the initramfs of a Linux guest built here from Debian packages
# (bench/linux-guest.sh, bench/http/guest/). Measured with bench/http/http.py:
# requests/s and latency under wrk, QEMU launch -> first HTTP response, the
# smallest -m that serves; and the sizes of the images. See docs/bench.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=$(dirname "$here")
root=$(dirname "$bench")
site="$root/samples/hello_http/site"
# shellcheck source=bench/common.sh
. "$bench/common.sh"
bench_init "http bench" bench/http/run.sh "$@"

image=hello_http build_dir="" do_build=1 machine=microvm rounds=2 duration=10 warmup=2 connections=8 threads=1
runs=10 do_memory=1 linux_memory=128M timeout=60 rebuild_guest=0 keep=0
cache_dir="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/strata/http"
marker="dhcp: bound"

while [ $# -gt 0 ]; do
  case "$1" in
    --image) image=${2:?--image needs a name or a path}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --machine) machine=${2:?--machine needs microvm or q35}; shift 2 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --duration) duration=${2:?--duration needs seconds}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs seconds}; shift 2 ;;
    --connections) connections=${2:?--connections needs a number}; shift 2 ;;
    --threads) threads=${2:?--threads needs a number}; shift 2 ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --no-memory) do_memory=0; shift ;;
    --linux-memory) linux_memory=${2:?--linux-memory needs a size}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
    --cache-dir) cache_dir=${2:?--cache-dir needs a directory}; shift 2 ;;
    --rebuild-guest) rebuild_guest=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see bench/http/run.sh --help)" ;;
  esac
done
for v in rounds:"$rounds" runs:"$runs" warmup:"$warmup"; do
  [[ ${v#*:} =~ ^[0-9]+$ ]] || die "--${v%%:*} takes a number (0 or more), not '${v#*:}'"
done
for v in duration:"$duration" connections:"$connections" threads:"$threads"; do
  [[ ${v#*:} =~ ^[0-9]+$ ]] && [ "${v#*:}" -ge 1 ] || die "--${v%%:*} takes a positive number, not '${v#*:}'"
done
[ "$threads" -le "$connections" ] || die "--threads ($threads) cannot exceed --connections ($connections): wrk needs a connection per thread"
[[ $timeout =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--timeout takes seconds, not '$timeout'"
[[ $linux_memory =~ ^[0-9]+[MG]$ ]] || die "--linux-memory takes a size like 128M, not '$linux_memory'"
case "$machine" in microvm|q35) ;; *) die "unknown machine '$machine'; use microvm or q35" ;; esac
[ "$rounds" -gt 0 ] || [ "$runs" -gt 0 ] || [ $do_memory -eq 1 ] || die "nothing to measure (--rounds 0, --runs 0 and --no-memory)"
[ -n "$build_dir" ] || build_dir="$root/build/gcc"
build_dir=$(realpath -m "$build_dir")
[ -f "$site/index.html" ] || die "no $site/index.html: the page every server serves"

bench_need qemu-system-x86_64 python3 wrk strip readelf objcopy ldd apt-get apt-cache dpkg-deb cpio gzip sha256sum
bench_scratch strata-http
harness() { bench_harness "$here/http.py" "$@" --page "$site/index.html" --marker "$marker" --out "$scratch"; }

# --- the strata image -------------------------------------------------------------
bench_image "$image"
# An image that holds the lease line gets its address by DHCP: probes start at
# that line (see bench/http/http.py on why).
if grep -qaF "$marker" "$elf"; then strata_kind=dhcp-http strata_addr="DHCP"; else strata_kind=http strata_addr="static address"; fi

# --- the Linux guests -------------------------------------------------------------
# One kernel, two initramfs on the base of bench/linux-guest.sh (busybox,
# /init, DHCP, the virtio modules), each with the site in /www and its
# /etc/serve: busybox httpd (the initramfs's own busybox-static), or nginx
# from Debian's package (downloaded, not installed: installing it on the host
# would start a server there) with the shared libraries it links, copied
# from the host as ldd resolves them (Debian 12 here too), and
# bench/http/guest/nginx.conf.
# shellcheck source=bench/linux-guest.sh
. "$bench/linux-guest.sh"
linux_guest_packages
nginx_ver=$(linux_guest_version nginx)
[ -n "$nginx_ver" ] || die "apt cannot tell the version of nginx"
guest="$cache_dir/$lg_kpkg-$(linux_guest_key "$here/guest/"* "$site/"* <(echo "nginx $nginx_ver"))"

build_guests() {
  local work="$scratch/guest" r lib libs=() pkgs=()
  note "building the Linux guests ($lg_kpkg $lg_kver, busybox-static $lg_bbver, nginx $nginx_ver) in $guest"
  linux_guest_fetch "$work" "$lg_kpkg" busybox-static nginx
  [ -x "$work/nginx/usr/sbin/nginx" ] || die "the nginx package has no /usr/sbin/nginx"

  r="$work/busybox-root"
  linux_guest_root "$work" "$r"
  mkdir -p "$r/www"; cp "$site/"* "$r/www/"
  install -m 644 "$here/guest/httpd.conf" "$r/etc/httpd.conf"
  install -m 755 "$here/guest/serve-busybox" "$r/etc/serve"
  linux_guest_pack "$r" "$work/busybox.gz"
  local busybox_bytes
  busybox_bytes=$(du -sb --apparent-size "$r" | cut -f1)

  r="$work/nginx-root"
  linux_guest_root "$work" "$r"
  mkdir -p "$r/www" "$r/usr/sbin" "$r/etc/nginx" "$r/var/lib/nginx" "$r/var/log/nginx" "$r/run"
  cp "$site/"* "$r/www/"
  cp "$work/nginx/usr/sbin/nginx" "$r/usr/sbin/nginx"
  install -m 644 "$here/guest/nginx.conf" "$r/etc/nginx/nginx.conf"
  install -m 755 "$here/guest/serve-nginx" "$r/etc/serve"
  printf '%s\n' 'root:x:0:0:root:/:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$r/etc/group"
  ldd "$work/nginx/usr/sbin/nginx" >"$work/ldd" 2>&1 || { cat "$work/ldd" >&2; die "ldd cannot read nginx"; }
  ! grep -q 'not found' "$work/ldd" || { cat "$work/ldd" >&2; die "nginx needs libraries this host lacks (apt-get install nginx's dependencies)"; }
  mapfile -t libs < <(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' "$work/ldd")
  [ ${#libs[@]} -gt 0 ] || die "ldd lists no libraries for nginx"
  for lib in "${libs[@]}"; do
    mkdir -p "$r$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
    # The package, for the report (merged /usr: dpkg may know it under /usr).
    pkgs+=("$({ dpkg -S "$lib" || dpkg -S "/usr$lib" || true; } 2>/dev/null | head -n 1 | cut -d: -f1)")
  done
  linux_guest_pack "$r" "$work/nginx.gz"

  mkdir -p "$guest"
  cp "$lg_kimg" "$guest/vmlinuz"; cp "$work/busybox.gz" "$work/nginx.gz" "$guest/"
  {
    linux_guest_info "$r" | grep -v '^initramfs_bytes='
    echo "nginx=nginx $nginx_ver"
    local p
    echo "nginx_libs=$(for p in $(printf '%s\n' "${pkgs[@]}" | sort -u); do
      [ -n "$p" ] && printf '%s %s, ' "$p" "$(dpkg-query -W -f='${Version}' "$p")"; done | sed 's/, $//')"
    echo "nginx_bytes=$(du -sb --apparent-size "$r" | cut -f1)"
    echo "busybox_bytes=$busybox_bytes"
  } >"$guest/info"
}
if [ $rebuild_guest -eq 1 ] || [ ! -f "$guest/info" ]; then build_guests; else note "Linux guests from the cache: $guest"; fi

# --- the commands --------------------------------------------------------------------
# The image's own command (what ./strata run uses; bench/common.sh), and the
# Linux guests': the same with their kernel, initramfs and command line.
bench_vm_command tcp 80
linux_append=$(linux_guest_append) || exit 2  # the reasons for each option: bench/linux-guest.sh
for g in nginx busybox; do
  { with_kernel "$scratch/strata.cmd" "$guest/vmlinuz"
    printf '%s\n' -initrd "$guest/$g.gz" -append "$linux_append"; } >"$scratch/$g.cmd"
done
guests=(--guest "strata:$strata_kind:$scratch/strata.cmd" --guest "nginx:dhcp-http:$scratch/nginx.cmd"
        --guest "busybox:dhcp-http:$scratch/busybox.cmd")
memories=(--memory "strata=$strata_memory" --memory "nginx=$linux_memory" --memory "busybox=$linux_memory")

# --- measurements ----------------------------------------------------------------------
failed=0
if [ "$runs" -gt 0 ]; then
  note "QEMU launch -> first HTTP response: $name ($strata_addr), nginx, busybox httpd; $runs runs each on $machine (+1 warm-up each)"
  rc=0
  harness first "${guests[@]}" "${memories[@]}" --runs "$runs" --timeout "$timeout" --progress || rc=$?
  [ $rc -le 1 ] || die "the harness failed (status $rc)"
  failed=$((failed + rc))
fi
if [ "$rounds" -gt 0 ]; then
  note "wrk -t$threads -c$connections -d${duration}s (after ${warmup}s of warm-up) against each server, $rounds rounds"
  rc=0
  harness load "${guests[@]}" "${memories[@]}" --rounds "$rounds" --duration "$duration" --warmup "$warmup" \
    --connections "$connections" --threads "$threads" --timeout "$timeout" --progress || rc=$?
  [ $rc -le 1 ] || die "the harness failed (status $rc)"
  failed=$((failed + rc))
fi
min=(--set min_strata=skipped --set min_nginx=skipped --set min_busybox=skipped)
if [ $do_memory -eq 1 ]; then
  note "smallest -m at which each still serves (bisection, one boot per step)"
  min=()
  for g in strata nginx busybox; do
    # 10 s per strata boot: it answers within a second when it answers at all.
    if [ $g = strata ]; then t=10 top=64 kind=$strata_kind; else t=$timeout top=512 kind=dhcp-http; fi
    harness memory --guest "$g:$kind:$scratch/$g.cmd" --grid-kib "$(bench_grid $top)" --timeout "$t" \
      --result "$scratch/min.$g" || true
    min+=(--set "min_$g=$(cat "$scratch/min.$g" 2>/dev/null || echo none)")
  done
fi

# --- report -----------------------------------------------------------------------------
bench_report_sets
set_args+=(
  --set "runs=$runs" --set "rounds=$rounds" --set "duration=$duration" --set "warmup=$warmup"
  --set "connections=$connections" --set "threads=$threads" --set "guests=strata,nginx,busybox"
  --set "wrk_version=wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || wrk -v 2>&1 | head -n 1 | cut -d' ' -f2)"
  "${min[@]}" --set "size_vmlinuz=$(stat -c %s "$guest/vmlinuz")"
  --set "size_initramfs_nginx=$(stat -c %s "$guest/nginx.gz")" --set "size_initramfs_busybox=$(stat -c %s "$guest/busybox.gz")"
)
while IFS='=' read -r k v; do set_args+=(--set "guest_$k=$v"); done <"$guest/info"
python3 "$here/http.py" report --out "$scratch" "${set_args[@]}"
[ "$failed" -eq 0 ] || { note "some boots or wrk runs failed (see above)"; exit 1; }
