#!/usr/bin/env bash
# Regenerates linux-tcp.pcap, the TCP segments tests/net/test_tcp.cpp quotes:
# the same two network namespaces and veth pair as capture.sh (10.0.0.1,
# 92:e8:12:87:32:7b -> 10.0.0.2, 3a:96:78:21:ce:25, checksum offload off so
# the TCP checksums are finished), tcpdump on the 10.0.0.1 side. Needs root,
# iproute2, tcpdump, netcat-openbsd, ethtool and nftables. Client ports are fixed;
# initial sequence numbers, timestamps and IP ids differ per run, so the test
# keeps the bytes of one run (Debian 12, Linux 6.18):
#   one connection 40000 > 7777: SYN, SYN-ACK, ACK, "hello strata\n" (PSH),
#   its ACK, FIN from the client (nc -N), the server's FIN, the last ACK;
#   a SYN from port 40001 to the closed port 7778 and the RST-ACK it draws;
#   over a 300-byte MTU, 40002 > 7779 sending 2000 bytes while nftables in the
#   server's namespace drops its 2nd and 4th data segments: the server's
#   duplicate ACKs carry SACK blocks (one, then two).
set -euo pipefail
out=${1:-.}
ns1=strata-tcp1 ns2=strata-tcp2
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
sleep 2
# ARP resolved before the capture starts, so the pcap holds only TCP.
ip netns exec $ns1 ping -c 1 -W 1 10.0.0.2 >/dev/null

ip netns exec $ns1 tcpdump -i va -w "$out/linux-tcp.pcap" -U tcp 2>/dev/null &
dump=$!
sleep 1.5
ip netns exec $ns2 timeout 5 nc -l -p 7777 >/dev/null &
server=$!
sleep 0.5
echo "hello strata" | ip netns exec $ns1 nc -N -p 40000 10.0.0.2 7777
wait $server || true
ip netns exec $ns1 nc -z -w1 -p 40001 10.0.0.2 7778 || true

ip -n $ns1 link set va mtu 300
ip -n $ns2 link set vb mtu 300
# numgen counts the data segments reaching the rule: 0, 1, 2, ...
ip netns exec $ns2 nft -f - <<'NFT'
table inet loss {
  chain input {
    type filter hook input priority 0;
    tcp dport 7779 ip length > 100 numgen inc mod 1000 { 1, 3 } drop
  }
}
NFT
ip netns exec $ns2 timeout 5 nc -l -p 7779 >/dev/null &
server=$!
sleep 0.5
head -c 2000 /dev/zero | tr '\0' 's' | ip netns exec $ns1 nc -N -p 40002 10.0.0.2 7779
wait $server || true
sleep 1
kill $dump
wait $dump || true
