// IPv4 headers (RFC 791). The view checks, in this order: the 20-byte fixed
// header is there (truncated), version 4 (bad_version), IHL >= 5
// (bad_header_length), the whole header with its options is there
// (truncated), total length >= header length (bad_total_length), total length
// <= buffer (truncated), then the header checksum (bad_checksum). Its payload
// is exactly total length - header length: Ethernet padding behind it is not
// payload. Fragments parse like any packet; reassembly is a later layer's.
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

namespace strata::net {

// IP protocol numbers this stack names; others are representable too.
enum class ip_protocol : std::uint8_t { icmp = 1, tcp = 6, udp = 17 };

namespace ipv4_layout {
inline constexpr std::size_t version_ihl = 0, dscp_ecn = 1, total_length = 2, identification = 4,
                             flags_fragment = 6, ttl = 8, protocol = 9, checksum = 10, source = 12,
                             destination = 16, options = 20;
inline constexpr std::size_t min_header_len = 20, max_header_len = 60, max_options_len = 40;
inline constexpr std::uint16_t flag_reserved = 0x8000, flag_dont_fragment = 0x4000, flag_more_fragments = 0x2000,
                               fragment_offset_mask = 0x1fff;
inline constexpr std::size_t max_total_len = 0xffff;
}  // namespace ipv4_layout

// The one's-complement sum of the pseudo-header UDP and TCP checksums cover
// (RFC 768, RFC 9293 3.1): source, destination, zero, protocol, length.
constexpr std::uint16_t ipv4_pseudo_header_sum(ipv4_address source, ipv4_address destination, ip_protocol protocol,
                                               std::uint16_t length) {
  auto const s = source.to_u32();
  auto const d = destination.to_u32();
  std::uint64_t const sum = (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + std::uint8_t(protocol) + length;
  return detail::fold(sum);
}

template <class Byte>
class basic_ipv4_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  static constexpr result<basic_ipv4_view> parse(std::span<Byte> bytes,
                                                 checksum_policy checksum = checksum_policy::verify) {
    namespace L = ipv4_layout;
    if (bytes.size() < L::min_header_len) return parse_error::truncated;
    std::uint8_t const version_ihl = load_u8(bytes, L::version_ihl);
    if ((version_ihl >> 4) != 4) return parse_error::bad_version;
    std::size_t const header_len = std::size_t{version_ihl & 0x0fU} * 4;
    if (header_len < L::min_header_len) return parse_error::bad_header_length;
    if (bytes.size() < header_len) return parse_error::truncated;
    std::size_t const total_len = load_be16(bytes, L::total_length);
    if (total_len < header_len) return parse_error::bad_total_length;
    if (bytes.size() < total_len) return parse_error::truncated;
    if (checksum == checksum_policy::verify && ones_complement_sum(bytes.first(header_len)) != 0xffff)
      return parse_error::bad_checksum;
    return basic_ipv4_view{bytes.first(total_len), header_len};
  }

  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_ipv4_view<Other>() const {
    return basic_ipv4_view<Other>{bytes_, header_len_};
  }

  constexpr std::size_t header_len() const { return header_len_; }
  constexpr std::uint8_t dscp() const { return load_u8(bytes_, ipv4_layout::dscp_ecn) >> 2; }
  constexpr std::uint8_t ecn() const { return load_u8(bytes_, ipv4_layout::dscp_ecn) & 0x3; }
  constexpr std::size_t total_len() const { return bytes_.size(); }
  constexpr std::uint16_t identification() const { return load_be16(bytes_, ipv4_layout::identification); }
  constexpr bool reserved_flag() const { return (flags_fragment() & ipv4_layout::flag_reserved) != 0; }
  constexpr bool dont_fragment() const { return (flags_fragment() & ipv4_layout::flag_dont_fragment) != 0; }
  constexpr bool more_fragments() const { return (flags_fragment() & ipv4_layout::flag_more_fragments) != 0; }
  // In bytes (the field counts 8-byte units).
  constexpr std::uint16_t fragment_offset() const {
    return static_cast<std::uint16_t>((flags_fragment() & ipv4_layout::fragment_offset_mask) * 8);
  }
  constexpr bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  constexpr std::uint8_t ttl() const { return load_u8(bytes_, ipv4_layout::ttl); }
  constexpr ip_protocol protocol() const { return ip_protocol{load_u8(bytes_, ipv4_layout::protocol)}; }
  constexpr std::uint16_t checksum() const { return load_be16(bytes_, ipv4_layout::checksum); }
  constexpr ipv4_address source() const { return ipv4_address::load(bytes_, ipv4_layout::source); }
  constexpr ipv4_address destination() const { return ipv4_address::load(bytes_, ipv4_layout::destination); }
  // The option bytes (IHL * 4 - 20 of them), not interpreted here.
  constexpr std::span<Byte> options() const {
    return bytes_.subspan(ipv4_layout::options, header_len_ - ipv4_layout::min_header_len);
  }
  constexpr std::span<Byte> header() const { return bytes_.first(header_len_); }
  constexpr std::span<Byte> payload() const { return bytes_.subspan(header_len_); }
  // Header and payload: total length bytes.
  constexpr std::span<Byte> bytes() const { return bytes_; }

  // In-place rewriting (forwarding, answering in place). Lengths cannot be
  // changed: the view's bounds rest on them. Callers fix the checksum with
  // fill_checksum() or the RFC 1624 update (checksum.hpp).
  constexpr void set_ttl(std::uint8_t ttl) const
    requires(!std::is_const_v<Byte>)
  {
    store_u8(bytes_, ipv4_layout::ttl, ttl);
  }
  constexpr void set_identification(std::uint16_t id) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, ipv4_layout::identification, id);
  }
  constexpr void set_source(ipv4_address a) const
    requires(!std::is_const_v<Byte>)
  {
    a.store(bytes_, ipv4_layout::source);
  }
  constexpr void set_destination(ipv4_address a) const
    requires(!std::is_const_v<Byte>)
  {
    a.store(bytes_, ipv4_layout::destination);
  }
  constexpr void set_checksum(std::uint16_t c) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, ipv4_layout::checksum, c);
  }
  constexpr void fill_checksum() const
    requires(!std::is_const_v<Byte>)
  {
    set_checksum(0);
    set_checksum(internet_checksum(header()));
  }

 private:
  template <class>
  friend class basic_ipv4_view;
  constexpr basic_ipv4_view(std::span<Byte> bytes, std::size_t header_len) : bytes_{bytes}, header_len_{header_len} {}
  constexpr std::uint16_t flags_fragment() const { return load_be16(bytes_, ipv4_layout::flags_fragment); }

  std::span<Byte> bytes_;  // exactly total length
  std::size_t header_len_;
};

using ipv4_view = basic_ipv4_view<std::byte const>;
using mutable_ipv4_view = basic_ipv4_view<std::byte>;

// An IPv4 header as plain values. The options are a span into the packet it
// was parsed from (or any bytes the caller keeps alive while emitting).
struct ipv4_repr {
  ipv4_address source{};
  ipv4_address destination{};
  ip_protocol protocol = ip_protocol::udp;
  std::uint8_t ttl = 64;
  std::uint8_t dscp = 0;  // 6 bits
  std::uint8_t ecn = 0;   // 2 bits
  std::uint16_t identification = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;  // in bytes, a multiple of 8
  std::size_t payload_len = 0;
  // A multiple of 4 bytes, at most 40. ({}: g++ warns, -Wmissing-field-initializers,
  // when a designated initializer omits it.)
  std::span<std::byte const> options{};

  constexpr std::size_t header_len() const { return ipv4_layout::min_header_len + options.size(); }
  constexpr std::size_t total_len() const { return header_len() + payload_len; }

  // Never fails: the view has checked all a repr needs. (The reserved flag
  // is not kept; RFC 791 says it must be zero, and emit writes zero.)
  static constexpr result<ipv4_repr> parse(ipv4_view const& v) {
    return ipv4_repr{.source = v.source(),
                     .destination = v.destination(),
                     .protocol = v.protocol(),
                     .ttl = v.ttl(),
                     .dscp = v.dscp(),
                     .ecn = v.ecn(),
                     .identification = v.identification(),
                     .dont_fragment = v.dont_fragment(),
                     .more_fragments = v.more_fragments(),
                     .fragment_offset = v.fragment_offset(),
                     .payload_len = v.payload().size(),
                     .options = v.options()};
  }

  // Writes the header, checksum included, at the start of `out`, which must
  // have room for the whole packet (total_len()): the caller writes the
  // payload at out.subspan(header_len()). Returns header_len().
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out) const {
    namespace L = ipv4_layout;
    // payload_len first: a huge one would wrap total_len() around.
    if (payload_len > L::max_total_len || options.size() % 4 != 0 || options.size() > L::max_options_len ||
        total_len() > L::max_total_len ||
        fragment_offset % 8 != 0 || dscp > 63 || ecn > 3)
      return emit_error::field_out_of_range;
    if (out.size() < total_len()) return emit_error::buffer_too_small;
    std::size_t const len = header_len();
    store_u8(out, L::version_ihl, static_cast<std::uint8_t>(0x40 | (len / 4)));
    store_u8(out, L::dscp_ecn, static_cast<std::uint8_t>(dscp << 2 | ecn));
    store_be16(out, L::total_length, static_cast<std::uint16_t>(total_len()));
    store_be16(out, L::identification, identification);
    store_be16(out, L::flags_fragment,
               static_cast<std::uint16_t>((dont_fragment ? L::flag_dont_fragment : 0) |
                                          (more_fragments ? L::flag_more_fragments : 0) | (fragment_offset / 8)));
    store_u8(out, L::ttl, ttl);
    store_u8(out, L::protocol, std::uint8_t(protocol));
    store_be16(out, L::checksum, 0);
    source.store(out, L::source);
    destination.store(out, L::destination);
    detail::copy_bytes(out.subspan(L::options), options);
    store_be16(out, L::checksum, internet_checksum(out.first(len)));
    return len;
  }

  // "ipv4 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 40660 df len 64"
  constexpr void describe_to(text_writer& w) const {
    w << "ipv4 ";
    source.describe_to(w);
    w << " > ";
    destination.describe_to(w);
    w << " proto " << std::uint8_t(protocol) << " ttl " << ttl << " id " << identification;
    if (dont_fragment) w << " df";
    if (more_fragments) w << " mf";
    if (fragment_offset != 0) w << " offset " << fragment_offset;
    if (!options.empty()) w << " options " << options.size();
    w << " len " << payload_len;
  }

  friend constexpr bool operator==(ipv4_repr const& a, ipv4_repr const& b) {
    return a.source == b.source && a.destination == b.destination && a.protocol == b.protocol && a.ttl == b.ttl &&
           a.dscp == b.dscp && a.ecn == b.ecn && a.identification == b.identification &&
           a.dont_fragment == b.dont_fragment && a.more_fragments == b.more_fragments &&
           a.fragment_offset == b.fragment_offset && a.payload_len == b.payload_len &&
           detail::equal_bytes(a.options, b.options);
  }
};

}  // namespace strata::net
