#!/usr/bin/env bash
# udp_echo.sh hosted UDP_ECHO
# udp_echo.sh image STRATA UDP_ECHO.elf MACHINE
# Runs udp_echo on a TAP interface in a network namespace made for this test
# (the hosted executable with --tap, or the image under QEMU with
# ./strata run --tap --pcap), with busybox udhcpd serving it 10.0.0.2 by DHCP,
# and checks it with Linux's own tools: ping (also of 3000 bytes, in
# fragments), a UDP client (bash's /dev/udp; also 4000 bytes, in fragments),
# and a closed port that must be refused (ICMP port unreachable). For the
# image, the pcap QEMU recorded must hold the DHCP and ARP exchanges and
# decode in tshark without a malformed packet. Removes the namespace and its
# TAP, and kills the system, QEMU and udhcpd by PID, however the test ends.
# Exit 77 (skipped) where namespaces cannot be made here.
set -euo pipefail
mode=$1
case "$mode" in
  hosted) exe=$2 ;;
  image) strata=$2 image=$3 machine=$4 ;;
  *) echo "usage: udp_echo.sh hosted EXE | image STRATA IMAGE MACHINE" >&2; exit 2 ;;
esac
ns="strata-test-$$"
work=$(mktemp -d)
pid="" dhcpd=""
# QEMU is a grandchild (ip netns exec -> strata run -> timeout -> QEMU) that
# outlives its parents when they are killed: it is found by its own command
# line, which holds this test's work directory (the pcap's path).
stop_qemu() {
  if [ "$mode" = image ]; then pkill -KILL -f "file=$work/guest.pcap" 2>/dev/null || true; fi
}
cleanup() {
  local status=$?
  set +e
  stop_qemu
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  if [ -n "$dhcpd" ]; then kill "$dhcpd" 2>/dev/null; wait "$dhcpd" 2>/dev/null; fi
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! ip netns add "$ns" 2>/dev/null; then
  echo "SKIP: cannot create a network namespace with a TAP device here (needs root and /dev/net/tun)"
  exit 77
fi
. "$(dirname "$0")/tap_dhcp.sh"
tap_with_dhcp "$ns" "$work"

if [ "$mode" = hosted ]; then
  ip netns exec "$ns" "$exe" --tap stap0 >"$work/out" 2>&1 &
  pid=$!
else
  # The pcap path names the work directory, so cleanup finds this QEMU alone.
  ip netns exec "$ns" "$strata" run --no-build --machine "$machine" --timeout 120 --tap stap0 \
    --pcap "$work/guest.pcap" "$image" >"$work/out" 2>&1 &
  pid=$!
fi
for _ in $(seq 300); do grep -q '^dhcp: bound' "$work/out" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
cat "$work/out"
grep -q '^dhcp: bound 10.0.0.2/24 router 10.0.0.1' "$work/out" || { echo "FAIL: udp_echo got no DHCP lease"; cat "$work/udhcpd.log"; exit 1; }
echo "ok: DHCP lease 10.0.0.2/24 from udhcpd"

fail=0
# ping: every echo answered.
if ip netns exec "$ns" ping -c 5 -i 0.2 -W 2 10.0.0.2 | tee /dev/stderr | grep >/dev/null " 0% packet loss"; then
  echo "ok: ping 10.0.0.2, 5 of 5 answered"
else
  echo "FAIL: ping"; fail=1
fi
# A ping of 3000 data bytes: Linux sends it in three fragments; udp_echo
# reassembles it and answers in fragments, which Linux reassembles.
if ip netns exec "$ns" ping -c 1 -W 2 -s 3000 10.0.0.2 | tee /dev/stderr | grep >/dev/null "3008 bytes from 10.0.0.2"; then
  echo "ok: ping -s 3000 10.0.0.2 answered (fragments both ways)"
else
  echo "FAIL: ping -s 3000"; fail=1
fi
# UDP echo on port 7: the same bytes back, small, near the MTU, and in fragments.
for size in 1 64 1472 4000; do
  reply=$(ip netns exec "$ns" bash -c "exec 3<>/dev/udp/10.0.0.2/7; head -c $size /dev/zero | tr '\\0' 'x' >&3;
                                        timeout 2 dd bs=65536 count=1 status=none <&3 | wc -c") || reply=0
  if [ "$reply" -eq "$size" ]; then echo "ok: UDP echo of $size bytes"; else echo "FAIL: UDP echo of $size bytes: got $reply"; fail=1; fi
done
# A closed port: Linux reports ICMP port unreachable as "Connection refused".
refused=$(ip netns exec "$ns" bash -c 'exec 3<>/dev/udp/10.0.0.2/9; printf x >&3; read -t 2 -r reply <&3' 2>&1 || true)
if [[ $refused == *"Connection refused"* ]]; then echo "ok: UDP to closed port 9 refused (ICMP port unreachable)"; else
  echo "FAIL: UDP to port 9 was not refused: $refused"; fail=1; fi
kill -0 "$pid" || { echo "FAIL: udp_echo died"; fail=1; }

if [ "$mode" = image ]; then
  # Stop QEMU so filter-dump has written every frame, then read the file.
  stop_qemu
  wait "$pid" 2>/dev/null || true
  pid=""
  decoded=$(tshark -r "$work/guest.pcap" 2>/dev/null) || { echo "$decoded"; echo "FAIL: tshark cannot read the pcap"; exit 1; }
  echo "$decoded" | head -20
  for kind in "DHCP Discover" "DHCP Offer" "DHCP Request" "DHCP ACK"; do
    if grep -q "$kind" <<<"$decoded"; then echo "ok: pcap holds a $kind"; else echo "FAIL: no $kind in the pcap"; fail=1; fi
  done
  if grep -q "ARP.*Who has\|ARP.*is at" <<<"$decoded"; then echo "ok: pcap holds ARP"; else echo "FAIL: no ARP in the pcap"; fail=1; fi
  # (tshark's own notes, such as running as root, go to stderr.) The probe
  # of the closed port 9 comes from a random port, which tshark may take for
  # some protocol's registered port and call malformed: decode it as echo.
  malformed=$(tshark -r "$work/guest.pcap" -d udp.port==9,echo \
                -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null)
  if [ -z "$malformed" ]; then echo "ok: tshark decodes every frame without error"; else
    echo "$malformed"; echo "FAIL: tshark reports malformed frames"; fail=1; fi
fi
exit $fail
