#!/usr/bin/env bash
# udp_echo.sh HOSTED_UDP_ECHO: runs the hosted udp_echo on a TAP interface in
# a network namespace made for this test, and checks it with Linux's own
# tools: ping (also of 3000 bytes, in fragments), a UDP client (bash's
# /dev/udp; also 4000 bytes, in fragments), and a closed port that must be
# refused (ICMP port unreachable). Removes the namespace and its TAP, and
# kills the system by PID, however the test ends. Exit 77 (skipped) where
# namespaces cannot be made here.
set -euo pipefail
exe=$1
ns="strata-test-$$"
pid=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  ip netns del "$ns" 2>/dev/null
  exit $status
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! ip netns add "$ns" 2>/dev/null; then
  echo "SKIP: cannot create a network namespace with a TAP device here (needs root and /dev/net/tun)"
  exit 77
fi
ip -n "$ns" tuntap add dev stap0 mode tap
ip -n "$ns" addr add 10.0.0.1/24 dev stap0
ip -n "$ns" link set stap0 up
ip -n "$ns" link set lo up

ip netns exec "$ns" "$exe" --tap stap0 &
pid=$!
sleep 0.3
kill -0 "$pid" || { echo "FAIL: udp_echo did not start"; exit 1; }

fail=0
# ping: every echo answered.
if ip netns exec "$ns" ping -c 5 -i 0.2 -W 2 10.0.0.2 | tee /dev/stderr | grep -q " 0% packet loss"; then
  echo "ok: ping 10.0.0.2, 5 of 5 answered"
else
  echo "FAIL: ping"; fail=1
fi
# A ping of 3000 data bytes: Linux sends it in three fragments; udp_echo
# reassembles it and answers in fragments, which Linux reassembles.
if ip netns exec "$ns" ping -c 1 -W 2 -s 3000 10.0.0.2 | tee /dev/stderr | grep -q "3008 bytes from 10.0.0.2"; then
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
exit $fail
