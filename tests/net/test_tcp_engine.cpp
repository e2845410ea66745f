// The TCP engine (net/tcp/connection.hpp, net/tcp/table.hpp): two tables
// back to back through a simulated link with a fake clock. Every segment is
// emitted with tcp_repr::emit and parsed back with tcp_view, so the wire
// format is on the path; the link loses, duplicates and reorders segments
// from a seeded generator. Times are exact: the clock jumps from event to
// event (deliveries and the tables' deadlines).
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <strata/net/sim/random.hpp>
#include <strata/net/tcp/connection.hpp>
#include <strata/net/tcp/detail/siphash.hpp>
#include <strata/net/tcp/table.hpp>
#include <strata/net/tcp/wire.hpp>

namespace {

using namespace strata::net;
using strata::time_ns;

constexpr time_ns ms = 1'000'000;
constexpr time_ns s = 1'000'000'000;
constexpr ipv4_address addr_a{{10, 0, 0, 1}};
constexpr ipv4_address addr_b{{10, 0, 0, 2}};
// Port `port` at A's address, at B's.
constexpr tcp_endpoint at_a(std::uint16_t port) { return {.address = addr_a, .port = port}; }
constexpr tcp_endpoint at_b(std::uint16_t port) { return {.address = addr_b, .port = port}; }

// SipHash-2-4 reference vectors (key 00..0f; message 00..n-1): the paper's
// appendix (15 bytes) and vectors.h of the reference implementation.
constexpr std::uint64_t siphash_of(std::size_t n) {
  std::array<std::byte, 64> m{};
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = std::byte(i);
  return detail::siphash24({.k0 = 0x0706050403020100U, .k1 = 0x0f0e0d0c0b0a0908U},
                           std::span<std::byte const>{m}.first(n));
}
static_assert(siphash_of(0) == 0x726fdb47dd0e0e31U);
static_assert(siphash_of(15) == 0xa129ca6149be45e5U);
static_assert(siphash_of(8) == 0x93f5f5799a932462U);

static_assert(detail::seq_lt(0xfffffff0U, 0x10U));  // across the wrap
static_assert(detail::seq_gt(0x10U, 0xfffffff0U));
static_assert(!detail::seq_lt(5, 5) && detail::seq_leq(5, 5));

constexpr bool listen_80(std::uint16_t port) { return port == 80; }

// The engine runs in constant evaluation: a handshake and a few bytes.
constexpr bool constexpr_exchange() {
  tcp_table<1, 64, 64, 1> a{{.secret = {.k0 = 1, .k1 = 2}}};
  tcp_table<1, 64, 64, 1> b{{.secret = {.k0 = 3, .k1 = 4}, .listening = &listen_80}};
  time_ns const now = 1'000'000'000;
  auto const ia = a.connect(at_a(1234), at_b(80), now);
  auto const exchange = [&] {
    for (int round = 0; round < 4; ++round) {
      while (auto o = a.poll(now)) b.on_segment(o->source, o->destination, o->segment, now);
      while (auto o = b.poll(now)) a.on_segment(o->source, o->destination, o->segment, now);
    }
  };
  exchange();
  auto const ib = b.accept();
  if (!ia || !ib || a.at(*ia).state() != tcp_state::established) return false;
  std::array<std::byte, 3> const hi{std::byte{'h'}, std::byte{'i'}, std::byte{'!'}};
  if (a.at(*ia).write(hi) != 3) return false;
  exchange();
  std::array<std::byte, 8> got{};
  return b.at(*ib).read(got) == 3 && got[2] == std::byte{'!'};
}
static_assert(constexpr_exchange());

template <std::size_t Connections = 4, std::size_t Send = 65536, std::size_t Receive = 65536, std::size_t Backlog = 2>
using table = tcp_table<Connections, Send, Receive, Backlog>;

template <class T>
std::unique_ptr<T> make_table(std::uint64_t key, bool listens, tcp_config c = {}) {
  return std::make_unique<T>(
      tcp_table_config{.secret = {.k0 = key, .k1 = ~key}, .listening = listens ? &listen_80 : nullptr, .connection = c});
}

struct faults {
  time_ns delay = 0;           // one way
  std::uint32_t loss = 0;      // per mille
  std::uint32_t duplicate = 0;  // per mille
  std::uint32_t reorder = 0;   // per mille: delayed by up to reorder_by more
  time_ns reorder_by = 0;
};

// What went over the wire (payloads are not kept, their length is).
struct record {
  time_ns at;
  bool from_a;
  tcp_repr seg;
  std::size_t len;
};

// Two tables, A at 10.0.0.1 and B at 10.0.0.2, and the link between them.
template <class TA, class TB = TA>
struct network {
  network(TA& table_a, TB& table_b) : a{table_a}, b{table_b} {}
  TA& a;
  TB& b;
  faults f{};
  strata::net::sim::prng rng{1};
  time_ns now = 1000 * s;
  std::vector<record> log;
  // A test's own losses: true drops the segment (after it is logged).
  std::function<bool(bool from_a, tcp_repr const&)> drop;

  struct packet {
    time_ns at = 0;
    std::uint64_t order = 0;
    ipv4_address source, destination;
    std::vector<std::byte> bytes;
  };
  std::vector<packet> flight;
  std::uint64_t order = 0;

  bool chance(std::uint32_t per_mille) { return per_mille != 0 && rng.below(1000) < per_mille; }

  void transmit(bool from_a, tcp_segment_out const& out) {
    std::vector<std::byte> bytes(out.segment.size());
    auto const n = out.segment.emit(bytes, out.source, out.destination);
    REQUIRE(n.has_value());
    tcp_repr kept = out.segment;
    kept.payload = {};
    log.push_back({now, from_a, kept, out.segment.payload.size()});
    if (drop && drop(from_a, out.segment)) return;
    if (out.destination != addr_a && out.destination != addr_b) return;  // to a spoofed address
    if (chance(f.loss)) return;
    int const copies = chance(f.duplicate) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      time_ns at = now + f.delay;
      if (chance(f.reorder)) at += f.reorder_by == 0 ? 0 : rng.below(f.reorder_by);
      flight.push_back({at, order++, out.source, out.destination, bytes});
    }
  }

  void inject(ipv4_address source, ipv4_address destination, tcp_repr const& seg) {
    std::vector<std::byte> bytes(seg.size());
    REQUIRE(seg.emit(bytes, source, destination).has_value());
    deliver(source, destination, bytes);
  }

  void deliver(ipv4_address source, ipv4_address destination, std::span<std::byte const> bytes) {
    auto const view = tcp_view::parse(bytes, source, destination);
    REQUIRE(view.has_value());
    auto const repr = tcp_repr::parse(*view);
    REQUIRE(repr.has_value());
    if (destination == addr_a) {
      a.on_segment(source, destination, *repr, now);
    } else {
      b.on_segment(source, destination, *repr, now);
    }
  }

  void drain() {
    for (bool any = true; any;) {
      any = false;
      while (auto out = a.poll(now)) {
        transmit(true, *out);
        any = true;
      }
      while (auto out = b.poll(now)) {
        transmit(false, *out);
        any = true;
      }
    }
  }

  // Delivers what is due at `now` and lets both sides answer.
  void process() {
    drain();
    for (;;) {
      std::size_t best = flight.size();
      for (std::size_t i = 0; i < flight.size(); ++i)
        if (flight[i].at <= now && (best == flight.size() || flight[i].order < flight[best].order)) best = i;
      if (best == flight.size()) break;
      packet p = std::move(flight[best]);
      flight.erase(flight.begin() + static_cast<std::ptrdiff_t>(best));
      deliver(p.source, p.destination, p.bytes);
      drain();
    }
  }

  // The next event: a delivery or a table's deadline. After process(), a
  // deadline at or before now would be something poll() should have done.
  time_ns next_event() const {
    time_ns next = std::min(a.next_deadline(), b.next_deadline());
    for (auto const& p : flight) next = std::min(next, p.at);
    REQUIRE(next > now);
    return next;
  }

  // Runs until `done()` holds (checked after each event, so `now` is the
  // time of the event that made it true) or `duration` passed.
  template <class Done>
  bool run_until(Done done, time_ns duration = 3600 * s) {
    time_ns const limit = now + duration;
    for (int same_time = 0;; ++same_time) {
      process();
      if (done()) return true;
      // done() is the app: what it wrote or closed may be due right away.
      if (std::min(a.next_deadline(), b.next_deadline()) <= now) {
        REQUIRE(same_time < 1000);  // a deadline poll() never honours
        continue;
      }
      if (now >= limit) return false;
      now = std::min(next_event(), limit);
      same_time = 0;
    }
  }

  std::vector<record> sent_by(bool from_a) const {
    std::vector<record> r;
    for (auto const& x : log)
      if (x.from_a == from_a) r.push_back(x);
    return r;
  }
};

// The n-th byte of a direction's stream: anything that makes a misplaced
// byte visible.
constexpr std::byte stream_byte(std::uint64_t i, std::uint64_t direction) {
  std::uint64_t x = (i + 1) * 0x9e3779b97f4a7c15U ^ direction;
  x ^= x >> 29;
  return std::byte(static_cast<std::uint8_t>(x * 0xbf58476d1ce4e5b9U >> 56));
}

// One direction of a bulk transfer: writes the stream as room allows,
// reads and checks what arrives.
struct stream {
  std::uint64_t size = 0;
  std::uint64_t direction = 0;
  std::uint64_t written = 0;
  std::uint64_t read = 0;
  bool mismatch = false;

  template <class Conn>
  void write(Conn& c) {
    std::array<std::byte, 4096> chunk{};
    while (written < size) {
      std::size_t const n = std::min<std::uint64_t>(chunk.size(), size - written);
      for (std::size_t i = 0; i < n; ++i) chunk[i] = stream_byte(written + i, direction);
      std::size_t const took = c.write(std::span<std::byte const>{chunk}.first(n));
      written += took;
      if (took < n) break;
    }
  }
  template <class Conn>
  void consume(Conn& c) {
    std::array<std::byte, 4096> chunk{};
    while (std::size_t const n = c.read(chunk)) {
      for (std::size_t i = 0; i < n; ++i)
        if (chunk[i] != stream_byte(read + i, direction)) mismatch = true;
      read += n;
    }
  }
};

// A and B connected (A active to B:80), B's connection accepted.
template <class Net>
std::pair<std::size_t, std::size_t> establish(Net& net) {
  auto const ia = net.a.connect(at_a(0), at_b(80), net.now);
  REQUIRE(ia.has_value());
  std::optional<std::size_t> ib;
  REQUIRE(net.run_until([&] {
    if (!ib) ib = net.b.accept(80);
    return ib && net.a.at(*ia).state() == tcp_state::established;
  }));
  REQUIRE(ib.has_value());
  return {*ia, *ib};
}

tcp_repr segment(tcp_endpoint from, tcp_endpoint to, std::uint32_t seq, std::uint32_t ack, tcp_flags flags) {
  return tcp_repr{.source_port = from.port,
                  .destination_port = to.port,
                  .seq_number = seq,
                  .ack_number = ack,
                  .flags = flags,
                  .window = 1000};
}

// Everything a table sends at `now`, payloads dropped.
template <class T>
std::vector<tcp_repr> outputs(T& t, time_ns now) {
  std::vector<tcp_repr> r;
  while (auto out = t.poll(now)) {
    r.push_back(out->segment);
    r.back().payload = {};
  }
  return r;
}

}  // namespace

TEST_CASE("tcp engine: three-way handshake with options negotiated") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  net.f.delay = 10 * ms;
  time_ns const t0 = net.now;
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  CHECK(ca.state() == tcp_state::established);
  CHECK(cb.state() == tcp_state::established);
  CHECK(net.now == t0 + 30 * ms);  // B is established when the third segment arrives
  REQUIRE(net.log.size() == 3);
  auto const& syn = net.log[0].seg;
  auto const& syn_ack = net.log[1].seg;
  auto const& ack = net.log[2].seg;
  CHECK(syn.flags == tcp_flags{.syn = true});
  CHECK(syn.options.mss == 1460);
  CHECK(syn.options.window_scale == 1);  // 65536 bytes do not fit 16 bits
  CHECK(syn.options.sack_permitted);
  REQUIRE(syn.options.timestamps.has_value());
  CHECK(syn.window == 65535);
  CHECK(syn.source_port >= 49152);
  CHECK(syn.seq_number == a->isn(at_a(syn.source_port), at_b(80), t0));
  CHECK(syn_ack.flags == tcp_flags{.syn = true, .ack = true});
  CHECK(syn_ack.ack_number == syn.seq_number + 1);
  REQUIRE(syn_ack.options.timestamps.has_value());
  CHECK(syn_ack.options.timestamps->echo_reply == syn.options.timestamps->value);
  CHECK(net.log[1].at == t0 + 10 * ms);
  CHECK(ack.flags == tcp_flags{.ack = true});
  CHECK(ack.seq_number == syn.seq_number + 1);
  CHECK(ack.ack_number == syn_ack.seq_number + 1);
  CHECK(ack.window == 32768);  // 65536 >> 1
  CHECK(net.log[2].at == t0 + 20 * ms);
  CHECK(ca.window_scaling());
  CHECK(ca.timestamps());
  CHECK(ca.sack());
  CHECK(cb.sack());
  CHECK(ca.send_mss() == 1448);  // 1460 - 12 for the timestamps
  CHECK(ca.send_window() == 65535);  // the SYN-ACK's, unscaled
  CHECK(ca.srtt() == 20 * ms);       // TSecr of the SYN-ACK
  CHECK(ca.rto() == 200 * ms);       // 20 ms + 4 * 10 ms, raised to the minimum
  CHECK(b->counters().passive_opens == 1);
  CHECK_FALSE(b->accept().has_value());  // handed out once
}

TEST_CASE("tcp engine: without options on the SYN, defaults apply") {
  using T = table<>;
  tcp_config plain;
  plain.window_scaling = plain.timestamps = plain.sack = false;
  auto a = make_table<T>(1, false, plain);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  CHECK_FALSE(b->at(ib).window_scaling());
  CHECK_FALSE(b->at(ib).timestamps());
  CHECK_FALSE(b->at(ib).sack());
  CHECK(b->at(ib).send_mss() == 1460);
  CHECK(net.log[1].seg.options.window_scale == std::nullopt);  // not offered back
  CHECK(net.log[2].seg.window == 65535);                       // unscaled, capped
  (void)ia;
}

TEST_CASE("tcp engine: simultaneous open") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, false);
  network<T> net(*a, *b);
  net.f.delay = 10 * ms;
  auto const ia = a->connect(at_a(1000), at_b(2000), net.now);
  auto const ib = b->connect(at_b(2000), at_a(1000), net.now);
  REQUIRE(ia);
  REQUIRE(ib);
  auto& ca = a->at(*ia);
  auto& cb = b->at(*ib);
  REQUIRE(net.run_until([&] { return ca.state() == tcp_state::established && cb.state() == tcp_state::established; }));
  // SYN, SYN, then each side's SYN-ACK (RFC 9293 figure 8).
  REQUIRE(net.log.size() >= 4);
  CHECK(net.log[0].seg.flags == tcp_flags{.syn = true});
  CHECK(net.log[1].seg.flags == tcp_flags{.syn = true});
  CHECK(net.log[2].seg.flags == tcp_flags{.syn = true, .ack = true});
  CHECK(net.log[3].seg.flags == tcp_flags{.syn = true, .ack = true});
  CHECK(ca.timestamps());
  CHECK(cb.window_scaling());
  CHECK(ca.counters().timeouts == 0);
  // Data both ways.
  std::array<std::byte, 5> hello{std::byte{'h'}, std::byte{'e'}, std::byte{'l'}, std::byte{'l'}, std::byte{'o'}};
  CHECK(ca.write(hello) == 5);
  CHECK(cb.write(hello) == 5);
  REQUIRE(net.run_until([&] { return ca.readable() == 5 && cb.readable() == 5; }));
}

namespace {

template <std::size_t Size, std::size_t Buffer>
void bulk_transfer(std::uint64_t bytes, faults f, std::uint64_t seed) {
  using T = table<2, Buffer, Buffer, 1>;
  auto a = make_table<T>(seed, false);
  auto b = make_table<T>(seed + 1, true);
  network<T> net(*a, *b);
  net.f = f;
  net.rng.reseed(seed);
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  stream ab{.size = bytes, .direction = 1};
  stream ba{.size = bytes, .direction = 2};
  bool const done = net.run_until(
      [&] {
        ab.write(ca);
        ba.write(cb);
        ab.consume(cb);
        ba.consume(ca);
        if (ab.written == bytes) ca.shutdown_write();
        if (ba.written == bytes) cb.shutdown_write();
        return ca.state() == tcp_state::closed && cb.state() == tcp_state::closed;
      },
      86'400 * s);  // a day
  CHECK(done);
  CHECK(ab.read == bytes);
  CHECK(ba.read == bytes);
  CHECK_FALSE(ab.mismatch);
  CHECK_FALSE(ba.mismatch);
  CHECK(ca.error() == tcp_error::none);
  CHECK(cb.error() == tcp_error::none);
  CHECK(ca.peer_closed());
  CHECK(cb.peer_closed());
  if (f.loss > 0) {
    CHECK(ca.counters().retransmissions > 0);
    CHECK(cb.counters().retransmissions > 0);
  }
  MESSAGE("A: " << ca.counters().segments_out << " out, " << ca.counters().retransmissions << " retransmitted, "
                << ca.counters().fast_retransmits << " fast, " << ca.counters().timeouts << " timeouts; "
                << (net.now - 1000 * s) / ms << " ms simulated");
  ca.close();
  cb.close();
  CHECK_FALSE(a->poll(net.now).has_value());
  CHECK_FALSE(b->poll(net.now).has_value());
  CHECK_FALSE(a->in_use(ia));  // released
  CHECK_FALSE(b->in_use(ib));
}

}  // namespace

TEST_CASE("tcp engine: 1 to 4 MB each way byte-exact under loss, reordering and duplication, clean close") {
  faults const f{.delay = 5 * ms, .loss = 50, .duplicate = 20, .reorder = 50, .reorder_by = 20 * ms};
  SUBCASE("seed 7, 4 MB") { bulk_transfer<0, 65536>(4 << 20, f, 7); }
  SUBCASE("seed 8, small buffers") { bulk_transfer<0, 8192>(1 << 20, f, 8); }
  SUBCASE("no faults") { bulk_transfer<0, 65536>(1 << 20, faults{.delay = 1 * ms}, 9); }
}

TEST_CASE("tcp engine: RST at RCV.NXT resets, in the window gets a challenge ACK, outside is ignored") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& cb = b->at(ib);
  tcp_endpoint const from = at_a(a->at(ia).local().port);
  tcp_endpoint const to = at_b(80);
  std::uint32_t const nxt = cb.rcv_nxt();

  net.inject(addr_a, addr_b, segment(from, to, nxt + 100, 0, tcp_flags{.rst = true}));
  auto out = outputs(*b, net.now);
  REQUIRE(out.size() == 1);
  CHECK(out[0].flags == tcp_flags{.ack = true});  // the challenge ACK
  CHECK(out[0].ack_number == nxt);
  CHECK(out[0].seq_number == cb.snd_nxt());
  CHECK(cb.state() == tcp_state::established);
  CHECK(cb.counters().count(tcp_drop_reason::rst_challenged) == 1);
  CHECK(cb.counters().challenge_acks == 1);

  net.inject(addr_a, addr_b, segment(from, to, nxt + 1'000'000, 0, tcp_flags{.rst = true}));
  CHECK(outputs(*b, net.now).empty());
  CHECK(cb.state() == tcp_state::established);
  CHECK(cb.counters().count(tcp_drop_reason::rst_out_of_window) == 1);

  // The challenge ACK limit: 10 a second, per connection.
  for (int i = 0; i < 15; ++i) net.inject(addr_a, addr_b, segment(from, to, nxt + 200, 0, tcp_flags{.rst = true}));
  CHECK(outputs(*b, net.now).size() == 1);  // ACKs due at once go out as one
  CHECK(cb.counters().challenge_acks == 10);
  CHECK(cb.counters().challenge_acks_limited == 6);
  net.now += 1 * s;
  net.inject(addr_a, addr_b, segment(from, to, nxt + 200, 0, tcp_flags{.rst = true}));
  CHECK(outputs(*b, net.now).size() == 1);
  CHECK(cb.counters().challenge_acks == 11);

  net.inject(addr_a, addr_b, segment(from, to, nxt, 0, tcp_flags{.rst = true}));
  CHECK(cb.state() == tcp_state::closed);
  CHECK(cb.error() == tcp_error::reset);
  CHECK(outputs(*b, net.now).empty());

  // A does not know; its next segment finds no connection and is reset,
  // with a RST A accepts (SEQ = the ACK A sent, its RCV.NXT).
  std::array<std::byte, 3> data{};
  CHECK(a->at(ia).write(data) == 3);
  REQUIRE(net.run_until([&] { return a->at(ia).state() == tcp_state::closed; }));
  CHECK(a->at(ia).error() == tcp_error::reset);
  CHECK(b->counters().resets_sent == 1);
}

TEST_CASE("tcp engine: SYN and bad ACKs on an established connection get challenge ACKs") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& cb = b->at(ib);
  tcp_endpoint const from = at_a(a->at(ia).local().port);
  tcp_endpoint const to = at_b(80);

  net.inject(addr_a, addr_b, segment(from, to, cb.rcv_nxt() + 5, 0, tcp_flags{.syn = true}));
  auto out = outputs(*b, net.now);
  REQUIRE(out.size() == 1);
  CHECK(out[0].flags == tcp_flags{.ack = true});
  CHECK(out[0].ack_number == cb.rcv_nxt());
  CHECK(cb.state() == tcp_state::established);
  CHECK(cb.counters().count(tcp_drop_reason::syn_challenged) == 1);

  // An ACK of data B never sent (RFC 5961 5.2).
  net.inject(addr_a, addr_b, segment(from, to, cb.rcv_nxt(), cb.snd_nxt() + 5000, tcp_flags{.ack = true}));
  CHECK(outputs(*b, net.now).size() == 1);
  CHECK(cb.counters().count(tcp_drop_reason::ack_unsent) == 1);
  // An ACK far below SND.UNA - MAX.SND.WND.
  net.inject(addr_a, addr_b, segment(from, to, cb.rcv_nxt(), cb.snd_una() - 0x10000000, tcp_flags{.ack = true}));
  CHECK(outputs(*b, net.now).size() == 1);
  CHECK(cb.counters().count(tcp_drop_reason::ack_too_old) == 1);
  CHECK(cb.counters().challenge_acks == 3);
  CHECK(cb.state() == tcp_state::established);
  // The connection still works.
  std::array<std::byte, 100> data{};
  CHECK(a->at(ia).write(data) == 100);
  REQUIRE(net.run_until([&] { return cb.readable() == 100; }));
}

TEST_CASE("tcp engine: segments for no connection get a RST, a RST gets nothing") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const ia = a->connect(at_a(0), at_b(81), net.now);  // nobody listens on 81
  REQUIRE(ia);
  REQUIRE(net.run_until([&] { return a->at(*ia).state() == tcp_state::closed; }));
  CHECK(a->at(*ia).error() == tcp_error::refused);
  REQUIRE(net.log.size() == 2);
  CHECK(net.log[1].seg.flags == tcp_flags{.rst = true, .ack = true});
  CHECK(net.log[1].seg.seq_number == 0);
  CHECK(net.log[1].seg.ack_number == net.log[0].seg.seq_number + 1);

  tcp_endpoint const from = at_a(5555);
  tcp_endpoint const to = at_b(81);
  net.inject(addr_a, addr_b, segment(from, to, 1, 0, tcp_flags{.rst = true}));
  CHECK(outputs(*b, net.now).empty());
  CHECK(b->counters().resets_ignored == 1);
  // An ACK: RST with SEQ = SEG.ACK and no ACK.
  net.inject(addr_a, addr_b, segment(from, to, 1, 777, tcp_flags{.ack = true}));
  auto out = outputs(*b, net.now);
  REQUIRE(out.size() == 1);
  CHECK(out[0].flags == tcp_flags{.rst = true});
  CHECK(out[0].seq_number == 777);
  // To the listener without SYN or ACK: dropped.
  net.inject(addr_a, addr_b, segment(from, at_b(80), 1, 0, tcp_flags{.fin = true}));
  CHECK(outputs(*b, net.now).empty());
  CHECK(b->counters().dropped == 1);
  // An ACK to the listener with no cookie behind it: RST.
  net.inject(addr_a, addr_b, segment(from, at_b(80), 1, 777, tcp_flags{.ack = true}));
  CHECK(outputs(*b, net.now).size() == 1);
}

TEST_CASE("tcp engine: SYN retransmissions back off 1, 2, 4 ... s, then the connection times out") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  net.drop = [](bool, tcp_repr const&) { return true; };
  time_ns const t0 = net.now;
  auto const ia = a->connect(at_a(0), at_b(80), net.now);
  REQUIRE(ia);
  REQUIRE(net.run_until([&] { return a->at(*ia).state() == tcp_state::closed; }));
  CHECK(a->at(*ia).error() == tcp_error::timed_out);
  std::vector<time_ns> times;
  times.reserve(net.log.size());
  for (auto const& r : net.log) times.push_back((r.at - t0) / ms);
  CHECK(times == std::vector<time_ns>{0, 1000, 3000, 7000, 15000, 31000, 63000, 123000});  // 60 s cap
  CHECK(net.now - t0 == 183 * s);
  CHECK(a->at(*ia).counters().retransmissions == 7);
  CHECK(a->at(*ia).counters().timeouts == 8);
}

TEST_CASE("tcp engine: data retransmission timeout doubles from the RTO") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  REQUIRE(ca.rto() == 200 * ms);  // samples of 0 ms: the minimum
  net.drop = [](bool from_a, tcp_repr const& seg) { return from_a && !seg.payload.empty(); };
  std::array<std::byte, 100> data{};
  time_ns const t0 = net.now;
  REQUIRE(ca.write(data) == 100);
  REQUIRE(net.run_until([&] { return ca.counters().timeouts == 5; }));
  std::vector<time_ns> times;
  for (auto const& r : net.sent_by(true))
    if (r.len > 0) times.push_back((r.at - t0) / ms);
  CHECK(times == std::vector<time_ns>{0, 200, 600, 1400, 3000, 6200});
  CHECK(ca.rto() == 6400 * ms);
  // Let it through: the ACK brings the data over and a fresh sample.
  net.drop = nullptr;
  REQUIRE(net.run_until([&] { return b->at(ib).readable() == 100 && ca.unacknowledged() == 0; }));
  CHECK(ca.rto() == 200 * ms);  // the retransmission's TSecr gave a valid sample (RFC 7323)
}

TEST_CASE("tcp engine: Karn's rule, without timestamps no sample from a retransmitted segment") {
  using T = table<>;
  tcp_config c;
  c.timestamps = false;
  auto a = make_table<T>(1, false, c);
  auto b = make_table<T>(2, true, c);
  network<T> net(*a, *b);
  net.f.delay = 10 * ms;
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  CHECK(ca.srtt() == 20 * ms);  // the SYN, timed
  CHECK(ca.rto() == 200 * ms);
  int dropped = 0;
  net.drop = [&](bool from_a, tcp_repr const& seg) { return from_a && !seg.payload.empty() && dropped++ == 0; };
  std::array<std::byte, 100> data{};
  REQUIRE(ca.write(data) == 100);
  REQUIRE(net.run_until([&] { return ca.unacknowledged() == 0; }));
  CHECK(ca.counters().retransmissions == 1);
  CHECK(ca.srtt() == 20 * ms);  // an ACK 260 ms after the first transmission taught nothing
  CHECK(ca.rto() == 400 * ms);  // and the backed-off RTO stays until a valid sample
  // A segment sent once: 10 ms + B's 40 ms delayed ACK + 10 ms.
  REQUIRE(ca.write(data) == 100);
  REQUIRE(net.run_until([&] { return ca.unacknowledged() == 0; }));
  CHECK(ca.srtt() == 25 * ms);                // (7 * 20 + 60) / 8
  CHECK(ca.rto() == 200 * ms);                // 25 + 4 * 17.5 = 95 ms, raised to the minimum
  CHECK(b->at(ib).readable() == 200);
}

TEST_CASE("tcp engine: delayed ACKs, every second segment or after 40 ms") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  std::array<std::byte, 100> data{};
  std::size_t const before = net.log.size();
  time_ns const t0 = net.now;
  REQUIRE(ca.write(data) == 100);
  REQUIRE(net.run_until([&] { return ca.unacknowledged() == 0; }));
  REQUIRE(net.log.size() == before + 2);
  CHECK(net.log[before + 1].at == t0 + 40 * ms);
  // Two full segments: the second is acknowledged at once.
  std::array<std::byte, 2 * std::size_t{1448}> two{};
  std::size_t const mid = net.log.size();
  time_ns const t1 = net.now;
  REQUIRE(ca.write(two) == two.size());
  REQUIRE(net.run_until([&] { return ca.unacknowledged() == 0; }));
  REQUIRE(net.log.size() == mid + 3);
  CHECK(net.log[mid + 2].at == t1);
  CHECK(b->at(ib).readable() == 100 + two.size());
}

TEST_CASE("tcp engine: fast retransmit after 3 duplicate ACKs, with SACK blocks") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  net.f.delay = 5 * ms;
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  std::uint32_t const lost = ca.snd_nxt() + 10 * 1448;  // the 11th segment
  bool once = false;
  net.drop = [&](bool from_a, tcp_repr const& seg) {
    if (from_a && seg.seq_number == lost && !once) return once = true;
    return false;
  };
  std::vector<std::byte> data(40000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = stream_byte(i, 3);
  REQUIRE(ca.write(data) == data.size());
  // The first flight: the initial window, 3 segments (4380 bytes, RFC 5681).
  REQUIRE(net.run_until([&] { return net.log.size() >= 6; }));
  CHECK(net.sent_by(true).size() == 2 + 3);
  stream check{.size = data.size(), .direction = 3};
  REQUIRE(net.run_until([&] {
    check.consume(cb);
    return check.read == data.size();
  }));
  CHECK_FALSE(check.mismatch);
  CHECK(once);
  CHECK(ca.counters().fast_retransmits == 1);
  CHECK(ca.counters().timeouts == 0);
  CHECK(ca.counters().retransmissions == 1);
  // B's duplicate ACKs carried the out-of-order range, most recent first.
  bool sacked = false;
  for (auto const& r : net.sent_by(false))
    if (r.seg.options.sack_count > 0 && r.seg.options.sack_blocks[0].left == lost + 1448) sacked = true;
  CHECK(sacked);
  // The retransmission left before an RTO could have fired.
  time_ns first = 0;
  time_ns again = 0;
  for (auto const& r : net.sent_by(true))
    if (r.seg.seq_number == lost && r.len > 0) (first == 0 ? first : again) = r.at;
  CHECK(again > first);
  CHECK(again - first < ca.rto());
  CHECK(cb.out_of_order_ranges() == 0);
}

TEST_CASE("tcp engine: zero window, probes backing off exactly, then the window opens") {
  using TA = table<>;
  using TB = table<4, 4096, 8192, 2>;
  auto a = make_table<TA>(1, false);
  auto b = make_table<TB>(2, true);
  network<TA, TB> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  std::vector<std::byte> data(30000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = stream_byte(i, 4);
  REQUIRE(ca.write(data) == data.size());
  auto const probes = [&] {
    std::vector<record> p;
    for (auto const& r : net.sent_by(true))
      if (r.len == 0 && r.seg.seq_number == ca.snd_una() - 1) p.push_back(r);
    return p;
  };
  REQUIRE(net.run_until([&] { return probes().size() == 11; }));
  auto const probed = probes();
  CHECK(cb.readable() == 8192);  // B's app has not read: the window is shut
  CHECK(ca.send_window() == 0);
  CHECK(ca.counters().window_probes == 11);
  CHECK(ca.counters().timeouts == 0);
  // The persist timer started when B's zero-window ACK arrived (no delay:
  // when B sent it), at the RTO, then doubled up to 60 s.
  time_ns zero_at = 0;
  for (auto const& r : net.sent_by(false))
    if (r.at < probed[0].at) zero_at = r.at;
  time_ns const rto = ca.rto();
  CHECK(rto == 200 * ms);
  std::vector<time_ns> gaps;
  time_ns last = zero_at;
  for (auto const& p : probed) {
    gaps.push_back(p.at - last);
    last = p.at;
  }
  for (auto g : gaps) MESSAGE((g / ms));
  CHECK(gaps == std::vector<time_ns>{rto, 2 * rto, 4 * rto, 8 * rto, 16 * rto, 32 * rto, 64 * rto, 128 * rto,
                                     256 * rto, 60 * s, 60 * s});
  // Each probe was answered with the window, still 0.
  CHECK(cb.counters().count(tcp_drop_reason::out_of_window) == 11);
  // B reads: the window update lets the rest through.
  stream check{.size = data.size(), .direction = 4};
  REQUIRE(net.run_until([&] {
    check.consume(cb);
    return check.read == data.size();
  }));
  CHECK_FALSE(check.mismatch);
  CHECK(ca.counters().window_probes == 11);
}

TEST_CASE("tcp engine: write backpressure") {
  using TA = table<4, 16384, 16384, 2>;
  auto a = make_table<TA>(1, false);
  auto b = make_table<TA>(2, true);
  network<TA> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  std::vector<std::byte> big(100000);
  CHECK(ca.writable() == 16384);
  CHECK(ca.write(big) == 16384);
  CHECK(ca.writable() == 0);
  CHECK(ca.write(big) == 0);
  // B does not read: its 16 KB fill, A's 16 KB fill, nothing more moves.
  net.run_until([&] { return false; }, 2 * s);
  CHECK(cb.readable() == 16384);
  CHECK(ca.unacknowledged() == 0);
  CHECK(ca.writable() == 16384);
  CHECK(ca.write(big) == 16384);
  CHECK(ca.write(big) == 0);
  std::array<std::byte, 16384> sink{};
  CHECK(cb.read(sink) == 16384);
  REQUIRE(net.run_until([&] { return cb.readable() == 16384 && ca.unacknowledged() == 0; }));
  CHECK(ca.writable() == 16384);
}

TEST_CASE("tcp engine: half-close, shut down writing and keep reading") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  net.f.delay = 2 * ms;
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  std::array<std::byte, 7> request{};
  REQUIRE(ca.write(request) == 7);
  ca.shutdown_write();
  CHECK(ca.state() == tcp_state::fin_wait_1);
  CHECK(ca.writable() == 0);
  std::array<std::byte, 64> buf{};
  REQUIRE(net.run_until([&] { return cb.peer_closed(); }));
  CHECK(cb.read(buf) == 7);
  CHECK(cb.read(buf) == 0);  // end of stream
  CHECK(cb.state() == tcp_state::close_wait);
  REQUIRE(net.run_until([&] { return ca.state() == tcp_state::fin_wait_2; }));
  // B answers at length; A, half closed, reads it all.
  stream reply{.size = 300000, .direction = 5};
  REQUIRE(net.run_until([&] {
    reply.write(cb);
    reply.consume(ca);
    if (reply.written == reply.size) cb.shutdown_write();
    return ca.state() == tcp_state::time_wait && cb.state() == tcp_state::closed;
  }));
  CHECK(reply.read == reply.size);
  CHECK_FALSE(reply.mismatch);
  CHECK(ca.peer_closed());
  CHECK(cb.error() == tcp_error::none);
}

TEST_CASE("tcp engine: TIME-WAIT lasts 2 MSL exactly") {
  using T = table<>;
  tcp_config c;
  c.msl = 5 * s;
  auto a = make_table<T>(1, false, c);
  auto b = make_table<T>(2, true, c);
  network<T> net(*a, *b);
  net.f.delay = 3 * ms;
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  ca.close();
  REQUIRE(net.run_until([&] {
    if (cb.peer_closed()) cb.close();
    return ca.state() == tcp_state::time_wait;
  }));
  time_ns const entered = net.now;
  CHECK(ca.time_wait_until() == entered + 10 * s);
  // RFC 1337: a RST, even at RCV.NXT, does not end it.
  tcp_repr rst = segment(b->at(ib).local(), ca.local(), ca.rcv_nxt(), 0, tcp_flags{.rst = true});
  net.inject(addr_b, addr_a, rst);
  CHECK(ca.state() == tcp_state::time_wait);
  // A retransmitted FIN restarts it (RFC 9293 3.10.7.4).
  REQUIRE(net.run_until([&] { return !b->in_use(ib); }));
  net.now = entered + 4 * s;
  tcp_repr const fin = net.sent_by(false).back().seg;
  CHECK(fin.flags.fin);
  net.inject(addr_b, addr_a, fin);
  CHECK(ca.time_wait_until() == entered + 14 * s);
  auto const ack = outputs(*a, net.now);
  REQUIRE(ack.size() == 1);
  CHECK(ack[0].ack_number == fin.seq_number + 1);
  time_ns const restarted = net.now;
  REQUIRE(net.run_until([&] { return !a->in_use(ia); }));
  CHECK(net.now == restarted + 10 * s);
}

TEST_CASE("tcp engine: simultaneous close goes through CLOSING on both sides") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  net.f.delay = 10 * ms;
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  auto& cb = b->at(ib);
  ca.shutdown_write();
  cb.shutdown_write();
  bool a_closing = false;
  bool b_closing = false;
  REQUIRE(net.run_until([&] {
    a_closing |= ca.state() == tcp_state::closing;
    b_closing |= cb.state() == tcp_state::closing;
    return ca.state() == tcp_state::time_wait && cb.state() == tcp_state::time_wait;
  }));
  CHECK(a_closing);
  CHECK(b_closing);
  REQUIRE(net.run_until([&] { return ca.state() == tcp_state::closed && cb.state() == tcp_state::closed; }));
  CHECK(ca.error() == tcp_error::none);
  CHECK(cb.error() == tcp_error::none);
}

TEST_CASE("tcp engine: abort sends RST, close with unread data too") {
  using T = table<>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  auto& ca = a->at(ia);
  std::array<std::byte, 10> data{};
  REQUIRE(ca.write(data) == 10);
  REQUIRE(net.run_until([&] { return b->at(ib).readable() == 10; }));
  b->at(ib).close();  // 10 bytes unread: RFC 1122 4.2.2.13
  REQUIRE(net.run_until([&] { return ca.state() == tcp_state::closed; }));
  CHECK(ca.error() == tcp_error::reset);
  CHECK(net.log.back().seg.flags.rst);
  CHECK_FALSE(b->in_use(ib));  // released once the RST went out
}

TEST_CASE("tcp engine: 10,000 spoofed SYNs, a real client still connects") {
  using TA = table<>;
  using TB = table<4, 4096, 4096, 2>;
  auto a = make_table<TA>(1, false);
  auto b = make_table<TB>(2, true);
  network<TA, TB> net(*a, *b);
  net.f.delay = 1 * ms;
  strata::net::sim::prng rng{42};
  std::optional<std::size_t> ia;
  std::optional<std::size_t> ib;
  for (int i = 0; i < 10000; ++i) {
    auto const r = rng.next();
    ipv4_address const spoofed = ipv4_address::from_u32(0xc0a80000U | static_cast<std::uint32_t>(r & 0xffff));
    tcp_repr syn = segment({.address = spoofed, .port = static_cast<std::uint16_t>(1024 + (r >> 16) % 60000)}, at_b(80),
                           static_cast<std::uint32_t>(r >> 32), 0, tcp_flags{.syn = true});
    syn.options.mss = 1460;
    net.inject(spoofed, addr_b, syn);
    if (i == 5000) ia = a->connect(at_a(0), at_b(80), net.now);
    if (i % 10 == 0) {  // 10 SYNs a millisecond
      net.run_until([&] { return false; }, 1 * ms);
      if (!ib) ib = b->accept(80);
    }
  }
  REQUIRE(ia);
  REQUIRE(net.run_until([&] {
    if (!ib) ib = b->accept(80);
    return ib && a->at(*ia).state() == tcp_state::established;
  }));
  REQUIRE((ia.has_value() && ib.has_value()));
  auto& ca = a->at(*ia);
  auto& cb = b->at(*ib);
  CHECK(cb.state() == tcp_state::established);
  CHECK(cb.remote().address == addr_a);
  CHECK(b->counters().passive_opens == 2);           // the backlog, taken by the first spoofed SYNs
  CHECK(b->counters().syn_cookies_accepted == 1);    // the real client, from its cookie
  CHECK(b->counters().syn_cookies_sent + b->counters().queue_full == 9999);  // beyond the backlog
  CHECK_FALSE(cb.window_scaling());                  // a cookie keeps only the MSS
  CHECK(cb.send_mss() == 1460);
  CHECK(ca.counters().timeouts == 0);
  // It carries data both ways.
  stream up{.size = 20000, .direction = 6};
  stream down{.size = 20000, .direction = 7};
  REQUIRE(net.run_until([&] {
    up.write(ca);
    down.write(cb);
    up.consume(cb);
    down.consume(ca);
    return up.read == up.size && down.read == down.size;
  }));
  CHECK_FALSE(up.mismatch);
  CHECK_FALSE(down.mismatch);
  // A forged cookie (wrong by one) is reset.
  tcp_endpoint const forger = at_a(4444);
  net.inject(addr_a, addr_b, segment(forger, at_b(80), 1001, 0x12345678, tcp_flags{.ack = true}));
  CHECK(b->counters().syn_cookies_rejected == 1);
}

TEST_CASE("tcp engine: a TIME-WAIT slot is taken when no other is free") {
  using T = table<1, 4096, 4096, 1>;
  auto a = make_table<T>(1, false);
  auto b = make_table<T>(2, true);
  network<T> net(*a, *b);
  auto const [ia, ib] = establish(net);
  a->at(ia).close();
  REQUIRE(net.run_until([&] {
    if (b->in_use(ib) && b->at(ib).peer_closed()) b->at(ib).close();
    return a->at(ia).state() == tcp_state::time_wait && !b->in_use(ib);
  }));
  auto const again = a->connect(at_a(0), at_b(80), net.now);
  REQUIRE(again);
  CHECK(a->counters().time_wait_reused == 1);
  std::optional<std::size_t> jb;
  REQUIRE(net.run_until([&] {
    if (!jb) jb = b->accept();
    return jb && a->at(*again).state() == tcp_state::established;
  }));
}

TEST_CASE("tcp engine: counters describe themselves") {
  tcp_counters c;
  c.segments_in = 3;
  c.dropped[static_cast<std::size_t>(tcp_drop_reason::out_of_window)] = 2;
  strata::text_writer count;
  c.describe_to(count);
  std::string text(count.size(), '\0');
  strata::text_writer w{text.data(), text.size()};
  c.describe_to(w);
  CHECK(text ==
        "in 3, out 0, retransmissions 0, fast retransmits 0, timeouts 0, probes 0, challenge acks 0 (limited 0), "
        "resets 0, bytes in 0, bytes out 0, dropped: out_of_window 2");
  CHECK(name(tcp_state::fin_wait_2) == "fin_wait_2");
}
