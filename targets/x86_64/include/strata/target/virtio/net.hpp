// virtio-net (virtio 1.0, section 5.1) for the x86_64 image: a NetDevice.
//
// Features: VERSION_1, MAC and STATUS only. Not negotiated, on purpose:
//  - checksum offload (CSUM, GUEST_CSUM): with GUEST_CSUM the device may hand
//    over frames whose checksums are partial, which every layer would then
//    have to trust by a flag; the stack's checksum (Highway) costs less than
//    that plumbing for 1500-byte frames. Frames arrive and leave complete.
//  - MRG_RXBUF and the GSO/TSO features: without them every frame fits one
//    receive buffer (5.1.6.3.1: at least 1526 bytes), which keeps the pool a
//    plain array of fixed buffers, one descriptor each.
// The header before every frame is then 12 zero bytes (5.1.6: num_buffers is
// always present with VERSION_1).
//
// Memory: Rx receive and Tx transmit buffers of 2 KiB plus the two rings,
// all in this object, which the system keeps in static memory.
// A full transmit queue makes transmit() return false (the stack counts
// device_busy and the sender backs off); a receive flood lets the device
// drop what finds no buffer. Nothing waits.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/net/device.hpp>
#include <strata/target/virtio/queue.hpp>
#include <strata/target/virtio/transport.hpp>
#include <strata/target/x86_64/hw.hpp>

namespace strata::target::virtio {

inline constexpr std::uint64_t net_f_mac = 1ull << 5;
inline constexpr std::uint64_t net_f_status = 1ull << 16;
inline constexpr std::uint64_t f_version_1 = 1ull << 32;

struct net_counters {
  std::uint64_t received = 0;      // frames handed to the stack
  std::uint64_t sent = 0;          // frames given to the device
  std::uint64_t tx_full = 0;       // transmit() found no free buffer
  std::uint64_t rx_malformed = 0;  // a used buffer shorter than a header + Ethernet header, or longer than the buffer
};

template <std::uint16_t Rx, std::uint16_t Tx>
class virtio_net {
 public:
  static constexpr std::size_t mtu = 1500;
  static constexpr std::size_t header_len = 12;
  static constexpr std::size_t buffer_len = 2048;  // header + 1514-byte frame + VLAN tag, two per page
  static constexpr std::uint16_t rx_queue = 0, tx_queue = 1;

  explicit constexpr virtio_net(net::mac_address fallback) : mac_{fallback} {}

  template <class Sys>
  void init(Sys& sys) {
    if (transport_error const e = start(); e != transport_error::none) {
      using P = typename Sys::platform;
      constexpr std::string_view what = "strata: virtio-net: ";
      P::console_write(what.data(), what.size());
      std::string_view const why = describe(e);
      P::console_write(why.data(), why.size());
      constexpr std::string_view how =
          "\n  run the image with a network device: ./strata run adds it (QEMU: -device virtio-net-device on "
          "microvm, -device virtio-net-pci,disable-legacy=on on q35)\n";
      if (e == transport_error::not_found) P::console_write(how.data(), how.size());
      else P::console_write("\n", 1);
      sys.exit(2);
    }
  }

  // Acknowledges the interrupt that woke the loop, and takes back the
  // transmit buffers the device is done with.
  template <class Sys>
  void poll(Sys&, time_ns) {
    transport_.acknowledge_interrupt();
    reclaim();
  }
  // A frame still waiting (the stack reads a bounded batch per turn) means
  // another turn at once rather than a halt.
  time_ns next_deadline() const { return rxq_.has_used() ? 0 : never; }

  std::size_t receive(std::span<std::byte> out) {
    while (auto const e = rxq_.take()) {
      auto const id = static_cast<std::uint16_t>(e->id % Rx);
      std::size_t const len = e->len;
      std::size_t n = 0;
      if (len < header_len + 14 || len > buffer_len) {
        ++counters_.rx_malformed;
      } else {
        n = std::min(len - header_len, out.size());
        std::memcpy(out.data(), &rx_[id][header_len], n);
      }
      rxq_.offer(id);
      rxq_.publish();
      if (rxq_.wants_notification()) transport_.notify(rx_queue);
      if (n != 0) {
        ++counters_.received;
        return n;
      }
    }
    return 0;
  }

  bool transmit(std::span<std::byte const> frame) {
    if (frame.size() + header_len > buffer_len) return false;
    if (free_count_ == 0) reclaim();
    if (free_count_ == 0) {
      ++counters_.tx_full;
      return false;
    }
    std::uint16_t const id = free_[--free_count_];
    std::memcpy(&tx_[id][header_len], frame.data(), frame.size());
    txq_.set_length(id, static_cast<std::uint32_t>(header_len + frame.size()));
    txq_.offer(id);
    txq_.publish();
    if (txq_.wants_notification()) transport_.notify(tx_queue);
    ++counters_.sent;
    return true;
  }

  net::mac_address mac() const { return mac_; }
  bool link_up() const { return !has_status_ || (transport_.config16(6) & 1) != 0; }
  net_counters const& counters() const { return counters_; }
  void visit_counters(auto&& visit) const {
    visit("received", counters_.received);
    visit("sent", counters_.sent);
    visit("tx_full", counters_.tx_full);
    visit("rx_malformed", counters_.rx_malformed);
  }
  // The run-time state for runtime_system::describe_state_to.
  void describe_to(text_writer& w) const {
    w << (transport_.which() == transport::kind::pci ? "virtio-net over PCI, " : "virtio-net over MMIO, ")
      << (link_up() ? "link up" : "link down") << ", received " << counters_.received << ", sent "
      << counters_.sent << ", transmit queue full " << counters_.tx_full << ", malformed " << counters_.rx_malformed;
  }
  transport const& device() const { return transport_; }

 private:
  // virtio 1.0, 3.1.1: the driver's initialisation sequence.
  transport_error start() {
    if (auto const e = transport_.find(1); e != transport_error::none) return e;
    transport_.reset();
    transport_.add_status(status_acknowledge);
    transport_.add_status(status_driver);
    std::uint64_t const offered = transport_.device_features();
    if ((offered & f_version_1) == 0) return fail(transport_error::features_refused);
    std::uint64_t const wanted = f_version_1 | (offered & (net_f_mac | net_f_status));
    if (!transport_.accept_features(wanted)) return fail(transport_error::features_refused);
    has_status_ = (wanted & net_f_status) != 0;
    if (wanted & net_f_mac) {
      for (std::size_t i = 0; i < 6; ++i) mac_.octets[i] = transport_.config8(static_cast<std::uint32_t>(i));
    }

    for (std::uint16_t i = 0; i < Rx; ++i) {
      rxq_.bind(i, rx_[i].data(), buffer_len, desc_f_write);
      rxq_.offer(i);
    }
    for (std::uint16_t i = 0; i < Tx; ++i) {
      std::fill_n(tx_[i].data(), header_len, std::byte{0});  // no offload, no GSO: an all-zero header
      txq_.bind(i, tx_[i].data(), 0, 0);
      free_[i] = static_cast<std::uint16_t>(Tx - 1 - i);
    }
    free_count_ = Tx;
    if (auto const e = transport_.setup_queue(rx_queue, Rx, rxq_.addresses()); e != transport_error::none) return fail(e);
    if (auto const e = transport_.setup_queue(tx_queue, Tx, txq_.addresses()); e != transport_error::none) return fail(e);
    if (auto const e = transport_.route_interrupt(x86_64::vector_net); e != transport_error::none) return fail(e);
    transport_.add_status(status_driver_ok);
    rxq_.publish();
    transport_.notify(rx_queue);
    return transport_error::none;
  }

  transport_error fail(transport_error e) {
    transport_.add_status(status_failed);
    return e;
  }

  void reclaim() {
    while (auto const e = txq_.take()) {
      if (free_count_ < Tx) free_[free_count_++] = static_cast<std::uint16_t>(e->id % Tx);
    }
  }

  alignas(4096) std::array<std::array<std::byte, buffer_len>, Rx> rx_{};
  std::array<std::array<std::byte, buffer_len>, Tx> tx_{};
  virtqueue<Rx> rxq_{};
  virtqueue<Tx> txq_{};
  transport transport_{};
  std::array<std::uint16_t, Tx> free_{};
  std::uint16_t free_count_ = 0;
  bool has_status_ = false;
  net::mac_address mac_;
  net_counters counters_{};
};

}  // namespace strata::target::virtio
