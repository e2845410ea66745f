// DHCP messages (RFC 2131, options of RFC 2132) over the BOOTP format (RFC
// 951), for an Ethernet client. The view checks, in this order: the 240
// bytes up to the options are there (truncated); op is BOOTREQUEST (1) or
// BOOTREPLY (2), htype 1 and hlen 6 (unsupported: other hardware than
// Ethernet); the magic cookie 99.130.83.99 (unsupported: plain BOOTP); then
// walks the options: each code and length byte and the data they claim
// lie inside the buffer, and an end option (255) closes the list
// (truncated otherwise, so every prefix of a message is refused), and each
// option of a kind the repr reads has a length that fits it (bad_option: a
// subnet mask not 4 bytes, an address list not a non-zero multiple of 4,
// ...). Options of other kinds may have any length, 0 included. Bytes after
// the end option are padding and are not looked at.
//
// Where options are read: the options field only. Option overload (52),
// which moves options into the sname and file fields, is ignored: its
// length is checked like any known kind's, the two fields are not read.
// Servers overload only when the options field is full, which a reply
// carrying the few options a client asks for is not (slirp and busybox
// udhcpd never overload). If one did, a message whose type moved is refused
// (no message type: unsupported) and moved lease options read as absent
// (the client ignores an ACK without a lease time): counted, never misread.
//
// An option appearing twice: the first one counts. (RFC 3396 splits
// options longer than 255 bytes; none of the kinds read here gets that long.)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/detail/text.hpp>
#include <strata/net/error.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/ipv4/address.hpp>

namespace strata::net {

inline constexpr std::uint16_t dhcp_server_port = 67, dhcp_client_port = 68;

// BOOTP's op: who sends the message.
enum class dhcp_op : std::uint8_t { request = 1, reply = 2 };

// Option 53 (RFC 2132 9.6). Later types (FORCERENEW, leasequery) are
// unsupported: a client does not take part in them.
enum class dhcp_message_type : std::uint8_t {
  discover = 1,
  offer = 2,
  request = 3,
  decline = 4,
  ack = 5,
  nak = 6,
  release = 7,
  inform = 8,
};

constexpr std::string_view name(dhcp_message_type t) {
  switch (t) {
    case dhcp_message_type::discover: return "discover";
    case dhcp_message_type::offer: return "offer";
    case dhcp_message_type::request: return "request";
    case dhcp_message_type::decline: return "decline";
    case dhcp_message_type::ack: return "ack";
    case dhcp_message_type::nak: return "nak";
    case dhcp_message_type::release: return "release";
    case dhcp_message_type::inform: return "inform";
  }
  return "unknown";
}

namespace dhcp_layout {
inline constexpr std::size_t op = 0, htype = 1, hlen = 2, hops = 3, xid = 4, secs = 8, flags = 10, ciaddr = 12,
                             yiaddr = 16, siaddr = 20, giaddr = 24, chaddr = 28, sname = 44, file = 108, cookie = 236,
                             options = 240;
inline constexpr std::size_t chaddr_len = 16, sname_len = 64, file_len = 128;
inline constexpr std::size_t min_len = 240;  // up to and with the cookie
// What emit pads a message to: the size of a BOOTP message with its 64-byte
// vendor field (RFC 951), which some relays and servers still require
// (RFC 1542 2.1); dhclient and udhcpc pad to it too.
inline constexpr std::size_t min_emit_len = 300;
inline constexpr std::uint32_t magic_cookie = 0x63825363;  // 99.130.83.99
inline constexpr std::uint8_t ethernet_htype = 1, ethernet_hlen = 6;
inline constexpr std::uint16_t flag_broadcast = 0x8000;
}  // namespace dhcp_layout

// Option codes (RFC 2132) this stack reads or writes.
namespace dhcp_option {
inline constexpr std::uint8_t pad = 0, subnet_mask = 1, router = 3, dns_servers = 6, requested_address = 50,
                              lease_time = 51, overload = 52, message_type = 53, server_identifier = 54,
                              parameter_request_list = 55, max_message_size = 57, renewal_time = 58,
                              rebinding_time = 59, client_identifier = 61, end = 255;
}  // namespace dhcp_option

// Lease times in seconds; this one means "forever" (RFC 2131 3.3).
inline constexpr std::uint32_t dhcp_infinite_lease = 0xffffffff;

// DNS servers a repr keeps (more are dropped): resolv.conf's MAXNS.
inline constexpr std::size_t dhcp_max_dns_servers = 3;

namespace detail {

// Whether an option of this kind may have this length. Kinds the repr
// does not read may have any length.
// NOLINTNEXTLINE(bugprone-easily-swappable-parameters): an option's code and length, in wire order
constexpr bool dhcp_option_length_ok(std::uint8_t code, std::size_t len) {
  namespace O = dhcp_option;
  switch (code) {
    case O::subnet_mask:
    case O::requested_address:
    case O::server_identifier:
    case O::lease_time:
    case O::renewal_time:
    case O::rebinding_time: return len == 4;
    case O::router:
    case O::dns_servers: return len >= 4 && len % 4 == 0;
    case O::overload:
    case O::message_type: return len == 1;
    case O::max_message_size: return len == 2;
    case O::parameter_request_list: return len >= 1;
    case O::client_identifier: return len >= 2;  // a type and at least one byte (RFC 2132 9.14)
    default: return true;
  }
}

}  // namespace detail

template <class Byte>
class basic_dhcp_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  // `bytes` is the UDP payload.
  static constexpr result<basic_dhcp_view> parse(std::span<Byte> bytes) {
    namespace L = dhcp_layout;
    if (bytes.size() < L::min_len) return parse_error::truncated;
    std::uint8_t const op = load_u8(bytes, L::op);
    if (op != std::uint8_t(dhcp_op::request) && op != std::uint8_t(dhcp_op::reply)) return parse_error::unsupported;
    if (load_u8(bytes, L::htype) != L::ethernet_htype || load_u8(bytes, L::hlen) != L::ethernet_hlen)
      return parse_error::unsupported;
    if (load_be32(bytes, L::cookie) != L::magic_cookie) return parse_error::unsupported;
    // Every index below is checked against the size before it is read.
    std::size_t at = L::options;
    while (true) {
      if (at >= bytes.size()) return parse_error::truncated;  // no end option
      std::uint8_t const code = load_u8(bytes, at);
      if (code == dhcp_option::end) break;
      if (code == dhcp_option::pad) {
        ++at;
        continue;
      }
      if (at + 1 >= bytes.size()) return parse_error::truncated;
      std::size_t const len = load_u8(bytes, at + 1);
      if (bytes.size() - (at + 2) < len) return parse_error::truncated;
      if (!detail::dhcp_option_length_ok(code, len)) return parse_error::bad_option;
      at += 2 + len;
    }
    return basic_dhcp_view{bytes, at - L::options};
  }

  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_dhcp_view<Other>() const {
    return basic_dhcp_view<Other>{bytes_, options_len_};
  }

  constexpr dhcp_op op() const { return dhcp_op{load_u8(bytes_, dhcp_layout::op)}; }
  constexpr std::uint8_t hops() const { return load_u8(bytes_, dhcp_layout::hops); }
  constexpr std::uint32_t xid() const { return load_be32(bytes_, dhcp_layout::xid); }
  constexpr std::uint16_t secs() const { return load_be16(bytes_, dhcp_layout::secs); }
  constexpr std::uint16_t flags() const { return load_be16(bytes_, dhcp_layout::flags); }
  constexpr bool broadcast() const { return (flags() & dhcp_layout::flag_broadcast) != 0; }
  constexpr ipv4_address ciaddr() const { return ipv4_address::load(bytes_, dhcp_layout::ciaddr); }
  constexpr ipv4_address yiaddr() const { return ipv4_address::load(bytes_, dhcp_layout::yiaddr); }
  constexpr ipv4_address siaddr() const { return ipv4_address::load(bytes_, dhcp_layout::siaddr); }
  constexpr ipv4_address giaddr() const { return ipv4_address::load(bytes_, dhcp_layout::giaddr); }
  // The first 6 of chaddr's 16 bytes (hlen is 6).
  constexpr mac_address chaddr() const { return mac_address::load(bytes_, dhcp_layout::chaddr); }
  // Not interpreted (option overload is not followed, see the top).
  constexpr std::span<Byte> sname() const { return bytes_.subspan(dhcp_layout::sname, dhcp_layout::sname_len); }
  constexpr std::span<Byte> file() const { return bytes_.subspan(dhcp_layout::file, dhcp_layout::file_len); }
  // The options field from behind the cookie up to, without, the end option.
  constexpr std::span<Byte> options() const { return bytes_.subspan(dhcp_layout::options, options_len_); }
  // The whole message, padding behind the end option included.
  constexpr std::span<Byte> bytes() const { return bytes_; }

  // The data of the first option with this code, if there is one (pad and
  // end are not options with data: nullopt).
  constexpr std::optional<std::span<Byte>> option(std::uint8_t code) const {
    auto const opts = options();
    std::size_t at = 0;
    while (at < opts.size()) {  // parse checked that every option lies inside
      std::uint8_t const c = load_u8(opts, at);
      if (c == dhcp_option::pad) {
        ++at;
        continue;
      }
      std::size_t const len = load_u8(opts, at + 1);
      if (c == code) return opts.subspan(at + 2, len);
      at += 2 + len;
    }
    return std::nullopt;
  }

  // What a relay agent rewrites (RFC 1542 4.1).
  constexpr void set_hops(std::uint8_t h) const
    requires(!std::is_const_v<Byte>)
  {
    store_u8(bytes_, dhcp_layout::hops, h);
  }
  constexpr void set_giaddr(ipv4_address a) const
    requires(!std::is_const_v<Byte>)
  {
    a.store(bytes_, dhcp_layout::giaddr);
  }

 private:
  template <class>
  friend class basic_dhcp_view;
  constexpr basic_dhcp_view(std::span<Byte> bytes, std::size_t options_len)
      : bytes_{bytes}, options_len_{options_len} {}

  std::span<Byte> bytes_;
  std::size_t options_len_;  // bytes from dhcp_layout::options to the end option
};

using dhcp_view = basic_dhcp_view<std::byte const>;
using mutable_dhcp_view = basic_dhcp_view<std::byte>;

// A DHCP message as plain values: the header fields a client uses and the
// options it reads or sends. Absent options are nullopt (or empty spans);
// the spans point into the message parsed or into the caller's bytes.
// Not kept: hops, the flags other than broadcast (RFC 2131: must be zero),
// sname, file, and options of other kinds.
struct dhcp_repr {
  dhcp_op op = dhcp_op::request;
  dhcp_message_type message_type = dhcp_message_type::discover;  // 53
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  bool broadcast = false;  // ask the server to broadcast its reply (RFC 2131 4.1)
  ipv4_address ciaddr{};   // the client's address, when it has one (renewing, rebinding)
  ipv4_address yiaddr{};   // the address the server gives
  ipv4_address siaddr{};   // the next server (boot), not the DHCP server: that is server_identifier
  ipv4_address giaddr{};   // the relay agent
  mac_address chaddr{};
  // ({}: g++ warns, -Wmissing-field-initializers, when a designated initializer omits them.)
  std::optional<ipv4_address> requested_address{};  // 50
  std::optional<ipv4_address> server_identifier{};  // 54
  std::optional<ipv4_address> subnet_mask{};        // 1
  std::optional<ipv4_address> router{};             // 3: the first one
  std::array<ipv4_address, dhcp_max_dns_servers> dns_servers{};  // 6: the first dns_server_count
  std::uint8_t dns_server_count = 0;
  std::optional<std::uint32_t> lease_time{};        // 51, seconds; dhcp_infinite_lease: forever
  std::optional<std::uint32_t> renewal_time{};      // 58, T1, seconds
  std::optional<std::uint32_t> rebinding_time{};    // 59, T2, seconds
  std::optional<std::uint16_t> max_message_size{};  // 57
  // 55 and 61; empty: absent. ({}: g++ warns, -Wmissing-field-initializers,
  // when a designated initializer omits them.)
  std::span<std::byte const> parameter_request_list{};
  std::span<std::byte const> client_identifier{};

  constexpr std::span<ipv4_address const> dns() const {
    return {dns_servers.data(), dns_server_count < dns_servers.size() ? dns_server_count : dns_servers.size()};
  }

  // Refuses a message without a message type (BOOTP with vendor options,
  // or one whose type was moved by option overload) or with a type after
  // INFORM: unsupported.
  static constexpr result<dhcp_repr> parse(dhcp_view const& v) {
    namespace O = dhcp_option;
    auto const type = v.option(O::message_type);
    if (!type) return parse_error::unsupported;
    std::uint8_t const t = load_u8(*type, 0);
    if (t < std::uint8_t(dhcp_message_type::discover) || t > std::uint8_t(dhcp_message_type::inform))
      return parse_error::unsupported;
    dhcp_repr r{.op = v.op(),
                .message_type = dhcp_message_type{t},
                .xid = v.xid(),
                .secs = v.secs(),
                .broadcast = v.broadcast(),
                .ciaddr = v.ciaddr(),
                .yiaddr = v.yiaddr(),
                .siaddr = v.siaddr(),
                .giaddr = v.giaddr(),
                .chaddr = v.chaddr()};
    // The view has checked the lengths of these kinds.
    auto const address = [&](std::uint8_t code) -> std::optional<ipv4_address> {
      if (auto const o = v.option(code)) return ipv4_address::load(*o, 0);
      return std::nullopt;
    };
    auto const seconds = [&](std::uint8_t code) -> std::optional<std::uint32_t> {
      if (auto const o = v.option(code)) return load_be32(*o, 0);
      return std::nullopt;
    };
    r.requested_address = address(O::requested_address);
    r.server_identifier = address(O::server_identifier);
    r.subnet_mask = address(O::subnet_mask);
    r.router = address(O::router);
    if (auto const o = v.option(O::dns_servers)) {
      for (std::size_t at = 0; at < o->size() && r.dns_server_count < dhcp_max_dns_servers; at += 4)
        r.dns_servers[r.dns_server_count++] = ipv4_address::load(*o, at);
    }
    r.lease_time = seconds(O::lease_time);
    r.renewal_time = seconds(O::renewal_time);
    r.rebinding_time = seconds(O::rebinding_time);
    if (auto const o = v.option(O::max_message_size)) r.max_message_size = load_be16(*o, 0);
    if (auto const o = v.option(O::parameter_request_list)) r.parameter_request_list = *o;
    if (auto const o = v.option(O::client_identifier)) r.client_identifier = *o;
    return r;
  }

  // The bytes emit writes: the fixed part, the options, the end option,
  // zero padding up to 300 bytes.
  constexpr std::size_t size() const {
    std::size_t n = dhcp_layout::options + options_len() + 1;
    return n < dhcp_layout::min_emit_len ? dhcp_layout::min_emit_len : n;
  }

  // Writes the message, options in a fixed order (53, 50, 54, 1, 3, 6, 51,
  // 58, 59, 57, 55, 61: slirp's order for what it sends), and returns
  // size(). field_out_of_range: an op or message type outside the enums,
  // more DNS servers than kept, a list or identifier over 255 bytes, a
  // client identifier of one byte (parse would refuse it).
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out) const {
    namespace L = dhcp_layout;
    namespace O = dhcp_option;
    if ((op != dhcp_op::request && op != dhcp_op::reply) ||
        std::uint8_t(message_type) < std::uint8_t(dhcp_message_type::discover) ||
        std::uint8_t(message_type) > std::uint8_t(dhcp_message_type::inform) ||
        dns_server_count > dhcp_max_dns_servers || parameter_request_list.size() > 255 ||
        client_identifier.size() > 255 || client_identifier.size() == 1)
      return emit_error::field_out_of_range;
    std::size_t const len = size();
    if (out.size() < len) return emit_error::buffer_too_small;
    for (std::size_t i = 0; i < len; ++i) out[i] = std::byte{0};  // sname, file, chaddr's tail, padding
    store_u8(out, L::op, std::uint8_t(op));
    store_u8(out, L::htype, L::ethernet_htype);
    store_u8(out, L::hlen, L::ethernet_hlen);
    store_be32(out, L::xid, xid);
    store_be16(out, L::secs, secs);
    store_be16(out, L::flags, broadcast ? L::flag_broadcast : std::uint16_t{0});
    ciaddr.store(out, L::ciaddr);
    yiaddr.store(out, L::yiaddr);
    siaddr.store(out, L::siaddr);
    giaddr.store(out, L::giaddr);
    chaddr.store(out, L::chaddr);
    store_be32(out, L::cookie, L::magic_cookie);
    std::size_t at = L::options;
    auto const header = [&](std::uint8_t code, std::size_t n) {
      store_u8(out, at, code);
      store_u8(out, at + 1, static_cast<std::uint8_t>(n));
      at += 2;
    };
    auto const address = [&](std::uint8_t code, std::optional<ipv4_address> a) {
      if (!a) return;
      header(code, 4);
      a->store(out, at);
      at += 4;
    };
    auto const seconds = [&](std::uint8_t code, std::optional<std::uint32_t> s) {
      if (!s) return;
      header(code, 4);
      store_be32(out, at, *s);
      at += 4;
    };
    auto const data = [&](std::uint8_t code, std::span<std::byte const> d) {
      if (d.empty()) return;
      header(code, d.size());
      detail::copy_bytes(out.subspan(at), d);
      at += d.size();
    };
    header(O::message_type, 1);
    store_u8(out, at++, std::uint8_t(message_type));
    address(O::requested_address, requested_address);
    address(O::server_identifier, server_identifier);
    address(O::subnet_mask, subnet_mask);
    address(O::router, router);
    if (dns_server_count != 0) {
      header(O::dns_servers, std::size_t{dns_server_count} * 4);
      for (auto const& a : dns()) {
        a.store(out, at);
        at += 4;
      }
    }
    seconds(O::lease_time, lease_time);
    seconds(O::renewal_time, renewal_time);
    seconds(O::rebinding_time, rebinding_time);
    if (max_message_size) {
      header(O::max_message_size, 2);
      store_be16(out, at, *max_message_size);
      at += 2;
    }
    data(O::parameter_request_list, parameter_request_list);
    data(O::client_identifier, client_identifier);
    store_u8(out, at, O::end);
    return len;
  }

  // "dhcp offer xid 0x05ae015c chaddr 52:54:00:12:34:56 yiaddr 10.0.2.15
  //  server 10.0.2.2 mask 255.255.255.0 router 10.0.2.2 dns 10.0.2.3 lease 86400"
  constexpr void describe_to(text_writer& w) const {
    w << "dhcp " << name(message_type) << " xid 0x";
    for (int shift = 24; shift >= 0; shift -= 8) detail::write_hex_byte(w, static_cast<std::uint8_t>(xid >> shift));
    w << " chaddr ";
    chaddr.describe_to(w);
    auto const address = [&](std::string_view label, ipv4_address a) {
      w << ' ' << label << ' ';
      a.describe_to(w);
    };
    if (!ciaddr.is_unspecified()) address("ciaddr", ciaddr);
    if (!yiaddr.is_unspecified()) address("yiaddr", yiaddr);
    if (requested_address) address("requested", *requested_address);
    if (server_identifier) address("server", *server_identifier);
    if (subnet_mask) address("mask", *subnet_mask);
    if (router) address("router", *router);
    for (auto const& a : dns()) address("dns", a);
    if (lease_time) w << " lease " << *lease_time;
    if (renewal_time) w << " t1 " << *renewal_time;
    if (rebinding_time) w << " t2 " << *rebinding_time;
    if (broadcast) w << " broadcast";
  }

  friend constexpr bool operator==(dhcp_repr const& a, dhcp_repr const& b) {
    auto const same_dns = [&] {
      auto const x = a.dns();
      auto const y = b.dns();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i] != y[i]) return false;
      return true;
    };
    return a.op == b.op && a.message_type == b.message_type && a.xid == b.xid && a.secs == b.secs &&
           a.broadcast == b.broadcast && a.ciaddr == b.ciaddr && a.yiaddr == b.yiaddr && a.siaddr == b.siaddr &&
           a.giaddr == b.giaddr && a.chaddr == b.chaddr && a.requested_address == b.requested_address &&
           a.server_identifier == b.server_identifier && a.subnet_mask == b.subnet_mask && a.router == b.router &&
           same_dns() && a.lease_time == b.lease_time && a.renewal_time == b.renewal_time &&
           a.rebinding_time == b.rebinding_time && a.max_message_size == b.max_message_size &&
           detail::equal_bytes(a.parameter_request_list, b.parameter_request_list) &&
           detail::equal_bytes(a.client_identifier, b.client_identifier);
  }

 private:
  // Bytes of the options before the end option.
  constexpr std::size_t options_len() const {
    std::size_t n = 3;  // message type
    n += requested_address ? 6 : 0;
    n += server_identifier ? 6 : 0;
    n += subnet_mask ? 6 : 0;
    n += router ? 6 : 0;
    n += dns_server_count != 0 ? 2 + std::size_t{dns_server_count} * 4 : 0;
    n += lease_time ? 6 : 0;
    n += renewal_time ? 6 : 0;
    n += rebinding_time ? 6 : 0;
    n += max_message_size ? 4 : 0;
    n += parameter_request_list.empty() ? 0 : 2 + parameter_request_list.size();
    n += client_identifier.empty() ? 0 : 2 + client_identifier.size();
    return n;
  }
};

}  // namespace strata::net
