// The TCP connections of a host: a fixed array of tcp_connection slots,
// demultiplexed by 4-tuple, with the listeners, SYN handling, resets for
// segments that belong to nothing, and the keyed hashes (SipHash-2-4) for
// initial sequence numbers (RFC 6528), SYN cookies (RFC 4987) and
// ephemeral ports (RFC 6056). No I/O, no clock, no heap:
//
//   tcp_table<4, 16384, 16384, 2> tcp{{.secret = random_per_boot, .listening = +[](std::uint16_t p) { return p == 80; }}};
//   on a TCP segment for us:  tcp.on_segment(ip.source, ip.destination, repr, now)
//   then:                     while (auto out = tcp.poll(now)) emit out->segment from out->source to out->destination
//   the app:                  if (auto i = tcp.accept(80)) { auto& c = tcp.at(*i); c.read(...); c.write(...); c.close(); }
//                             auto i = tcp.connect({self, 0}, {server, 80}, now)   // port 0: an ephemeral one
//   sleep until               tcp.next_deadline() (0: poll again now)
//
// Policies (docs/tcp.md):
// - Listening ports are the caller's, fixed: a function pointer given at
//   construction (a unikernel knows them from its description).
// - SYN flood: at most Backlog passive connections wait in SYN-RECEIVED,
//   each in a slot of its own; a SYN beyond them (or with no slot free) is
//   answered statelessly with a SYN cookie, so a flood of spoofed SYNs
//   holds at most Backlog slots (for the ~63 s of SYN-ACK retries) and a
//   real client still gets in. A cookie connection has no window scaling,
//   SACK or timestamps (only the MSS, in 3 bits, survives the round trip).
//   Cookies live 64 to 128 s.
// - Resets (RFC 9293 3.10.7.1) answer segments for no connection, except
//   RSTs (never a RST for a RST) and ACK-less non-SYN segments to a
//   listener (dropped). They and the cookie SYN-ACKs wait in a queue of
//   control_queue_size; when it is full they are dropped (counted).
// - ISN = SipHash(secret, 4-tuple) + a 4 us clock (RFC 6528).
// - Slots: a connection's slot is reused once it is CLOSED and the app is
//   done with it (close() or abort(); never, for a passive connection that
//   accept() never handed out). A slot in TIME-WAIT that the app released
//   is taken early when no slot is free (as Linux does when its TIME-WAIT
//   table overflows), and a SYN beyond the old sequence space reopens a
//   TIME-WAIT 4-tuple (RFC 9293 3.10.7.4, RFC 6191).
// - Lookup is a linear scan: tables hold a handful of connections.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/tcp/connection.hpp>
#include <strata/net/tcp/detail/siphash.hpp>
#include <strata/net/tcp/wire.hpp>

namespace strata::net {

// The 128-bit key of the table's hashes: random, and new at every boot.
struct tcp_secret {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

struct tcp_table_config {
  tcp_secret secret{};
  bool (*listening)(std::uint16_t port) = nullptr;  // the ports with a listener; nullptr: none
  tcp_config connection{};
};

struct tcp_table_counters {
  std::uint64_t segments_in = 0;           // given to on_segment()
  std::uint64_t segments_out = 0;          // poll() results, the connections' included
  std::uint64_t passive_opens = 0;         // SYN-RECEIVED connections made from a SYN
  std::uint64_t active_opens = 0;          // connect()
  std::uint64_t resets_sent = 0;           // for segments that belong to no connection
  std::uint64_t resets_ignored = 0;        // RSTs that belong to no connection
  std::uint64_t syn_cookies_sent = 0;      // SYN-ACKs with a cookie (backlog full or no slot)
  std::uint64_t syn_cookies_accepted = 0;  // connections made from a returned cookie
  std::uint64_t syn_cookies_rejected = 0;  // ACKs to a listener with a bad or stale cookie (answered with RST)
  std::uint64_t no_slot = 0;               // a valid cookie with every slot taken: dropped
  std::uint64_t queue_full = 0;            // a RST or cookie SYN-ACK dropped: the control queue was full
  std::uint64_t time_wait_reused = 0;      // TIME-WAIT slots ended early for a new connection
  std::uint64_t dropped = 0;               // to a listener: neither SYN nor ACK

  constexpr void visit_counters(auto&& visit) const {
    visit("segments_in", segments_in);
    visit("segments_out", segments_out);
    visit("passive_opens", passive_opens);
    visit("active_opens", active_opens);
    visit("resets_sent", resets_sent);
    visit("resets_ignored", resets_ignored);
    visit("syn_cookies_sent", syn_cookies_sent);
    visit("syn_cookies_accepted", syn_cookies_accepted);
    visit("syn_cookies_rejected", syn_cookies_rejected);
    visit("no_slot", no_slot);
    visit("queue_full", queue_full);
    visit("time_wait_reused", time_wait_reused);
    visit("dropped", dropped);
  }
  constexpr void describe_to(text_writer& w) const {
    w << "in " << segments_in << ", out " << segments_out << ", passive opens " << passive_opens
      << ", active opens " << active_opens << ", resets sent " << resets_sent << ", resets ignored "
      << resets_ignored << ", cookies sent " << syn_cookies_sent << ", accepted " << syn_cookies_accepted
      << ", rejected " << syn_cookies_rejected << ", no slot " << no_slot << ", queue full " << queue_full
      << ", time-wait reused " << time_wait_reused << ", dropped " << dropped;
  }
};

template <std::size_t Connections, std::size_t SendBuffer, std::size_t ReceiveBuffer, std::size_t Backlog>
class tcp_table {
  static_assert(Connections > 0);
  static_assert(Backlog <= Connections, "half-open connections take slots");

 public:
  using connection = tcp_connection<SendBuffer, ReceiveBuffer>;
  static constexpr std::size_t capacity = Connections;
  static constexpr std::size_t control_queue_size = 16;
  static constexpr time_ns cookie_period = 64 * tcp_config::s;
  // The MSS values a cookie can carry (3 bits): the largest not above the peer's.
  static constexpr std::array<std::uint16_t, 8> cookie_mss{536, 1200, 1360, 1400, 1440, 1460, 4312, 8960};
  static constexpr std::uint16_t ephemeral_first = 49152;  // RFC 6335
  static constexpr std::uint32_t ephemeral_count = 16384;

  constexpr explicit tcp_table(tcp_table_config const& config) : cfg_{config} {}
  // Replaces the configuration before the first segment: a system learns
  // its secret and its listening ports at boot, after the table is built.
  constexpr void configure(tcp_table_config const& config) { cfg_ = config; }

  // A segment that IPv4 delivered to us (source and destination are the
  // packet's addresses).
  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): the packet's addresses, in the header's order
  constexpr void on_segment(ipv4_address source, ipv4_address destination, tcp_repr const& seg, time_ns now) {
    ++counters_.segments_in;
    tcp_endpoint const local{.address = destination, .port = seg.destination_port};
    tcp_endpoint const remote{.address = source, .port = seg.source_port};
    if (std::size_t const i = find(local, remote); i != npos) {
      connection& c = slots_[i].conn;
      bool const reopen = c.state() == tcp_state::time_wait && seg.flags.syn && !seg.flags.ack && !seg.flags.rst &&
                          is_listening(local.port) && free_to_take(slots_[i]) &&
                          detail::seq_gt(seg.seq_number, c.rcv_nxt());
      if (!reopen) {
        c.on_segment(seg, now);
        return;
      }
      free_slot(slots_[i]);
      ++counters_.time_wait_reused;
    }
    if (seg.flags.rst) {
      ++counters_.resets_ignored;
      return;
    }
    if (is_listening(local.port)) {
      if (seg.flags.syn && !seg.flags.ack) {
        on_syn(local, remote, seg, now);
        return;
      }
      if (!seg.flags.ack) {
        ++counters_.dropped;
        return;
      }
      if (!seg.flags.syn && on_cookie_ack(local, remote, seg, now)) return;
    }
    send_reset(local, remote, seg);
  }

  // The next segment to send at `now`: the table's resets and cookie
  // SYN-ACKs first, then the connections in turn. Call until nullopt. The
  // payload is valid until the next call on the table or a connection.
  constexpr std::optional<tcp_segment_out> poll(time_ns now) {
    if (control_len_ > 0) {
      tcp_segment_out const out = control_[control_head_];
      control_head_ = (control_head_ + 1) % control_queue_size;
      --control_len_;
      ++counters_.segments_out;
      return out;
    }
    release_finished();
    for (std::size_t k = 0; k < Connections; ++k) {
      std::size_t const i = (cursor_ + k) % Connections;
      if (!slots_[i].used) continue;
      if (auto out = slots_[i].conn.poll(now)) {
        cursor_ = (i + 1) % Connections;  // the next call starts with the next connection: fair turns
        ++counters_.segments_out;
        return out;
      }
    }
    release_finished();
    return std::nullopt;
  }

  // When poll() has something to do (0: now; never: nothing pending).
  constexpr time_ns next_deadline() const {
    if (control_len_ > 0) return 0;
    time_ns d = never;
    for (auto const& s : slots_)
      if (s.used) d = std::min(d, s.conn.next_deadline());
    return d;
  }

  // The oldest passive connection that completed its handshake and was not
  // handed out yet (to any listening port, or to `port`).
  constexpr std::optional<std::size_t> accept() { return accept_if([](std::uint16_t) { return true; }); }
  constexpr std::optional<std::size_t> accept(std::uint16_t port) {
    return accept_if([port](std::uint16_t p) { return p == port; });
  }

  // Active open from `local` (port 0: an ephemeral port, RFC 6056
  // algorithm 3) to `remote`; nullopt when the 4-tuple is taken or no
  // slot is free. The SYN goes out at the next poll.
  constexpr std::optional<std::size_t> connect(tcp_endpoint local, tcp_endpoint remote, time_ns now) {
    if (local.port == 0) {
      auto const port = ephemeral_port(local.address, remote);
      if (!port) return std::nullopt;
      local.port = *port;
    }
    if (holds(local, remote)) return std::nullopt;
    std::size_t const i = take_slot();
    if (i == npos) return std::nullopt;
    slot& s = slots_[i];
    s.used = true;
    s.handed_out = true;
    s.order = ++order_;
    s.conn.connect(local, remote, isn(local, remote, now), now, cfg_.connection);
    ++counters_.active_opens;
    return i;
  }

  constexpr connection& at(std::size_t i) { return slots_[i].conn; }
  constexpr connection const& at(std::size_t i) const { return slots_[i].conn; }
  constexpr bool in_use(std::size_t i) const { return slots_[i].used; }
  constexpr tcp_table_counters const& counters() const { return counters_; }

  // RFC 6528: ISN = M + F(4-tuple, secret), M a 4 microsecond clock.
  constexpr std::uint32_t isn(tcp_endpoint local, tcp_endpoint remote, time_ns now) const {
    return static_cast<std::uint32_t>(hash(domain_isn, local, remote, 0, 0)) + static_cast<std::uint32_t>(now / 4000);
  }

 private:
  static constexpr std::size_t npos = ~std::size_t{0};
  static constexpr std::uint8_t domain_isn = 1, domain_cookie = 2, domain_port = 3;

  struct slot {
    connection conn{};
    bool used = false;
    bool handed_out = false;  // the app has its index (accept() or connect())
    std::uint64_t order = 0;  // creation order, for accept()
  };

  constexpr bool is_listening(std::uint16_t port) const { return cfg_.listening != nullptr && cfg_.listening(port); }

  // SipHash-2-4 over a domain byte, the 4-tuple and two words.
  constexpr std::uint64_t hash(std::uint8_t domain, tcp_endpoint local, tcp_endpoint remote, std::uint32_t a,
                               std::uint32_t b) const {
    std::array<std::byte, 21> m{};
    std::span<std::byte> const out{m};
    store_u8(out, 0, domain);
    local.address.store(out, 1);
    store_be16(out, 5, local.port);
    remote.address.store(out, 7);
    store_be16(out, 11, remote.port);
    store_be32(out, 13, a);
    store_be32(out, 17, b);
    return detail::siphash24(detail::siphash_key{.k0 = cfg_.secret.k0, .k1 = cfg_.secret.k1}, m);
  }

  constexpr std::size_t find(tcp_endpoint local, tcp_endpoint remote) const {
    for (std::size_t i = 0; i < Connections; ++i) {
      auto const& s = slots_[i];
      if (s.used && s.conn.state() != tcp_state::closed && s.conn.local() == local && s.conn.remote() == remote)
        return i;
    }
    return npos;
  }

  // The 4-tuple is in a slot, closed or not (an app may still hold it).
  constexpr bool holds(tcp_endpoint local, tcp_endpoint remote) const {
    return std::ranges::any_of(
        slots_, [&](slot const& s) { return s.used && s.conn.local() == local && s.conn.remote() == remote; });
  }

  constexpr bool free_to_take(slot const& s) const { return s.conn.released() || !s.handed_out; }

  constexpr void free_slot(slot& s) {
    s.conn.discard();
    s.used = false;
    s.handed_out = false;
  }

  // A free slot, else the released TIME-WAIT slot that ends first.
  constexpr std::size_t take_slot() {
    std::size_t best = npos;
    for (std::size_t i = 0; i < Connections; ++i) {
      auto const& s = slots_[i];
      if (!s.used) return i;
      if (s.conn.state() == tcp_state::time_wait && free_to_take(s) &&
          (best == npos || s.conn.time_wait_until() < slots_[best].conn.time_wait_until()))
        best = i;
    }
    if (best != npos) {
      free_slot(slots_[best]);
      ++counters_.time_wait_reused;
    }
    return best;
  }

  constexpr void release_finished() {
    for (auto& s : slots_)
      if (s.used && s.conn.state() == tcp_state::closed && s.conn.next_deadline() == never && free_to_take(s))
        free_slot(s);
  }

  constexpr std::size_t half_open() const {
    std::size_t n = 0;
    for (auto const& s : slots_)
      if (s.used && s.conn.passive() && s.conn.state() == tcp_state::syn_received) ++n;
    return n;
  }

  constexpr void on_syn(tcp_endpoint local, tcp_endpoint remote, tcp_repr const& syn, time_ns now) {
    if (half_open() < Backlog) {
      if (std::size_t const i = take_slot(); i != npos) {
        slot& s = slots_[i];
        s.used = true;
        s.handed_out = false;
        s.order = ++order_;
        s.conn.accept_syn(local, remote, syn, isn(local, remote, now), now, cfg_.connection);
        ++counters_.passive_opens;
        return;
      }
    }
    send_cookie(local, remote, syn, now);
  }

  // RFC 4987 3.6: ISN = t mod 32 (5 bits) | MSS index (3 bits) | 24 bits
  // of SipHash over the 4-tuple, the peer's ISN, t and the MSS index.
  constexpr std::uint32_t cookie(tcp_endpoint local, tcp_endpoint remote, std::uint32_t peer_isn, std::uint32_t t,
                                 std::uint32_t mss_index) const {
    auto const h = static_cast<std::uint32_t>(hash(domain_cookie, local, remote, peer_isn, t << 3 | mss_index));
    return (t & 31U) << 27 | mss_index << 24 | (h & 0xffffffU);
  }

  constexpr void send_cookie(tcp_endpoint local, tcp_endpoint remote, tcp_repr const& syn, time_ns now) {
    std::uint16_t const peer_mss = syn.options.mss.value_or(connection::default_mss);
    std::uint32_t index = 0;
    for (std::uint32_t k = 0; k < cookie_mss.size(); ++k)
      if (cookie_mss[k] <= peer_mss) index = k;
    auto const t = static_cast<std::uint32_t>(now / cookie_period);
    tcp_repr r{.source_port = local.port,
               .destination_port = remote.port,
               .seq_number = cookie(local, remote, syn.seq_number, t, index),
               .ack_number = syn.seq_number + 1,
               .flags = tcp_flags{.syn = true, .ack = true},
               .window = static_cast<std::uint16_t>(std::min<std::size_t>(ReceiveBuffer, 0xffff))};
    std::uint32_t const our_mss = cfg_.connection.mtu > 80U ? cfg_.connection.mtu - 40U : 40U;
    r.options.mss = static_cast<std::uint16_t>(our_mss);
    if (enqueue(tcp_segment_out{.source = local.address, .destination = remote.address, .segment = r})) {
      ++counters_.syn_cookies_sent;
      cookies_sent_ = true;
      last_cookie_at_ = now;
    }
  }

  // An ACK to a listener with no connection: a returned cookie makes one.
  constexpr bool on_cookie_ack(tcp_endpoint local, tcp_endpoint remote, tcp_repr const& seg, time_ns now) {
    if (!cookies_sent_ || now - last_cookie_at_ >= 2 * cookie_period) return false;  // none can be valid
    std::uint32_t const c = seg.ack_number - 1;
    std::uint32_t const peer_isn = seg.seq_number - 1;
    auto const t_now = static_cast<std::uint32_t>(now / cookie_period);
    std::uint32_t const index = (c >> 24) & 7U;
    bool valid = false;
    for (std::uint32_t age = 0; age < 2 && age <= t_now && !valid; ++age)
      valid = cookie(local, remote, peer_isn, t_now - age, index) == c;
    if (!valid) {
      ++counters_.syn_cookies_rejected;
      return false;
    }
    std::size_t const i = take_slot();
    if (i == npos) {
      ++counters_.no_slot;  // the peer's next segment carries the same cookie: it may find a slot
      return true;
    }
    slot& s = slots_[i];
    s.used = true;
    s.handed_out = false;
    s.order = ++order_;
    s.conn.accept_cookie(local, remote, seg, cookie_mss[index], now, cfg_.connection);
    ++counters_.syn_cookies_accepted;
    return true;
  }

  // RFC 9293 3.10.7.1.
  constexpr void send_reset(tcp_endpoint local, tcp_endpoint remote, tcp_repr const& seg) {
    tcp_repr r{.source_port = local.port, .destination_port = remote.port};
    if (seg.flags.ack) {
      r.seq_number = seg.ack_number;
      r.flags = tcp_flags{.rst = true};
    } else {
      r.ack_number = seg.seq_number + static_cast<std::uint32_t>(seg.sequence_len());
      r.flags = tcp_flags{.rst = true, .ack = true};
    }
    if (enqueue(tcp_segment_out{.source = local.address, .destination = remote.address, .segment = r}))
      ++counters_.resets_sent;
  }

  constexpr bool enqueue(tcp_segment_out const& out) {
    if (control_len_ == control_queue_size) {
      ++counters_.queue_full;
      return false;
    }
    control_[(control_head_ + control_len_) % control_queue_size] = out;
    ++control_len_;
    return true;
  }

  template <class Match>
  constexpr std::optional<std::size_t> accept_if(Match match) {
    std::size_t best = npos;
    for (std::size_t i = 0; i < Connections; ++i) {
      auto const& s = slots_[i];
      if (!s.used || s.handed_out || !s.conn.passive() || !match(s.conn.local().port)) continue;
      if (s.conn.state() == tcp_state::syn_received || s.conn.state() == tcp_state::closed) continue;
      if (best == npos || s.order < slots_[best].order) best = i;
    }
    if (best == npos) return std::nullopt;
    slots_[best].handed_out = true;
    return best;
  }

  constexpr std::optional<std::uint16_t> ephemeral_port(ipv4_address local, tcp_endpoint remote) {
    std::uint32_t const offset =
        static_cast<std::uint32_t>(hash(domain_port, tcp_endpoint{.address = local, .port = 0}, remote, 0, 0)) %
        ephemeral_count;
    for (std::uint32_t k = 0; k < ephemeral_count; ++k) {
      auto const port = static_cast<std::uint16_t>(ephemeral_first + (offset + next_ephemeral_ + k) % ephemeral_count);
      if (is_listening(port) || holds(tcp_endpoint{.address = local, .port = port}, remote)) continue;
      next_ephemeral_ += k + 1;
      return port;
    }
    return std::nullopt;
  }

  tcp_table_config cfg_;
  std::array<slot, Connections> slots_{};
  std::array<tcp_segment_out, control_queue_size> control_{};
  std::size_t control_head_ = 0, control_len_ = 0;
  std::size_t cursor_ = 0;
  std::uint64_t order_ = 0;
  std::uint32_t next_ephemeral_ = 0;
  bool cookies_sent_ = false;
  time_ns last_cookie_at_ = 0;
  tcp_table_counters counters_{};
};

}  // namespace strata::net
