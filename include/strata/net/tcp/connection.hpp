// One TCP connection (RFC 9293) as a state machine that does no I/O, reads
// no clock and allocates nothing: the table (net/tcp/table.hpp) hands it
// the segments of its 4-tuple and the time, and sends what poll() returns.
// Both buffers are rings inside the object, their capacities template
// parameters. docs/tcp.md has the whole story; in short:
//
//   c.connect(local, remote, isn, now);                 // or the table opens it from a SYN
//   loop: c.on_segment(seg, now) for each segment of its 4-tuple
//         while (auto out = c.poll(now)) send out->segment from out->source to out->destination
//         sleep until c.next_deadline() (0: call poll again now)
//   app:  write() queues (returns what fit), read() takes (0 and peer_closed(): end of stream),
//         shutdown_write() sends FIN after the queued data, close() = shutdown_write() and
//         the app is done (RST if unread data is left), abort() sends RST.
//
// Policies (docs/tcp.md has the reasons):
// - MSS: ours is mtu - 40; theirs from the SYN, 536 without the option,
//   at least 64. Timestamps (12 bytes) and SACK blocks come out of it.
// - Window scaling, timestamps, SACK-permitted (RFC 7323, RFC 2018) offered
//   on our SYN and used only when both SYNs carry them. SACK blocks are
//   generated for out-of-order data held in the receive buffer (up to
//   max_out_of_order ranges); the send side ignores the peer's SACK blocks
//   and retransmits go-back-N after a timeout, NewReno after 3 dup ACKs.
// - RTO (RFC 6298): 1 s initial, 200 ms minimum (Linux's, not the RFC's
//   1 s SHOULD), 60 s maximum, doubling per expiry, Karn's rule (no sample
//   from a retransmitted segment) when timestamps are off, a sample from
//   TSecr on every ACK of new data when they are on. 3 s after a SYN
//   retransmission without a sample (5.7).
// - Congestion (RFC 5681, RFC 6582): initial window min(4*MSS, max(2*MSS,
//   4380)) (RFC 5681 3.1; 1 MSS after a lost SYN), slow start, congestion
//   avoidance, fast retransmit on the 3rd duplicate ACK, NewReno recovery
//   with partial ACKs; every new ACK restarts the timer ("slow but steady").
// - Delayed ACKs: every second data segment, else after 40 ms; immediate
//   for out-of-order data, a filled hole, FIN, window updates.
// - Zero window: probes (a bare ACK with SEQ = SND.UNA - 1, as Linux sends)
//   after RTO, then doubling up to 60 s, for as long as the peer answers.
// - RFC 5961: RST accepted only at RCV.NXT, in the window otherwise a
//   challenge ACK; SYN in a synchronized state: challenge ACK; ACKs outside
//   [SND.UNA - MAX.SND.WND, SND.MAX]: challenge ACK. Challenge ACKs are
//   limited per connection (10 a second), not globally: a global counter
//   is the side channel of CVE-2016-5696.
// - TIME-WAIT lasts 2 * MSL, MSL 30 s by default (tcp_config::msl); RSTs
//   do not end it (RFC 1337).
// - Gives up after 7 SYN, 5 SYN-ACK or 12 data retransmissions.
// - No urgent data (the pointer is ignored, the data delivered inline), no
//   keep-alive, no ECN, no Nagle (each write may leave as its own segment).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/tcp/wire.hpp>

namespace strata::net {

enum class tcp_state : std::uint8_t {
  closed,
  listen,  // never a connection's: the table listens
  syn_sent,
  syn_received,
  established,
  fin_wait_1,
  fin_wait_2,
  close_wait,
  closing,
  last_ack,
  time_wait,
};

constexpr std::string_view name(tcp_state s) {
  switch (s) {
    case tcp_state::closed: return "closed";
    case tcp_state::listen: return "listen";
    case tcp_state::syn_sent: return "syn_sent";
    case tcp_state::syn_received: return "syn_received";
    case tcp_state::established: return "established";
    case tcp_state::fin_wait_1: return "fin_wait_1";
    case tcp_state::fin_wait_2: return "fin_wait_2";
    case tcp_state::close_wait: return "close_wait";
    case tcp_state::closing: return "closing";
    case tcp_state::last_ack: return "last_ack";
    case tcp_state::time_wait: return "time_wait";
  }
  return "unknown";
}

// Why a connection ended other than by the close handshake.
enum class tcp_error : std::uint8_t {
  none,
  refused,    // RST answering our SYN
  reset,      // RST from the peer on a synchronized connection
  timed_out,  // retransmissions unanswered
  aborted,    // abort(), or close() with unread data, or data after close()
};

constexpr std::string_view name(tcp_error e) {
  switch (e) {
    case tcp_error::none: return "none";
    case tcp_error::refused: return "refused";
    case tcp_error::reset: return "reset";
    case tcp_error::timed_out: return "timed_out";
    case tcp_error::aborted: return "aborted";
  }
  return "unknown";
}

// Why a segment given to on_segment() was not (fully) acted on.
enum class tcp_drop_reason : std::uint8_t {
  closed,             // the connection is closed
  out_of_window,      // sequence number not acceptable (RFC 9293 3.10.7.4): answered with an ACK
  old_timestamp,      // PAWS (RFC 7323 5): TSval older than TS.Recent
  rst_out_of_window,  // RST outside the window: silently dropped (RFC 5961 3)
  rst_challenged,     // RST in the window but not at RCV.NXT: challenge ACK (RFC 5961 3)
  syn_challenged,     // SYN on a synchronized connection: challenge ACK (RFC 5961 4)
  ack_unsent,         // ACK of data never sent: challenge ACK (RFC 5961 5)
  ack_too_old,        // ACK below SND.UNA - MAX.SND.WND: challenge ACK (RFC 5961 5)
  bad_ack,            // unacceptable ACK in SYN-SENT or SYN-RECEIVED: answered with a RST
  no_ack,             // neither SYN nor RST nor ACK
  after_fin,          // data after the peer's FIN
  out_of_order_full,  // out-of-order data with no range left to remember it
};
inline constexpr std::size_t tcp_drop_reason_count = 12;

constexpr std::string_view name(tcp_drop_reason r) {
  switch (r) {
    case tcp_drop_reason::closed: return "closed";
    case tcp_drop_reason::out_of_window: return "out_of_window";
    case tcp_drop_reason::old_timestamp: return "old_timestamp";
    case tcp_drop_reason::rst_out_of_window: return "rst_out_of_window";
    case tcp_drop_reason::rst_challenged: return "rst_challenged";
    case tcp_drop_reason::syn_challenged: return "syn_challenged";
    case tcp_drop_reason::ack_unsent: return "ack_unsent";
    case tcp_drop_reason::ack_too_old: return "ack_too_old";
    case tcp_drop_reason::bad_ack: return "bad_ack";
    case tcp_drop_reason::no_ack: return "no_ack";
    case tcp_drop_reason::after_fin: return "after_fin";
    case tcp_drop_reason::out_of_order_full: return "out_of_order_full";
  }
  return "unknown";
}
static_assert(name(static_cast<tcp_drop_reason>(tcp_drop_reason_count - 1)) == "out_of_order_full");
static_assert(name(static_cast<tcp_drop_reason>(tcp_drop_reason_count)) == "unknown");

struct tcp_counters {
  std::uint64_t segments_in = 0;             // given to on_segment()
  std::uint64_t segments_out = 0;            // returned by poll(), RSTs included
  std::uint64_t retransmissions = 0;         // segments sent again (timeout, fast retransmit, go-back-N)
  std::uint64_t fast_retransmits = 0;        // recoveries entered on the 3rd duplicate ACK
  std::uint64_t timeouts = 0;                // retransmission timer expiries
  std::uint64_t window_probes = 0;           // zero-window probes
  std::uint64_t challenge_acks = 0;          // sent (RFC 5961)
  std::uint64_t challenge_acks_limited = 0;  // not sent: over the rate limit
  std::uint64_t resets_sent = 0;
  std::uint64_t bytes_in = 0;   // in-order data delivered to the receive buffer
  std::uint64_t bytes_out = 0;  // data sent, retransmissions included
  std::array<std::uint64_t, tcp_drop_reason_count> dropped{};

  constexpr std::uint64_t count(tcp_drop_reason r) const { return dropped[static_cast<std::size_t>(r)]; }

  // "in 12, out 11, retransmissions 1, fast retransmits 0, timeouts 1, probes 0, challenge acks 0 (limited 0),
  //  resets 0, bytes in 100, bytes out 200, dropped: out_of_window 1"
  constexpr void describe_to(text_writer& w) const {
    w << "in " << segments_in << ", out " << segments_out << ", retransmissions " << retransmissions
      << ", fast retransmits " << fast_retransmits << ", timeouts " << timeouts << ", probes " << window_probes
      << ", challenge acks " << challenge_acks << " (limited " << challenge_acks_limited << "), resets "
      << resets_sent << ", bytes in " << bytes_in << ", bytes out " << bytes_out;
    bool first = true;
    for (std::size_t i = 0; i < tcp_drop_reason_count; ++i) {
      if (dropped[i] == 0) continue;
      w << (first ? ", dropped: " : ", ") << name(static_cast<tcp_drop_reason>(i)) << ' ' << dropped[i];
      first = false;
    }
  }
};

// An IPv4 address and TCP port.
struct tcp_endpoint {
  ipv4_address address{};
  std::uint16_t port = 0;
  friend constexpr bool operator==(tcp_endpoint const&, tcp_endpoint const&) = default;
  constexpr void describe_to(text_writer& w) const {
    address.describe_to(w);
    w << ':' << port;
  }
};

// A segment to send: emit `segment` with the pseudo-header of source and
// destination into an IPv4 packet. Its payload points into the sender's
// send buffer: valid until the next call on the connection (or table).
struct tcp_segment_out {
  ipv4_address source{};
  ipv4_address destination{};
  tcp_repr segment{};
};

struct tcp_config {
  static constexpr time_ns ms = 1'000'000, s = 1'000'000'000;
  std::uint16_t mtu = 1500;        // of the IPv4 link: our MSS is mtu - 40
  time_ns msl = 30 * s;            // TIME-WAIT lasts 2 * msl
  time_ns rto_initial = 1 * s;     // RFC 6298 2.1
  time_ns rto_min = 200 * ms;      // Linux's; RFC 6298 2.4 says 1 s (SHOULD)
  time_ns rto_max = 60 * s;        // RFC 6298 2.5
  time_ns delayed_ack = 40 * ms;   // RFC 9293 3.8.6.3: < 500 ms
  bool window_scaling = true;      // RFC 7323 2
  bool timestamps = true;          // RFC 7323 3
  bool sack = true;                // RFC 2018
  std::uint8_t syn_retries = 7;     // 1+2+...+32+60+60 s: R2 >= 3 min (RFC 9293 3.8.3)
  std::uint8_t synack_retries = 5;  // a half-open connection (maybe spoofed) lives about a minute
  std::uint8_t data_retries = 12;   // from 200 ms, about 5 min: R2 >= 100 s
  std::uint16_t challenge_acks_per_second = 10;
};

namespace detail {

// Sequence numbers compare modulo 2^32 (RFC 9293 3.4): a < b when b is
// less than 2^31 ahead of a.
constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
constexpr bool seq_leq(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) <= 0; }
constexpr bool seq_gt(std::uint32_t a, std::uint32_t b) { return seq_lt(b, a); }
constexpr bool seq_geq(std::uint32_t a, std::uint32_t b) { return seq_leq(b, a); }

// Copies into (out of) a ring starting at index `at`, wrapping at its end.
constexpr void ring_store(std::span<std::byte> ring, std::size_t at, std::span<std::byte const> src) {
  at %= ring.size();
  std::size_t const first = std::min(src.size(), ring.size() - at);
  copy_bytes(ring.subspan(at, first), src.first(first));
  copy_bytes(ring, src.subspan(first));
}
constexpr void ring_load(std::span<std::byte const> ring, std::size_t at, std::span<std::byte> dst) {
  at %= ring.size();
  std::size_t const first = std::min(dst.size(), ring.size() - at);
  copy_bytes(dst, ring.subspan(at, first));
  copy_bytes(dst.subspan(first), ring.first(dst.size() - first));
}

// The smallest shift that fits `buffer` into the 16-bit window field.
constexpr std::uint8_t tcp_window_shift(std::size_t buffer) {
  std::uint8_t s = 0;
  while ((buffer >> s) > 0xffff && s < 14) ++s;
  return s;
}

}  // namespace detail

template <std::size_t Connections, std::size_t SendBuffer, std::size_t ReceiveBuffer, std::size_t Backlog>
class tcp_table;

template <std::size_t SendBuffer, std::size_t ReceiveBuffer>
class tcp_connection {
  static_assert(SendBuffer > 0 && ReceiveBuffer > 0);
  // Windows and in-flight counts are 32-bit; 2^30 is the largest window
  // scaling can advertise (65535 << 14).
  static_assert(SendBuffer <= (std::size_t{1} << 30) && ReceiveBuffer <= (std::size_t{1} << 30));

 public:
  static constexpr std::size_t send_capacity = SendBuffer;
  static constexpr std::size_t receive_capacity = ReceiveBuffer;
  static constexpr std::size_t max_out_of_order = 8;  // ranges of out-of-order data remembered
  static constexpr std::uint16_t default_mss = 536;   // RFC 9293 3.7.1
  static constexpr std::uint16_t min_mss = 64;        // a peer's MSS option below this counts as 64

  constexpr tcp_connection() = default;

  // Active open: SYN-SENT; the SYN is due at the next poll. The table
  // chooses isn (RFC 6528); a connection used alone takes the caller's.
  constexpr void connect(tcp_endpoint local, tcp_endpoint remote, std::uint32_t isn, time_ns now,
                         tcp_config const& config = {}) {
    open(local, remote, isn, now, config);
    t_.state = tcp_state::syn_sent;
  }

  // A segment of this connection's 4-tuple (the table demultiplexed it).
  constexpr void on_segment(tcp_repr const& seg, time_ns now) {
    ++t_.counters.segments_in;
    switch (t_.state) {
      case tcp_state::closed:
      case tcp_state::listen: drop(tcp_drop_reason::closed); return;
      case tcp_state::syn_sent: on_syn_sent(seg, now); break;
      default: on_synchronized(seg, now); break;
    }
    arm_persist(now);
  }

  // The next segment to send at `now`, moving the timers on; nullopt when
  // nothing is due. Call until nullopt.
  constexpr std::optional<tcp_segment_out> poll(time_ns now) {
    if (t_.rst_pending) {
      t_.rst_pending = false;
      return build_rst(t_.rst_seq, t_.rst_ack, t_.rst_with_ack);
    }
    if (t_.state == tcp_state::closed || t_.state == tcp_state::listen) return std::nullopt;
    // FIN-WAIT-2 after close() waits 2 * MSL for the peer's FIN, like
    // Linux's orphan timeout: a peer that never closes does not hold the slot.
    if (t_.state == tcp_state::fin_wait_2 && t_.app_closed && t_.time_wait_at == never)
      t_.time_wait_at = now + 2 * t_.cfg.msl;
    if (now >= t_.time_wait_at) {
      enter_closed(tcp_error::none);
      return std::nullopt;
    }
    if (now >= t_.rto_at) {
      on_retransmission_timeout(now);
      if (t_.state == tcp_state::closed) return std::nullopt;
    }
    if (now >= t_.delack_at) t_.ack_now = true;
    if (t_.state == tcp_state::time_wait) {
      if (t_.ack_now) return pure_ack(now);
      return std::nullopt;
    }
    if (syn_due()) return send_syn(now);
    if (t_.retransmit_una) {
      t_.retransmit_una = false;
      if (auto out = retransmit_first(now)) return out;
    }
    if (auto const p = next_data(false)) return send_data(*p, now);
    if (now >= t_.persist_at) {
      t_.persist_at = never;
      std::optional<tcp_segment_out> out;
      if (auto const p = next_data(true)) {
        out = send_data(*p, now);  // a window too small for SWS avoidance: send what fits (RFC 9293 3.8.6.2.1)
      } else {
        ++t_.counters.window_probes;
        out = build(t_.snd_una - 1, ack_flags(), {}, now);
      }
      if (t_.persist_backoff < 30) ++t_.persist_backoff;
      arm_persist(now);
      return out;
    }
    if (t_.ack_now) return pure_ack(now);
    arm_persist(now);
    return std::nullopt;
  }

  // When poll() has something to do: 0 when a segment is due now, `never`
  // when nothing will happen without a segment or a call from the app.
  constexpr time_ns next_deadline() const {
    if (t_.rst_pending) return 0;
    if (t_.state == tcp_state::closed || t_.state == tcp_state::listen) return never;
    if (t_.ack_now) return 0;
    if (t_.state != tcp_state::time_wait && (syn_due() || t_.retransmit_una || next_data(false))) return 0;
    // Data written into a shut window: poll() starts the persist timer.
    if (t_.persist_at == never && stalled()) return 0;
    return std::min({t_.rto_at, t_.persist_at, t_.delack_at, t_.time_wait_at});
  }

  // --- the application's side ---

  // Takes received data in order; 0 when there is none (end of stream when
  // peer_closed()).
  constexpr std::size_t read(std::span<std::byte> out) { return consume(peek(out)); }

  // Copies what has arrived without taking it; consume(n) takes it. A
  // parser that stops at a message's end leaves the rest in the buffer.
  constexpr std::size_t peek(std::span<std::byte> out) const {
    std::size_t const n = std::min(out.size(), t_.rx_len);
    if (n != 0) detail::ring_load(rx_, t_.rx_head, out.first(n));
    return n;
  }
  constexpr std::size_t consume(std::size_t n) {
    n = std::min(n, t_.rx_len);
    if (n == 0) return 0;
    t_.rx_head = (t_.rx_head + n) % ReceiveBuffer;
    t_.rx_len -= n;
    // Tell a peer held back by our window that it opened (not for every
    // read: when the window at least doubles by one SWS threshold or more).
    if (receiving()) {
      std::uint32_t const now_window = t_.rcv_adv - t_.rcv_nxt;
      std::uint32_t const could = window_edge() - t_.rcv_nxt;
      if (detail::seq_gt(t_.rcv_nxt + could, t_.rcv_adv) && could - now_window >= sws_threshold() &&
          could >= 2 * now_window)
        t_.ack_now = true;
    }
    return n;
  }

  // Queues data; returns how much fit (0: the buffer is full, or the
  // connection no longer sends).
  constexpr std::size_t write(std::span<std::byte const> data) {
    if (!can_write()) return 0;
    std::size_t const n = std::min(data.size(), SendBuffer - t_.tx_len);
    detail::ring_store(tx_, t_.tx_head + t_.tx_len, data.first(n));
    t_.tx_len += n;
    return n;
  }

  constexpr std::size_t readable() const { return t_.rx_len; }
  constexpr std::size_t writable() const { return can_write() ? SendBuffer - t_.tx_len : 0; }
  // Data written but not acknowledged yet.
  constexpr std::size_t unacknowledged() const { return t_.tx_len; }
  // The peer sent FIN: once readable() is 0, the stream has ended.
  constexpr bool peer_closed() const { return t_.fin_received; }

  // FIN after the queued data; reading goes on (half-close).
  constexpr void shutdown_write() {
    if (t_.fin_queued) return;
    switch (t_.state) {
      case tcp_state::syn_sent:
      case tcp_state::syn_received: t_.fin_queued = true; break;  // FIN-WAIT-1 once established
      case tcp_state::established:
        t_.fin_queued = true;
        t_.state = tcp_state::fin_wait_1;
        break;
      case tcp_state::close_wait:
        t_.fin_queued = true;
        t_.state = tcp_state::last_ack;
        break;
      default: break;
    }
  }

  // The app is done: FIN after the queued data, and the table may reuse
  // the slot once the connection is closed. With unread data, or data
  // arriving later, the connection is reset instead (RFC 1122 4.2.2.13).
  // In SYN-SENT the connection just goes (RFC 9293 3.10.4).
  constexpr void close() {
    if (t_.app_closed) return;
    t_.app_closed = true;
    if (t_.state == tcp_state::closed) return;
    if (t_.rx_len > 0) {
      abort();
      return;
    }
    if (t_.state == tcp_state::syn_sent) {
      enter_closed(tcp_error::none);
      return;
    }
    shutdown_write();
  }

  // RST now (from the states where the peer knows us) and CLOSED.
  constexpr void abort() {
    t_.app_closed = true;
    switch (t_.state) {
      case tcp_state::syn_received:
      case tcp_state::established:
      case tcp_state::fin_wait_1:
      case tcp_state::fin_wait_2:
      case tcp_state::close_wait: queue_rst(t_.snd_max, 0, false); break;
      default: break;
    }
    if (t_.state != tcp_state::closed) enter_closed(tcp_error::aborted);
  }

  constexpr tcp_state state() const { return t_.state; }
  constexpr tcp_error error() const { return t_.error; }
  constexpr tcp_counters const& counters() const { return t_.counters; }
  constexpr tcp_endpoint local() const { return t_.local; }
  constexpr tcp_endpoint remote() const { return t_.remote; }
  // close() or abort() was called: the table frees the slot once closed.
  constexpr bool released() const { return t_.app_closed; }
  // Opened by the table from a SYN (or a SYN cookie).
  constexpr bool passive() const { return t_.passive; }

  // Introspection, for tests and diagnostics.
  constexpr time_ns rto() const { return t_.rto; }
  constexpr time_ns srtt() const { return t_.srtt; }
  constexpr std::uint32_t cwnd() const { return t_.cwnd; }
  constexpr std::uint32_t ssthresh() const { return t_.ssthresh; }
  constexpr std::uint32_t send_window() const { return t_.snd_wnd; }
  constexpr std::uint16_t send_mss() const { return t_.smss; }
  constexpr std::uint32_t snd_una() const { return t_.snd_una; }
  constexpr std::uint32_t snd_nxt() const { return t_.snd_nxt; }
  constexpr std::uint32_t rcv_nxt() const { return t_.rcv_nxt; }
  constexpr bool window_scaling() const { return t_.wscale_ok; }
  constexpr bool timestamps() const { return t_.ts_ok; }
  constexpr bool sack() const { return t_.sack_ok; }
  constexpr std::size_t out_of_order_ranges() const { return t_.ooo_count; }
  constexpr time_ns time_wait_until() const { return t_.time_wait_at; }

 private:
  template <std::size_t, std::size_t, std::size_t, std::size_t>
  friend class tcp_table;

  struct ooo_range {
    std::uint32_t left = 0;   // first byte
    std::uint32_t right = 0;  // byte after the last
    std::uint32_t stamp = 0;  // when a segment last landed in it: SACK order (RFC 2018 4)
  };

  // A segment poll() may send next: `len` bytes from `seq`, maybe FIN.
  struct send_plan {
    std::uint32_t seq = 0;
    std::uint32_t len = 0;
    bool fin = false;
  };

  // The transmission control block: everything but the buffers, so that
  // opening is one assignment.
  struct tcb {
    tcp_config cfg{};
    tcp_endpoint local{}, remote{};
    tcp_state state = tcp_state::closed;
    tcp_error error = tcp_error::none;
    bool passive = false;
    bool app_closed = false;

    // Send sequence space (RFC 9293 3.3.1). snd_max: the highest sequence
    // number sent plus one; snd_nxt goes back to snd_una after a timeout.
    std::uint32_t iss = 0, snd_una = 0, snd_nxt = 0, snd_max = 0;
    std::uint32_t snd_wnd = 0, max_snd_wnd = 0, snd_wl1 = 0, snd_wl2 = 0;
    std::uint32_t buf_seq = 0;  // sequence number of tx_[tx_head]
    std::size_t tx_head = 0, tx_len = 0;
    bool fin_queued = false;  // FIN at buf_seq + tx_len

    // Receive sequence space. rcv_adv: the right edge last advertised.
    std::uint32_t irs = 0, rcv_nxt = 0, rcv_adv = 0;
    std::size_t rx_head = 0, rx_len = 0;  // in-order data not read yet
    bool fin_received = false;
    bool ooo_fin = false;  // a FIN beyond a hole, at ooo_fin_seq
    std::uint32_t ooo_fin_seq = 0;
    std::array<ooo_range, max_out_of_order> ooo{};  // sorted by left, disjoint, not adjacent
    std::size_t ooo_count = 0;
    std::uint32_t ooo_stamp = 0;

    // Options.
    std::uint16_t smss = default_mss;  // payload bytes per segment, timestamps taken off
    std::uint8_t snd_wscale = 0, rcv_wscale = 0;
    bool wscale_ok = false, sack_ok = false, ts_ok = false;
    std::uint32_t ts_recent = 0, ts_offset = 0, last_ack_sent = 0;

    // Congestion control. recover: snd_max when recovery began (RFC 6582).
    std::uint32_t cwnd = 0, ssthresh = max_window, recover = 0, dupacks = 0;
    bool in_recovery = false;
    bool retransmit_una = false;  // fast retransmit or partial ACK: resend the first unacknowledged segment

    // RTT and RTO (RFC 6298).
    time_ns srtt = 0, rttvar = 0, rto = 0;
    bool have_rtt = false;
    bool rtt_timing = false;  // without timestamps: one segment timed at a time
    std::uint32_t rtt_seq = 0;
    time_ns rtt_start = 0;
    std::uint32_t retries = 0;
    bool syn_retransmitted = false;

    // Timers.
    time_ns rto_at = never, persist_at = never, delack_at = never, time_wait_at = never;
    std::uint32_t persist_backoff = 0;

    // ACKs and resets due.
    bool ack_now = false;
    std::uint32_t unacked_segments = 0;
    bool rst_pending = false, rst_with_ack = false;
    std::uint32_t rst_seq = 0, rst_ack = 0;

    // Challenge ACK rate limit: `challenges` sent since `challenge_since`.
    time_ns challenge_since = 0;
    std::uint32_t challenges = 0;

    tcp_counters counters{};
  };

  static constexpr std::uint32_t max_window = std::uint32_t{1} << 30;
  static constexpr time_ns ms = 1'000'000;

  // --- opening ---

  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): the 4-tuple ours first, as everywhere here
  constexpr void open(tcp_endpoint local, tcp_endpoint remote, std::uint32_t isn, time_ns now,
                      tcp_config const& config) {
    t_ = tcb{};
    t_.cfg = config;
    t_.local = local;
    t_.remote = remote;
    t_.iss = t_.snd_una = t_.snd_nxt = t_.snd_max = isn;
    t_.buf_seq = isn + 1;
    t_.recover = isn;
    t_.rto = config.rto_initial;
    t_.ts_offset = isn * 2654435761U;  // a per-connection offset (RFC 7323 5.4), from the secret ISN
    t_.rcv_wscale = config.window_scaling ? detail::tcp_window_shift(ReceiveBuffer) : 0;
    t_.smss = static_cast<std::uint16_t>(std::min<std::uint32_t>(our_mss(), default_mss));
    t_.challenge_since = now;
  }

  // Passive open from a SYN (the table checked it is one): SYN-RECEIVED,
  // the SYN-ACK due at the next poll.
  constexpr void accept_syn(tcp_endpoint local, tcp_endpoint remote, tcp_repr const& syn, std::uint32_t isn,
                            time_ns now, tcp_config const& config) {
    open(local, remote, isn, now, config);
    ++t_.counters.segments_in;
    t_.passive = true;
    t_.state = tcp_state::syn_received;
    t_.irs = syn.seq_number;
    t_.rcv_nxt = t_.rcv_adv = t_.last_ack_sent = syn.seq_number + 1;
    negotiate(syn.options);
    take_window(syn, syn.window);  // never scaled in a SYN (RFC 7323 2.2)
  }

  // Passive open from the ACK that returned a valid SYN cookie: straight
  // to ESTABLISHED, without window scaling, SACK or timestamps (the cookie
  // keeps only the MSS), then the ACK's own data and FIN.
  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): an MSS and a time do not mix up
  constexpr void accept_cookie(tcp_endpoint local, tcp_endpoint remote, tcp_repr const& ack, std::uint16_t mss,
                               time_ns now, tcp_config const& config) {
    open(local, remote, ack.ack_number - 1, now, config);
    t_.passive = true;
    t_.irs = ack.seq_number - 1;
    t_.rcv_nxt = t_.rcv_adv = t_.last_ack_sent = ack.seq_number;
    t_.snd_una = t_.snd_nxt = t_.snd_max = ack.ack_number;
    t_.recover = ack.ack_number;
    t_.rcv_wscale = 0;
    t_.smss = static_cast<std::uint16_t>(std::min<std::uint32_t>(std::max(mss, min_mss), our_mss()));
    t_.snd_wl1 = ack.seq_number - 1;  // so that this ACK's window is taken
    t_.snd_wl2 = ack.ack_number;
    become_established();
    on_segment(ack, now);
  }

  // Forgets everything (the table reuses the slot).
  constexpr void discard() { t_ = tcb{}; }

  constexpr std::uint32_t our_mss() const { return t_.cfg.mtu > 80U ? t_.cfg.mtu - 40U : 40U; }

  // The options of the peer's SYN (or SYN-ACK) against what we offer.
  constexpr void negotiate(tcp_options const& o) {
    std::uint32_t const peer_mss = o.mss ? std::max(*o.mss, min_mss) : default_mss;
    t_.wscale_ok = t_.cfg.window_scaling && o.window_scale.has_value();
    if (t_.wscale_ok) {
      t_.snd_wscale = std::min<std::uint8_t>(*o.window_scale, 14);  // RFC 7323 2.3
    } else {
      t_.snd_wscale = t_.rcv_wscale = 0;
    }
    t_.sack_ok = t_.cfg.sack && o.sack_permitted;
    t_.ts_ok = t_.cfg.timestamps && o.timestamps.has_value();
    if (t_.ts_ok) t_.ts_recent = o.timestamps->value;
    std::uint32_t const mss = std::min(peer_mss, our_mss());
    t_.smss = static_cast<std::uint16_t>(mss - (t_.ts_ok ? 12 : 0));
  }

  constexpr void take_window(tcp_repr const& seg, std::uint32_t window) {
    t_.snd_wnd = window;
    t_.max_snd_wnd = std::max(t_.max_snd_wnd, window);
    t_.snd_wl1 = seg.seq_number;
    t_.snd_wl2 = seg.ack_number;
  }

  constexpr void become_established() {
    t_.state = t_.fin_queued ? tcp_state::fin_wait_1 : tcp_state::established;
    // RFC 5681 3.1: the initial window; one segment after a lost SYN or SYN-ACK.
    std::uint32_t const m = t_.smss;
    t_.cwnd = t_.syn_retransmitted ? m : std::min(4 * m, std::max(2 * m, 4380U));
    t_.ssthresh = max_window;
    if (t_.syn_retransmitted && !t_.have_rtt) t_.rto = std::max(t_.rto, 3 * tcp_config::s);  // RFC 6298 5.7
  }

  // --- receiving ---

  constexpr void drop(tcp_drop_reason r) { ++t_.counters.dropped[static_cast<std::size_t>(r)]; }

  constexpr bool acks_new(std::uint32_t ack) const {
    return detail::seq_gt(ack, t_.snd_una) && detail::seq_leq(ack, t_.snd_max);
  }

  // RFC 9293 3.10.7.3.
  constexpr void on_syn_sent(tcp_repr const& seg, time_ns now) {
    auto const& f = seg.flags;
    bool ack_ok = false;
    if (f.ack) {
      if (!acks_new(seg.ack_number)) {
        if (!f.rst) queue_rst(seg.ack_number, 0, false);
        drop(tcp_drop_reason::bad_ack);
        return;
      }
      ack_ok = true;
    }
    if (f.rst) {
      if (ack_ok) {
        enter_closed(tcp_error::refused);
      } else {
        drop(tcp_drop_reason::rst_out_of_window);
      }
      return;
    }
    if (!f.syn) {
      drop(tcp_drop_reason::no_ack);
      return;
    }
    t_.irs = seg.seq_number;
    t_.rcv_nxt = t_.rcv_adv = t_.last_ack_sent = seg.seq_number + 1;
    negotiate(seg.options);
    take_window(seg, seg.window);  // unscaled in a SYN
    if (ack_ok) {
      on_new_ack(seg, now);
      become_established();
      t_.ack_now = true;
      receive_text(seg.seq_number + 1, seg.payload, f.fin, now);
    } else {
      // Simultaneous open: our SYN again, now with the ACK of theirs.
      t_.state = tcp_state::syn_received;
      t_.snd_nxt = t_.iss;
    }
  }

  // RFC 9293 3.10.7.4 with RFC 5961 and RFC 7323 5 (PAWS).
  // NOLINTNEXTLINE(readability-function-cognitive-complexity): the RFC's checks, in its order
  constexpr void on_synchronized(tcp_repr const& seg, time_ns now) {
    auto const& f = seg.flags;
    std::uint32_t const seq = seg.seq_number;
    if (t_.state == tcp_state::syn_received && f.syn && !f.rst && seq == t_.irs) {
      if (f.ack && acks_new(seg.ack_number)) {
        // Simultaneous open: their SYN-ACK (Linux accepts it the same way).
        take_window(seg, seg.window);
        on_new_ack(seg, now);
        become_established();
        t_.ack_now = true;
      } else if (!f.ack) {
        t_.snd_nxt = t_.iss;  // their SYN again: our SYN-ACK was lost
      }
      return;
    }
    if (t_.ts_ok && seg.options.timestamps && !f.rst &&
        detail::seq_lt(seg.options.timestamps->value, t_.ts_recent)) {
      t_.ack_now = true;
      drop(tcp_drop_reason::old_timestamp);
      return;
    }
    if (!acceptable(seq, static_cast<std::uint32_t>(seg.sequence_len()))) {
      if (f.rst) {
        drop(tcp_drop_reason::rst_out_of_window);
        return;
      }
      if (t_.state == tcp_state::time_wait && f.fin) t_.time_wait_at = now + 2 * t_.cfg.msl;
      t_.ack_now = true;
      drop(tcp_drop_reason::out_of_window);
      return;
    }
    if (f.rst && t_.state == tcp_state::time_wait) {
      drop(tcp_drop_reason::rst_out_of_window);  // RFC 1337: no TIME-WAIT assassination
      return;
    }
    if (f.rst) {
      if (seq == t_.rcv_nxt) {
        enter_closed(t_.state == tcp_state::syn_received && !t_.passive ? tcp_error::refused : tcp_error::reset);
      } else {
        challenge_ack(now);
        drop(tcp_drop_reason::rst_challenged);
      }
      return;
    }
    if (f.syn) {
      challenge_ack(now);
      drop(tcp_drop_reason::syn_challenged);
      return;
    }
    if (!f.ack) {
      drop(tcp_drop_reason::no_ack);
      return;
    }
    std::uint32_t const ack = seg.ack_number;
    if (t_.state == tcp_state::syn_received) {
      if (!acks_new(ack)) {
        queue_rst(ack, 0, false);
        drop(tcp_drop_reason::bad_ack);
        return;
      }
      take_window(seg, std::uint32_t{seg.window} << t_.snd_wscale);
      become_established();
    }
    if (detail::seq_gt(ack, t_.snd_max)) {
      challenge_ack(now);
      drop(tcp_drop_reason::ack_unsent);
      return;
    }
    if (detail::seq_lt(ack, t_.snd_una - t_.max_snd_wnd)) {
      challenge_ack(now);
      drop(tcp_drop_reason::ack_too_old);
      return;
    }
    process_ack(seg, now);
    if (t_.state == tcp_state::closed) return;  // LAST-ACK done
    if (t_.ts_ok && seg.options.timestamps && detail::seq_leq(seq, t_.last_ack_sent))
      t_.ts_recent = seg.options.timestamps->value;  // RFC 7323 4.3 (PAWS passed: not older)
    receive_text(seq, seg.payload, f.fin, now);
  }

  // RFC 9293 3.10.7.4's four cases. At a zero window a segment at RCV.NXT
  // is let in for its ACK, RST and FIN; its data is trimmed away.
  constexpr bool acceptable(std::uint32_t seq, std::uint32_t len) const {
    std::uint32_t const wnd = receive_space();
    auto const in_window = [&](std::uint32_t s) {
      return detail::seq_leq(t_.rcv_nxt, s) && detail::seq_lt(s, t_.rcv_nxt + wnd);
    };
    if (seq == t_.rcv_nxt) return true;
    if (len == 0) return wnd != 0 && in_window(seq);
    return wnd != 0 && (in_window(seq) || in_window(seq + len - 1));
  }

  constexpr std::uint32_t receive_space() const { return static_cast<std::uint32_t>(ReceiveBuffer - t_.rx_len); }

  constexpr void process_ack(tcp_repr const& seg, time_ns now) {
    std::uint32_t const ack = seg.ack_number;
    std::uint32_t const seq = seg.seq_number;
    std::uint32_t const wnd = std::uint32_t{seg.window} << t_.snd_wscale;
    bool const advanced = detail::seq_gt(ack, t_.snd_una);
    // RFC 5681 2: a duplicate ACK.
    bool const duplicate = !advanced && ack == t_.snd_una && seg.payload.empty() && !seg.flags.fin &&
                           wnd == t_.snd_wnd && t_.snd_max != t_.snd_una;
    // Window update, unless the segment is older than the last one taken.
    if (detail::seq_geq(ack, t_.snd_una) &&
        (detail::seq_lt(t_.snd_wl1, seq) || (t_.snd_wl1 == seq && detail::seq_leq(t_.snd_wl2, ack)))) {
      if (t_.snd_wnd == 0 && wnd > 0) t_.persist_backoff = 0;
      take_window(seg, wnd);
    }
    if (advanced) {
      on_new_ack(seg, now);
    } else if (duplicate) {
      on_duplicate_ack();
    }
  }

  // snd_una moves to the ACK (acks_new held): buffer, RTT, congestion
  // window, timer, our FIN.
  constexpr void on_new_ack(tcp_repr const& seg, time_ns now) {
    std::uint32_t const ack = seg.ack_number;
    std::uint32_t const acked = ack - t_.snd_una;
    if (detail::seq_gt(ack, t_.buf_seq)) {
      std::size_t const n = std::min<std::size_t>(ack - t_.buf_seq, t_.tx_len);
      t_.tx_head = (t_.tx_head + n) % SendBuffer;
      t_.tx_len -= n;
      t_.buf_seq += static_cast<std::uint32_t>(n);
    }
    if (t_.ts_ok && seg.options.timestamps) {
      std::uint32_t const elapsed = ts_now(now) - seg.options.timestamps->echo_reply;
      if (elapsed < 0x80000000U) rtt_sample(time_ns{elapsed} * ms);
    } else if (t_.rtt_timing && detail::seq_gt(ack, t_.rtt_seq)) {
      rtt_sample(now - t_.rtt_start);
      t_.rtt_timing = false;
    }
    t_.retries = 0;
    t_.persist_backoff = 0;  // progress: the next stall starts probing from the RTO again
    t_.snd_una = ack;
    if (detail::seq_lt(t_.snd_nxt, ack)) t_.snd_nxt = ack;
    grow_window(acked);
    t_.rto_at = t_.snd_una == t_.snd_max ? never : now + t_.rto;  // RFC 6298 5.2, 5.3
    if (t_.fin_queued && t_.snd_una == fin_seq() + 1) {
      switch (t_.state) {
        case tcp_state::fin_wait_1: t_.state = tcp_state::fin_wait_2; break;
        case tcp_state::closing: enter_time_wait(now); break;
        case tcp_state::last_ack: enter_closed(tcp_error::none); break;
        default: break;
      }
    }
  }

  // The congestion window after an ACK of `acked` new bytes (snd_una has
  // moved to the ACK): the end or the next hole of a recovery (RFC 6582),
  // slow start or congestion avoidance (RFC 5681).
  constexpr void grow_window(std::uint32_t acked) {
    std::uint32_t const m = t_.smss;
    if (t_.in_recovery) {
      if (detail::seq_geq(t_.snd_una, t_.recover)) {
        // Full ACK (RFC 6582 3.2 step 3, option 1).
        t_.cwnd = std::min(t_.ssthresh, std::max(t_.snd_max - t_.snd_una, m) + m);
        t_.in_recovery = false;
        t_.dupacks = 0;
      } else {
        // Partial ACK: the next hole; deflate by what was acked.
        t_.retransmit_una = true;
        t_.cwnd = t_.cwnd > acked ? t_.cwnd - acked : 0;
        if (acked >= m) t_.cwnd += m;
        t_.cwnd = std::max(t_.cwnd, m);
      }
    } else {
      t_.dupacks = 0;
      if (t_.cwnd < t_.ssthresh) {
        t_.cwnd += std::min(acked, m);  // slow start, RFC 5681 3.1 (L = 1 SMSS)
      } else {
        t_.cwnd += std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::uint64_t{m} * m / t_.cwnd));
      }
      t_.cwnd = std::min(t_.cwnd, max_window);
    }
  }

  constexpr void on_duplicate_ack() {
    ++t_.dupacks;
    std::uint32_t const m = t_.smss;
    if (t_.in_recovery) {
      t_.cwnd = std::min(t_.cwnd + m, max_window);  // RFC 5681 3.2 step 4
      return;
    }
    // RFC 6582 3.2 step 2: only when the ACK covers `recover` (not right
    // after a timeout or another recovery of the same data).
    if (t_.dupacks == 3 && detail::seq_geq(t_.snd_una, t_.recover)) {
      t_.ssthresh = std::max((t_.snd_max - t_.snd_una) / 2, 2 * m);
      t_.recover = t_.snd_max;
      t_.cwnd = t_.ssthresh + 3 * m;
      t_.in_recovery = true;
      t_.retransmit_una = true;
      ++t_.counters.fast_retransmits;
    }
  }

  // RFC 6298 2.2, 2.3, with G = 1 ms (the timestamp clock).
  constexpr void rtt_sample(time_ns r) {
    if (!t_.have_rtt) {
      t_.srtt = r;
      t_.rttvar = r / 2;
      t_.have_rtt = true;
    } else {
      time_ns const diff = t_.srtt > r ? t_.srtt - r : r - t_.srtt;
      t_.rttvar = (3 * t_.rttvar + diff) / 4;
      t_.srtt = (7 * t_.srtt + r) / 8;
    }
    t_.rto = std::clamp(t_.srtt + std::max<time_ns>(ms, 4 * t_.rttvar), t_.cfg.rto_min, t_.cfg.rto_max);
  }

  constexpr bool receiving() const {
    return t_.state == tcp_state::established || t_.state == tcp_state::fin_wait_1 ||
           t_.state == tcp_state::fin_wait_2;
  }

  // The data and FIN of an acceptable segment (RFC 9293 3.10.7.4, seventh
  // and eighth steps).
  // NOLINTNEXTLINE(readability-function-cognitive-complexity): the RFC's two steps, in its order
  constexpr void receive_text(std::uint32_t seq, std::span<std::byte const> data, bool fin, time_ns now) {
    if (!data.empty()) {
      if (!receiving()) {
        drop(tcp_drop_reason::after_fin);
        t_.ack_now = true;
        return;
      }
      std::uint32_t s = seq;
      std::uint32_t e = seq + static_cast<std::uint32_t>(data.size());
      if (t_.app_closed && detail::seq_gt(e, t_.rcv_nxt)) {
        // RFC 1122 4.2.2.13: nobody will read it.
        queue_rst(t_.snd_max, 0, false);
        enter_closed(tcp_error::aborted);
        return;
      }
      if (detail::seq_lt(s, t_.rcv_nxt)) s = t_.rcv_nxt;
      std::uint32_t const edge = t_.rcv_nxt + receive_space();
      if (detail::seq_gt(e, edge)) {
        e = edge;
        fin = false;  // the FIN lies beyond what we keep
      }
      if (detail::seq_lt(s, e)) {
        detail::ring_store(rx_, t_.rx_head + t_.rx_len + (s - t_.rcv_nxt), data.subspan(s - seq, e - s));
        if (s == t_.rcv_nxt) {
          bool const had_holes = t_.ooo_count > 0;
          advance(e - s);
          merge_out_of_order();
          if (t_.ooo_fin && t_.rcv_nxt == t_.ooo_fin_seq) accept_fin(now);
          // RFC 5681 4.2: a filled hole is acknowledged at once, and at
          // least every second full segment.
          if (had_holes || ++t_.unacked_segments >= 2) {
            t_.ack_now = true;
          } else if (t_.delack_at == never) {
            t_.delack_at = now + t_.cfg.delayed_ack;
          }
        } else {
          remember_out_of_order(s, e);
          t_.ack_now = true;  // RFC 5681 4.2: duplicate ACK at once, with SACK blocks
        }
      } else {
        t_.ack_now = true;  // nothing new (or no room): say where we are
      }
    }
    if (!fin) return;
    std::uint32_t const at = seq + static_cast<std::uint32_t>(data.size());
    if (at == t_.rcv_nxt) {
      accept_fin(now);
    } else if (detail::seq_gt(at, t_.rcv_nxt)) {
      t_.ooo_fin = true;  // FIN behind a hole: taken when the hole fills
      t_.ooo_fin_seq = at;
      t_.ack_now = true;
    }
  }

  constexpr void advance(std::uint32_t n) {
    t_.rcv_nxt += n;
    t_.rx_len += n;
    t_.counters.bytes_in += n;
  }

  // Moves RCV.NXT over the out-of-order ranges it reached.
  constexpr void merge_out_of_order() {
    while (t_.ooo_count > 0 && detail::seq_leq(t_.ooo[0].left, t_.rcv_nxt)) {
      if (detail::seq_gt(t_.ooo[0].right, t_.rcv_nxt)) advance(t_.ooo[0].right - t_.rcv_nxt);
      for (std::size_t i = 1; i < t_.ooo_count; ++i) t_.ooo[i - 1] = t_.ooo[i];
      --t_.ooo_count;
    }
  }

  constexpr void remember_out_of_order(std::uint32_t s, std::uint32_t e) {
    std::uint32_t const stamp = ++t_.ooo_stamp;
    // Merge with every range it touches; the result goes where the first was.
    std::size_t i = 0;
    while (i < t_.ooo_count && detail::seq_lt(t_.ooo[i].right, s)) ++i;
    std::size_t j = i;
    while (j < t_.ooo_count && detail::seq_leq(t_.ooo[j].left, e)) {
      if (detail::seq_lt(t_.ooo[j].left, s)) s = t_.ooo[j].left;
      if (detail::seq_gt(t_.ooo[j].right, e)) e = t_.ooo[j].right;
      ++j;
    }
    if (i == j) {  // touches none: a new range at i
      if (t_.ooo_count == max_out_of_order) {
        drop(tcp_drop_reason::out_of_order_full);  // the bytes sit in the buffer unrecorded; resent later
        return;
      }
      for (std::size_t k = t_.ooo_count; k > i; --k) t_.ooo[k] = t_.ooo[k - 1];
      ++t_.ooo_count;
    } else {  // ranges i..j-1 become one
      std::size_t const gone = j - i - 1;
      for (std::size_t k = i + 1; k + gone < t_.ooo_count; ++k) t_.ooo[k] = t_.ooo[k + gone];
      t_.ooo_count -= gone;
    }
    t_.ooo[i] = ooo_range{.left = s, .right = e, .stamp = stamp};
  }

  constexpr void accept_fin(time_ns now) {
    t_.ooo_fin = false;
    t_.rcv_nxt += 1;
    t_.fin_received = true;
    t_.ack_now = true;
    switch (t_.state) {
      case tcp_state::syn_received:
      case tcp_state::established: t_.state = tcp_state::close_wait; break;
      case tcp_state::fin_wait_1: t_.state = tcp_state::closing; break;  // our FIN is not acked (else fin_wait_2)
      case tcp_state::fin_wait_2: enter_time_wait(now); break;
      default: break;
    }
  }

  constexpr void challenge_ack(time_ns now) {
    if (now - t_.challenge_since >= tcp_config::s) {
      t_.challenge_since = now;
      t_.challenges = 0;
    }
    if (t_.challenges >= t_.cfg.challenge_acks_per_second) {
      ++t_.counters.challenge_acks_limited;
      return;
    }
    ++t_.challenges;
    ++t_.counters.challenge_acks;
    t_.ack_now = true;
  }

  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): the segment's fields, in their order
  constexpr void queue_rst(std::uint32_t seq, std::uint32_t ack, bool with_ack) {
    t_.rst_pending = true;
    t_.rst_seq = seq;
    t_.rst_ack = ack;
    t_.rst_with_ack = with_ack;
  }

  constexpr void enter_time_wait(time_ns now) {
    t_.state = tcp_state::time_wait;
    t_.time_wait_at = now + 2 * t_.cfg.msl;
    t_.rto_at = t_.persist_at = t_.delack_at = never;
    t_.retransmit_una = false;
  }

  constexpr void enter_closed(tcp_error e) {
    t_.state = tcp_state::closed;
    if (t_.error == tcp_error::none) t_.error = e;
    t_.rto_at = t_.persist_at = t_.delack_at = t_.time_wait_at = never;
    t_.ack_now = t_.retransmit_una = false;
  }

  // --- sending ---

  constexpr std::uint32_t ts_now(time_ns now) const { return static_cast<std::uint32_t>(now / ms) + t_.ts_offset; }
  constexpr std::uint32_t fin_seq() const { return t_.buf_seq + static_cast<std::uint32_t>(t_.tx_len); }
  static constexpr tcp_flags ack_flags() { return tcp_flags{.ack = true}; }

  constexpr bool can_write() const {
    switch (t_.state) {
      case tcp_state::syn_sent:
      case tcp_state::syn_received:
      case tcp_state::established:
      case tcp_state::close_wait: return !t_.fin_queued;
      default: return false;
    }
  }

  constexpr bool syn_due() const {
    return (t_.state == tcp_state::syn_sent || t_.state == tcp_state::syn_received) && t_.snd_nxt == t_.iss;
  }

  constexpr bool sending() const {
    switch (t_.state) {
      case tcp_state::established:
      case tcp_state::close_wait:
      case tcp_state::fin_wait_1:
      case tcp_state::closing:
      case tcp_state::last_ack: return true;
      default: return false;
    }
  }

  constexpr std::size_t sack_blocks_to_send() const {
    if (!t_.sack_ok) return 0;
    return std::min(t_.ooo_count, t_.ts_ok ? std::size_t{3} : std::size_t{4});  // 40 option bytes
  }

  // Payload bytes the next segment can carry: SACK blocks take room too.
  constexpr std::uint32_t payload_limit() const {
    std::size_t const n = sack_blocks_to_send();
    std::uint32_t const options = n == 0 ? 0 : static_cast<std::uint32_t>(4 + 8 * n);
    return t_.smss > options + 1 ? t_.smss - options : 1;
  }

  // The data (and FIN) segment due at snd_nxt, if the windows and sender
  // SWS avoidance (RFC 9293 3.8.6.2.1) allow one; `force` lets a segment
  // smaller than SWS wants go (the persist timer's override).
  constexpr std::optional<send_plan> next_data(bool force) const {
    if (!sending()) return std::nullopt;
    std::uint32_t const off = t_.snd_nxt - t_.buf_seq;
    if (off > t_.tx_len) return std::nullopt;  // FIN sent
    std::uint32_t const unsent = static_cast<std::uint32_t>(t_.tx_len) - off;
    bool const fin_pending = t_.fin_queued;
    if (unsent == 0 && !fin_pending) return std::nullopt;
    std::uint32_t const window = std::min(t_.snd_wnd, t_.cwnd);
    std::uint32_t const in_flight = t_.snd_nxt - t_.snd_una;
    std::uint32_t const usable = window > in_flight ? window - in_flight : 0;
    std::uint32_t const contiguous =
        std::min<std::uint32_t>(unsent, static_cast<std::uint32_t>(SendBuffer - (t_.tx_head + off) % SendBuffer));
    std::uint32_t const want = std::min(contiguous, payload_limit());
    std::uint32_t const len = std::min(want, usable);
    // A FIN takes no window: it goes with the last byte, or alone.
    bool const fin = fin_pending && len == unsent;
    bool const resend = detail::seq_lt(t_.snd_nxt, t_.snd_max);  // after a timeout: no SWS wait
    if (len < want && !force && !resend && !fin && (len == 0 || len < t_.max_snd_wnd / 2)) return std::nullopt;
    if (len == 0 && !fin) return std::nullopt;
    return send_plan{.seq = t_.snd_nxt, .len = len, .fin = fin};
  }

  constexpr tcp_segment_out send_data(send_plan const& p, time_ns now) {
    std::uint32_t const off = p.seq - t_.buf_seq;
    auto const payload = std::span<std::byte const>{tx_}.subspan((t_.tx_head + off) % SendBuffer, p.len);
    bool const again = detail::seq_lt(p.seq, t_.snd_max);
    if (again) {
      ++t_.counters.retransmissions;
      t_.rtt_timing = false;  // Karn
    } else if (!t_.rtt_timing && !t_.ts_ok) {
      t_.rtt_timing = true;
      t_.rtt_seq = p.seq;
      t_.rtt_start = now;
    }
    t_.counters.bytes_out += p.len;
    t_.snd_nxt = p.seq + p.len + (p.fin ? 1 : 0);
    if (detail::seq_gt(t_.snd_nxt, t_.snd_max)) t_.snd_max = t_.snd_nxt;
    if (t_.rto_at == never) t_.rto_at = now + t_.rto;
    t_.persist_at = never;
    bool const last = off + p.len == t_.tx_len;
    return build(p.seq, tcp_flags{.fin = p.fin, .psh = last && p.len > 0, .ack = true}, payload, now);
  }

  // Fast retransmit and NewReno's partial ACKs: the first unacknowledged
  // segment, whatever the windows say, snd_nxt untouched.
  constexpr std::optional<tcp_segment_out> retransmit_first(time_ns now) {
    if (!sending() || t_.snd_una == t_.snd_max) return std::nullopt;
    std::uint32_t const off = t_.snd_una - t_.buf_seq;
    if (off > t_.tx_len) return std::nullopt;
    std::uint32_t const have = static_cast<std::uint32_t>(t_.tx_len) - off;
    std::uint32_t const contiguous =
        std::min<std::uint32_t>(have, static_cast<std::uint32_t>(SendBuffer - (t_.tx_head + off) % SendBuffer));
    std::uint32_t const len = std::min({contiguous, payload_limit(), t_.snd_max - t_.snd_una});
    bool const fin = t_.fin_queued && len == have && detail::seq_gt(t_.snd_max, fin_seq());
    if (len == 0 && !fin) return std::nullopt;
    ++t_.counters.retransmissions;
    t_.counters.bytes_out += len;
    t_.rtt_timing = false;
    if (t_.rto_at == never) t_.rto_at = now + t_.rto;
    auto const payload = std::span<std::byte const>{tx_}.subspan((t_.tx_head + off) % SendBuffer, len);
    return build(t_.snd_una, tcp_flags{.fin = fin, .ack = true}, payload, now);
  }

  constexpr tcp_segment_out send_syn(time_ns now) {
    bool const again = t_.snd_max != t_.iss;
    if (again) {
      ++t_.counters.retransmissions;
      t_.rtt_timing = false;
    } else {
      t_.rtt_timing = true;
      t_.rtt_seq = t_.iss;
      t_.rtt_start = now;
    }
    t_.snd_nxt = t_.iss + 1;
    if (detail::seq_gt(t_.snd_nxt, t_.snd_max)) t_.snd_max = t_.snd_nxt;
    if (t_.rto_at == never) t_.rto_at = now + t_.rto;
    return build(t_.iss, tcp_flags{.syn = true, .ack = t_.state == tcp_state::syn_received}, {}, now);
  }

  // RFC 6298 5.4 to 5.6: back off, resend from snd_una (go-back-N), and
  // RFC 5681 3.1's loss window.
  constexpr void on_retransmission_timeout(time_ns now) {
    ++t_.counters.timeouts;
    ++t_.retries;
    std::uint32_t const limit = t_.state == tcp_state::syn_sent       ? t_.cfg.syn_retries
                                : t_.state == tcp_state::syn_received ? t_.cfg.synack_retries
                                                                      : t_.cfg.data_retries;
    if (t_.retries > limit) {
      enter_closed(tcp_error::timed_out);
      return;
    }
    if (t_.state == tcp_state::syn_sent || t_.state == tcp_state::syn_received) {
      t_.syn_retransmitted = true;
    } else {
      std::uint32_t const m = t_.smss;
      t_.ssthresh = std::max((t_.snd_max - t_.snd_una) / 2, 2 * m);
      t_.cwnd = m;
      t_.in_recovery = false;
      t_.dupacks = 0;
      t_.recover = t_.snd_max;  // RFC 6582 4: no fast retransmit for the data already sent
    }
    if (t_.snd_wnd == 0 && t_.state != tcp_state::syn_sent && t_.state != tcp_state::syn_received) {
      // Nothing may be resent into a shut window: probe it instead, and do
      // not count this against the peer, who may well be answering.
      --t_.retries;
      t_.persist_at = now;
    }
    t_.snd_nxt = t_.snd_una;
    t_.retransmit_una = false;
    t_.rtt_timing = false;  // Karn
    t_.rto = std::min(t_.rto * 2, t_.cfg.rto_max);
    t_.rto_at = now + t_.rto;
  }

  constexpr time_ns persist_interval() const {
    time_ns v = t_.rto;
    for (std::uint32_t i = 0; i < t_.persist_backoff && v < t_.cfg.rto_max; ++i) v *= 2;
    return std::min(v, t_.cfg.rto_max);
  }

  // The persist timer runs when data waits for a window and nothing is in
  // flight (otherwise the retransmission timer is the one that runs).
  constexpr bool stalled() const {
    return sending() && t_.snd_max == t_.snd_una && t_.snd_nxt == t_.snd_una && t_.tx_len > t_.snd_nxt - t_.buf_seq &&
           !next_data(false);
  }

  constexpr void arm_persist(time_ns now) {
    if (!stalled()) {
      t_.persist_at = never;
      return;
    }
    if (t_.persist_at == never) t_.persist_at = now + persist_interval();
  }

  // The right edge the receive buffer allows now, rounded to the scale.
  constexpr std::uint32_t window_edge() const {
    std::uint32_t const w = std::min<std::uint32_t>(receive_space() >> t_.rcv_wscale, 0xffff);
    return t_.rcv_nxt + (w << t_.rcv_wscale);
  }

  // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): the right edge moves by
  // at least min(buffer / 2, MSS), and never back (RFC 9293 3.8.6).
  constexpr std::uint32_t sws_threshold() const {
    return std::min<std::uint32_t>(static_cast<std::uint32_t>(ReceiveBuffer / 2), t_.smss);
  }

  constexpr std::uint16_t advertise_window() {
    std::uint32_t edge = window_edge();
    if (detail::seq_geq(t_.rcv_adv, t_.rcv_nxt) && detail::seq_lt(edge, t_.rcv_adv + sws_threshold()))
      edge = t_.rcv_adv;
    std::uint32_t const shift = t_.rcv_wscale;
    std::uint32_t const w = std::min<std::uint32_t>((edge - t_.rcv_nxt + (1U << shift) - 1) >> shift, 0xffff);
    t_.rcv_adv = t_.rcv_nxt + (w << shift);
    return static_cast<std::uint16_t>(w);
  }

  // SACK blocks, the most recently changed range first (RFC 2018 4).
  constexpr void add_sack_blocks(tcp_options& o) const {
    std::size_t const n = sack_blocks_to_send();
    std::array<bool, max_out_of_order> used{};
    std::size_t b = 0;
    for (; b < n; ++b) {
      std::size_t best = max_out_of_order;
      for (std::size_t i = 0; i < t_.ooo_count; ++i)
        if (!used[i] && (best == max_out_of_order || t_.ooo[i].stamp > t_.ooo[best].stamp)) best = i;
      if (best == max_out_of_order) break;  // none left (not reached: n <= ooo_count)
      used[best] = true;
      o.sack_blocks[b] = tcp_sack_block{.left = t_.ooo[best].left, .right = t_.ooo[best].right};
    }
    o.sack_count = b;
  }

  constexpr tcp_segment_out build(std::uint32_t seq, tcp_flags flags, std::span<std::byte const> payload,
                                  time_ns now) {
    tcp_repr r{.source_port = t_.local.port,
               .destination_port = t_.remote.port,
               .seq_number = seq,
               .ack_number = flags.ack ? t_.rcv_nxt : 0,
               .flags = flags,
               .payload = payload};
    if (flags.syn) {
      bool const syn_ack = flags.ack;
      r.window = static_cast<std::uint16_t>(std::min<std::size_t>(ReceiveBuffer, 0xffff));  // never scaled
      if (syn_ack) t_.rcv_adv = t_.rcv_nxt + r.window;
      r.options.mss = static_cast<std::uint16_t>(our_mss());
      if (t_.cfg.window_scaling && (!syn_ack || t_.wscale_ok)) r.options.window_scale = t_.rcv_wscale;
      r.options.sack_permitted = t_.cfg.sack && (!syn_ack || t_.sack_ok);
      if (t_.cfg.timestamps && (!syn_ack || t_.ts_ok))
        r.options.timestamps = tcp_timestamps{.value = ts_now(now), .echo_reply = syn_ack ? t_.ts_recent : 0};
    } else {
      r.window = advertise_window();
      if (t_.ts_ok) r.options.timestamps = tcp_timestamps{.value = ts_now(now), .echo_reply = t_.ts_recent};
      add_sack_blocks(r.options);
    }
    if (flags.ack) {
      t_.last_ack_sent = t_.rcv_nxt;
      t_.ack_now = false;
      t_.unacked_segments = 0;
      t_.delack_at = never;
    }
    ++t_.counters.segments_out;
    return tcp_segment_out{.source = t_.local.address, .destination = t_.remote.address, .segment = r};
  }

  // A segment with no data carries SND.MAX, not SND.NXT: after a timeout
  // snd_nxt went back, and the peer, which may hold everything up to
  // snd_max, would find an older sequence number unacceptable and answer
  // with an ACK of its own, which we would answer... (BSD does the same).
  constexpr tcp_segment_out pure_ack(time_ns now) { return build(t_.snd_max, ack_flags(), {}, now); }

  constexpr tcp_segment_out build_rst(std::uint32_t seq, std::uint32_t ack, bool with_ack) {
    ++t_.counters.segments_out;
    ++t_.counters.resets_sent;
    return tcp_segment_out{.source = t_.local.address,
                           .destination = t_.remote.address,
                           .segment = tcp_repr{.source_port = t_.local.port,
                                               .destination_port = t_.remote.port,
                                               .seq_number = seq,
                                               .ack_number = with_ack ? ack : 0,
                                               .flags = tcp_flags{.rst = true, .ack = with_ack}}};
  }

  tcb t_{};
  std::array<std::byte, SendBuffer> tx_{};
  std::array<std::byte, ReceiveBuffer> rx_{};
};

}  // namespace strata::net
