// ICMP for IPv4 (RFC 792). The view covers a whole ICMP message (the IPv4
// payload) and checks its length (8-byte header: truncated) and checksum,
// which covers the whole message (bad_checksum). The repr knows the messages
// this stack sends and answers: echo request and reply, destination
// unreachable (RFC 792; code 4 carries the next-hop MTU of RFC 1191) and time
// exceeded; other types are `unsupported`. The two errors quote the datagram
// that caused them: its IPv4 header and at least its first 8 bytes of data,
// which the repr checks as well (truncated, bad_version, bad_header_length of
// the quoted header) since the layer above reads ports out of them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/checksum.hpp>
#include <strata/net/error.hpp>
#include <strata/net/ipv4/wire.hpp>

namespace strata::net {

enum class icmp_type : std::uint8_t {
  echo_reply = 0,
  destination_unreachable = 3,
  echo_request = 8,
  time_exceeded = 11,
};

// Codes of destination unreachable (RFC 792, RFC 1122 3.2.2.1, RFC 1812).
namespace icmp_unreachable {
inline constexpr std::uint8_t net = 0, host = 1, protocol = 2, port = 3, fragmentation_needed = 4,
                              source_route_failed = 5, max_code = 15;
}
// Codes of time exceeded.
namespace icmp_time_exceeded {
inline constexpr std::uint8_t ttl = 0, reassembly = 1;
}

namespace icmp_layout {
inline constexpr std::size_t type = 0, code = 1, checksum = 2, rest_of_header = 4, data = 8;
inline constexpr std::size_t echo_identifier = 4, echo_sequence = 6, next_hop_mtu = 6;
inline constexpr std::size_t header_len = 8;
// An error quotes the offending datagram's header and 8 bytes of its data
// (RFC 792), and may quote more, up to a 576-byte ICMP datagram (RFC 1812
// 4.3.2.3; what Linux does).
inline constexpr std::size_t quoted_data_min = 8;
inline constexpr std::size_t error_quote_limit = 576 - ipv4_layout::min_header_len - header_len;
inline constexpr std::size_t max_message_len = ipv4_layout::max_total_len - ipv4_layout::min_header_len;
}  // namespace icmp_layout

template <class Byte>
class basic_icmp_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  static constexpr result<basic_icmp_view> parse(std::span<Byte> message,
                                                 checksum_policy checksum = checksum_policy::verify) {
    if (message.size() < icmp_layout::header_len) return parse_error::truncated;
    if (checksum == checksum_policy::verify && ones_complement_sum(message) != 0xffff)
      return parse_error::bad_checksum;
    return basic_icmp_view{message};
  }

  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_icmp_view<Other>() const {
    return basic_icmp_view<Other>{bytes_};
  }

  constexpr icmp_type type() const { return icmp_type{load_u8(bytes_, icmp_layout::type)}; }
  constexpr std::uint8_t code() const { return load_u8(bytes_, icmp_layout::code); }
  constexpr std::uint16_t checksum() const { return load_be16(bytes_, icmp_layout::checksum); }
  // Bytes 4..8, whose meaning depends on the type.
  constexpr std::uint32_t rest_of_header() const { return load_be32(bytes_, icmp_layout::rest_of_header); }
  constexpr std::uint16_t echo_identifier() const { return load_be16(bytes_, icmp_layout::echo_identifier); }
  constexpr std::uint16_t echo_sequence() const { return load_be16(bytes_, icmp_layout::echo_sequence); }
  constexpr std::uint16_t next_hop_mtu() const { return load_be16(bytes_, icmp_layout::next_hop_mtu); }
  // After the 8-byte header: echo data, or the quoted datagram of an error.
  constexpr std::span<Byte> data() const { return bytes_.subspan(icmp_layout::data); }
  constexpr std::span<Byte> bytes() const { return bytes_; }

  // In place: an echo request becomes its reply by set_type and an RFC 1624
  // update of the checksum (checksum.hpp), or fill_checksum().
  constexpr void set_type(icmp_type t) const
    requires(!std::is_const_v<Byte>)
  {
    store_u8(bytes_, icmp_layout::type, std::uint8_t(t));
  }
  constexpr void set_code(std::uint8_t c) const
    requires(!std::is_const_v<Byte>)
  {
    store_u8(bytes_, icmp_layout::code, c);
  }
  constexpr void set_checksum(std::uint16_t c) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, icmp_layout::checksum, c);
  }
  constexpr void fill_checksum() const
    requires(!std::is_const_v<Byte>)
  {
    set_checksum(0);
    set_checksum(internet_checksum(bytes_));
  }

 private:
  template <class>
  friend class basic_icmp_view;
  constexpr explicit basic_icmp_view(std::span<Byte> bytes) : bytes_{bytes} {}

  std::span<Byte> bytes_;
};

using icmp_view = basic_icmp_view<std::byte const>;
using mutable_icmp_view = basic_icmp_view<std::byte>;

// What an ICMP error quotes of `original`: its header and as much of its
// payload as RFC 1812 allows (at least the 8 bytes RFC 792 asks for).
constexpr std::span<std::byte const> icmp_error_quote(ipv4_view const& original) {
  std::size_t const len =
      std::min(original.total_len(), std::max(original.header_len() + icmp_layout::quoted_data_min,
                                              icmp_layout::error_quote_limit));
  return original.bytes().first(len);
}

struct icmp_repr {
  icmp_type type = icmp_type::echo_request;
  std::uint8_t code = 0;
  std::uint16_t identifier = 0;    // echo
  std::uint16_t sequence = 0;      // echo
  std::uint16_t next_hop_mtu = 0;  // destination unreachable, code 4; 0 otherwise
  // Echo: the data to echo. Errors: the quoted datagram (IPv4 header and at
  // least 8 bytes of its data), e.g. icmp_error_quote(original).
  // ({}: g++ warns, -Wmissing-field-initializers, when a designated initializer omits it.)
  std::span<std::byte const> data{};

  static constexpr icmp_repr echo_request(std::uint16_t id, std::uint16_t seq, std::span<std::byte const> data) {
    return {.type = icmp_type::echo_request, .identifier = id, .sequence = seq, .data = data};
  }
  static constexpr icmp_repr echo_reply(std::uint16_t id, std::uint16_t seq, std::span<std::byte const> data) {
    return {.type = icmp_type::echo_reply, .identifier = id, .sequence = seq, .data = data};
  }
  static constexpr icmp_repr destination_unreachable(std::uint8_t code, std::span<std::byte const> quote,
                                                     std::uint16_t next_hop_mtu = 0) {
    return {.type = icmp_type::destination_unreachable, .code = code, .next_hop_mtu = next_hop_mtu, .data = quote};
  }
  static constexpr icmp_repr port_unreachable(std::span<std::byte const> quote) {
    return destination_unreachable(icmp_unreachable::port, quote);
  }
  static constexpr icmp_repr time_exceeded(std::uint8_t code, std::span<std::byte const> quote) {
    return {.type = icmp_type::time_exceeded, .code = code, .data = quote};
  }

  constexpr bool is_echo() const { return type == icmp_type::echo_request || type == icmp_type::echo_reply; }
  constexpr bool is_error() const {
    return type == icmp_type::destination_unreachable || type == icmp_type::time_exceeded;
  }
  constexpr std::size_t size() const { return icmp_layout::header_len + data.size(); }

  static constexpr result<icmp_repr> parse(icmp_view const& v) {
    switch (v.type()) {
      case icmp_type::echo_request:
      case icmp_type::echo_reply:
        if (v.code() != 0) return parse_error::unsupported;
        return icmp_repr{.type = v.type(),
                         .identifier = v.echo_identifier(),
                         .sequence = v.echo_sequence(),
                         .data = v.data()};
      case icmp_type::destination_unreachable:
        if (v.code() > icmp_unreachable::max_code) return parse_error::unsupported;
        break;
      case icmp_type::time_exceeded:
        if (v.code() > icmp_time_exceeded::reassembly) return parse_error::unsupported;
        break;
      default:
        return parse_error::unsupported;
    }
    if (auto const e = check_quote(v.data()); e) return *e;
    std::uint16_t const mtu = v.type() == icmp_type::destination_unreachable &&
                                      v.code() == icmp_unreachable::fragmentation_needed
                                  ? v.next_hop_mtu()
                                  : std::uint16_t{0};
    return icmp_repr{.type = v.type(), .code = v.code(), .next_hop_mtu = mtu, .data = v.data()};
  }

  // Writes the whole message, checksum included, and returns its size.
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out) const {
    namespace L = icmp_layout;
    if (!is_echo() && !is_error()) return emit_error::field_out_of_range;
    if (data.size() > L::max_message_len - L::header_len) return emit_error::field_out_of_range;
    if (out.size() < size()) return emit_error::buffer_too_small;
    store_u8(out, L::type, std::uint8_t(type));
    store_u8(out, L::code, code);
    store_be16(out, L::checksum, 0);
    if (is_echo()) {
      store_be16(out, L::echo_identifier, identifier);
      store_be16(out, L::echo_sequence, sequence);
    } else {
      store_be16(out, L::rest_of_header, 0);  // unused
      store_be16(out, L::next_hop_mtu, next_hop_mtu);
    }
    detail::copy_bytes(out.subspan(L::data), data);
    store_be16(out, L::checksum, internet_checksum(out.first(size())));
    return size();
  }

  // "icmp echo request id 20042 seq 1 len 56", "icmp destination unreachable code 3 quote 80"
  constexpr void describe_to(text_writer& w) const {
    switch (type) {
      case icmp_type::echo_request: w << "icmp echo request"; break;
      case icmp_type::echo_reply: w << "icmp echo reply"; break;
      case icmp_type::destination_unreachable: w << "icmp destination unreachable"; break;
      case icmp_type::time_exceeded: w << "icmp time exceeded"; break;
      default: w << "icmp type " << std::uint8_t(type); break;
    }
    if (is_echo()) {
      w << " id " << identifier << " seq " << sequence << " len " << data.size();
    } else {
      w << " code " << code;
      if (next_hop_mtu != 0) w << " mtu " << next_hop_mtu;
      w << " quote " << data.size();
    }
  }

  friend constexpr bool operator==(icmp_repr const& a, icmp_repr const& b) {
    return a.type == b.type && a.code == b.code && a.identifier == b.identifier && a.sequence == b.sequence &&
           a.next_hop_mtu == b.next_hop_mtu && detail::equal_bytes(a.data, b.data);
  }

 private:
  // The quoted datagram must hold a plausible IPv4 header and 8 bytes behind
  // it. Its checksum and total length are not checked: routers quote the
  // header as they received it, and the quote is usually cut short.
  static constexpr std::optional<parse_error> check_quote(std::span<std::byte const> quote) {
    if (quote.size() < ipv4_layout::min_header_len) return parse_error::truncated;
    std::uint8_t const version_ihl = load_u8(quote, ipv4_layout::version_ihl);
    if ((version_ihl >> 4) != 4) return parse_error::bad_version;
    std::size_t const header_len = std::size_t{version_ihl & 0x0fU} * 4;
    if (header_len < ipv4_layout::min_header_len) return parse_error::bad_header_length;
    if (quote.size() < header_len + icmp_layout::quoted_data_min) return parse_error::truncated;
    return std::nullopt;
  }
};

}  // namespace strata::net
