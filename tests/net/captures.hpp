// Real Linux traffic, captured on this project's development machine with
// tests/net/captures/capture.sh: two network namespaces joined by a veth
// pair (10.0.0.1, MAC 92:e8:12:87:32:7b -> 10.0.0.2, MAC 3a:96:78:21:ce:25),
// tcpdump -w on the 10.0.0.1 side, bytes copied from the two .pcap files
// beside that script (frame numbers as tcpdump -r counts them). Each array is
// a whole Ethernet frame without FCS, as a NIC or virtio-net delivers it.
#pragma once

#include <array>
#include <cstddef>

#include "hex.hpp"

namespace strata::net::test::captures {

// linux-traffic.pcap #1, 42 bytes: ARP, Request who-has 10.0.0.2 tell 10.0.0.1 (the kernel resolving the peer before `ping`).
inline constexpr auto arp_request = hex<
    "ffffffffffff92e81287327b0806000108000604000192e81287327b0a000001"
    "0000000000000a000002">();

// linux-traffic.pcap #2, 42 bytes: ARP, Reply 10.0.0.2 is-at 3a:96:78:21:ce:25.
inline constexpr auto arp_reply = hex<
    "92e81287327b3a967821ce25080600010800060400023a967821ce250a000002"
    "92e81287327b0a000001">();

// linux-traffic.pcap #3, 98 bytes: `ping -c 1 10.0.0.2`: ICMP echo request, id 20042, seq 1, 56 data bytes, DF.
inline constexpr auto ping_request = hex<
    "3a967821ce2592e81287327b0800450000549ed44000400187d20a0000010a00"
    "00020800f1e34e4a00015ff9066b000000008999090000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "3637">();

// linux-traffic.pcap #4, 98 bytes: the kernel's ICMP echo reply to it.
inline constexpr auto ping_reply = hex<
    "92e81287327b3a967821ce250800450000543839000040012e6e0a0000020a00"
    "00010000f9e34e4a00015ff9066b000000008999090000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "3637">();

// linux-traffic.pcap #5, 94 bytes: `dig +tries=1 @10.0.0.2 example.com A`: UDP 35997 > 53, DNS query with an EDNS cookie.
inline constexpr auto dig_query = hex<
    "3a967821ce2592e81287327b080045000050549d0000401111fe0a0000010a00"
    "00028c9d0035003c14508a8101200001000000000001076578616d706c650363"
    "6f6d000001000100002904d000000000000c000a0008fd826d378b1ac7f9">();

// linux-traffic.pcap #6, 122 bytes: the peer's answer (no DNS server): ICMP destination unreachable, port, quoting the whole query; TOS 0xc0.
inline constexpr auto port_unreachable = hex<
    "92e81287327b3a967821ce25080045c0006c383e000040012d910a0000020a00"
    "000103033ea80000000045000050549d0000401111fe0a0000010a0000028c9d"
    "0035003c14508a8101200001000000000001076578616d706c6503636f6d0000"
    "01000100002904d000000000000c000a0008fd826d378b1ac7f9">();

// linux-traffic.pcap #7, 55 bytes: `echo "hello strata" | nc -u -w1 10.0.0.2 9999`: UDP 54253 > 9999, 13 bytes, DF; a 55-byte frame (veth does not pad).
inline constexpr auto nc_datagram = hex<
    "3a967821ce2592e81287327b080045000029707b40004011b6460a0000010a00"
    "0002d3ed270f0015142968656c6c6f207374726174610a">();

// linux-options-fragments.pcap #1, 138 bytes: `ping -c 1 -R 10.0.0.2`: IHL 15, a 40-byte record-route option (NOP + RR).
inline constexpr auto ping_record_route_request = hex<
    "3a967821ce2592e81287327b08004f00007ca61a4000400144540a0000010a00"
    "0002010727080a00000100000000000000000000000000000000000000000000"
    "000000000000000000000800c73653aa00016df9066b00000000a2e607000000"
    "0000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
    "2e2f3031323334353637">();

// linux-options-fragments.pcap #2, 138 bytes: its reply, the option filled with the route.
inline constexpr auto ping_record_route_reply = hex<
    "92e81287327b3a967821ce2508004f00007c3e490000400101f10a0000020a00"
    "00010727100a0000010a0000020a000002000000000000000000000000000000"
    "000000000000000000000000cf3653aa00016df9066b00000000a2e607000000"
    "0000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
    "2e2f3031323334353637">();

// linux-options-fragments.pcap #3, 82 bytes: `ping -c 1 -s 60` over a 68-byte MTU: first fragment (MF, offset 0), id 0xa61b.
inline constexpr auto fragment_first = hex<
    "3a967821ce2592e81287327b080045000044a61b20004001a09b0a0000010a00"
    "0002080061a053af00016df9066b000000009503080000000000101112131415"
    "161718191a1b1c1d1e1f2021222324252627">();

// linux-options-fragments.pcap #4, 54 bytes: the second and last fragment (offset 48 bytes, no MF).
inline constexpr auto fragment_last = hex<
    "3a967821ce2592e81287327b080045000028a61b00064001c0b10a0000010a00"
    "000228292a2b2c2d2e2f303132333435363738393a3b">();
// Not captured: the container lacks the 8021q module. ping_request with an
// 802.1Q tag (TPID 0x8100, PCP 5, DEI 0, VID 10 -> TCI 0xa00a) inserted after
// the source address, byte for byte what Linux sends on a VLAN interface.
inline constexpr auto ping_request_vlan10 = [] {
  std::array<std::byte, ping_request.size() + 4> f{};
  for (std::size_t i = 0; i < 12; ++i) f[i] = ping_request[i];
  f[12] = std::byte{0x81}, f[13] = std::byte{0x00}, f[14] = std::byte{0xa0}, f[15] = std::byte{0x0a};
  for (std::size_t i = 12; i < ping_request.size(); ++i) f[i + 4] = ping_request[i];
  return f;
}();

// Not captured: arp_request as a physical NIC sends it, padded with zeros to
// the 60-byte minimum frame (veth sends 42 bytes).
inline constexpr auto arp_request_padded = [] {
  std::array<std::byte, 60> f{};
  for (std::size_t i = 0; i < arp_request.size(); ++i) f[i] = arp_request[i];
  return f;
}();

}  // namespace strata::net::test::captures
