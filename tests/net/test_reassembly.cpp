// IPv4 reassembly (net/ipv4/reassembly.hpp): fragments in order, out of
// order, duplicated, overlapping, invalid, too large, timed out and crowding
// the slots; a real fragmented ping from Linux; and in constant evaluation.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <strata/net/icmp/wire.hpp>
#include <strata/net/ipv4/reassembly.hpp>
#include <strata/net/udp/wire.hpp>

#include "hex.hpp"

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;
using bytes = std::vector<std::byte>;

constexpr strata::time_ns second = 1'000'000'000;
constexpr ipv4_address from = "10.0.0.1"_ipv4;
constexpr ipv4_address to = "10.0.0.2"_ipv4;

// A datagram's payload: n bytes that differ from their neighbours.
bytes payload_of(std::size_t n, unsigned seed = 3) {
  bytes p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = std::byte((i * 7 + seed + i / 256) & 0xff);
  return p;
}

struct fragment_spec {
  std::size_t offset = 0;
  std::size_t len = 0;
  bool more = true;
  std::uint16_t id = 0x4242;
  ipv4_address source = from;
  ip_protocol protocol = ip_protocol::udp;
};

// One fragment of `payload` as an IPv4 packet (header and data), fields from
// RFC 791: offset in bytes (the header holds it in 8-byte units), MF.
bytes fragment(bytes const& payload, fragment_spec f) {
  bytes p(20 + f.len);
  REQUIRE(ipv4_repr{f.source, to, f.protocol, 64, 0, 0, f.id, false, f.more, static_cast<std::uint16_t>(f.offset),
                    f.len, {}}
              .emit(p));
  std::copy_n(payload.begin() + static_cast<std::ptrdiff_t>(f.offset), f.len, p.begin() + 20);
  return p;
}

ipv4_view view(bytes const& packet) {
  auto const v = ipv4_view::parse(packet);
  REQUIRE(v);
  return *v;
}

template <class R>
reassembly_result feed(R& r, bytes const& packet, strata::time_ns now = 0) {
  return r.receive(view(packet), now);
}

// The datagram the reassembler completed is the unfragmented one.
template <class R>
void check_whole(R const& r, bytes const& payload, std::uint16_t id = 0x4242) {
  auto const& d = r.completed();
  CHECK(d.source == from);
  CHECK(d.destination == to);
  CHECK(d.protocol == ip_protocol::udp);
  CHECK(std::ranges::equal(d.payload, payload));
  auto const ip = ipv4_view::parse(d.bytes);  // verifies the rewritten header checksum
  REQUIRE(ip);
  CHECK(ip->total_len() == 20 + payload.size());
  CHECK(ip->identification() == id);
  CHECK_FALSE(ip->is_fragment());
  CHECK(std::ranges::equal(ip->payload(), payload));
}

using small = reassembler<2, 4096>;

TEST_CASE("fragments in order make the datagram, with an unfragmented header") {
  small r;
  auto const p = payload_of(3000);
  CHECK(feed(r, fragment(p, {.offset = 0, .len = 1480})).status == reassembly_status::held);
  CHECK(feed(r, fragment(p, {.offset = 1480, .len = 1480})).status == reassembly_status::held);
  CHECK(r.in_progress() == 1);
  auto const last = feed(r, fragment(p, {.offset = 2960, .len = 40, .more = false}));
  CHECK(last.status == reassembly_status::complete);
  CHECK_FALSE(last.evicted);
  check_whole(r, p);
  CHECK(r.in_progress() == 0);
  CHECK(r.next_deadline() == strata::never);
}

TEST_CASE("fragments out of order: the last first, then the middle, then the first") {
  auto const p = payload_of(3001);  // an odd length: the last fragment ends inside a block
  std::array<std::array<std::size_t, 3>, 4> const orders{{{2, 1, 0}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}}};
  for (auto const& order : orders) {
    small r;
    std::array<bytes, 3> const pieces{fragment(p, {.offset = 0, .len = 1480}),
                                      fragment(p, {.offset = 1480, .len = 1480}),
                                      fragment(p, {.offset = 2960, .len = 41, .more = false})};
    CHECK(feed(r, pieces[order[0]]).status == reassembly_status::held);
    CHECK(feed(r, pieces[order[1]]).status == reassembly_status::held);
    CHECK(feed(r, pieces[order[2]]).status == reassembly_status::complete);
    check_whole(r, p);
  }
}

TEST_CASE("the smallest fragments: 8 bytes each, 70 of them, in a shuffled order") {
  small r;
  auto const p = payload_of(555);
  std::vector<std::size_t> offsets;
  for (std::size_t at = 0; at < p.size(); at += 8) offsets.push_back(at);
  // A fixed permutation: stride 29 through 70 offsets (29 and 70 are coprime).
  std::vector<std::size_t> order;
  order.reserve(offsets.size());
  for (std::size_t i = 0; i < offsets.size(); ++i) order.push_back(offsets[(i * 29) % offsets.size()]);
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::size_t const at = order[i];
    bool const last = at + 8 >= p.size();
    auto const got = feed(r, fragment(p, {.offset = at, .len = std::min<std::size_t>(8, p.size() - at), .more = !last}));
    CHECK(got.status == (i + 1 == order.size() ? reassembly_status::complete : reassembly_status::held));
  }
  check_whole(r, p);
}

TEST_CASE("a duplicate fragment is dropped alone; the datagram still completes") {
  small r;
  auto const p = payload_of(2000);
  auto const first = fragment(p, {.offset = 0, .len = 1480});
  auto const last = fragment(p, {.offset = 1480, .len = 520, .more = false});
  CHECK(feed(r, last).status == reassembly_status::held);
  CHECK(feed(r, last).status == reassembly_status::duplicate);
  CHECK(feed(r, fragment(p, {.offset = 1480, .len = 512})).status == reassembly_status::duplicate);  // a held part
  CHECK(feed(r, first).status == reassembly_status::complete);
  check_whole(r, p);
  // After completion the same fragment starts a new datagram (the key is free again).
  CHECK(feed(r, first).status == reassembly_status::held);
  CHECK(r.in_progress() == 1);
}

TEST_CASE("overlaps drop the whole datagram: partial overlap, disagreeing bytes, teardrop") {
  auto const p = payload_of(3000);
  SUBCASE("partial overlap, even with equal bytes") {
    small r;
    CHECK(feed(r, fragment(p, {.offset = 0, .len = 1480})).status == reassembly_status::held);
    CHECK(feed(r, fragment(p, {.offset = 1472, .len = 1480})).status == reassembly_status::overlap);
    CHECK(r.in_progress() == 0);
    // What is left of it never completes: a new datagram starts from the rest.
    CHECK(feed(r, fragment(p, {.offset = 2952, .len = 48, .more = false})).status == reassembly_status::held);
  }
  SUBCASE("the same range with other bytes") {
    small r;
    auto const other = payload_of(3000, 99);
    CHECK(feed(r, fragment(p, {.offset = 1480, .len = 1480})).status == reassembly_status::held);
    CHECK(feed(r, fragment(other, {.offset = 1480, .len = 1480})).status == reassembly_status::overlap);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("teardrop: a second fragment inside the first, ending before it") {
    small r;
    auto const q = payload_of(64);
    CHECK(feed(r, fragment(q, {.offset = 0, .len = 40})).status == reassembly_status::held);
    CHECK(feed(r, fragment(q, {.offset = 16, .len = 8, .more = false})).status == reassembly_status::invalid);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("a fragment covering held data and more") {
    small r;
    CHECK(feed(r, fragment(p, {.offset = 1480, .len = 16})).status == reassembly_status::held);
    CHECK(feed(r, fragment(p, {.offset = 0, .len = 2960})).status == reassembly_status::overlap);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("a held range declared the end by a new last fragment") {
    small r;
    CHECK(feed(r, fragment(p, {.offset = 0, .len = 16})).status == reassembly_status::held);
    CHECK(feed(r, fragment(p, {.offset = 8, .len = 8, .more = false})).status == reassembly_status::overlap);
  }
}

TEST_CASE("fragments RFC 791 does not allow drop their datagram") {
  auto const p = payload_of(3000);
  auto starts = [&](small& r) {
    REQUIRE(feed(r, fragment(p, {.offset = 0, .len = 1480})).status == reassembly_status::held);
  };
  SUBCASE("a fragment before the last with a length not a multiple of 8") {
    small r;
    starts(r);
    CHECK(feed(r, fragment(p, {.offset = 1480, .len = 1479})).status == reassembly_status::invalid);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("no data") {
    small r;
    starts(r);
    CHECK(feed(r, fragment(p, {.offset = 1480, .len = 0, .more = false})).status == reassembly_status::invalid);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("two different ends") {
    small r;
    starts(r);
    CHECK(feed(r, fragment(p, {.offset = 2960, .len = 40, .more = false})).status == reassembly_status::held);
    CHECK(feed(r, fragment(p, {.offset = 1480, .len = 16, .more = false})).status == reassembly_status::invalid);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("data past the end") {
    small r;
    auto const longer = payload_of(3008);
    CHECK(feed(r, fragment(longer, {.offset = 2960, .len = 40, .more = false})).status == reassembly_status::held);
    CHECK(feed(r, fragment(longer, {.offset = 2992, .len = 16})).status == reassembly_status::invalid);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("an end before data already held") {
    small r;
    CHECK(feed(r, fragment(p, {.offset = 1480, .len = 1480})).status == reassembly_status::held);
    CHECK(feed(r, fragment(p, {.offset = 0, .len = 1000, .more = false})).status == reassembly_status::invalid);
    CHECK(r.in_progress() == 0);
  }
  SUBCASE("ping of death: the last fragment ends past 65535") {
    // Offset 65528 (the largest, 8191 units) and 8 bytes: 20 + 65536 bytes in all.
    static reassembler<1, 65515> big;
    bytes const huge = payload_of(65536);
    CHECK(feed(big, fragment(huge, {.offset = 0, .len = 1480})).status == reassembly_status::held);
    CHECK(feed(big, fragment(huge, {.offset = 65528, .len = 8, .more = false})).status ==
          reassembly_status::invalid);
    CHECK(big.in_progress() == 0);
    // 65515 payload bytes are the most there can be; with 7 it is 65535 in all, fine so far.
    CHECK(feed(big, fragment(huge, {.offset = 65504, .len = 11, .more = false})).status == reassembly_status::held);
  }
}

TEST_CASE("a datagram larger than MaxDatagram is dropped as too big") {
  reassembler<2, 1024> r;
  auto const p = payload_of(1500);
  CHECK(feed(r, fragment(p, {.offset = 0, .len = 1016})).status == reassembly_status::held);
  CHECK(feed(r, fragment(p, {.offset = 1016, .len = 16})).status == reassembly_status::too_big);
  CHECK(r.in_progress() == 0);  // the held part went with it
  // Exactly MaxDatagram fits.
  CHECK(feed(r, fragment(p, {.offset = 1016, .len = 8, .more = false, .id = 7})).status == reassembly_status::held);
  CHECK(feed(r, fragment(p, {.offset = 0, .len = 1016, .id = 7})).status == reassembly_status::complete);
  CHECK(r.completed().payload.size() == 1024);
}

TEST_CASE("a datagram incomplete after 30 s is dropped, and fragment 0 handed over for the ICMP error") {
  small r;
  auto const p = payload_of(3000);
  auto const first = fragment(p, {.offset = 0, .len = 1480});
  CHECK(feed(r, first, 5 * second).status == reassembly_status::held);
  CHECK(feed(r, fragment(p, {.offset = 1480, .len = 1480}), 20 * second).status == reassembly_status::held);
  CHECK(r.next_deadline() == 35 * second);  // from the first fragment; later ones do not extend it
  std::vector<bytes> reported;
  auto note = [&](std::span<std::byte const> f) { reported.emplace_back(f.begin(), f.end()); };
  CHECK(r.expire(35 * second - 1, note) == 0);
  CHECK(r.in_progress() == 1);
  CHECK(r.expire(35 * second, note) == 1);
  CHECK(r.in_progress() == 0);
  CHECK(r.next_deadline() == strata::never);
  REQUIRE(reported.size() == 1);
  CHECK(reported[0] == first);  // exactly the fragment as it came
  // The last fragment, alone now, waits for a new datagram; without fragment 0 there is nothing to quote.
  CHECK(feed(r, fragment(p, {.offset = 2960, .len = 40, .more = false}), 36 * second).status ==
        reassembly_status::held);
  CHECK(r.expire(66 * second, note) == 1);
  REQUIRE(reported.size() == 2);
  CHECK(reported[1].empty());
}

TEST_CASE("with every slot busy, a new datagram evicts the oldest") {
  small r;
  auto const p = payload_of(3000);
  auto part = [&](std::uint16_t id, std::size_t offset, bool more = true) {
    return fragment(p, {.offset = offset, .len = more ? std::size_t{1480} : std::size_t{40}, .more = more, .id = id});
  };
  CHECK_FALSE(feed(r, part(1, 0), 1 * second).evicted);
  CHECK_FALSE(feed(r, part(2, 0), 2 * second).evicted);
  auto const third = feed(r, part(3, 0), 3 * second);
  CHECK(third.status == reassembly_status::held);
  CHECK(third.evicted);  // datagram 1, the oldest, is gone
  CHECK(r.in_progress() == 2);
  // A fragment of a datagram in progress never evicts.
  CHECK_FALSE(feed(r, part(2, 1480), 4 * second).evicted);
  CHECK(feed(r, part(2, 2960, false), 4 * second).status == reassembly_status::complete);
  check_whole(r, p, 2);
  // Datagram 1's rest starts over in the freed slot, evicting nothing.
  CHECK_FALSE(feed(r, part(1, 1480), 5 * second).evicted);
  CHECK(r.next_deadline() == 33 * second);  // datagram 3's
}

TEST_CASE("the key is source, destination, protocol and identification") {
  small r;
  auto const p = payload_of(2000);
  CHECK(feed(r, fragment(p, {.offset = 0, .len = 1480}), 1 * second).status == reassembly_status::held);
  // Same identification, another source or protocol: another datagram.
  CHECK(feed(r, fragment(p, {.offset = 1480, .len = 520, .more = false, .source = "10.0.0.9"_ipv4}), 2 * second)
            .status == reassembly_status::held);
  auto const icmp = feed(r, fragment(p, {.offset = 1480, .len = 520, .more = false, .protocol = ip_protocol::icmp}),
                         3 * second);
  CHECK(icmp.status == reassembly_status::held);
  CHECK(icmp.evicted);  // ours, the oldest
  CHECK(r.in_progress() == 2);
  // Ours is gone: its last fragment starts a new datagram rather than completing it.
  CHECK(feed(r, fragment(p, {.offset = 1480, .len = 520, .more = false}), 4 * second).evicted);
}

// --- a real fragmented ping ----------------------------------------------------
// Captured on this project's development machine (Debian 12, Linux 6.1):
// two network namespaces joined by a veth pair as in
// tests/net/captures/capture.sh (10.0.0.1, 92:e8:12:87:32:7b ->
// 10.0.0.2, 3a:96:78:21:ce:25, checksum offload off, MTU 1500), then
//   ip netns exec ns1 tcpdump -i va -w linux-ping-3000.pcap icmp &
//   ip netns exec ns1 ping -c 1 -e 20045 -s 3000 10.0.0.2
// A 3008-byte ICMP message: three fragments each way (1480, 1480, 48 bytes).
// linux-ping-3000.pcap #1, 1514 bytes: request, offset 0, MF: IP id 0x6f52, the ICMP header and 1472 data bytes.
constexpr auto ping_3000_request_0 = hex<
    "3a967821ce2592e81287327b0800450005dc6f5220004001d1cc0a0000010a00"
    "00020800b4cf4e4d0001721a076b0000000094ae070000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebf">();

// linux-ping-3000.pcap #2, 1514 bytes: request, offset 1480, MF.
constexpr auto ping_3000_request_1 = hex<
    "3a967821ce2592e81287327b0800450005dc6f5220b94001d1130a0000010a00"
    "0002c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f8081828384858687">();

// linux-ping-3000.pcap #3, 82 bytes: request, offset 2960, last: 48 bytes.
constexpr auto ping_3000_request_2 = hex<
    "3a967821ce2592e81287327b0800450000446f5201724001f5f20a0000010a00"
    "000288898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5"
    "a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7">();

// linux-ping-3000.pcap #4, 1514 bytes: the kernel's echo reply, offset 0, MF: IP id 0x368c (no DF, like the request).
constexpr auto ping_3000_reply_0 = hex<
    "92e81287327b3a967821ce250800450005dc368c200040010a930a0000020a00"
    "00010000bccf4e4d0001721a076b0000000094ae070000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5"
    "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
    "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
    "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475"
    "767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
    "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
    "b6b7b8b9babbbcbdbebf">();

// linux-ping-3000.pcap #5, 1514 bytes: reply, offset 1480, MF.
constexpr auto ping_3000_reply_1 = hex<
    "92e81287327b3a967821ce250800450005dc368c20b9400109da0a0000020a00"
    "0001c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
    "9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
    "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
    "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
    "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
    "7e7f8081828384858687">();

// linux-ping-3000.pcap #6, 82 bytes: reply, offset 2960, last.
constexpr auto ping_3000_reply_2 = hex<
    "92e81287327b3a967821ce25080045000044368c017240012eb90a0000020a00"
    "000188898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5"
    "a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7">();
constexpr std::span<std::byte const> ip_of(std::span<std::byte const> frame) { return frame.subspan(14); }

TEST_CASE("Linux's ping -s 3000, in any order, reassembles into a valid echo request") {
  std::array<std::span<std::byte const>, 3> const frames{ping_3000_request_0, ping_3000_request_1,
                                                         ping_3000_request_2};
  std::array<std::array<std::size_t, 3>, 3> const orders{{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}}};
  for (auto const& order : orders) {
    small r;
    CHECK(r.receive(*ipv4_view::parse(ip_of(frames[order[0]])), 0).status == reassembly_status::held);
    CHECK(r.receive(*ipv4_view::parse(ip_of(frames[order[1]])), 0).status == reassembly_status::held);
    CHECK(r.receive(*ipv4_view::parse(ip_of(frames[order[2]])), 0).status == reassembly_status::complete);
    auto const& d = r.completed();
    CHECK(d.source == "10.0.0.1"_ipv4);
    CHECK(d.destination == "10.0.0.2"_ipv4);
    CHECK(d.protocol == ip_protocol::icmp);
    auto const ip = ipv4_view::parse(d.bytes);
    REQUIRE(ip);
    CHECK(ip->total_len() == 3028);
    CHECK(ip->identification() == 0x6f52);
    // Fragment 0's header but for total length, flags and offset, and checksum.
    auto const first = ip_of(ping_3000_request_0).first(20);
    CHECK(std::ranges::equal(ip->header().first(2), first.first(2)));
    CHECK(std::ranges::equal(ip->header().subspan(4, 2), first.subspan(4, 2)));
    CHECK(std::ranges::equal(ip->header().subspan(8, 2), first.subspan(8, 2)));
    CHECK(std::ranges::equal(ip->header().subspan(12), first.subspan(12)));
    CHECK(load_be16(ip->header(), ipv4_layout::flags_fragment) == 0);
    auto const icmp = icmp_view::parse(ip->payload());  // the checksum over all 3008 bytes verifies
    REQUIRE(icmp);
    auto const m = *icmp_repr::parse(*icmp);
    CHECK(m.type == icmp_type::echo_request);
    CHECK(m.identifier == 20045);
    CHECK(m.sequence == 1);
    REQUIRE(m.data.size() == 3000);
    // ping's data: a 16-byte timestamp, then each byte its own index.
    bool pattern = true;
    for (std::size_t i = 16; i < m.data.size(); ++i) pattern = pattern && m.data[i] == std::byte(i & 0xff);
    CHECK(pattern);
  }
}

TEST_CASE("Linux's fragmented echo reply is the echo reply strata emits for that request, byte for byte") {
  small request;
  small reply;
  for (auto f : {std::span<std::byte const>{ping_3000_request_0}, std::span<std::byte const>{ping_3000_request_1},
                 std::span<std::byte const>{ping_3000_request_2}})
    (void)request.receive(*ipv4_view::parse(ip_of(f)), 0);
  for (auto f : {std::span<std::byte const>{ping_3000_reply_0}, std::span<std::byte const>{ping_3000_reply_1},
                 std::span<std::byte const>{ping_3000_reply_2}})
    (void)reply.receive(*ipv4_view::parse(ip_of(f)), 0);
  auto const asked = *icmp_repr::parse(*icmp_view::parse(request.completed().payload));
  bytes ours(3008);
  REQUIRE(icmp_repr::echo_reply(asked.identifier, asked.sequence, asked.data).emit(ours));
  CHECK(std::ranges::equal(reply.completed().payload, ours));
  CHECK(reply.completed().source == "10.0.0.2"_ipv4);
}

// --- in constant evaluation ----------------------------------------------------
// Two fragments of a 24-byte UDP payload, built and reassembled by the compiler.
constexpr bool reassembles_at_compile_time() {
  std::array<std::byte, 24> payload{};
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = std::byte(i + 1);
  std::array<std::byte, 20 + 16> a{};
  std::array<std::byte, 20 + 8> b{};
  if (!ipv4_repr{.source = from,
                 .destination = to,
                 .protocol = ip_protocol::udp,
                 .identification = 9,
                 .more_fragments = true,
                 .payload_len = 16}
           .emit(a))
    return false;
  if (!ipv4_repr{.source = from,
                 .destination = to,
                 .protocol = ip_protocol::udp,
                 .identification = 9,
                 .fragment_offset = 16,
                 .payload_len = 8}
           .emit(b))
    return false;
  for (std::size_t i = 0; i < 16; ++i) a[20 + i] = payload[i];
  for (std::size_t i = 0; i < 8; ++i) b[20 + i] = payload[16 + i];
  reassembler<1, 556> r;
  if (r.receive(*ipv4_view::parse(std::span<std::byte const>{b}), 0).status != reassembly_status::held) return false;
  if (r.receive(*ipv4_view::parse(std::span<std::byte const>{a}), 0).status != reassembly_status::complete)
    return false;
  auto const whole = ipv4_view::parse(r.completed().bytes);
  return whole && whole->total_len() == 44 && !whole->is_fragment() &&
         detail::equal_bytes(whole->payload(), std::span<std::byte const>{payload});
}
static_assert(reassembles_at_compile_time());

// --- the other half: a UDP header for a datagram sent in fragments -------------
TEST_CASE("udp_repr::emit_header writes the header emit writes, checksum over the whole datagram") {
  for (std::size_t n : {0U, 1U, 7U, 8U, 1471U, 1472U, 1473U, 4000U, 65507U}) {
    CAPTURE(n);
    auto const p = payload_of(n);
    udp_repr const u{.source_port = 40000, .destination_port = 7, .payload = p};
    bytes whole(u.size());
    REQUIRE(u.emit(whole, from, to));
    std::array<std::byte, 8> head{};
    auto const written = u.emit_header(head, from, to);
    REQUIRE(written);
    CHECK(*written == 8);
    CHECK(std::ranges::equal(head, std::span{whole}.first(8)));
  }
  std::array<std::byte, 7> short_buffer{};
  CHECK(udp_repr{1, 2, {}}.emit_header(short_buffer, from, to).failed_with(emit_error::buffer_too_small));
}

}  // namespace
