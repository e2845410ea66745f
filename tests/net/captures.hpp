// Real Linux traffic, captured on this project's development machine with
// tests/net/captures/capture.sh: two network namespaces joined by a veth
// pair (10.0.0.1, MAC 92:e8:12:87:32:7b -> 10.0.0.2, MAC 3a:96:78:21:ce:25),
// tcpdump -w on the 10.0.0.1 side, checksum offload off (else veth leaves
// UDP checksums unfinished), bytes copied from the two .pcap files beside
// that script (frame numbers as tcpdump -r counts them). Each array is a
// whole Ethernet frame without FCS, as a NIC or virtio-net delivers it.
#pragma once

#include <array>
#include <cstddef>

#include <strata/net/ethernet/address.hpp>

#include "hex.hpp"

namespace strata::net::test::captures {

// The two hosts of the captures: the Linux side and its peer.
inline constexpr mac_address linux_mac{{0x92, 0xe8, 0x12, 0x87, 0x32, 0x7b}};
inline constexpr mac_address peer_mac{{0x3a, 0x96, 0x78, 0x21, 0xce, 0x25}};

// linux-traffic.pcap #1, 42 bytes: ARP, Request who-has 10.0.0.2 tell 10.0.0.1 (the kernel resolving the
// peer before `ping`).
inline constexpr auto arp_request = hex<
    "ffffffffffff92e81287327b0806000108000604000192e81287327b0a000001"
    "0000000000000a000002">();

// linux-traffic.pcap #2, 42 bytes: ARP, Reply 10.0.0.2 is-at 3a:96:78:21:ce:25.
inline constexpr auto arp_reply = hex<
    "92e81287327b3a967821ce25080600010800060400023a967821ce250a000002"
    "92e81287327b0a000001">();

// linux-traffic.pcap #3, 98 bytes: `ping -c 1 -e 20042 10.0.0.2`: ICMP echo request, id 20042, seq 1, 56
// data bytes; IP id 0x2176, DF.
inline constexpr auto ping_request = hex<
    "3a967821ce2592e81287327b08004500005421764000400105310a0000010a00"
    "00020800dd774e4a00015cfd066b00000000a801020000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "3637">();

// linux-traffic.pcap #4, 98 bytes: the kernel's ICMP echo reply to it (IP id 0x1123, no DF).
inline constexpr auto ping_reply = hex<
    "92e81287327b3a967821ce2508004500005411230000400155840a0000020a00"
    "00010000e5774e4a00015cfd066b00000000a801020000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "3637">();

// linux-traffic.pcap #5, 94 bytes: `dig -b 10.0.0.1#35997 @10.0.0.2 example.com A`: UDP 35997 > 53, DNS id
// 0xb2d8, EDNS cookie.
inline constexpr auto dig_query = hex<
    "3a967821ce2592e81287327b080045000050d6e3000040118fb70a0000010a00"
    "00028c9d0035003c64e0b2d801200001000000000001076578616d706c650363"
    "6f6d000001000100002904d000000000000c000a00081f0f48533822d2bd">();

// linux-traffic.pcap #6, 122 bytes: the peer's answer (no DNS server): ICMP destination unreachable, port,
// quoting the whole query; TOS 0xc0.
inline constexpr auto port_unreachable = hex<
    "92e81287327b3a967821ce25080045c0006c11240000400154ab0a0000020a00"
    "00010303114d0000000045000050d6e3000040118fb70a0000010a0000028c9d"
    "0035003c64e0b2d801200001000000000001076578616d706c6503636f6d0000"
    "01000100002904d000000000000c000a00081f0f48533822d2bd">();

// linux-traffic.pcap #7, 55 bytes: `echo "hello strata" | nc -u -w1 -p 54253 10.0.0.2 9999`: UDP 54253 >
// 9999, 13 bytes, IP id 0x6e95, DF; a 55-byte frame (veth does not pad).
inline constexpr auto nc_datagram = hex<
    "3a967821ce2592e81287327b0800450000296e9540004011b82c0a0000010a00"
    "0002d3ed270f0015489b68656c6c6f207374726174610a">();

// linux-options-fragments.pcap #1, 138 bytes: `ping -c 1 -e 20043 -R 10.0.0.2`: IHL 15, 40 option bytes
// (NOP, record route); IP id 0x21b9.
inline constexpr auto ping_record_route_request = hex<
    "3a967821ce2592e81287327b08004f00007c21b940004001c8b50a0000010a00"
    "0002010727080a00000100000000000000000000000000000000000000000000"
    "00000000000000000000080023454e4b000160fd066b000000005d3303000000"
    "0000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
    "2e2f3031323334353637">();

// linux-options-fragments.pcap #2, 138 bytes: its reply, the option (no NOP) filled with the route.
inline constexpr auto ping_record_route_reply = hex<
    "92e81287327b3a967821ce2508004f00007c1417000040012c230a0000020a00"
    "00010727100a0000010a0000020a000002000000000000000000000000000000"
    "0000000000000000000000002b454e4b000160fd066b000000005d3303000000"
    "0000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
    "2e2f3031323334353637">();

// linux-options-fragments.pcap #3, 82 bytes: `ping -c 1 -e 20044 -s 60` over a 68-byte MTU: first fragment
// (MF, offset 0), IP id 0x21bc.
inline constexpr auto fragment_first = hex<
    "3a967821ce2592e81287327b08004500004421bc2000400124fb0a0000010a00"
    "00020800e9844e4c000160fd066b00000000247e030000000000101112131415"
    "161718191a1b1c1d1e1f2021222324252627">();

// linux-options-fragments.pcap #4, 54 bytes: the second and last fragment (offset 48 bytes, no MF).
inline constexpr auto fragment_last = hex<
    "3a967821ce2592e81287327b08004500002821bc0006400145110a0000010a00"
    "000228292a2b2c2d2e2f303132333435363738393a3b">();
// Not captured: the container lacks the 8021q module. ping_request with an
// 802.1Q tag (TPID 0x8100, PCP 5, DEI 0, VID 10 -> TCI 0xa00a) inserted after
// the source address, byte for byte what Linux sends on a VLAN interface.
inline constexpr auto ping_request_vlan10 = [] {
  constexpr std::size_t n = ping_request.size();
  std::array<std::byte, n + 4> f{};
  for (std::size_t i = 0; i < 12; ++i) f[i] = ping_request[i];
  f[12] = std::byte{0x81};
  f[13] = std::byte{0x00};
  f[14] = std::byte{0xa0};
  f[15] = std::byte{0x0a};
  for (std::size_t i = 12; i < n; ++i) f[i + 4] = ping_request[i];
  return f;
}();

// Not captured: arp_request as a physical NIC sends it, padded with zeros to
// the 60-byte minimum frame (veth sends 42 bytes).
inline constexpr auto arp_request_padded = [] {
  std::array<std::byte, 60> f{};
  constexpr std::size_t n = arp_request.size();
  for (std::size_t i = 0; i < n; ++i) f[i] = arp_request[i];
  return f;
}();

}  // namespace strata::net::test::captures
