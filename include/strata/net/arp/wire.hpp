// ARP (RFC 826) for IPv4 over Ethernet, the only pairing this stack resolves:
// hardware type 1, protocol type 0x0800, address lengths 6 and 4, operation
// request (1) or reply (2). Anything else is `unsupported` (RARP, InARP, ARP
// for other hardware). The packet is 28 bytes; bytes after it (the padding of
// a minimum-size Ethernet frame) are not part of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/error.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/ipv4/address.hpp>

namespace strata::net {

// 16 bits like the wire field, so any value read from a packet is representable.
enum class arp_operation : std::uint16_t { request = 1, reply = 2 };  // NOLINT(performance-enum-size)

namespace arp_layout {
inline constexpr std::size_t hardware_type = 0, protocol_type = 2, hardware_len = 4, protocol_len = 5, operation = 6;
inline constexpr std::size_t sender_hardware = 8, sender_protocol = 14, target_hardware = 18, target_protocol = 24;
inline constexpr std::size_t fixed_len = 8;     // up to the operation: enough to tell the kind of ARP
inline constexpr std::size_t packet_len = 28;   // for Ethernet/IPv4
inline constexpr std::uint16_t ethernet_hardware = 1, ipv4_protocol = 0x0800;
}  // namespace arp_layout

template <class Byte>
class basic_arp_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  static constexpr result<basic_arp_view> parse(std::span<Byte> bytes) {
    namespace L = arp_layout;
    // The kind of ARP is decided first, so a short packet of a kind we do not
    // handle counts as unsupported rather than truncated.
    if (bytes.size() < L::fixed_len) return parse_error::truncated;
    if (load_be16(bytes, L::hardware_type) != L::ethernet_hardware ||
        load_be16(bytes, L::protocol_type) != L::ipv4_protocol || load_u8(bytes, L::hardware_len) != 6 ||
        load_u8(bytes, L::protocol_len) != 4)
      return parse_error::unsupported;
    if (bytes.size() < L::packet_len) return parse_error::truncated;
    std::uint16_t const op = load_be16(bytes, L::operation);
    if (op != std::uint16_t(arp_operation::request) && op != std::uint16_t(arp_operation::reply))
      return parse_error::unsupported;
    return basic_arp_view{bytes.first(L::packet_len)};
  }

  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_arp_view<Other>() const {
    return basic_arp_view<Other>{bytes_};
  }

  constexpr arp_operation operation() const { return arp_operation{load_be16(bytes_, arp_layout::operation)}; }
  constexpr mac_address sender_hardware() const { return mac_address::load(bytes_, arp_layout::sender_hardware); }
  constexpr ipv4_address sender_protocol() const { return ipv4_address::load(bytes_, arp_layout::sender_protocol); }
  constexpr mac_address target_hardware() const { return mac_address::load(bytes_, arp_layout::target_hardware); }
  constexpr ipv4_address target_protocol() const { return ipv4_address::load(bytes_, arp_layout::target_protocol); }
  // The 28 bytes of the packet, without trailing padding.
  constexpr std::span<Byte> bytes() const { return bytes_; }

  // In-place rewriting (a request turned into its reply without a copy).
  constexpr void set_operation(arp_operation op) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, arp_layout::operation, std::uint16_t(op));
  }
  constexpr void set_sender(mac_address m, ipv4_address a) const
    requires(!std::is_const_v<Byte>)
  {
    m.store(bytes_, arp_layout::sender_hardware);
    a.store(bytes_, arp_layout::sender_protocol);
  }
  constexpr void set_target(mac_address m, ipv4_address a) const
    requires(!std::is_const_v<Byte>)
  {
    m.store(bytes_, arp_layout::target_hardware);
    a.store(bytes_, arp_layout::target_protocol);
  }

 private:
  template <class>
  friend class basic_arp_view;
  constexpr explicit basic_arp_view(std::span<Byte> bytes) : bytes_{bytes} {}

  std::span<Byte> bytes_;
};

using arp_view = basic_arp_view<std::byte const>;
using mutable_arp_view = basic_arp_view<std::byte>;

struct arp_repr {
  arp_operation operation = arp_operation::request;
  mac_address sender_hardware{};
  ipv4_address sender_protocol{};
  mac_address target_hardware{};  // zero in a request (RFC 826 leaves it unspecified; Linux sends zeros)
  ipv4_address target_protocol{};

  static constexpr std::size_t size() { return arp_layout::packet_len; }

  static constexpr result<arp_repr> parse(arp_view const& v) {
    return arp_repr{.operation = v.operation(),
                    .sender_hardware = v.sender_hardware(),
                    .sender_protocol = v.sender_protocol(),
                    .target_hardware = v.target_hardware(),
                    .target_protocol = v.target_protocol()};
  }

  // Writes the 28-byte packet at the start of `out` and returns 28.
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out) const {
    namespace L = arp_layout;
    if (operation != arp_operation::request && operation != arp_operation::reply)
      return emit_error::field_out_of_range;
    if (out.size() < L::packet_len) return emit_error::buffer_too_small;
    store_be16(out, L::hardware_type, L::ethernet_hardware);
    store_be16(out, L::protocol_type, L::ipv4_protocol);
    store_u8(out, L::hardware_len, 6);
    store_u8(out, L::protocol_len, 4);
    store_be16(out, L::operation, std::uint16_t(operation));
    sender_hardware.store(out, L::sender_hardware);
    sender_protocol.store(out, L::sender_protocol);
    target_hardware.store(out, L::target_hardware);
    target_protocol.store(out, L::target_protocol);
    return L::packet_len;
  }

  // "arp request who-has 10.0.0.2 tell 10.0.0.1 (92:e8:12:87:32:7b)"
  // "arp reply 10.0.0.2 is-at 3a:96:78:21:ce:25 to 10.0.0.1 (92:e8:12:87:32:7b)"
  constexpr void describe_to(text_writer& w) const {
    if (operation == arp_operation::request) {
      w << "arp request who-has ";
      target_protocol.describe_to(w);
      w << " tell ";
    } else {
      w << "arp reply ";
      sender_protocol.describe_to(w);
      w << " is-at ";
      sender_hardware.describe_to(w);
      w << " to ";
      target_protocol.describe_to(w);
      w << " (";
      target_hardware.describe_to(w);
      w << ')';
      return;
    }
    sender_protocol.describe_to(w);
    w << " (";
    sender_hardware.describe_to(w);
    w << ')';
  }

  friend constexpr bool operator==(arp_repr const&, arp_repr const&) = default;
};

}  // namespace strata::net
