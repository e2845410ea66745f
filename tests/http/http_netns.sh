#!/usr/bin/env bash
# http_netns.sh HOSTED_HELLO_HTTP HTTP_CLIENT.PY SITE_DIR: the hosted
# hello_http on a TAP in a network namespace made for this test, with its
# address from busybox udhcpd, checked from the namespace by curl and
# http_client.py against Linux's TCP (the same checks as through QEMU).
# Removes the namespace and kills the system and udhcpd by PID however the
# test ends. Exit 77 (skipped) where namespaces cannot be made.
set -euo pipefail
exe=$1 client=$2 site=$3
ns="strata-http-$$"
work=$(mktemp -d)
pid="" dhcpd=""
cleanup() {
  local status=$?
  set +e
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
. "$(dirname "$0")/../netns/tap_dhcp.sh"
tap_with_dhcp "$ns" "$work"

ip netns exec "$ns" "$exe" --tap stap0 >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q '^dhcp: bound' "$work/out" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
cat "$work/out"
grep -q '^dhcp: bound 10.0.0.2/24' "$work/out" || { echo "FAIL: hello_http got no DHCP lease"; cat "$work/udhcpd.log"; exit 1; }

page=$(ip netns exec "$ns" curl -sS --max-time 10 http://10.0.0.2/)
[ "$page" = "$(cat "$site/index.html")" ] || { echo "FAIL: curl http://10.0.0.2/ got: ${page:0:200}"; exit 1; }
echo "ok: curl http://10.0.0.2/ is index.html"
ip netns exec "$ns" python3 "$client" --connect 10.0.0.2 "$site"
kill -0 "$pid" || { echo "FAIL: hello_http died"; exit 1; }
