// strata::net::sim::network: an Ethernet switch in memory, for tests that run
// several strata systems in one process (see docs/sim.md).
//
// It does not learn addresses: each port knows the MAC of the NIC attached
// to it, and a frame goes to every other port whose MAC is its destination,
// or to every other attached port when the destination is broadcast or
// multicast. A real learning switch floods unknown unicast until it has seen
// the target send; a test gains nothing from that warm-up except noise.
//
// Each copy of a frame on its way to a port meets the fault plan (loss,
// corruption, reordering, duplication, delay and jitter), decided by the
// network's own seeded generator, and waits in that port's bounded receive
// queue until its delivery time. Frames live in fixed arrays: nothing on the
// packet path allocates, so a long run under ASan stays fast and a full
// queue is a counted drop, as on a NIC ring, not a growing buffer.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <strata/core/capability.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/random.hpp>

namespace strata::net::sim {

// Frame sizes the switch carries: a 14-byte Ethernet header and up to 1500
// bytes of payload. No frame check sequence (nothing here can damage a frame
// except the fault plan, which means to) and no 802.1Q tag.
inline constexpr std::size_t min_frame = 14;
inline constexpr std::size_t max_frame = 1514;

// Probabilities are integers in parts per million: exact, and the same on
// every compiler (no floating point anywhere in a simulated run).
inline constexpr std::uint32_t one_million = 1'000'000;
constexpr std::uint32_t percent(std::uint32_t p) { return p * 10'000; }

// What goes wrong, independently for each copy of a frame (a broadcast to
// three ports is three copies, each its own chance of loss).
struct fault_plan {
  std::uint32_t loss = 0;       // ppm: the copy vanishes
  std::uint32_t duplicate = 0;  // ppm: a second identical copy follows it
  std::uint32_t reorder = 0;    // ppm: it overtakes the frame queued just before it, if one still waits
  std::uint32_t corrupt = 0;    // ppm: one bit, chosen uniformly in the frame, is flipped
  time_ns delay = 0;            // every copy arrives this much after it was sent ...
  time_ns jitter = 0;           // ... plus a uniform [0, jitter]; never reorders by itself
};

// What happened, summed over the whole network since construction or reset().
// Invariant: copies that reached a queue (not lost, plus duplicated, minus
// dropped_queue_full) == delivered + still pending.
struct network_counters {
  std::uint64_t sent = 0;                // frames accepted from a NIC
  std::uint64_t delivered = 0;           // copies handed to a receiving NIC
  std::uint64_t lost = 0;                // copies removed by the loss fault
  std::uint64_t duplicated = 0;          // extra copies made by the duplicate fault
  std::uint64_t reordered = 0;           // copies that overtook the one before them
  std::uint64_t corrupted = 0;           // copies with a bit flipped
  std::uint64_t dropped_queue_full = 0;  // copies that found the receive queue full
  std::uint64_t rejected = 0;            // sends refused: bad port, unattached, or size outside [14, 1514]
  std::uint64_t truncated = 0;           // receives into a buffer shorter than the frame (the tail is cut)

  friend constexpr bool operator==(network_counters const&, network_counters const&) = default;
};

// What a NIC sees of a network: its port's three operations, without the
// network's size in the type. The component in sim/nic.hpp holds a
// port_ref, a pointer to this plus a port index; that keeps the component
// one type (sim::nic, not sim::nic<2, 256>) and its description constexpr.
class fabric {
 public:
  // Plugs a NIC with this MAC into the port; false if the port does not
  // exist or already has one.
  virtual bool attach(std::size_t port, mac_address mac) = 0;
  // Sends a whole frame from the port; false (and counted as rejected) if
  // the port is not attached or the size is outside [min_frame, max_frame].
  virtual bool send(std::size_t port, std::span<std::byte const> frame) = 0;
  // Copies the oldest frame due at the current time into `frame` and returns
  // its length (cut to frame.size()); 0 when nothing is due.
  virtual std::size_t receive(std::size_t port, std::span<std::byte> frame) = 0;

 protected:
  // Networks are static objects, never deleted through this interface.
  ~fabric() = default;
};

// A port of a network, as a description holds it: `net.port(1)`.
struct port_ref {
  fabric* network = nullptr;
  std::size_t index = 0;
};

namespace detail {
// Deliberately not constexpr: net.port(i) with i out of range, in a
// constexpr description, fails to compile naming this function. At run time
// it does nothing and the NIC's attach reports the bad port.
inline void sim_port_index_is_out_of_range_for_this_network() {}
}  // namespace detail

template <std::size_t Ports, std::size_t QueueDepth = 256>
class network final : public fabric {
  static_assert(Ports >= 1, "strata: a sim::network needs at least one port");
  static_assert(QueueDepth >= 1, "strata: a sim::network port needs a receive queue of at least one frame");

 public:
  static constexpr std::size_t ports = Ports;
  static constexpr std::size_t queue_depth = QueueDepth;

  // About Ports * QueueDepth * 1.5 KB (770 KB for 2 ports of 256): make it
  // a static object, not a local, which also lets a constexpr description
  // hold its address.
  explicit network(fault_plan plan = {}, std::uint64_t seed = 1) noexcept { reset(plan, seed); }
  network(network const&) = delete;
  network& operator=(network const&) = delete;

  // Port i, for a NIC's configuration. constexpr so that a description can
  // call it on a static network: it only takes the address, never reads.
  constexpr port_ref port(std::size_t i) {
    if (i >= Ports) detail::sim_port_index_is_out_of_range_for_this_network();
    return {this, i};
  }

  // Back to a fresh network: every port unplugged and empty, counters zero,
  // the generator at `seed`. For a static network reused by several tests.
  void reset(fault_plan plan = {}, std::uint64_t seed = 1) noexcept {
    plan_ = plan;
    rng_.reseed(seed);
    counters_ = {};
    fresh_ = never;
    for (auto& p : ports_) p.unplug();
  }

  // Changes the faults from now on (frames already queued keep their fate):
  // a test can break the network for a while and heal it.
  void set_faults(fault_plan plan) { plan_ = plan; }
  fault_plan const& faults() const { return plan_; }

  network_counters const& counters() const { return counters_; }

  bool attach(std::size_t port, mac_address mac) override {
    if (port >= Ports || ports_[port].attached) return false;
    ports_[port].attached = true;
    ports_[port].mac = mac;
    return true;
  }
  // Unplugs the port; the frames waiting in its queue are discarded.
  void detach(std::size_t port) {
    if (port < Ports) ports_[port].unplug();
  }
  bool attached(std::size_t port) const { return port < Ports && ports_[port].attached; }
  mac_address mac(std::size_t port) const { return port < Ports ? ports_[port].mac : mac_address{}; }

  bool send(std::size_t from, std::span<std::byte const> frame) override {
    if (from >= Ports || !ports_[from].attached || frame.size() < min_frame || frame.size() > max_frame) {
      ++counters_.rejected;
      return false;
    }
    ++counters_.sent;
    auto const destination = mac_address::load(frame, 0);
    time_ns const now = platform::now_ns();
    // Ports in index order: with the generator drawn per copy, the order is
    // part of what makes a seed reproduce a run.
    for (std::size_t to = 0; to < Ports; ++to) {
      auto const& p = ports_[to];
      if (to == from || !p.attached) continue;
      if (destination.is_multicast() || p.mac == destination) carry(to, frame, now);
    }
    return true;
  }

  std::size_t receive(std::size_t port, std::span<std::byte> out) override {
    if (port >= Ports) return 0;
    auto& q = ports_[port];
    if (q.count == 0 || q.slots[q.head].due > platform::now_ns()) return 0;
    auto const& s = q.slots[q.head];
    std::size_t const n = std::min<std::size_t>(s.length, out.size());
    std::copy_n(s.bytes.begin(), n, out.begin());
    if (n < s.length) ++counters_.truncated;
    q.head = (q.head + 1) % QueueDepth;
    --q.count;
    ++counters_.delivered;
    return n;
  }

  // Frames waiting for the port, due or not yet.
  std::size_t pending(std::size_t port) const { return port < Ports ? ports_[port].count : 0; }

  // The earliest delivery time of any waiting frame (possibly already past:
  // a due frame no one has read yet), or strata::never.
  time_ns next_delivery() const { return next_delivery_after(0, true); }

  // The earliest delivery time strictly after t. The scheduler wakes on
  // these only: a frame already due was visible at the last poll, and a host
  // that does not read it (stopped, or busy elsewhere) must not hold
  // virtual time still.
  time_ns next_delivery_after(time_ns t) const { return next_delivery_after(t, false); }

  // For the scheduler: forget, then track, the earliest delivery time of
  // the copies queued from now on. A copy queued during a round of polls
  // with a delivery time not after the round's instant may have missed its
  // receiver (polled earlier in the round), so the scheduler polls again.
  void mark() { fresh_ = never; }
  time_ns earliest_since_mark() const { return fresh_; }

 private:
  struct slot {
    time_ns due = 0;
    std::uint16_t length = 0;
    std::array<std::byte, max_frame> bytes{};
  };
  // A port's receive queue: a ring of slots in delivery order. Delivery
  // times never decrease along the ring (see carry), so the head is always
  // the next frame due and next_delivery_after can stop at the first match.
  struct port_state {
    bool attached = false;
    mac_address mac{};
    std::size_t head = 0;
    std::size_t count = 0;
    std::array<slot, QueueDepth> slots{};

    // Empties the port without touching the slots' bytes (a port is ~390 KB;
    // assigning a fresh one would build that much on the stack).
    void unplug() {
      attached = false;
      mac = {};
      head = 0;
      count = 0;
    }
    slot& at(std::size_t k) { return slots[(head + k) % QueueDepth]; }
    slot const& at(std::size_t k) const { return slots[(head + k) % QueueDepth]; }
  };

  time_ns next_delivery_after(time_ns t, bool any) const {
    time_ns d = never;
    for (auto const& q : ports_)
      for (std::size_t k = 0; k < q.count; ++k)
        if (any || q.at(k).due > t) {
          d = std::min(d, q.at(k).due);
          break;
        }
    return d;
  }

  // One copy of a frame on its way to port `to`, through the fault plan.
  void carry(std::size_t to, std::span<std::byte const> frame, time_ns now) {
    // Every decision is drawn, used or not, in a fixed order: the k-th copy
    // sees the same draws whatever the plan, so a seed that loses frame 17
    // at 1% loss also loses it at 2%, and turning corruption on does not
    // reshuffle which frames are lost.
    bool const lose = chance(plan_.loss);
    bool const duplicate = chance(plan_.duplicate);
    bool const reorder = chance(plan_.reorder);
    bool const corrupt = chance(plan_.corrupt);
    std::uint64_t const bit = rng_.below(frame.size() * 8);
    std::uint64_t const spread = rng_.next();
    time_ns const jitter = plan_.jitter == never ? spread : spread % (plan_.jitter + 1);
    if (lose) {
      ++counters_.lost;
      return;
    }
    auto& q = ports_[to];
    if (q.count == QueueDepth) {
      ++counters_.dropped_queue_full;
      return;
    }
    // In order: a copy never arrives before one queued ahead of it, whatever
    // the jitter. Only the reorder fault breaks the order.
    time_ns due = now + plan_.delay + jitter;
    if (q.count > 0) due = std::max(due, q.at(q.count - 1).due);
    std::size_t at = q.count;  // the copy's place in the ring
    slot& s = push(q, frame, due);
    if (corrupt) {
      s.bytes[bit / 8] ^= std::byte(1U << (bit % 8));
      ++counters_.corrupted;
    }
    if (reorder && at > 0) {
      // Overtake the previous frame: exchange contents; the frame held back
      // now leaves right behind this one, at this one's delivery time. So
      // the ring stays in time order and no frame arrives sooner than its
      // own delay, as on a real path where a frame is reordered by waiting.
      slot& previous = q.at(at - 1);
      std::swap(previous.length, s.length);
      std::swap(previous.bytes, s.bytes);
      previous.due = due;
      --at;
      ++counters_.reordered;
    }
    fresh_ = std::min(fresh_, due);
    if (duplicate) {
      ++counters_.duplicated;
      if (q.count == QueueDepth) {
        ++counters_.dropped_queue_full;
        return;
      }
      // The same bytes, corruption included, right behind the tail.
      slot const& original = q.at(at);
      push(q, std::span<std::byte const>{original.bytes}.first(original.length), due);
    }
  }

  bool chance(std::uint32_t ppm) { return rng_.below(one_million) < ppm; }

  static slot& push(port_state& q, std::span<std::byte const> frame, time_ns due) {
    slot& s = q.at(q.count);
    ++q.count;
    s.due = due;
    s.length = static_cast<std::uint16_t>(frame.size());
    std::copy(frame.begin(), frame.end(), s.bytes.begin());
    return s;
  }

  std::array<port_state, Ports> ports_{};
  fault_plan plan_{};
  prng rng_;
  network_counters counters_{};
  time_ns fresh_ = never;
};

}  // namespace strata::net::sim
