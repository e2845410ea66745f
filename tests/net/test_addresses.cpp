// MAC and IPv4 address types, their text forms and constexpr literals.
#include <doctest/doctest.h>

#include <algorithm>
#include <string_view>

#include <strata/core/text.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/ipv4/address.hpp>

namespace {

using namespace strata::net;
using namespace strata::net::literals;

template <class T>
constexpr auto text_of(T const& value) {
  char buffer[64]{};
  strata::text_writer w{buffer, sizeof buffer};
  value.describe_to(w);
  struct out {
    char chars[64];
    std::size_t size;
    constexpr std::string_view view() const { return {chars, size}; }
  } o{};
  for (std::size_t i = 0; i < w.size() && i < 64; ++i) o.chars[i] = buffer[i];
  o.size = w.size();
  return o;
}

// MAC addresses.
constexpr auto qemu_mac = "52:54:00:12:34:56"_mac;
static_assert(qemu_mac.octets[0] == 0x52 && qemu_mac.octets[5] == 0x56);
static_assert(qemu_mac.is_unicast() && !qemu_mac.is_multicast() && qemu_mac.is_locally_administered());
static_assert(mac_address::broadcast().is_broadcast() && mac_address::broadcast().is_multicast());
static_assert("01:00:5e:00:00:fb"_mac.is_multicast() && !"01:00:5e:00:00:fb"_mac.is_broadcast());
static_assert("3A:96:78:21:CE:25"_mac == "3a:96:78:21:ce:25"_mac);
static_assert(text_of(qemu_mac).view() == "52:54:00:12:34:56");
static_assert(!parse_mac_address("52:54:00:12:34"));
static_assert(!parse_mac_address("52:54:00:12:34:5g"));
static_assert(!parse_mac_address("52-54-00-12-34-56"));
static_assert(!parse_mac_address("52:54:00:12:34:567"));
static_assert(mac_address{}.is_zero());

// IPv4 addresses.
constexpr auto gateway = "10.0.0.1"_ipv4;
static_assert(gateway == ipv4_address{{10, 0, 0, 1}});
static_assert(gateway.to_u32() == 0x0a000001 && ipv4_address::from_u32(0x0a000001) == gateway);
static_assert(text_of(gateway).view() == "10.0.0.1");
static_assert(text_of("255.255.255.255"_ipv4).view() == "255.255.255.255");
static_assert("0.0.0.0"_ipv4.is_unspecified() && "255.255.255.255"_ipv4.is_broadcast());
static_assert("224.0.0.251"_ipv4.is_multicast() && "239.255.255.255"_ipv4.is_multicast() && !"240.0.0.1"_ipv4.is_multicast());
static_assert("127.0.0.1"_ipv4.is_loopback() && "169.254.3.4"_ipv4.is_link_local());
static_assert("10.0.0.1"_ipv4 < "10.0.0.2"_ipv4 && "9.255.255.255"_ipv4 < "10.0.0.0"_ipv4);

// Refused text: each of these would be an error as a literal.
constexpr std::string_view bad_addresses[] = {
    "",         "10.0.0",     "10.0.0.",   "10.0.0.2.", "10.0.0.256", "10.0.0.-1", "010.0.0.2",  "10.0.0.02",
    "10.0.0.2 ", " 10.0.0.2", "10..0.2",   "a.b.c.d",   "10.0.0.2/24", "1.2.3.4.5", "1000.0.0.1", "10.0.0.0002",
    "0x0a.0.0.1", "4294967295"};
static_assert(std::ranges::none_of(bad_addresses, [](std::string_view t) { return parse_ipv4_address(t).has_value(); }));
static_assert(parse_ipv4_address("0.0.0.0") && parse_ipv4_address("1.22.133.255"));

// Interfaces.
constexpr auto self = "10.0.0.2/24"_ipv4_interface;
static_assert(self.address == "10.0.0.2"_ipv4 && self.prefix_len == 24);
static_assert(self.netmask() == "255.255.255.0"_ipv4 && self.network() == "10.0.0.0"_ipv4);
static_assert(self.broadcast() == "10.0.0.255"_ipv4);
static_assert(self.contains("10.0.0.77"_ipv4) && !self.contains("10.0.1.1"_ipv4));
static_assert(text_of(self).view() == "10.0.0.2/24");
static_assert("10.1.2.3/0"_ipv4_interface.netmask() == "0.0.0.0"_ipv4 && "10.1.2.3/0"_ipv4_interface.contains("8.8.8.8"_ipv4));
static_assert("10.1.2.3/32"_ipv4_interface.netmask() == "255.255.255.255"_ipv4);
static_assert("10.1.2.3/31"_ipv4_interface.netmask() == "255.255.255.254"_ipv4);
static_assert(ipv4_interface{.address = gateway, .prefix_len = 77}.netmask() == "255.255.255.255"_ipv4);  // > 32 acts as 32
static_assert(!parse_ipv4_interface("10.0.0.2"));
static_assert(!parse_ipv4_interface("10.0.0.2/33"));
static_assert(!parse_ipv4_interface("10.0.0.2/024"));
static_assert(!parse_ipv4_interface("10.0.0.2/"));
static_assert(!parse_ipv4_interface("10.0.0.2/2a"));
static_assert(!parse_ipv4_interface("10.0.0.2//24"));

TEST_CASE("address parsers also run on text known only at run time") {
  std::string_view const texts[] = {"192.168.1.1", "192.168.1.256", "10.0.0.2/16"};
  CHECK(parse_ipv4_address(texts[0]) == ipv4_address{{192, 168, 1, 1}});
  CHECK_FALSE(parse_ipv4_address(texts[1]));
  auto const i = parse_ipv4_interface(texts[2]).value_or(ipv4_interface{});
  CHECK(i.network() == ipv4_address{{10, 0, 0, 0}});
  CHECK(text_of(i).view() == "10.0.0.2/16");
}

}  // namespace
