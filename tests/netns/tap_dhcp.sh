# Sourced by the namespace tests: tap_with_dhcp NS WORK makes the TAP stap0
# (10.0.0.1/24) in the namespace NS and starts busybox udhcpd on it, giving
# 10.0.0.2 and naming 10.0.0.1 as the router; its PID is left in $dhcpd, for
# the caller's cleanup, its log in WORK/udhcpd.log.
tap_with_dhcp() {
  local ns=$1 work=$2
  ip -n "$ns" tuntap add dev stap0 mode tap
  ip -n "$ns" addr add 10.0.0.1/24 dev stap0
  ip -n "$ns" link set stap0 up
  ip -n "$ns" link set lo up
  # A DHCP server with one address to give.
  cat >"$work/udhcpd.conf" <<CONF
start 10.0.0.2
end 10.0.0.2
max_leases 1
interface stap0
lease_file $work/leases
pidfile $work/udhcpd.pid
option subnet 255.255.255.0
option router 10.0.0.1
option lease 600
CONF
  : >"$work/leases"
  ip netns exec "$ns" busybox udhcpd -f "$work/udhcpd.conf" 2>"$work/udhcpd.log" &
  dhcpd=$!
}
