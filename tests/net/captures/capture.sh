#!/usr/bin/env bash
# Regenerates the packet captures the wire tests quote (captures.hpp): real
# Linux traffic between two network namespaces joined by a veth pair, taken
# with tcpdump on the sender's side. Needs root, iproute2, tcpdump, iputils-ping,
# dnsutils (dig), netcat-openbsd and ethtool. MACs, ping's identifier and the
# client ports are fixed here; IP identifications, DNS ids and timestamps
# differ per run, so the tests keep the bytes of one run (Debian 12):
#   linux-traffic.pcap            ARP request/reply, ping echo request/reply,
#                                 dig query to port 53 (no server: the answer
#                                 is an ICMP port unreachable), nc -u datagram
#   linux-options-fragments.pcap  ping -R (IPv4 record-route option) and a
#                                 ping -s 60 over a 68-byte MTU (two fragments)
# veth does not pad short frames to 60 bytes: the ARP frames are 42 bytes.
# Checksum offload is turned off on both ends: with it, veth hands tcpdump
# UDP datagrams whose checksum field holds only the pseudo-header sum
# (CHECKSUM_PARTIAL, to be finished by a NIC that never comes).
# (802.1Q could not be captured: the container has no 8021q module; the tests
# build the tagged frame from a capture, see captures.hpp.)
set -euo pipefail
out=${1:-.}
ns1=strata-cap1 ns2=strata-cap2
cleanup() { ip netns del $ns1 2>/dev/null || true; ip netns del $ns2 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $ns1
ip netns add $ns2
ip link add va netns $ns1 type veth peer name vb netns $ns2
ip -n $ns1 addr add 10.0.0.1/24 dev va
ip -n $ns2 addr add 10.0.0.2/24 dev vb
ip -n $ns1 link set va address 92:e8:12:87:32:7b
ip -n $ns2 link set vb address 3a:96:78:21:ce:25
ip netns exec $ns1 ethtool -K va tx off rx off >/dev/null
ip netns exec $ns2 ethtool -K vb tx off rx off >/dev/null
for n in $ns1:va $ns2:vb; do ip -n ${n%%:*} link set ${n#*:} up; ip -n ${n%%:*} link set lo up; done
sleep 2  # let IPv6 DAD traffic pass; the filter drops it anyway

ip netns exec $ns1 tcpdump -i va -w "$out/linux-traffic.pcap" -U not ip6 2>/dev/null &
dump=$!
sleep 1.5
ip netns exec $ns1 ping -c 1 -e 20042 10.0.0.2
ip netns exec $ns1 dig +tries=1 +timeout=1 -b 10.0.0.1#35997 @10.0.0.2 example.com A || true
ip netns exec $ns2 timeout 3 nc -u -l 9999 &
sleep 0.5
echo "hello strata" | ip netns exec $ns1 nc -u -w1 -p 54253 10.0.0.2 9999
sleep 1
kill $dump
wait $dump || true

ip netns exec $ns1 tcpdump -i va -w "$out/linux-options-fragments.pcap" -U not ip6 2>/dev/null &
dump=$!
sleep 1.5
ip netns exec $ns1 ping -c 1 -e 20043 -R 10.0.0.2
ip -n $ns1 link set va mtu 68
ip -n $ns2 link set vb mtu 68
ip netns exec $ns1 ping -c 1 -e 20044 -s 60 10.0.0.2
sleep 1
kill $dump
wait $dump || true
