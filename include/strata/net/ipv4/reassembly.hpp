// IPv4 reassembly (RFC 791 3.2, RFC 815, RFC 1122 3.3.2) in static storage.
//
//   reassembler<Slots, MaxDatagram> r;
//   r.expire(now, on_expired);                 // first: gives up on datagrams past their time
//   auto const got = r.receive(fragment, now); // an ipv4_view with MF set or an offset
//   if (got.status == reassembly_status::complete) use(r.completed());
//
// Policies (docs/net.md has the reasons at more length):
// - Key: source, destination, protocol, identification (RFC 791).
// - Slots: at most Slots datagrams at once, each with a buffer of the first
//   fragment's header and MaxDatagram payload bytes. A new datagram with no
//   free slot evicts the oldest one (reported, so the caller counts it): a
//   stale datagram that lost a fragment then blocks nobody for the whole
//   timeout; a flood of bogus first fragments can evict good datagrams, but
//   refusing new ones would let the same flood block every datagram instead.
// - Timeout: 30 s from the first fragment, not extended by later ones, as
//   Linux (ipfrag_time); RFC 791 suggests 15 s, RFC 1122 60 to 120 s. The
//   fragments of a datagram are sent back to back, so 30 s only matters to
//   how long a dead one holds its slot.
// - Overlap: a fragment whose bytes are all held already and equal is a
//   harmless duplicate (duplication faults, retransmitting links), dropped
//   alone. Any other overlap drops the whole datagram, as RFC 5722 asks for
//   IPv6: overlaps are how teardrop-style attacks break length arithmetic and
//   how IDS-evasion attacks give two readers two different datagrams, and
//   no correct sender produces them.
// - Impossible fragments drop the whole datagram (reported as invalid): no
//   data, a fragment other than the last whose length is not a multiple of 8,
//   an end past 65535 (ping of death), data past the end the last fragment
//   set, or two different ends. A datagram longer than MaxDatagram is
//   dropped as too_big.
// Progress is a bitmap of 8-byte blocks, the unit of fragment offsets: no
// hole descriptors to corrupt, and the overlap test is a bit test.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <strata/core/capability.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/checksum.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/ipv4/wire.hpp>

namespace strata::net {

// What became of one fragment.
enum class reassembly_status : std::uint8_t {
  held,       // kept; its datagram is not complete yet
  complete,   // it completed its datagram: completed() holds it
  duplicate,  // every byte of it was held already, and equal: dropped alone
  overlap,    // it overlapped held data otherwise: dropped with its datagram
  invalid,    // a shape RFC 791 does not allow (see above): dropped with its datagram
  too_big,    // its datagram would exceed MaxDatagram: dropped with its datagram
};

struct reassembly_result {
  reassembly_status status = reassembly_status::held;
  bool evicted = false;  // the oldest incomplete datagram gave up its slot to this fragment's
};

// A datagram reassembled from fragments. `bytes` is the whole datagram,
// header (the first fragment's, its total length and fragment fields made
// those of an unfragmented datagram, checksum recomputed) then payload, so
// ipv4_view::parse(bytes) reads it like any packet.
struct reassembled_datagram {
  ipv4_address source{};
  ipv4_address destination{};
  ip_protocol protocol = ip_protocol::udp;
  std::span<std::byte const> bytes{};
  std::span<std::byte const> payload{};
};

template <std::size_t Slots, std::size_t MaxDatagram>
class reassembler {
  static_assert(Slots > 0, "strata: a reassembler needs at least one slot (basic_ipv4 with 0 slots has none)");
  static_assert(MaxDatagram >= 576 - ipv4_layout::min_header_len,
                "strata: RFC 791 requires every host to receive 576-byte datagrams; MaxDatagram counts the "
                "payload, so it must be at least 556");
  static_assert(MaxDatagram <= ipv4_layout::max_total_len - ipv4_layout::min_header_len,
                "strata: no IPv4 datagram carries more than 65515 payload bytes");

 public:
  static constexpr time_ns timeout = 30'000'000'000;  // 30 s, Linux's ipfrag_time (see above)
  static constexpr std::size_t slots = Slots;
  static constexpr std::size_t max_datagram = MaxDatagram;

  // Adds one fragment (a packet with MF set or a nonzero offset, already
  // checked by ipv4_view::parse). Call expire(now) first: receive() does not
  // look at deadlines. When it returns complete, completed() holds the
  // datagram until the next call of receive() or expire().
  constexpr reassembly_result receive(ipv4_view const& fragment, time_ns now) {
    auto const data = fragment.payload();
    std::size_t const offset = fragment.fragment_offset();
    std::size_t const end = offset + data.size();
    bool const last = !fragment.more_fragments();
    slot* s = find(fragment);
    if (data.empty() || (!last && data.size() % 8 != 0) ||
        end > ipv4_layout::max_total_len - ipv4_layout::min_header_len)
      return discard(s, reassembly_status::invalid);
    if (end > MaxDatagram) return discard(s, reassembly_status::too_big);

    bool evicted = false;
    if (s != nullptr) {
      // Data past the end, or a second end elsewhere.
      if (s->end_known ? (end > s->end || (last && end != s->end)) : (last && s->max_end > end))
        return discard(s, reassembly_status::invalid);
      std::size_t const first = offset / 8;
      std::size_t const past = (end + 7) / 8;
      std::size_t const held = s->blocks_held(first, past);
      if (held == past - first && (!last || s->end_known) &&
          detail::equal_bytes(data, std::span<std::byte const>{s->bytes}.subspan(payload_at + offset, data.size())))
        return {.status = reassembly_status::duplicate, .evicted = false};
      if (held != 0) return discard(s, reassembly_status::overlap);
    } else {
      s = allocate(fragment, now, evicted);
    }

    detail::copy_bytes(std::span{s->bytes}.subspan(payload_at + offset, data.size()), data);
    s->hold_blocks(offset / 8, (end + 7) / 8);
    s->received += data.size();
    s->max_end = std::max(s->max_end, end);
    if (last) {
      s->end_known = true;
      s->end = end;
    }
    if (offset == 0) {
      s->header_len = fragment.header_len();
      s->first_len = data.size();
      detail::copy_bytes(std::span{s->bytes}.subspan(payload_at - s->header_len, s->header_len), fragment.header());
    }
    if (!s->end_known || s->received != s->end) return {.status = reassembly_status::held, .evicted = evicted};
    // Disjoint pieces adding up to the end cover [0, end): fragment 0 is here.
    if (s->header_len + s->end > ipv4_layout::max_total_len) return discard(s, reassembly_status::invalid);
    complete(*s);
    return {.status = reassembly_status::complete, .evicted = evicted};
  }

  // The datagram the last receive() completed.
  constexpr reassembled_datagram const& completed() const { return completed_; }

  // Drops every datagram whose time is up and calls on_expired(first) for
  // each, `first` being its fragment 0 as received (header and data), or
  // empty if fragment 0 never came: what an ICMP time exceeded quotes
  // (RFC 1122 3.3.2). Returns how many were dropped.
  template <class F>
  constexpr std::size_t expire(time_ns now, F&& on_expired) {
    std::size_t n = 0;
    for (auto& s : slots_) {
      if (!s.used || s.deadline > now) continue;
      s.used = false;
      ++n;
      on_expired(s.header_len == 0 ? std::span<std::byte const>{}
                                   : std::span<std::byte const>{s.bytes}.subspan(payload_at - s.header_len,
                                                                                 s.header_len + s.first_len));
    }
    return n;
  }
  constexpr std::size_t expire(time_ns now) {
    return expire(now, [](std::span<std::byte const>) {});
  }

  // When the oldest datagram in progress times out (never: none).
  constexpr time_ns next_deadline() const {
    time_ns d = never;
    for (auto const& s : slots_)
      if (s.used) d = std::min(d, s.deadline);
    return d;
  }

  // Datagrams in progress.
  constexpr std::size_t in_progress() const {
    std::size_t n = 0;
    for (auto const& s : slots_) n += s.used;
    return n;
  }

 private:
  // The payload starts behind room for the longest header, so the first
  // fragment's header can sit right in front of it: one contiguous datagram.
  static constexpr std::size_t payload_at = ipv4_layout::max_header_len;
  static constexpr std::size_t blocks = (MaxDatagram + 7) / 8;

  struct slot {
    bool used = false;
    ipv4_address source{};
    ipv4_address destination{};
    ip_protocol protocol = ip_protocol::udp;
    std::uint16_t identification = 0;
    time_ns deadline = 0;
    std::size_t header_len = 0;  // of fragment 0; 0 until it comes
    std::size_t first_len = 0;   // payload bytes of fragment 0
    bool end_known = false;      // the last fragment (MF clear) came
    std::size_t end = 0;         // then: the payload's length
    std::size_t max_end = 0;     // the furthest byte any fragment reached
    std::size_t received = 0;    // payload bytes held (fragments never overlap)
    std::array<std::uint64_t, (blocks + 63) / 64> held{};  // one bit per 8-byte block
    std::array<std::byte, payload_at + MaxDatagram> bytes{};

    constexpr std::size_t blocks_held(std::size_t first, std::size_t past) const {
      std::size_t n = 0;
      for (std::size_t b = first; b < past; ++b) n += (held[b / 64] >> (b % 64)) & 1U;
      return n;
    }
    constexpr void hold_blocks(std::size_t first, std::size_t past) {
      for (std::size_t b = first; b < past; ++b) held[b / 64] |= std::uint64_t{1} << (b % 64);
    }
  };

  constexpr slot* find(ipv4_view const& f) {
    for (auto& s : slots_)
      if (s.used && s.identification == f.identification() && s.source == f.source() &&
          s.destination == f.destination() && s.protocol == f.protocol())
        return &s;
    return nullptr;
  }

  constexpr slot* allocate(ipv4_view const& f, time_ns now, bool& evicted) {
    slot* s = nullptr;
    for (auto& candidate : slots_)
      if (!candidate.used) {
        s = &candidate;
        break;
      }
    if (s == nullptr) {  // evict the oldest: the earliest deadline, all deadlines being start + timeout
      s = slots_.data();
      for (auto& candidate : slots_)
        if (candidate.deadline < s->deadline) s = &candidate;
      evicted = true;
    }
    s->used = true;
    s->source = f.source();
    s->destination = f.destination();
    s->protocol = f.protocol();
    s->identification = f.identification();
    s->deadline = now + timeout;
    s->header_len = s->first_len = s->end = s->max_end = s->received = 0;
    s->end_known = false;
    s->held = {};
    return s;
  }

  static constexpr reassembly_result discard(slot* s, reassembly_status why) {
    if (s != nullptr) s->used = false;
    return {.status = why, .evicted = false};
  }

  // Makes fragment 0's header that of the whole datagram, in place.
  constexpr void complete(slot& s) {
    namespace L = ipv4_layout;
    auto const datagram = std::span{s.bytes}.subspan(payload_at - s.header_len, s.header_len + s.end);
    store_be16(datagram, L::total_length, static_cast<std::uint16_t>(datagram.size()));
    // DF is kept as fragment 0 had it; MF, the offset and the reserved bit go.
    store_be16(datagram, L::flags_fragment,
               static_cast<std::uint16_t>(load_be16(datagram, L::flags_fragment) & L::flag_dont_fragment));
    store_be16(datagram, L::checksum, 0);
    store_be16(datagram, L::checksum, internet_checksum(datagram.first(s.header_len)));
    s.used = false;
    completed_ = {s.source, s.destination, s.protocol, datagram, datagram.subspan(s.header_len)};
  }

  std::array<slot, Slots> slots_{};
  reassembled_datagram completed_{};
};

}  // namespace strata::net
