// The ARP cache: a fixed table of IPv4 -> MAC bindings that expire.
//
// Updates follow RFC 826's merge rule: a packet refreshes a binding we
// already hold for its sender; it creates one only when it is addressed to
// us (its target is our address). So unsolicited replies about other hosts
// cannot fill or poison the table; a host on the link can still claim its
// own address, which RFC 826 allows and ARP cannot prevent.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include <strata/core/capability.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/ipv4/address.hpp>

namespace strata::net {

template <std::size_t Capacity>
class arp_cache {
  static_assert(Capacity > 0, "strata: an ARP cache needs at least one entry");

 public:
  static constexpr time_ns lifetime = 60'000'000'000;  // 60 s, as Linux's default reachable time is of that order

  constexpr std::optional<mac_address> lookup(ipv4_address ip, time_ns now) const {
    for (auto const& e : entries_)
      if (e.expires > now && e.ip == ip) return e.mac;
    return std::nullopt;
  }

  // Refreshes the binding for ip if held; returns whether it was (RFC 826 "merge").
  constexpr bool refresh(ipv4_address ip, mac_address mac, time_ns now) {
    for (auto& e : entries_)
      if (e.expires > now && e.ip == ip) {
        e.mac = mac;
        e.expires = now + lifetime;
        return true;
      }
    return false;
  }

  // Adds a binding, replacing an expired entry or else the one closest to expiry.
  constexpr void insert(ipv4_address ip, mac_address mac, time_ns now) {
    entry* slot = entries_.data();
    for (auto& e : entries_) {
      if (e.expires <= now) {
        slot = &e;
        break;
      }
      if (e.expires < slot->expires) slot = &e;
    }
    *slot = {ip, mac, now + lifetime};
  }

  constexpr std::size_t size(time_ns now) const {
    std::size_t n = 0;
    for (auto const& e : entries_) n += e.expires > now;
    return n;
  }

 private:
  struct entry {
    ipv4_address ip{};
    mac_address mac{};
    time_ns expires = 0;
  };
  std::array<entry, Capacity> entries_{};
};

}  // namespace strata::net
