// TCP segments over IPv4 (RFC 9293). TCP has no length field: the segment is
// the whole IPv4 payload. The view takes it and the addresses of the
// pseudo-header, and checks: the 20-byte header is there (truncated), at most
// 65535 bytes (bad_total_length: the pseudo-header cannot carry more, and
// IPv4 never delivers more), data offset >= 5 (bad_header_length), the header
// with its options is there (truncated), the checksum over pseudo-header,
// header and data (bad_checksum), then the options walk (bad_option). The
// checksum comes before the options so that a segment damaged on the way
// counts as bad_checksum, and bad_option means a sender wrote it that way.
//
// Options (RFC 9293 3.2, RFC 7323, RFC 2018): end of list and NOP; MSS (2),
// window scale (3), SACK-permitted (4), SACK (5, 1 to 4 blocks) and
// timestamps (8) are decoded; other kinds are skipped by their length. A
// length byte missing, below 2, past the header or wrong for a known kind
// rejects the segment (Linux ignores such an option instead; a wire format
// that says "malformed" lets the layer above count it). Bytes after the end
// of list are padding. A kind that appears twice: the last one counts.
//
// Emit lays options out as Linux does (tcp_options_write): MSS; timestamps,
// led by SACK-permitted or by two NOPs; SACK-permitted alone behind two NOPs;
// NOP and window scale; two NOPs and the SACK blocks. Every piece is a
// multiple of 4 bytes, so the NOPs are the padding, and a Linux segment
// re-emits byte for byte. Options that fit 40 bytes only without the NOPs
// are packed, with an end of list and zeros up to a multiple of 4, so every
// parsed segment can be emitted again.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/checksum.hpp>
#include <strata/net/error.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/ipv4/wire.hpp>

namespace strata::net {

namespace tcp_layout {
inline constexpr std::size_t source_port = 0, destination_port = 2, seq_number = 4, ack_number = 8,
                             data_offset = 12, flags = 13, window = 14, checksum = 16, urgent_pointer = 18,
                             options = 20;
inline constexpr std::size_t min_header_len = 20, max_header_len = 60, max_options_len = 40;
inline constexpr std::size_t max_segment_len = 0xffff;
inline constexpr std::size_t max_sack_blocks = 4;
// Option kinds and the lengths of those with a fixed one.
inline constexpr std::uint8_t option_end = 0, option_nop = 1, option_mss = 2, option_window_scale = 3,
                              option_sack_permitted = 4, option_sack = 5, option_timestamps = 8;
inline constexpr std::size_t mss_len = 4, window_scale_len = 3, sack_permitted_len = 2, timestamps_len = 10,
                             sack_block_len = 8;
}  // namespace tcp_layout

// The eight flags of byte 13. (The 4 bits before them, reserved, are readable
// on the view; a repr does not keep them and emit writes 0.)
struct tcp_flags {
  bool fin = false;
  bool syn = false;
  bool rst = false;
  bool psh = false;
  bool ack = false;
  bool urg = false;
  bool ece = false;
  bool cwr = false;

  static constexpr tcp_flags from_byte(std::uint8_t b) {
    return {.fin = (b & 0x01) != 0,
            .syn = (b & 0x02) != 0,
            .rst = (b & 0x04) != 0,
            .psh = (b & 0x08) != 0,
            .ack = (b & 0x10) != 0,
            .urg = (b & 0x20) != 0,
            .ece = (b & 0x40) != 0,
            .cwr = (b & 0x80) != 0};
  }
  constexpr std::uint8_t to_byte() const {
    return static_cast<std::uint8_t>((fin ? 0x01 : 0) | (syn ? 0x02 : 0) | (rst ? 0x04 : 0) | (psh ? 0x08 : 0) |
                                     (ack ? 0x10 : 0) | (urg ? 0x20 : 0) | (ece ? 0x40 : 0) | (cwr ? 0x80 : 0));
  }

  // tcpdump's letters, in bit order: "S." for SYN-ACK, "none" for none.
  constexpr void describe_to(text_writer& w) const {
    std::uint8_t const b = to_byte();
    if (b == 0) w << "none";
    for (std::size_t i = 0; i < 8; ++i)
      if ((b >> i & 1U) != 0) w << "FSRP.UEW"[i];
  }

  friend constexpr bool operator==(tcp_flags const&, tcp_flags const&) = default;
};

// One SACK block (RFC 2018): the sequence numbers of its first byte and of
// the byte after its last.
struct tcp_sack_block {
  std::uint32_t left = 0;
  std::uint32_t right = 0;
  friend constexpr bool operator==(tcp_sack_block const&, tcp_sack_block const&) = default;
};

// RFC 7323: TSval and TSecr.
struct tcp_timestamps {
  std::uint32_t value = 0;
  std::uint32_t echo_reply = 0;
  friend constexpr bool operator==(tcp_timestamps const&, tcp_timestamps const&) = default;
};

// The options this stack understands, as values. ({}: g++ warns,
// -Wmissing-field-initializers, when a designated initializer omits a member
// without one.)
struct tcp_options {
  std::optional<std::uint16_t> mss{};
  std::optional<std::uint8_t> window_scale{};
  bool sack_permitted = false;
  std::optional<tcp_timestamps> timestamps{};
  std::array<tcp_sack_block, tcp_layout::max_sack_blocks> sack_blocks{};
  std::size_t sack_count = 0;  // blocks in use; emit refuses more than 4

  // The blocks in use (at most 4, whatever sack_count says).
  constexpr std::span<tcp_sack_block const> sacks() const {
    return std::span<tcp_sack_block const>{sack_blocks}.first(
        sack_count < tcp_layout::max_sack_blocks ? sack_count : tcp_layout::max_sack_blocks);
  }

  // Walks the option bytes of a header (data offset * 4 - 20 of them).
  // NOLINTNEXTLINE(readability-function-cognitive-complexity): one case per option kind, each checked
  static constexpr result<tcp_options> parse(std::span<std::byte const> bytes) {
    namespace L = tcp_layout;
    tcp_options o;
    std::size_t i = 0;
    while (i < bytes.size()) {
      std::uint8_t const kind = load_u8(bytes, i);
      if (kind == L::option_end) break;  // the rest is padding
      if (kind == L::option_nop) {
        ++i;
        continue;
      }
      if (bytes.size() - i < 2) return parse_error::bad_option;  // no length byte
      std::size_t const len = load_u8(bytes, i + 1);
      if (len < 2 || len > bytes.size() - i) return parse_error::bad_option;
      switch (kind) {
        case L::option_mss:
          if (len != L::mss_len) return parse_error::bad_option;
          o.mss = load_be16(bytes, i + 2);
          break;
        case L::option_window_scale:
          if (len != L::window_scale_len) return parse_error::bad_option;
          o.window_scale = load_u8(bytes, i + 2);
          break;
        case L::option_sack_permitted:
          if (len != L::sack_permitted_len) return parse_error::bad_option;
          o.sack_permitted = true;
          break;
        case L::option_sack: {
          // 40 option bytes hold at most 4 blocks, so n <= 4 here.
          if (len < 2 + L::sack_block_len || (len - 2) % L::sack_block_len != 0) return parse_error::bad_option;
          std::size_t const n = (len - 2) / L::sack_block_len;
          if (n > L::max_sack_blocks) return parse_error::bad_option;
          for (std::size_t b = 0; b < n; ++b) {
            std::size_t const at = i + 2 + b * L::sack_block_len;
            o.sack_blocks[b] = {.left = load_be32(bytes, at), .right = load_be32(bytes, at + 4)};
          }
          o.sack_count = n;
          break;
        }
        case L::option_timestamps:
          if (len != L::timestamps_len) return parse_error::bad_option;
          o.timestamps = tcp_timestamps{.value = load_be32(bytes, i + 2), .echo_reply = load_be32(bytes, i + 6)};
          break;
        default: break;  // unknown: skipped by its length
      }
      i += len;
    }
    return o;
  }

  // The bytes emit writes: Linux's layout when it fits in 40 bytes, else
  // the packed one (a multiple of 4 either way; the packed one can still
  // exceed 40 for a repr no segment gave, which emit refuses).
  constexpr std::size_t size() const {
    return linux_size() <= tcp_layout::max_options_len ? linux_size() : packed_size();
  }

  // Writes the options at the start of `out` and returns size().
  // NOLINTNEXTLINE(readability-function-cognitive-complexity): Linux's layout, option by option
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out) const {
    namespace L = tcp_layout;
    if (sack_count > L::max_sack_blocks || size() > L::max_options_len) return emit_error::field_out_of_range;
    if (out.size() < size()) return emit_error::buffer_too_small;
    std::size_t at = 0;
    auto const put = [&](std::uint8_t b) { store_u8(out, at++, b); };
    auto const put32 = [&](std::uint32_t v) {
      store_be32(out, at, v);
      at += 4;
    };
    auto const put_timestamps = [&] {
      put(L::option_timestamps);
      put(L::timestamps_len);
      put32(timestamps->value);
      put32(timestamps->echo_reply);
    };
    auto const put_sacks = [&] {
      put(L::option_sack);
      put(static_cast<std::uint8_t>(2 + sacks().size() * L::sack_block_len));
      for (auto const& b : sacks()) {
        put32(b.left);
        put32(b.right);
      }
    };
    if (mss) {
      put(L::option_mss);
      put(L::mss_len);
      store_be16(out, at, *mss);
      at += 2;
    }
    if (linux_size() <= L::max_options_len) {
      if (timestamps) {
        if (sack_permitted) {
          put(L::option_sack_permitted);
          put(L::sack_permitted_len);
        } else {
          put(L::option_nop);
          put(L::option_nop);
        }
        put_timestamps();
      } else if (sack_permitted) {
        put(L::option_nop);
        put(L::option_nop);
        put(L::option_sack_permitted);
        put(L::sack_permitted_len);
      }
      if (window_scale) {
        put(L::option_nop);
        put(L::option_window_scale);
        put(L::window_scale_len);
        put(*window_scale);
      }
      if (!sacks().empty()) {
        put(L::option_nop);
        put(L::option_nop);
        put_sacks();
      }
    } else {
      // Packed: no NOPs, then the end of list and zeros up to a multiple of 4.
      if (sack_permitted) {
        put(L::option_sack_permitted);
        put(L::sack_permitted_len);
      }
      if (timestamps) put_timestamps();
      if (window_scale) {
        put(L::option_window_scale);
        put(L::window_scale_len);
        put(*window_scale);
      }
      if (!sacks().empty()) put_sacks();
      while (at % 4 != 0) put(L::option_end);
    }
    return at;
  }

  // "mss 1460 sack_ok ts 4038735801 0 wscale 10", "ts 877626447 330070951 sack 993-1241 497-745"
  constexpr void describe_to(text_writer& w) const {
    char const* sep = "";
    auto const item = [&](std::string_view s) -> text_writer& {
      w << sep << s;
      sep = " ";
      return w;
    };
    if (mss) item("mss ") << *mss;
    if (sack_permitted) item("sack_ok");
    if (timestamps) item("ts ") << timestamps->value << ' ' << timestamps->echo_reply;
    if (window_scale) item("wscale ") << *window_scale;
    if (!sacks().empty()) {
      item("sack");
      for (auto const& b : sacks()) w << ' ' << b.left << '-' << b.right;
    }
  }

  friend constexpr bool operator==(tcp_options const& a, tcp_options const& b) {
    if (a.mss != b.mss || a.window_scale != b.window_scale || a.sack_permitted != b.sack_permitted ||
        a.timestamps != b.timestamps || a.sacks().size() != b.sacks().size() || a.sack_count != b.sack_count)
      return false;
    for (std::size_t i = 0; i < a.sacks().size(); ++i)
      if (a.sacks()[i] != b.sacks()[i]) return false;
    return true;
  }

 private:
  // Linux's layout: every option in a 4-byte-aligned piece, NOPs as padding.
  constexpr std::size_t linux_size() const {
    std::size_t n = 0;
    if (mss) n += 4;
    if (timestamps) n += 12;  // with SACK-permitted in front, or two NOPs
    else if (sack_permitted) n += 4;
    if (window_scale) n += 4;
    if (!sacks().empty()) n += 4 + sacks().size() * tcp_layout::sack_block_len;
    return n;
  }
  // Without NOPs, for options that fit only that way (a segment whose 40
  // option bytes hold MSS, window scale, SACK-permitted and 3 SACK blocks).
  // Every parsed set of options fits: the segment held each of them once.
  constexpr std::size_t packed_size() const {
    std::size_t n = 0;
    if (mss) n += tcp_layout::mss_len;
    if (sack_permitted) n += tcp_layout::sack_permitted_len;
    if (timestamps) n += tcp_layout::timestamps_len;
    if (window_scale) n += tcp_layout::window_scale_len;
    if (!sacks().empty()) n += 2 + sacks().size() * tcp_layout::sack_block_len;
    return (n + 3) / 4 * 4;
  }
};

template <class Byte>
class basic_tcp_view {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

 public:
  // `bytes` is the IPv4 payload, all of it the segment; source and
  // destination are the IPv4 addresses, for the pseudo-header.
  static constexpr result<basic_tcp_view> parse(std::span<Byte> bytes, ipv4_address source,
                                                ipv4_address destination,
                                                checksum_policy checksum = checksum_policy::verify) {
    namespace L = tcp_layout;
    if (bytes.size() < L::min_header_len) return parse_error::truncated;
    if (bytes.size() > L::max_segment_len) return parse_error::bad_total_length;
    std::size_t const header_len = static_cast<std::size_t>(load_u8(bytes, L::data_offset) >> 4U) * 4;
    if (header_len < L::min_header_len) return parse_error::bad_header_length;
    if (bytes.size() < header_len) return parse_error::truncated;
    if (checksum == checksum_policy::verify &&
        ones_complement_sum(bytes, ipv4_pseudo_header_sum(source, destination, ip_protocol::tcp,
                                                          static_cast<std::uint16_t>(bytes.size()))) != 0xffff)
      return parse_error::bad_checksum;
    if (auto const o = tcp_options::parse(bytes.subspan(L::options, header_len - L::min_header_len)); !o)
      return o.error();
    return basic_tcp_view{bytes, header_len};
  }

  // The same, from the IPv4 packet carrying the segment.
  static constexpr result<basic_tcp_view> parse(basic_ipv4_view<Byte> const& ip,
                                                checksum_policy checksum = checksum_policy::verify) {
    return parse(ip.payload(), ip.source(), ip.destination(), checksum);
  }

  template <class Other>
    requires(std::is_const_v<Other> && !std::is_const_v<Byte>)
  constexpr operator basic_tcp_view<Other>() const {
    return basic_tcp_view<Other>{bytes_, header_len_};
  }

  constexpr std::uint16_t source_port() const { return load_be16(bytes_, tcp_layout::source_port); }
  constexpr std::uint16_t destination_port() const { return load_be16(bytes_, tcp_layout::destination_port); }
  constexpr std::uint32_t seq_number() const { return load_be32(bytes_, tcp_layout::seq_number); }
  constexpr std::uint32_t ack_number() const { return load_be32(bytes_, tcp_layout::ack_number); }
  constexpr std::size_t header_len() const { return header_len_; }
  // The 4 bits between the data offset and the flags (RFC 9293: reserved;
  // RFC 3540's NS bit, historic, is the last of them).
  constexpr std::uint8_t reserved() const { return load_u8(bytes_, tcp_layout::data_offset) & 0x0f; }
  constexpr tcp_flags flags() const { return tcp_flags::from_byte(load_u8(bytes_, tcp_layout::flags)); }
  constexpr std::uint16_t window() const { return load_be16(bytes_, tcp_layout::window); }
  constexpr std::uint16_t checksum() const { return load_be16(bytes_, tcp_layout::checksum); }
  constexpr std::uint16_t urgent_pointer() const { return load_be16(bytes_, tcp_layout::urgent_pointer); }
  // The option bytes as sent, padding included; tcp_options::parse decodes them.
  constexpr std::span<Byte> options() const {
    return bytes_.subspan(tcp_layout::options, header_len_ - tcp_layout::min_header_len);
  }
  constexpr std::span<Byte> header() const { return bytes_.first(header_len_); }
  constexpr std::span<Byte> payload() const { return bytes_.subspan(header_len_); }
  // Header and payload: the whole segment.
  constexpr std::span<Byte> bytes() const { return bytes_; }

  // In-place rewriting (a reset built from the segment it answers, NAT). The
  // data offset cannot be changed: the view's bounds rest on it. Callers fix
  // the checksum with fill_checksum() or the RFC 1624 update.
  constexpr void set_source_port(std::uint16_t p) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, tcp_layout::source_port, p);
  }
  constexpr void set_destination_port(std::uint16_t p) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, tcp_layout::destination_port, p);
  }
  constexpr void set_seq_number(std::uint32_t n) const
    requires(!std::is_const_v<Byte>)
  {
    store_be32(bytes_, tcp_layout::seq_number, n);
  }
  constexpr void set_ack_number(std::uint32_t n) const
    requires(!std::is_const_v<Byte>)
  {
    store_be32(bytes_, tcp_layout::ack_number, n);
  }
  constexpr void set_flags(tcp_flags f) const
    requires(!std::is_const_v<Byte>)
  {
    store_u8(bytes_, tcp_layout::flags, f.to_byte());
  }
  constexpr void set_window(std::uint16_t w) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, tcp_layout::window, w);
  }
  constexpr void set_urgent_pointer(std::uint16_t p) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, tcp_layout::urgent_pointer, p);
  }
  constexpr void set_checksum(std::uint16_t c) const
    requires(!std::is_const_v<Byte>)
  {
    store_be16(bytes_, tcp_layout::checksum, c);
  }
  constexpr void fill_checksum(ipv4_address source, ipv4_address destination) const
    requires(!std::is_const_v<Byte>)
  {
    set_checksum(0);
    set_checksum(tcp_checksum(bytes_, source, destination));
  }

 private:
  template <class>
  friend class basic_tcp_view;
  friend struct tcp_repr;
  constexpr basic_tcp_view(std::span<Byte> bytes, std::size_t header_len) : bytes_{bytes}, header_len_{header_len} {}

  // The checksum field value for a segment (<= 65535 bytes) whose checksum
  // field is zero. Unlike UDP's, a computed 0 is sent as 0: TCP has no
  // "no checksum".
  static constexpr std::uint16_t tcp_checksum(std::span<std::byte const> segment, ipv4_address source,
                                              ipv4_address destination) {
    return internet_checksum(segment, ipv4_pseudo_header_sum(source, destination, ip_protocol::tcp,
                                                             static_cast<std::uint16_t>(segment.size())));
  }

  std::span<Byte> bytes_;  // the whole segment
  std::size_t header_len_;
};

using tcp_view = basic_tcp_view<std::byte const>;
using mutable_tcp_view = basic_tcp_view<std::byte>;

struct tcp_repr {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t seq_number = 0;
  std::uint32_t ack_number = 0;  // kept as sent even without ACK, so a segment re-emits exactly
  tcp_flags flags{};
  std::uint16_t window = 0;
  std::uint16_t urgent_pointer = 0;
  tcp_options options{};
  // The data. It may already sit where it goes (at out.subspan(header_len())
  // of emit); then it is not copied. Any other overlap with `out` is not
  // allowed. ({}: see tcp_options.)
  std::span<std::byte const> payload{};

  constexpr std::size_t header_len() const { return tcp_layout::min_header_len + options.size(); }
  constexpr std::size_t size() const { return header_len() + payload.size(); }
  // The sequence space the segment takes: its data, and one each for SYN and FIN.
  constexpr std::size_t sequence_len() const {
    return payload.size() + (flags.syn ? 1 : 0) + (flags.fin ? 1 : 0);
  }

  // Refuses nothing the view accepted (the view walked the options already);
  // unknown options and the reserved bits are not kept.
  static constexpr result<tcp_repr> parse(tcp_view const& v) {
    auto const o = tcp_options::parse(v.options());
    if (!o) return o.error();
    return tcp_repr{.source_port = v.source_port(),
                    .destination_port = v.destination_port(),
                    .seq_number = v.seq_number(),
                    .ack_number = v.ack_number(),
                    .flags = v.flags(),
                    .window = v.window(),
                    .urgent_pointer = v.urgent_pointer(),
                    .options = *o,
                    .payload = v.payload()};
  }

  // Writes header, options and payload, checksum included, and returns size().
  constexpr result<std::size_t, emit_error> emit(std::span<std::byte> out, ipv4_address source,
                                                 ipv4_address destination) const {
    namespace L = tcp_layout;
    if (options.sack_count > L::max_sack_blocks || options.size() > L::max_options_len ||
        payload.size() > L::max_segment_len - header_len())
      return emit_error::field_out_of_range;
    if (out.size() < size()) return emit_error::buffer_too_small;
    std::size_t const len = header_len();
    store_be16(out, L::source_port, source_port);
    store_be16(out, L::destination_port, destination_port);
    store_be32(out, L::seq_number, seq_number);
    store_be32(out, L::ack_number, ack_number);
    store_u8(out, L::data_offset, static_cast<std::uint8_t>((len / 4) << 4));
    store_u8(out, L::flags, flags.to_byte());
    store_be16(out, L::window, window);
    store_be16(out, L::checksum, 0);
    store_be16(out, L::urgent_pointer, urgent_pointer);
    (void)options.emit(out.subspan(L::options));  // checked above: fits
    detail::copy_bytes(out.subspan(len), payload);
    store_be16(out, L::checksum, tcp_view::tcp_checksum(out.first(size()), source, destination));
    return size();
  }

  // "tcp 40000 > 7777 [S] seq 3131102661 win 64240 options mss 1460 sack_ok ts 4038762942 0 wscale 10 len 0"
  constexpr void describe_to(text_writer& w) const {
    w << "tcp " << source_port << " > " << destination_port << " [";
    flags.describe_to(w);
    w << "] seq " << seq_number;
    if (flags.ack) w << " ack " << ack_number;
    w << " win " << window;
    if (flags.urg) w << " urg " << urgent_pointer;
    if (options.size() != 0) {
      w << " options ";
      options.describe_to(w);
    }
    w << " len " << payload.size();
  }

  friend constexpr bool operator==(tcp_repr const& a, tcp_repr const& b) {
    return a.source_port == b.source_port && a.destination_port == b.destination_port &&
           a.seq_number == b.seq_number && a.ack_number == b.ack_number && a.flags == b.flags &&
           a.window == b.window && a.urgent_pointer == b.urgent_pointer && a.options == b.options &&
           detail::equal_bytes(a.payload, b.payload);
  }
};

}  // namespace strata::net
