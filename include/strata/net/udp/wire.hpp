// UDP over IPv4 (RFC 768). The view takes the IPv4 payload and the
// addresses of the pseudo-header, and checks: the 8-byte header is there
// (truncated), length >= 8 (bad_total_length), length <= the IPv4 payload
// (truncated), then the checksum over pseudo-header, header and data
// (bad_checksum), unless the sender sent none (checksum field 0, allowed for
// IPv4). Its payload is exactly length - 8 bytes; IPv4 payload beyond the UDP
// length is not part of the datagram. On sending the checksum is always
// computed, and a computed 0 goes out as 0xffff (the same value in one's
// complement; 0 would mean "no checksum").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/checksum.hpp>
#include <strata/net/error.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/ipv4/wire.hpp>

namespace strata::net {

namespace udp_layout {
inline constexpr std::size_t source_port = 0, destination_port = 2, length = 4, checksum = 6, payload = 8;
inline constexpr std::size_t header_len = 8;
inline constexpr std::size_t max_len = 0xffff;
}  // namespace udp_layout

template <class Byte>
class basic_udp_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  // `bytes` is the IPv4 payload; source and destination are the IPv4
  // addresses, for the pseudo-header.
  static constexpr result<basic_udp_view> parse(std::span<Byte> bytes, ipv4_address source,
                                                ipv4_address destination,
                                                checksum_policy checksum = checksum_policy::verify) {
    namespace L = udp_layout;
    if (bytes.size() < L::header_len) return parse_error::truncated;
    std::uint16_t const length = load_be16(bytes, L::length);
    if (length < L::header_len) return parse_error::bad_total_length;
    if (bytes.size() < length) return parse_error::truncated;
    auto const datagram = bytes.first(length);
    if (checksum == checksum_policy::verify && load_be16(bytes, L::checksum) != 0 &&
        ones_complement_sum(datagram, ipv4_pseudo_header_sum(source, destination, ip_protocol::udp, length)) !=
            0xffff)
      return parse_error::bad_checksum;
    return basic_udp_view{datagram};
  }

  // The same, from the IPv4 packet carrying the datagram.
  static constexpr result<basic_udp_view> parse(basic_ipv4_view<Byte> const& ip,
                                                checksum_policy checksum = checksum_policy::verify) {
    return parse(ip.payload(), ip.source(), ip.destination(), checksum);
  }

  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_udp_view<Other>() const {
    return basic_udp_view<Other>{bytes_};
  }

  constexpr std::uint16_t source_port() const { return load_be16(bytes_, udp_layout::source_port); }
  constexpr std::uint16_t destination_port() const { return load_be16(bytes_, udp_layout::destination_port); }
  constexpr std::size_t length() const { return bytes_.size(); }
  constexpr std::uint16_t checksum() const { return load_be16(bytes_, udp_layout::checksum); }
  constexpr std::span<Byte> payload() const { return bytes_.subspan(udp_layout::payload); }
  // Header and payload: length() bytes.
  constexpr std::span<Byte> bytes() const { return bytes_; }

  constexpr void set_source_port(std::uint16_t p) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, udp_layout::source_port, p);
  }
  constexpr void set_destination_port(std::uint16_t p) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, udp_layout::destination_port, p);
  }
  constexpr void set_checksum(std::uint16_t c) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, udp_layout::checksum, c);
  }
  constexpr void fill_checksum(ipv4_address source, ipv4_address destination) const
    requires(!std::is_const_v<Byte>)
  {
    set_checksum(0);
    set_checksum(udp_checksum(bytes_, source, destination));
  }

 private:
  template <class>
  friend class basic_udp_view;
  constexpr explicit basic_udp_view(std::span<Byte> bytes) : bytes_{bytes} {}

  // The checksum field value for a datagram whose checksum field is zero.
  static constexpr std::uint16_t udp_checksum(std::span<std::byte const> datagram, ipv4_address source,
                                              ipv4_address destination) {
    auto const pseudo = ipv4_pseudo_header_sum(source, destination, ip_protocol::udp,
                                               static_cast<std::uint16_t>(datagram.size()));
    std::uint16_t const c = internet_checksum(datagram, pseudo);
    return c == 0 ? std::uint16_t{0xffff} : c;
  }

  friend struct udp_repr;
  std::span<Byte> bytes_;  // exactly length bytes
};

using udp_view = basic_udp_view<std::byte const>;
using mutable_udp_view = basic_udp_view<std::byte>;

struct udp_repr {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  // The data. It may already sit where it goes (at out.subspan(8) of emit),
  // as when an application wrote it into the transmit buffer; then it is not
  // copied. Any other overlap with `out` is not allowed.
  // ({}: g++ warns, -Wmissing-field-initializers, when a designated initializer omits it.)
  std::span<std::byte const> payload{};

  constexpr std::size_t size() const { return udp_layout::header_len + payload.size(); }

  static constexpr result<udp_repr> parse(udp_view const& v) {
    return udp_repr{.source_port = v.source_port(), .destination_port = v.destination_port(), .payload = v.payload()};
  }

  // Writes header and payload, checksum included, and returns size().
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out, ipv4_address source,
                                                 ipv4_address destination) const {
    namespace L = udp_layout;
    if (payload.size() > L::max_len - L::header_len) return emit_error::field_out_of_range;
    if (out.size() < size()) return emit_error::buffer_too_small;
    store_be16(out, L::source_port, source_port);
    store_be16(out, L::destination_port, destination_port);
    store_be16(out, L::length, static_cast<std::uint16_t>(size()));
    store_be16(out, L::checksum, 0);
    detail::copy_bytes(out.subspan(L::payload), payload);
    store_be16(out, L::checksum, udp_view::udp_checksum(out.first(size()), source, destination));
    return size();
  }

  // Writes only the 8-byte header, with the checksum over the whole datagram
  // (header and payload), and returns 8: for a datagram sent as IPv4
  // fragments, whose payload goes out piece by piece from where it lies
  // instead of being copied whole behind the header first.
  constexpr result<std::size_t, emit_error> emit_header(std::span<std::byte> out, ipv4_address source,
                                                        ipv4_address destination) const {
    namespace L = udp_layout;
    if (payload.size() > L::max_len - L::header_len) return emit_error::field_out_of_range;
    if (out.size() < L::header_len) return emit_error::buffer_too_small;
    store_be16(out, L::source_port, source_port);
    store_be16(out, L::destination_port, destination_port);
    store_be16(out, L::length, static_cast<std::uint16_t>(size()));
    store_be16(out, L::checksum, 0);
    // The header is 8 bytes, even, so the payload's words line up behind it.
    auto const head = ones_complement_sum(
        out.first(L::header_len),
        ipv4_pseudo_header_sum(source, destination, ip_protocol::udp, static_cast<std::uint16_t>(size())));
    std::uint16_t const c = internet_checksum(payload, head);
    store_be16(out, L::checksum, c == 0 ? std::uint16_t{0xffff} : c);
    return L::header_len;
  }

  // "udp 35997 > 53 len 52"
  constexpr void describe_to(text_writer& w) const {
    w << "udp " << source_port << " > " << destination_port << " len " << payload.size();
  }

  friend constexpr bool operator==(udp_repr const& a, udp_repr const& b) {
    return a.source_port == b.source_port && a.destination_port == b.destination_port &&
           detail::equal_bytes(a.payload, b.payload);
  }
};

}  // namespace strata::net
