// The IPv4 host layer against a scripted NIC: frames in, frames out, on
// virtual time. Frames are built and checked with the wire layer's reprs.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

#include "unit/test_platform.hpp"

namespace {

using namespace strata;
using namespace strata::net;
using namespace strata::literals;
using platform = test::virtual_platform;
using frame = std::vector<std::byte>;

constexpr mac_address our_mac{{0x02, 0, 0, 0, 0, 0x02}};
constexpr mac_address peer_mac{{0x02, 0, 0, 0, 0, 0x01}};
constexpr mac_address gateway_mac{{0x02, 0, 0, 0, 0, 0xfe}};
constexpr ipv4_address our_ip{{10, 0, 0, 2}};
constexpr ipv4_address peer_ip{{10, 0, 0, 1}};
constexpr ipv4_address gateway_ip{{10, 0, 0, 254}};

// A NIC whose wire is two queues the test reads and writes.
struct scripted_nic {
  // Vectors, not deques: their default construction cannot throw (cert-err58-cpp).
  static inline std::vector<frame> inbox, outbox;
  static inline bool busy = false;
  static constexpr std::string_view name = "scripted_nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  struct state {
    static constexpr std::size_t mtu = 1500;
    static std::size_t receive(std::span<std::byte> rx) {
      if (inbox.empty()) return 0;
      frame f = std::move(inbox.front());
      inbox.erase(inbox.begin());
      REQUIRE(f.size() <= rx.size());
      std::ranges::copy(f, rx.begin());
      return f.size();
    }
    static bool transmit(std::span<std::byte const> tx) {
      if (busy) return false;
      outbox.emplace_back(tx.begin(), tx.end());
      return true;
    }
    static mac_address mac() { return our_mac; }
  };
  template <class P>
  static constexpr state runtime(scripted_nic const&) {
    return {};
  }
};
static_assert(NetDevice<scripted_nic::state>);

struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};

constexpr auto description =
    strata::system(monotonic_clock{}, scripted_nic{},
                   net::ipv4{.address = "10.0.0.2/24", .gateway = "10.0.0.254"}, udp_service<echo, 7>{});
using system_t = runtime_system<platform, std::remove_cvref_t<decltype(description)>>;

// --- building and reading frames ------------------------------------------
frame ethernet(mac_address dst, mac_address src, ethertype type, std::span<std::byte const> payload) {
  frame f(14 + payload.size());
  REQUIRE(ethernet_repr{dst, src, type, {}}.emit(f));
  std::ranges::copy(payload, f.begin() + 14);
  return f;
}
frame arp(arp_operation op, mac_address smac, ipv4_address sip, mac_address tmac, ipv4_address tip,
          mac_address dst = mac_address::broadcast()) {
  std::array<std::byte, 28> a{};
  REQUIRE(arp_repr{op, smac, sip, tmac, tip}.emit(a));
  return ethernet(dst, smac, ethertype::arp, a);
}
frame ip_packet(ipv4_address src, ipv4_address dst, ip_protocol proto, std::span<std::byte const> l4,
                mac_address from = peer_mac) {
  frame p(20 + l4.size());
  REQUIRE(ipv4_repr{src, dst, proto, 64, 0, 0, 1, false, false, 0, l4.size(), {}}.emit(p));
  std::ranges::copy(l4, p.begin() + 20);
  return ethernet(our_mac, from, ethertype::ipv4, p);
}
frame ping(ipv4_address src, std::uint16_t seq, std::span<std::byte const> data, ipv4_address dst = our_ip) {
  frame m(8 + data.size());
  REQUIRE(icmp_repr::echo_request(0x1234, seq, data).emit(m));
  return ip_packet(src, dst, ip_protocol::icmp, m);
}
frame udp(ipv4_address src, std::uint16_t sport, std::uint16_t dport, std::span<std::byte const> data,
          ipv4_address dst = our_ip) {
  frame m(8 + data.size());
  REQUIRE(udp_repr{sport, dport, data}.emit(m, src, dst));
  return ip_packet(src, dst, ip_protocol::udp, m);
}
std::vector<std::byte> bytes(std::string_view s) {
  std::vector<std::byte> v;
  for (char c : s) v.push_back(std::byte(c));
  return v;
}

struct fixture {
  system_t sys{description};
  fixture() {
    platform::reset();
    platform::time = 1_s;
    scripted_nic::inbox.clear();
    scripted_nic::outbox.clear();
    scripted_nic::busy = false;
    sys.boot();
  }
  auto& host() { return sys.get<cap::IpLayer>(); }
  void deliver(frame f, time_ns at = 0) {
    scripted_nic::inbox.push_back(std::move(f));
    if (at != 0) platform::time = at;
    sys.poll(platform::time);
  }
  static frame sent() {
    REQUIRE_FALSE(scripted_nic::outbox.empty());
    frame f = std::move(scripted_nic::outbox.front());
    scripted_nic::outbox.erase(scripted_nic::outbox.begin());
    return f;
  }
  void learn_peer() {
    deliver(arp(arp_operation::request, peer_mac, peer_ip, {}, our_ip));
    scripted_nic::outbox.clear();
  }
};

TEST_CASE_FIXTURE(fixture, "start announces our address with a gratuitous ARP") {
  frame const f = sent();
  auto const eth = ethernet_view::parse(f);
  REQUIRE(eth);
  CHECK(eth->destination().is_broadcast());
  CHECK(eth->ethertype() == ethertype::arp);
  auto const a = *arp_repr::parse(*arp_view::parse(eth->payload()));
  CHECK(a.operation == arp_operation::request);
  CHECK(a.sender_protocol == our_ip);
  CHECK(a.target_protocol == our_ip);
  CHECK(a.sender_hardware == our_mac);
  CHECK(f.size() == 60);  // padded to Ethernet's minimum
}

TEST_CASE_FIXTURE(fixture, "an ARP request for our address is answered, and its sender remembered") {
  scripted_nic::outbox.clear();
  deliver(arp(arp_operation::request, peer_mac, peer_ip, {}, our_ip));
  frame const f = sent();
  auto const eth = *ethernet_view::parse(f);
  CHECK(eth.destination() == peer_mac);
  auto const a = *arp_repr::parse(*arp_view::parse(eth.payload()));
  CHECK(a.operation == arp_operation::reply);
  CHECK(a.sender_hardware == our_mac);
  CHECK(a.sender_protocol == our_ip);
  CHECK(a.target_hardware == peer_mac);
  CHECK(a.target_protocol == peer_ip);
  CHECK(host().arp_entries(platform::time) == 1);
}

TEST_CASE_FIXTURE(fixture, "ARP about other hosts neither answers nor fills the cache (RFC 826 merge rule)") {
  scripted_nic::outbox.clear();
  deliver(arp(arp_operation::request, peer_mac, peer_ip, {}, ipv4_address{{10, 0, 0, 9}}));
  deliver(arp(arp_operation::reply, gateway_mac, ipv4_address{{10, 0, 0, 77}}, peer_mac, peer_ip, peer_mac));
  CHECK(scripted_nic::outbox.empty());
  CHECK(host().arp_entries(platform::time) == 0);
  CHECK(host().counters().arp.count(drop_reason::not_for_us) == 1);  // the reply went to another MAC
  CHECK(host().counters().ethernet.count(drop_reason::not_for_us) == 1);
}

TEST_CASE_FIXTURE(fixture, "a ping from a known host is answered with the same identifier, sequence and data") {
  learn_peer();
  auto const data = bytes("abcdefghijklmnopqrstuvwxyz012345");
  deliver(ping(peer_ip, 7, data));
  frame const f = sent();
  auto const eth = *ethernet_view::parse(f);
  CHECK(eth.destination() == peer_mac);
  auto const ip = ipv4_view::parse(eth.payload());  // verifies the header checksum
  REQUIRE(ip);
  CHECK(ip->source() == our_ip);
  CHECK(ip->destination() == peer_ip);
  auto const icmp = icmp_view::parse(ip->payload());  // verifies the ICMP checksum
  REQUIRE(icmp);
  auto const reply = *icmp_repr::parse(*icmp);
  CHECK(reply.type == icmp_type::echo_reply);
  CHECK(reply.identifier == 0x1234);
  CHECK(reply.sequence == 7);
  CHECK(std::ranges::equal(reply.data, data));
  CHECK(host().counters().icmp.sent == 1);
}

TEST_CASE_FIXTURE(fixture, "a reply to an unknown host waits for ARP, then goes out") {
  scripted_nic::outbox.clear();
  deliver(ping(peer_ip, 1, bytes("hi")));
  auto const request = *arp_repr::parse(*arp_view::parse(ethernet_view::parse(sent())->payload()));
  CHECK(request.operation == arp_operation::request);
  CHECK(request.target_protocol == peer_ip);
  CHECK(scripted_nic::outbox.empty());
  deliver(arp(arp_operation::reply, peer_mac, peer_ip, our_mac, our_ip, our_mac));
  frame const f = sent();
  CHECK(ethernet_view::parse(f)->destination() == peer_mac);
  CHECK(ethernet_view::parse(f)->source() == our_mac);
  CHECK(ethernet_view::parse(f)->ethertype() == ethertype::ipv4);  // the header waited with the packet
  CHECK(icmp_repr::parse(*icmp_view::parse(ipv4_view::parse(ethernet_view::parse(f)->payload())->payload()))->type ==
        icmp_type::echo_reply);
}

TEST_CASE_FIXTURE(fixture, "ARP is retried once a second, then the waiting packet is dropped as unresolved") {
  scripted_nic::outbox.clear();
  deliver(ping(peer_ip, 1, bytes("x")));
  CHECK(scripted_nic::outbox.size() == 1);  // the first request
  CHECK(sys.next_deadline() == platform::time + 1_s);
  for (int i = 0; i < 4; ++i) {
    platform::time = sys.next_deadline() == never ? platform::time + 1_s : sys.next_deadline();
    sys.poll(platform::time);
  }
  CHECK(scripted_nic::outbox.size() == 3);  // three requests in all
  CHECK(host().counters().ipv4.count(drop_reason::unresolved) == 1);
  CHECK(sys.next_deadline() == never);
}

TEST_CASE_FIXTURE(fixture, "UDP to a service's port reaches it, and its answer goes back to the sender's port") {
  learn_peer();
  auto const data = bytes("echo me");
  deliver(udp(peer_ip, 40000, 7, data));
  frame const f = sent();
  auto const ip = *ipv4_view::parse(ethernet_view::parse(f)->payload());
  auto const u = udp_view::parse(ip);  // verifies the checksum with the pseudo-header
  REQUIRE(u);
  CHECK(u->source_port() == 7);
  CHECK(u->destination_port() == 40000);
  CHECK(std::equal(u->payload().begin(), u->payload().end(), data.begin(), data.end()));
  CHECK(host().counters().udp.received == 1);
  CHECK(host().counters().udp.sent == 1);
}

TEST_CASE_FIXTURE(fixture, "UDP to a closed port gets ICMP port unreachable, at most 10 per second") {
  learn_peer();
  for (int i = 0; i < 25; ++i) deliver(udp(peer_ip, 40000, 9, bytes("knock")));
  CHECK(scripted_nic::outbox.size() == 10);
  frame const f = sent();
  auto const ip = *ipv4_view::parse(ethernet_view::parse(f)->payload());
  auto const icmp = *icmp_repr::parse(*icmp_view::parse(ip.payload()));
  CHECK(icmp.type == icmp_type::destination_unreachable);
  CHECK(icmp.code == 3);
  auto const quoted = ipv4_view::parse(icmp.data, checksum_policy::skip);  // the original header and 8 bytes
  REQUIRE(quoted);
  CHECK(quoted->source() == peer_ip);
  CHECK(host().counters().udp.count(drop_reason::no_service) == 25);
  CHECK(host().counters().icmp.count(drop_reason::rate_limited) == 15);
  scripted_nic::outbox.clear();
  platform::time += 1_s;  // the bucket refills
  deliver(udp(peer_ip, 40000, 9, bytes("knock")));
  CHECK(scripted_nic::outbox.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "replies off the link go through the gateway") {
  ipv4_address const far{{192, 168, 5, 5}};
  scripted_nic::outbox.clear();
  deliver(udp(far, 5000, 7, bytes("from afar")));
  auto const request = *arp_repr::parse(*arp_view::parse(ethernet_view::parse(sent())->payload()));
  CHECK(request.target_protocol == gateway_ip);  // asks for the gateway, not the far host
  deliver(arp(arp_operation::reply, gateway_mac, gateway_ip, our_mac, our_ip, our_mac));
  frame const f = sent();
  CHECK(ethernet_view::parse(f)->destination() == gateway_mac);
  CHECK(ethernet_view::parse(f)->ethertype() == ethertype::ipv4);
  CHECK(ipv4_view::parse(ethernet_view::parse(f)->payload())->destination() == far);
}

TEST_CASE_FIXTURE(fixture, "malformed and foreign packets are dropped and counted, never crash") {
  learn_peer();
  frame const good = ping(peer_ip, 1, bytes("0123456789"));
  // Every truncation of a good frame.
  for (std::size_t n = 0; n < good.size(); ++n) deliver(frame(good.begin(), good.begin() + static_cast<long>(n)));
  // A corrupted IPv4 header checksum.
  frame bad = good;
  bad[14 + 10] ^= std::byte{0x01};
  deliver(bad);
  // Another host's IP address; another host's MAC.
  deliver(ping(peer_ip, 2, bytes("x"), ipv4_address{{10, 0, 0, 3}}));
  frame other_mac = good;
  other_mac[5] = std::byte{0x33};
  deliver(other_mac);
  auto const& c = host().counters();
  CHECK(c.ipv4.count(parse_error::bad_checksum) == 1);
  CHECK(c.ipv4.count(drop_reason::not_for_us) == 1);
  CHECK(c.ethernet.count(drop_reason::not_for_us) == 1);
  CHECK(c.ethernet.count(parse_error::truncated) + c.ipv4.count(parse_error::truncated) +
            c.icmp.count(parse_error::truncated) + c.icmp.count(parse_error::bad_checksum) >= good.size() - 14);
  CHECK(scripted_nic::outbox.empty());  // nothing answered
  // And the host still answers afterwards.
  deliver(good);
  CHECK(scripted_nic::outbox.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "a busy NIC drops and counts instead of blocking") {
  learn_peer();
  scripted_nic::busy = true;
  deliver(ping(peer_ip, 1, bytes("x")));
  CHECK(host().counters().ethernet.count(drop_reason::device_busy) == 1);
}

// A system with no UDP service has no UDP layer: UDP is an unknown protocol.
constexpr auto no_udp = strata::system(monotonic_clock{}, scripted_nic{}, net::ipv4{.address = "10.0.0.2/24"});

TEST_CASE("without a UDP service, UDP packets are an unknown protocol") {
  platform::reset();
  scripted_nic::inbox.clear();
  scripted_nic::outbox.clear();
  runtime_system<platform, std::remove_cvref_t<decltype(no_udp)>> sys{no_udp};
  sys.boot();
  scripted_nic::inbox.push_back(udp(peer_ip, 1, 7, bytes("x")));
  sys.poll(platform::time);
  CHECK(sys.get<cap::IpLayer>().counters().ipv4.count(drop_reason::unknown_protocol) == 1);
  CHECK(sys.get<cap::IpLayer>().counters().udp.received == 0);
}

}  // namespace
