# bench/linux-guest.sh: the Linux guest the QEMU benches compare strata with,
# sourced by bench/net-boot.sh and bench/http/run.sh (docs/bench.md).
#
# Debian's cloud kernel and busybox-static, taken from Debian's packages with
# apt-get download + dpkg-deb -x (nothing is installed on the host), and an
# initramfs whose /init (bench/net-guest/init) loads the virtio modules
# (bench/net-guest/modules), gets an address by DHCP, prints "dhcp: bound <ip>"
# on the console (bench/net-guest/udhcpc.script) and execs /etc/serve: what
# the guest serves, which each bench adds to the tree.
#
# The caller defines die and note (which print and, for die, exit 2).
#
#   linux_guest_packages            sets lg_kpkg, lg_kver, lg_bbver: the versioned
#                                   kernel package and the versions apt would fetch
#   linux_guest_key FILE...         a short hash of those versions, this file and FILE...
#                                   (what a cached guest was built from)
#   linux_guest_fetch DIR PKG...    apt-get download PKG... into DIR/debs and unpack
#                                   each into DIR/PKG; the kernel package also into
#                                   DIR/kernel (sets lg_kimg, lg_kconfig, lg_kmods)
#   linux_guest_root DIR ROOT       the common tree in ROOT: busybox, /init, the DHCP
#                                   script, the modules (sets lg_modules)
#   linux_guest_pack ROOT OUT       ROOT as a gzip'd newc cpio in OUT
#   linux_guest_info ROOT           the guest's description, KEY=VALUE lines
#   linux_guest_append              the kernel command line
#   with_kernel CMDFILE KERNEL      the QEMU command of CMDFILE (one argument per
#                                   line) with -kernel KERNEL
# shellcheck shell=bash

lg_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lg_files="$lg_dir/net-guest"

linux_guest_packages() {
  # The cloud kernel's metapackage depends on the versioned image package,
  # which is what we download (the metapackage holds no kernel).
  _lg_kernel() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
  }
  lg_kpkg=$(_lg_kernel)
  if [ -z "$lg_kpkg" ]; then
    [ "$(id -u)" -eq 0 ] || die "apt does not know linux-image-cloud-amd64: run apt-get update (as root)"
    note "apt does not know linux-image-cloud-amd64: apt-get update"
    local log
    log=$(apt-get update -qq 2>&1) || { echo "$log" >&2; die "apt-get update failed"; }
    lg_kpkg=$(_lg_kernel)
    [ -n "$lg_kpkg" ] || die "no linux-image-cloud-amd64 in the apt sources"
  fi
  lg_kver=$(linux_guest_version "$lg_kpkg") lg_bbver=$(linux_guest_version busybox-static)
  [ -n "$lg_kver" ] && [ -n "$lg_bbver" ] || die "apt cannot tell the versions of $lg_kpkg and busybox-static"
}

linux_guest_version() {  # the version apt would download of a package
  apt-cache show --no-all-versions "$1" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }'
}

linux_guest_key() {
  { printf '%s %s %s\n' "$lg_kpkg" "$lg_kver" "$lg_bbver"; cat "${BASH_SOURCE[0]}" "$lg_files/"* "$@"; } |
    sha256sum | cut -c1-16
}

linux_guest_fetch() {
  local dir=$1 p log
  shift
  rm -rf "$dir"; mkdir -p "$dir/debs"
  # apt-get download as root warns that its sandbox user cannot write here; harmless.
  log=$(cd "$dir/debs" && apt-get download "$@" 2>&1) || { echo "$log" >&2; die "apt-get download $* failed"; }
  for p in "$@"; do
    dpkg-deb -x "$dir/debs/${p}"_*.deb "$dir/$p" || die "cannot unpack $p"
  done
  lg_kimg=$(ls "$dir/$lg_kpkg/boot/"vmlinuz-* 2>/dev/null | head -n 1)
  lg_kconfig=$(ls "$dir/$lg_kpkg/boot/"config-* 2>/dev/null | head -n 1)
  lg_kmods=$(ls -d "$dir/$lg_kpkg/lib/modules/"* 2>/dev/null | head -n 1)
  [ -f "$lg_kimg" ] && [ -f "$lg_kconfig" ] && [ -d "$lg_kmods" ] || die "$lg_kpkg has no vmlinuz/config/modules where expected"
  [ -x "$dir/busybox-static/bin/busybox" ] || die "busybox-static has no /bin/busybox"
}

linux_guest_root() {
  local dir=$1 r=$2
  mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/etc" "$r/lib/modules"
  cp "$dir/busybox-static/bin/busybox" "$r/bin/busybox"
  ln -s busybox "$r/bin/sh"  # for the #! of init and of udhcpc's script
  install -m 755 "$lg_files/init" "$r/init"
  install -m 755 "$lg_files/udhcpc.script" "$r/etc/udhcpc.script"
  # The modules, each after its dependencies (from its own .modinfo); one the
  # kernel has built in (modules.builtin) is skipped.
  local m ko deps d loaded=" " how=()
  : >"$r/etc/modules"
  while read -r m; do
    case "$m" in ''|'#'*) continue ;; esac
    ko=$(find "$lg_kmods" -name "$m.ko" | head -n 1)
    if [ -z "$ko" ]; then
      grep -q "/$m.ko\$" "$lg_kmods/modules.builtin" || die "$lg_kpkg has neither $m.ko nor $m built in"
      how+=("$m=y"); loaded+="$m "; continue
    fi
    deps=$(objcopy -O binary --only-section=.modinfo "$ko" /dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' ')
    for d in $deps; do
      [[ $loaded == *" $d "* ]] || die "bench/net-guest/modules: $m needs $d first"
    done
    cp "$ko" "$r/lib/modules/"; echo "$m" >>"$r/etc/modules"
    how+=("$m=m"); loaded+="$m "
  done <"$lg_files/modules"
  lg_modules="${how[*]}"
}

linux_guest_pack() {
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 -n >"$2" \
    || die "cannot write the initramfs $2"
}

linux_guest_info() {
  echo "kernel=$lg_kpkg $lg_kver"
  echo "busybox=busybox-static $lg_bbver"
  echo "modules=$lg_modules"
  echo "config=$(grep -E '^CONFIG_(VIRTIO_NET|VIRTIO_MMIO|VIRTIO_PCI)=' "$lg_kconfig" | tr '\n' ' ')"
  echo "initramfs_bytes=$(du -sb --apparent-size "$1" | cut -f1)"
}

# Under TCG the guest's TSC is the host's (QEMU returns the host TSC plus an
# offset), and on microvm Linux has nothing to calibrate it against (no PIT
# gate on port 0x61, no HPET, no ACPI PM timer): without tsc_early_khz it
# hangs at boot. tsc=reliable: the jiffies watchdog loses ticks under TCG and
# would mark the TSC unstable. cryptomgr.notests: no crypto self-tests
# (~0.2 s under TCG). nokaslr: the kernel's random placement moved the
# smallest -m that boots by a few MB from boot to boot. panic=-1: a failed
# boot (too little -m) ends QEMU at once (-no-reboot), not at the timeout.
linux_guest_append() {
  local tsc_khz
  tsc_khz=$(awk -F': ' '/^cpu MHz/ { printf "%d\n", $2 * 1000; exit }' /proc/cpuinfo)
  [ -n "$tsc_khz" ] && [ "$tsc_khz" -gt 0 ] || die "cannot read the host's TSC frequency (cpu MHz in /proc/cpuinfo)"
  grep -qw constant_tsc /proc/cpuinfo || note "warning: the host's TSC is not constant; the Linux guest's clock may drift"
  echo "console=ttyS0 quiet tsc_early_khz=$tsc_khz tsc=reliable cryptomgr.notests mitigations=off nokaslr panic=-1"
}

with_kernel() {
  awk -v k="$2" 'prev == "-kernel" { print k; prev = ""; next } { print; prev = $0 }' "$1"
}
