// The simulated switch alone, driven by hand: switching by MAC, bounded
// queues, each fault at a fixed seed, and reproducibility.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include <strata/net/sim/network.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/random.hpp>

#include "frames.hpp"

namespace {

using namespace strata;
using namespace strata::net::literals;
using namespace strata::sim_test;
using strata::net::sim::max_frame;
using strata::net::sim::network;
using strata::net::sim::percent;
using platform = strata::net::sim::platform;

constexpr auto mac_a = "02:00:00:00:00:0a"_mac;
constexpr auto mac_b = "02:00:00:00:00:0b"_mac;
constexpr auto mac_c = "02:00:00:00:00:0c"_mac;

struct delivery {
  time_ns at;
  bytes frame;
  friend bool operator==(delivery const&, delivery const&) = default;
};

// Sends n frames from port 0 (mac_a) to port 1 (mac_b), `burst` of them at
// each instant, instants `interval` apart; after each instant reads every
// frame due at port 1. Time jumps from event to event as the scheduler's
// would. Returns what port 1 received, with when.
template <class Net>
std::vector<delivery> pump(Net& net, std::uint32_t n, std::uint32_t burst = 1, time_ns interval = 1'000) {
  std::vector<delivery> out;
  std::array<std::byte, max_frame> buf{};
  std::uint32_t i = 0;
  while (i < n || net.pending(1) > 0) {
    time_ns const next_send = i < n ? time_ns{i / burst} * interval : never;
    platform::time = std::min(next_send, net.next_delivery());
    while (i < n && time_ns{i / burst} * interval == platform::time) {
      REQUIRE(net.send(0, make_frame(mac_b, mac_a, i)));
      ++i;
    }
    while (auto const k = net.receive(1, buf)) out.push_back({platform::time, bytes(buf.begin(), buf.begin() + k)});
  }
  return out;
}

std::vector<std::uint32_t> seqs(std::vector<delivery> const& ds) {
  std::vector<std::uint32_t> s;
  s.reserve(ds.size());
  for (auto const& d : ds) s.push_back(seq_of(d.frame));
  return s;
}

// Copies that reached a queue are delivered or still waiting: nothing is
// created or lost outside the counters.
template <class Net>
void check_conservation(Net const& net, std::uint64_t copies_sent) {
  auto const& c = net.counters();
  std::uint64_t pending = 0;
  for (std::size_t p = 0; p < Net::ports; ++p) pending += net.pending(p);
  CHECK(copies_sent - c.lost + c.duplicated - c.dropped_queue_full == c.delivered + pending);
}

TEST_CASE("splitmix64 matches the reference and the generator is a function of its seed") {
  std::uint64_t state = 0;
  CHECK(net::sim::splitmix64(state) == 0xe220a8397b1dcdafU);  // the published first output for seed 0
  net::sim::prng a{42};
  net::sim::prng b{42};
  net::sim::prng c{43};
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    auto const x = a.next();
    CHECK(x == b.next());
    differs |= x != c.next();
  }
  CHECK(differs);
  // below(n) stays in range and reaches both ends.
  std::uint64_t lo = 10;
  std::uint64_t hi = 0;
  for (int i = 0; i < 1000; ++i) {
    auto const v = a.below(10);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo == 0);
  CHECK(hi == 9);
  CHECK(a.below(0) == 0);
}

TEST_CASE("a unicast frame goes only to the port whose NIC has its destination MAC") {
  platform::reset();
  static network<3> net;
  net.reset();
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  REQUIRE(net.attach(2, mac_c));
  auto const f = make_frame(mac_b, mac_a, 7, 100);
  CHECK(net.send(0, f));
  CHECK(net.pending(0) == 0);
  CHECK(net.pending(1) == 1);
  CHECK(net.pending(2) == 0);
  std::array<std::byte, max_frame> buf{};
  auto const n = net.receive(1, buf);
  REQUIRE(n == f.size());
  CHECK(std::equal(f.begin(), f.end(), buf.begin()));
  CHECK(net.receive(1, buf) == 0);
  CHECK(net.receive(2, buf) == 0);
  CHECK(net.counters() == net::sim::network_counters{.sent = 1, .delivered = 1});

  // Learning-free: a destination no port has reaches no one (not flooded).
  CHECK(net.send(0, make_frame("02:00:00:00:00:99"_mac, mac_a, 8)));
  CHECK(net.pending(1) + net.pending(2) == 0);
  CHECK(net.counters().sent == 2);
}

TEST_CASE("broadcast and multicast go to every other attached port, never back to the sender") {
  platform::reset();
  static network<4> net;
  net.reset();
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  REQUIRE(net.attach(2, mac_c));  // port 3 stays unplugged
  CHECK(net.send(1, make_frame(mac_address::broadcast(), mac_b, 1)));
  CHECK(net.send(1, make_frame("01:00:5e:00:00:01"_mac, mac_b, 2)));  // IPv4 multicast
  CHECK(net.pending(0) == 2);
  CHECK(net.pending(1) == 0);
  CHECK(net.pending(2) == 2);
  CHECK(net.pending(3) == 0);
  std::array<std::byte, max_frame> buf{};
  for (std::size_t const port : {0U, 2U}) {
    REQUIRE(net.receive(port, buf) == 60);
    CHECK(seq_of(buf) == 1);
    REQUIRE(net.receive(port, buf) == 60);
    CHECK(seq_of(buf) == 2);
  }
  CHECK(net.counters().sent == 2);
  CHECK(net.counters().delivered == 4);
}

TEST_CASE("sends that are not Ethernet frames, or come from no NIC, are refused and counted") {
  platform::reset();
  static network<3> net;
  net.reset();
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  CHECK_FALSE(net.send(0, bytes(13)));                               // shorter than the header
  CHECK_FALSE(net.send(0, make_frame(mac_b, mac_a, 1, max_frame + 1)));  // longer than 1514
  CHECK_FALSE(net.send(2, make_frame(mac_b, mac_c, 1)));              // port 2 has no NIC
  CHECK_FALSE(net.send(7, make_frame(mac_b, mac_c, 1)));              // no port 7
  CHECK(net.counters().rejected == 4);
  CHECK(net.counters().sent == 0);
  CHECK(net.send(0, make_frame(mac_b, mac_a, 2, max_frame)));  // the largest frame passes
  CHECK(net.send(0, bytes(14, std::byte{0xff})));                // and the smallest (a bare broadcast header)
  CHECK(net.pending(1) == 2);
}

TEST_CASE("a port takes one NIC, and detach frees it and discards what waited for it") {
  platform::reset();
  static network<2> net;
  net.reset();
  CHECK(net.attach(0, mac_a));
  CHECK_FALSE(net.attach(0, mac_c));  // taken
  CHECK_FALSE(net.attach(2, mac_c));  // no such port
  CHECK(net.attach(1, mac_b));
  CHECK(net.mac(1) == mac_b);
  CHECK(net.send(0, make_frame(mac_b, mac_a, 1)));
  CHECK(net.pending(1) == 1);
  net.detach(1);
  CHECK_FALSE(net.attached(1));
  CHECK(net.pending(1) == 0);
  CHECK(net.attach(1, mac_c));
  CHECK(net.send(0, make_frame(mac_b, mac_a, 2)));  // mac_b is gone: no one gets it
  CHECK(net.pending(1) == 0);
}

TEST_CASE("a full receive queue drops the newest frames and counts them") {
  platform::reset();
  static network<2, 8> net;
  net.reset();
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  for (std::uint32_t i = 0; i < 10; ++i) CHECK(net.send(0, make_frame(mac_b, mac_a, i)));  // the switch took them all
  CHECK(net.pending(1) == 8);
  CHECK(net.counters().dropped_queue_full == 2);
  std::array<std::byte, max_frame> buf{};
  for (std::uint32_t i = 0; i < 8; ++i) {
    REQUIRE(net.receive(1, buf) == 60);
    CHECK(seq_of(buf) == i);
  }
  CHECK(net.receive(1, buf) == 0);
  // Room again: the ring wraps.
  for (std::uint32_t i = 10; i < 15; ++i) CHECK(net.send(0, make_frame(mac_b, mac_a, i)));
  for (std::uint32_t i = 10; i < 15; ++i) {
    REQUIRE(net.receive(1, buf) == 60);
    CHECK(seq_of(buf) == i);
  }
  check_conservation(net, 15);
}

TEST_CASE("a receive buffer shorter than the frame gets its head, and the cut is counted") {
  platform::reset();
  static network<2> net;
  net.reset();
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  auto const f = make_frame(mac_b, mac_a, 3, 200);
  CHECK(net.send(0, f));
  std::array<std::byte, 64> small{};
  CHECK(net.receive(1, small) == 64);
  CHECK(std::equal(small.begin(), small.end(), f.begin()));
  CHECK(net.counters().truncated == 1);
  CHECK(net.pending(1) == 0);
}

TEST_CASE("delay: a frame arrives exactly `delay` after it was sent, and not before") {
  platform::reset();
  platform::time = 1'000'000;  // the clock need not start at zero
  static network<2> net;
  net.reset({.delay = 5'000'000});
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  CHECK(net.next_delivery() == never);
  CHECK(net.send(0, make_frame(mac_b, mac_a, 1)));
  CHECK(net.next_delivery() == 6'000'000);
  CHECK(net.next_delivery_after(6'000'000) == never);
  std::array<std::byte, max_frame> buf{};
  platform::time = 5'999'999;
  CHECK(net.receive(1, buf) == 0);
  platform::time = 6'000'000;
  CHECK(net.receive(1, buf) == 60);
  CHECK(net.next_delivery() == never);
}

TEST_CASE("loss: 10% over 10,000 frames loses 8-12%, and the rest arrive in order") {
  platform::reset();
  static network<2> net;
  net.reset({.loss = percent(10)}, 1234);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  auto const got = pump(net, 10'000);
  auto const& c = net.counters();
  CHECK(c.lost >= 800);
  CHECK(c.lost <= 1200);
  CHECK(got.size() == 10'000 - c.lost);
  auto const s = seqs(got);
  CHECK(std::ranges::is_sorted(s));
  CHECK(std::ranges::adjacent_find(s) == s.end());
  CHECK(c.duplicated + c.reordered + c.corrupted + c.dropped_queue_full == 0);
  check_conservation(net, 10'000);
}

TEST_CASE("loss at a seed is monotone in the probability: what 1% loses, 2% loses too") {
  // Every copy draws all its decisions whatever the plan (see carry()).
  auto lost_at = [](std::uint32_t ppm) {
    platform::reset();
    static network<2> net;
    net.reset({.loss = ppm}, 99);
    REQUIRE(net.attach(0, mac_a));
    REQUIRE(net.attach(1, mac_b));
    std::set<std::uint32_t> lost;
    for (std::uint32_t i = 0; i < 5'000; ++i) lost.insert(i);
    for (auto const& d : pump(net, 5'000)) lost.erase(seq_of(d.frame));
    return lost;
  };
  auto const one = lost_at(percent(1));
  auto const two = lost_at(percent(2));
  CHECK(one.size() > 20);
  CHECK(two.size() > one.size());
  CHECK(std::ranges::includes(two, one));
}

TEST_CASE("duplication: 10% of frames arrive twice, the copy right behind the original") {
  platform::reset();
  static network<2> net;
  net.reset({.duplicate = percent(10)}, 5);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  auto const got = pump(net, 10'000);
  auto const& c = net.counters();
  CHECK(c.duplicated >= 800);
  CHECK(c.duplicated <= 1200);
  CHECK(got.size() == 10'000 + c.duplicated);
  std::uint64_t twice = 0;
  std::uint32_t expect = 0;
  for (std::size_t i = 0; i < got.size(); ++i, ++expect) {
    REQUIRE(seq_of(got[i].frame) == expect);
    if (i + 1 < got.size() && seq_of(got[i + 1].frame) == expect) {
      CHECK(got[i + 1].frame == got[i].frame);
      ++twice;
      ++i;
    }
  }
  CHECK(expect == 10'000);
  CHECK(twice == c.duplicated);
  check_conservation(net, 10'000);
}

TEST_CASE("corruption: 10% of frames arrive with exactly one bit flipped, anywhere in the frame") {
  platform::reset();
  static network<2> net;
  net.reset({.corrupt = percent(10)}, 77);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  auto const got = pump(net, 10'000);
  auto const& c = net.counters();
  CHECK(c.corrupted >= 800);
  CHECK(c.corrupted <= 1200);
  REQUIRE(got.size() == 10'000);  // nothing lost or reordered: the i-th received is the i-th sent
  std::uint64_t flipped = 0;
  std::uint64_t more = 0;
  std::size_t first_byte = max_frame;
  std::size_t last_byte = 0;
  for (std::uint32_t i = 0; i < got.size(); ++i) {
    auto const sent = make_frame(mac_b, mac_a, i);
    auto const d = bit_distance(sent, got[i].frame);
    if (d > 1) ++more;
    if (d == 1) {
      ++flipped;
      auto const at = static_cast<std::size_t>(std::ranges::mismatch(sent, got[i].frame).in1 - sent.begin());
      first_byte = std::min(first_byte, at);
      last_byte = std::max(last_byte, at);
    }
  }
  CHECK(flipped == c.corrupted);
  CHECK(more == 0);
  CHECK(first_byte < 3);   // the header is fair game ...
  CHECK(last_byte > 56);   // ... and so is the end of the 60-byte frame
}

TEST_CASE("reordering: frames overtake their predecessor but every frame still arrives once") {
  platform::reset();
  static network<2> net;
  net.reset({.reorder = percent(10)}, 3);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  // Bursts of 10 at one instant: reordering needs a frame still queued to
  // overtake (the first of a burst has none, so ~9% overtake).
  auto const got = pump(net, 10'000, 10);
  auto const& c = net.counters();
  CHECK(c.reordered >= 700);
  CHECK(c.reordered <= 1100);
  auto s = seqs(got);
  CHECK(s.size() == 10'000);
  CHECK_FALSE(std::ranges::is_sorted(s));
  std::size_t descents = 0;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] < s[i - 1]) ++descents;
  CHECK(descents > 0);
  CHECK(descents <= c.reordered);
  std::ranges::sort(s);
  for (std::uint32_t i = 0; i < s.size(); ++i) REQUIRE(s[i] == i);
  CHECK(c.lost + c.duplicated + c.corrupted == 0);
}

TEST_CASE("delay and jitter: each frame arrives within [delay, delay + jitter], in order") {
  platform::reset();
  static network<2> net;
  constexpr time_ns delay = 1'000'000;
  constexpr time_ns jitter = 1'000'000;
  constexpr time_ns interval = 100'000;
  net.reset({.delay = delay, .jitter = jitter}, 11);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  auto const got = pump(net, 1'000, 1, interval);  // ~15 frames in flight at once
  REQUIRE(got.size() == 1'000);
  time_ns lo = never;
  time_ns hi = 0;
  for (std::uint32_t i = 0; i < got.size(); ++i) {
    REQUIRE(seq_of(got[i].frame) == i);
    auto const latency = got[i].at - time_ns{i} * interval;
    lo = std::min(lo, latency);
    hi = std::max(hi, latency);
  }
  CHECK(lo >= delay);
  CHECK(hi <= delay + jitter);
  CHECK(lo < delay + jitter / 10);  // the spread is used, not just one end
  CHECK(hi > delay + jitter * 9 / 10);
}

TEST_CASE("broadcast copies meet the faults independently") {
  platform::reset();
  static network<3> net;
  net.reset({.loss = percent(50)}, 8);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  REQUIRE(net.attach(2, mac_c));
  for (std::uint32_t i = 0; i < 200; ++i) CHECK(net.send(0, make_frame(mac_address::broadcast(), mac_a, i)));
  CHECK(net.counters().lost >= 150);  // 400 copies, half lost
  CHECK(net.counters().lost <= 250);
  std::array<std::byte, max_frame> buf{};
  std::vector<std::uint32_t> at1;
  std::vector<std::uint32_t> at2;
  while (net.receive(1, buf) != 0) at1.push_back(seq_of(buf));
  while (net.receive(2, buf) != 0) at2.push_back(seq_of(buf));
  CHECK(at1 != at2);
  check_conservation(net, 400);
}

TEST_CASE("every fault at once, with a small queue: the counters still account for every copy") {
  platform::reset();
  static network<2, 16> net;
  net.reset({.loss = percent(5), .duplicate = percent(20), .reorder = percent(20), .corrupt = percent(5),
             .delay = 50'000, .jitter = 200'000},
            21);
  REQUIRE(net.attach(0, mac_a));
  REQUIRE(net.attach(1, mac_b));
  pump(net, 5'000, 20, 30'000);  // bursts larger than the queue
  auto const& c = net.counters();
  CHECK(c.dropped_queue_full > 0);
  CHECK(c.lost > 0);
  CHECK(c.duplicated > 0);
  CHECK(c.reordered > 0);
  CHECK(c.corrupted > 0);
  check_conservation(net, 5'000);
}

TEST_CASE("the same seed gives byte-identical deliveries at identical times but another seed does not") {
  auto run = [](std::uint64_t seed) {
    platform::reset();
    static network<2> net;
    net.reset({.loss = percent(5), .duplicate = percent(5), .reorder = percent(10), .corrupt = percent(5),
               .delay = 100'000, .jitter = 300'000},
              seed);
    REQUIRE(net.attach(0, mac_a));
    REQUIRE(net.attach(1, mac_b));
    auto got = pump(net, 5'000, 4, 50'000);
    return std::pair{got, net.counters()};
  };
  auto const first = run(7);
  auto const again = run(7);
  auto const other = run(8);
  CHECK(first.first.size() > 4'000);
  CHECK(first.first == again.first);
  CHECK(first.second == again.second);
  CHECK(first.first != other.first);
}

}  // namespace
