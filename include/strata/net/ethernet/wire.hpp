// Ethernet II frames (IEEE 802.3 with an EtherType), optionally with one
// IEEE 802.1Q VLAN tag. A frame here starts at the destination address and
// has no preamble and no FCS (NICs and virtio strip it); frames shorter than
// the 60-byte minimum are accepted, since veth, TAP and loopback devices
// deliver them unpadded, and the padding of short frames stays in the payload
// (IPv4 and ARP ignore what follows their own length).
//
// 802.1Q: one tag (TPID 0x8100) is skipped and reported by vlan(); the
// EtherType and payload are those behind it. Stacked tags (an 0x8100 behind
// the first, or an 802.1ad S-tag 0x88a8) are `unsupported`: a unikernel sits
// on an access port or one trunk VLAN, never on a provider bridge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/error.hpp>
#include <strata/net/detail/text.hpp>
#include <strata/net/ethernet/address.hpp>

namespace strata::net {

// The EtherTypes this stack names; any other value is representable too.
enum class ethertype : std::uint16_t {
  ipv4 = 0x0800,
  arp = 0x0806,
  vlan = 0x8100,  // IEEE 802.1Q C-tag
  ipv6 = 0x86dd,
  qinq = 0x88a8,  // IEEE 802.1ad S-tag
};

// Values below this are 802.3 length fields (LLC frames), not EtherTypes.
inline constexpr std::uint16_t min_ethertype = 0x0600;

// The tag control information of an 802.1Q tag.
struct vlan_tag {
  std::uint8_t priority = 0;    // PCP, 3 bits
  bool drop_eligible = false;   // DEI, 1 bit
  std::uint16_t id = 0;         // VID, 12 bits; 0 means priority-tagged only

  static constexpr vlan_tag from_tci(std::uint16_t tci) {
    return {.priority = static_cast<std::uint8_t>(tci >> 13),
            .drop_eligible = (tci & 0x1000) != 0,
            .id = static_cast<std::uint16_t>(tci & 0x0fff)};
  }
  constexpr std::uint16_t tci() const {
    return static_cast<std::uint16_t>((priority & 0x7) << 13 | (drop_eligible ? 0x1000 : 0) | (id & 0x0fff));
  }
  constexpr bool fits() const { return priority <= 7 && id <= 0x0fff; }

  friend constexpr bool operator==(vlan_tag const&, vlan_tag const&) = default;
};

namespace ethernet_layout {
inline constexpr std::size_t destination = 0, source = 6, type = 12;
inline constexpr std::size_t header_len = 14;
inline constexpr std::size_t vlan_tci = 14, vlan_inner_type = 16;  // when type is 0x8100
inline constexpr std::size_t vlan_header_len = 18;
}  // namespace ethernet_layout

// A checked view of an Ethernet frame. Byte is std::byte const (reading) or
// std::byte (reading and rewriting addresses in place).
template <class Byte>
class basic_ethernet_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  static constexpr result<basic_ethernet_view> parse(std::span<Byte> frame) {
    namespace L = ethernet_layout;
    if (frame.size() < L::header_len) return parse_error::truncated;
    std::uint16_t const outer = load_be16(frame, L::type);
    if (outer == std::uint16_t(ethertype::vlan)) {
      if (frame.size() < L::vlan_header_len) return parse_error::truncated;
      std::uint16_t const inner = load_be16(frame, L::vlan_inner_type);
      if (inner < min_ethertype || inner == std::uint16_t(ethertype::vlan) || inner == std::uint16_t(ethertype::qinq))
        return parse_error::unsupported;
      return basic_ethernet_view{frame, L::vlan_header_len};
    }
    if (outer < min_ethertype || outer == std::uint16_t(ethertype::qinq)) return parse_error::unsupported;
    return basic_ethernet_view{frame, L::header_len};
  }

  // A read-only view of the same frame.
  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_ethernet_view<Other>() const {
    return basic_ethernet_view<Other>{frame_, header_len_};
  }

  constexpr mac_address destination() const { return mac_address::load(frame_, ethernet_layout::destination); }
  constexpr mac_address source() const { return mac_address::load(frame_, ethernet_layout::source); }
  // The EtherType of the payload (behind the VLAN tag, if any).
  constexpr net::ethertype ethertype() const { return net::ethertype{load_be16(frame_, header_len_ - 2)}; }
  constexpr std::optional<vlan_tag> vlan() const {
    if (header_len_ == ethernet_layout::header_len) return std::nullopt;
    return vlan_tag::from_tci(load_be16(frame_, ethernet_layout::vlan_tci));
  }
  constexpr std::size_t header_len() const { return header_len_; }
  // Everything after the header, including any padding of a short frame.
  constexpr std::span<Byte> payload() const { return frame_.subspan(header_len_); }
  constexpr std::span<Byte> bytes() const { return frame_; }

  constexpr void set_destination(mac_address m) const
    requires(!std::is_const_v<Byte>)
  {
    m.store(frame_, ethernet_layout::destination);
  }
  constexpr void set_source(mac_address m) const
    requires(!std::is_const_v<Byte>)
  {
    m.store(frame_, ethernet_layout::source);
  }

 private:
  template <class>
  friend class basic_ethernet_view;
  constexpr basic_ethernet_view(std::span<Byte> frame, std::size_t header_len)
      : frame_{frame}, header_len_{header_len} {}

  std::span<Byte> frame_;
  std::size_t header_len_;
};

using ethernet_view = basic_ethernet_view<std::byte const>;
using mutable_ethernet_view = basic_ethernet_view<std::byte>;

// An Ethernet header as plain values.
struct ethernet_repr {
  mac_address destination{};
  mac_address source{};
  net::ethertype type = net::ethertype::ipv4;
  // ({}: g++ warns, -Wmissing-field-initializers, when a designated initializer omits it.)
  std::optional<vlan_tag> vlan{};

  constexpr std::size_t header_len() const {
    return vlan ? ethernet_layout::vlan_header_len : ethernet_layout::header_len;
  }

  static constexpr result<ethernet_repr> parse(ethernet_view const& v) {
    return ethernet_repr{.destination = v.destination(), .source = v.source(), .type = v.ethertype(), .vlan = v.vlan()};
  }

  // Writes the header at the start of `out`; the caller writes the payload
  // behind it. Returns the header length.
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out) const {
    namespace L = ethernet_layout;
    auto const t = std::uint16_t(type);
    if (t < min_ethertype || type == net::ethertype::vlan || type == net::ethertype::qinq || (vlan && !vlan->fits()))
      return emit_error::field_out_of_range;
    if (out.size() < header_len()) return emit_error::buffer_too_small;
    destination.store(out, L::destination);
    source.store(out, L::source);
    if (vlan) {
      store_be16(out, L::type, std::uint16_t(net::ethertype::vlan));
      store_be16(out, L::vlan_tci, vlan->tci());
    }
    store_be16(out, header_len() - 2, t);
    return header_len();
  }

  // "ethernet 92:e8:12:87:32:7b > 3a:96:78:21:ce:25 type 0x0800 vlan 10"
  constexpr void describe_to(text_writer& w) const {
    w << "ethernet ";
    source.describe_to(w);
    w << " > ";
    destination.describe_to(w);
    auto const t = std::uint16_t(type);
    w << " type 0x";
    detail::write_hex_byte(w, std::uint8_t(t >> 8));
    detail::write_hex_byte(w, std::uint8_t(t & 0xff));
    if (vlan) w << " vlan " << vlan->id << " prio " << vlan->priority;
  }

  friend constexpr bool operator==(ethernet_repr const&, ethernet_repr const&) = default;
};

}  // namespace strata::net
