// The property every wire format must have, on any input: parsing either
// rejects it or gives a repr that emits into bytes which parse (checksums
// verified) back to an equal repr and payload; when the input was canonical
// (valid checksums, unused bits clear, a zero checksum written as 0x0000)
// the emitted bytes are the input's.
// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp) and the unit tests,
// which run it over the captures and their single-byte mutations.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <strata/net/arp/wire.hpp>
#include <strata/net/checksum.hpp>
#include <strata/net/ethernet/wire.hpp>
#include <strata/net/icmp/wire.hpp>
#include <strata/net/ipv4/wire.hpp>
#include <strata/net/udp/wire.hpp>

namespace strata::net::roundtrip {

using bytes = std::span<std::byte const>;

// Large enough for any IPv4 packet and a frame around it.
inline constexpr std::size_t buffer_size = 70000;

inline bool same(bytes a, bytes b) { return detail::equal_bytes(a, b); }

// Ethernet frame: header and payload re-emitted byte for byte.
inline bool ethernet(bytes in) {
  auto const v = ethernet_view::parse(in);
  if (!v) return true;
  auto const r = ethernet_repr::parse(*v);
  if (!r) return false;  // the repr accepts every valid view
  static std::array<std::byte, buffer_size> out;
  auto const n = r->emit(out);
  if (!n || *n != v->header_len()) return false;
  auto const payload = v->payload();
  if (payload.size() > out.size() - *n) return true;  // larger than any frame we send
  detail::copy_bytes(std::span{out}.subspan(*n), payload);
  bytes const emitted{out.data(), *n + payload.size()};
  auto const again = ethernet_view::parse(emitted);
  if (!again) return false;
  auto const r2 = ethernet_repr::parse(*again);
  return r2 && *r2 == *r && same(again->payload(), payload) && same(emitted, in);
}

// ARP packet (the Ethernet payload): the 28 bytes re-emitted exactly.
inline bool arp(bytes in) {
  auto const v = arp_view::parse(in);
  if (!v) return true;
  auto const r = arp_repr::parse(*v);
  if (!r) return false;
  std::array<std::byte, arp_layout::packet_len> out{};
  auto const n = r->emit(out);
  if (!n || *n != out.size()) return false;
  auto const again = arp_view::parse(out);
  if (!again) return false;
  auto const r2 = arp_repr::parse(*again);
  return r2 && *r2 == *r && same(out, in.first(out.size()));
}

// IPv4 packet: header and payload; exact bytes when the checksum verified
// and the reserved flag (which the repr drops) was clear.
inline bool ipv4(bytes in, checksum_policy policy) {
  auto const v = ipv4_view::parse(in, policy);
  if (!v) return true;
  auto const r = ipv4_repr::parse(*v);
  if (!r) return false;
  static std::array<std::byte, buffer_size> out;
  auto const n = r->emit(out);
  if (!n || *n != v->header_len()) return false;
  detail::copy_bytes(std::span{out}.subspan(*n), v->payload());
  bytes const emitted{out.data(), r->total_len()};
  auto const again = ipv4_view::parse(emitted);
  if (!again) return false;
  auto const r2 = ipv4_repr::parse(*again);
  if (!r2 || !(*r2 == *r) || !same(again->payload(), v->payload())) return false;
  // A checksum field of 0xffff verifies where 0x0000 does (the two zeros of
  // one's complement); emit always writes the computed 0x0000.
  bool const canonical = ipv4_view::parse(in).has_value() && !v->reserved_flag() && v->checksum() != 0xffff;
  return !canonical || same(emitted, v->bytes());
}

// ICMP message: exact bytes for an echo whose checksum verified.
inline bool icmp(bytes in, checksum_policy policy) {
  auto const v = icmp_view::parse(in, policy);
  if (!v) return true;
  auto const r = icmp_repr::parse(*v);
  if (!r) return true;  // a type this stack does not handle, or a bad quote
  static std::array<std::byte, buffer_size> out;
  auto const n = r->emit(out);
  // A message longer than an IPv4 packet can carry is refused, rightly.
  if (!n) return n.error() == emit_error::field_out_of_range && in.size() > icmp_layout::max_message_len;
  if (*n != in.size()) return false;
  bytes const emitted{out.data(), *n};
  auto const again = icmp_view::parse(emitted);
  if (!again) return false;
  auto const r2 = icmp_repr::parse(*again);
  if (!r2 || !(*r2 == *r)) return false;
  bool const canonical = icmp_view::parse(in).has_value() && r->is_echo() && v->checksum() != 0xffff;
  return !canonical || same(emitted, in);
}

// UDP: the first 8 bytes of the input are the pseudo-header's source and
// destination addresses, the rest the IPv4 payload. Exact bytes when the
// datagram carried a checksum that verified.
inline bool udp(bytes in, checksum_policy policy) {
  if (in.size() < 8) return true;
  auto const source = ipv4_address::load(in, 0);
  auto const destination = ipv4_address::load(in, 4);
  bytes const payload = in.subspan(8);
  auto const v = udp_view::parse(payload, source, destination, policy);
  if (!v) return true;
  auto const r = udp_repr::parse(*v);
  if (!r) return false;
  static std::array<std::byte, buffer_size> out;
  auto const n = r->emit(out, source, destination);
  if (!n || *n != v->length()) return false;
  bytes const emitted{out.data(), *n};
  auto const again = udp_view::parse(emitted, source, destination);
  if (!again || again->checksum() == 0) return false;
  auto const r2 = udp_repr::parse(*again);
  if (!r2 || !(*r2 == *r)) return false;
  bool const canonical = v->checksum() != 0 && udp_view::parse(payload, source, destination).has_value();
  return !canonical || same(emitted, v->bytes());
}

// Highway and the scalar reference agree, from any initial sum.
inline bool checksum(bytes in) {
  std::uint16_t const initial = in.size() >= 2 ? load_be16(in, 0) : 0;
  return ones_complement_sum(in, initial) == ones_complement_sum_reference(in, initial);
}

}  // namespace strata::net::roundtrip
