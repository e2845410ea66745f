// roundtrip.hpp's property for TCP (include/strata/net/tcp/wire.hpp), in its
// own header so the TCP fuzzer and unit tests share it. The input is 8 bytes
// of pseudo-header addresses (source, destination), then the segment.
//
// The repr drops unknown options, padding and the reserved bits, and emits
// options in Linux's layout, so exact bytes are required only when the
// input's options already were what emit writes; the fixed fields and the
// payload must come back unchanged in every case.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <strata/net/checksum.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/tcp/wire.hpp>

#include "roundtrip.hpp"

namespace strata::net::roundtrip {

inline bool tcp(bytes in, checksum_policy policy) {
  if (in.size() < 8) return true;
  auto const source = ipv4_address::load(in, 0);
  auto const destination = ipv4_address::load(in, 4);
  bytes const segment = in.subspan(8);
  auto const v = tcp_view::parse(segment, source, destination, policy);
  if (!v) return true;
  auto const r = tcp_repr::parse(*v);
  if (!r) return false;  // the view walked the options already
  static std::array<std::byte, buffer_size> out;
  auto const n = r->emit(out, source, destination);
  // Linux's option layout can be 4 bytes longer than the input's: a segment
  // already at 65535 bytes cannot grow.
  if (!n) return n.error() == emit_error::field_out_of_range && r->size() > tcp_layout::max_segment_len;
  if (*n != r->size()) return false;
  bytes const emitted{out.data(), *n};
  auto const again = tcp_view::parse(emitted, source, destination);
  if (!again) return false;
  auto const r2 = tcp_repr::parse(*again);
  if (!r2 || !(*r2 == *r) || !same(again->payload(), v->payload())) return false;
  // Ports, sequence numbers, flags, window and urgent pointer as they were.
  namespace L = tcp_layout;
  if (!same(emitted.first(L::data_offset), segment.first(L::data_offset)) ||
      !same(emitted.subspan(L::flags, 3), segment.subspan(L::flags, 3)) ||
      !same(emitted.subspan(L::urgent_pointer, 2), segment.subspan(L::urgent_pointer, 2)))
    return false;
  // A checksum field of 0xffff verifies where 0x0000 does; emit writes 0x0000.
  bool const canonical = tcp_view::parse(segment, source, destination).has_value() && v->reserved() == 0 &&
                         v->checksum() != 0xffff && same(again->options(), v->options());
  return !canonical || same(emitted, segment);
}

}  // namespace strata::net::roundtrip
