#!/usr/bin/env bash
# tcp_echo.sh HOSTED_TCP_ECHO TCP_CLIENT.PY: the hosted tcp_echo on a TAP in a
# network namespace made for this test, against Linux's TCP: tcp_client.py
# streams 10 MB and checks the echo byte for byte, then 20 connections in a
# row and 6 at once; then again with 5% loss on the link (tc netem), where
# the kernel offers it. Removes the namespace and kills the system by PID
# however the test ends. Exit 77 (skipped) where namespaces cannot be made.
set -euo pipefail
exe=$1 client=$2
ns="strata-tcp-$$"
pid=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
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
kill -0 "$pid" || { echo "FAIL: tcp_echo did not start"; exit 1; }

ip netns exec "$ns" python3 "$client" --connect 10.0.0.2 --bytes 10000000
if ip netns exec "$ns" tc qdisc add dev stap0 root netem loss 5% 2>/dev/null; then
  echo "with 5% loss (tc netem) on the link:"
  ip netns exec "$ns" python3 "$client" --connect 10.0.0.2 --bytes 10000000
else
  echo "note: no tc netem here (sch_netem missing); the lossy run is left out"
fi
kill -0 "$pid" || { echo "FAIL: tcp_echo died"; exit 1; }
