// The IPv4 host with fragments, against a scripted NIC on virtual time:
// reassembly into ICMP and UDP, fragmentation of what it sends (echo replies,
// UDP), fragments waiting for ARP, the ICMP time exceeded of a timed-out
// datagram, every drop counted, and a host without reassembly.
#include <doctest/doctest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include <strata/net/ipv4/reassembly.hpp>
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
constexpr ipv4_address our_ip{{10, 0, 0, 2}};
constexpr ipv4_address peer_ip{{10, 0, 0, 1}};

struct fragment_nic {
  static inline std::vector<frame> inbox, outbox;
  static inline int refuse_after = -1;  // >= 0: transmit fails once this many frames went out
  static constexpr std::string_view name = "fragment_nic";
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
      if (refuse_after >= 0 && outbox.size() >= static_cast<std::size_t>(refuse_after)) return false;
      REQUIRE(tx.size() <= 1514);
      outbox.emplace_back(tx.begin(), tx.end());
      return true;
    }
    static mac_address mac() { return our_mac; }
  };
  template <class P>
  static constexpr state runtime(fragment_nic const&) {
    return {};
  }
};

struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};

// The default ipv4: 2 reassembly slots of 4096 bytes.
constexpr auto description = strata::system(monotonic_clock{}, fragment_nic{},
                                            net::ipv4{.address = "10.0.0.2/24"}, udp_service<echo, 7>{});
using system_t = runtime_system<platform, std::remove_cvref_t<decltype(description)>>;

// --- frames -------------------------------------------------------------------
frame pattern(std::size_t n, unsigned seed = 1) {
  frame p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = std::byte((i * 13 + seed + i / 251) & 0xff);
  return p;
}

frame ethernet_ipv4(std::span<std::byte const> packet) {
  frame f(14 + packet.size());
  REQUIRE(ethernet_repr{our_mac, peer_mac, ethertype::ipv4, {}}.emit(f));
  std::ranges::copy(packet, f.begin() + 14);
  return f;
}

// The L4 message `l4` from the peer to us as IPv4 fragments of `piece` bytes
// (a multiple of 8), as frames, in order.
std::vector<frame> fragments_of(std::span<std::byte const> l4, ip_protocol protocol, std::uint16_t id,
                                std::size_t piece = 1480, ipv4_address src = peer_ip) {
  std::vector<frame> out;
  for (std::size_t at = 0; at < l4.size(); at += piece) {
    std::size_t const len = std::min(piece, l4.size() - at);
    frame p(20 + len);
    REQUIRE(ipv4_repr{src, our_ip, protocol, 64, 0, 0, id, false, at + len < l4.size(),
                      static_cast<std::uint16_t>(at), len, {}}
                .emit(p));
    std::copy_n(l4.begin() + static_cast<std::ptrdiff_t>(at), len, p.begin() + 20);
    out.push_back(ethernet_ipv4(p));
  }
  return out;
}

frame echo_request(std::uint16_t seq, std::span<std::byte const> data) {
  frame m(8 + data.size());
  REQUIRE(icmp_repr::echo_request(0x7777, seq, data).emit(m));
  return m;
}

frame udp_message(std::uint16_t sport, std::uint16_t dport, std::span<std::byte const> data) {
  frame m(8 + data.size());
  REQUIRE(udp_repr{sport, dport, data}.emit(m, peer_ip, our_ip));
  return m;
}

// What the host sent as IPv4 fragments of one datagram, checked field by
// field (same id, offsets in order, MF on all but the last, no DF, every
// fragment but the last 1480 bytes), joined: the L4 message.
struct joined {
  ipv4_address source{}, destination{};
  ip_protocol protocol{};
  std::uint16_t id = 0;
  frame l4;
  std::size_t fragments = 0;
};
joined join(std::vector<frame> const& frames, mac_address to = peer_mac) {
  joined j;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    CAPTURE(i);
    auto const eth = ethernet_view::parse(frames[i]);
    REQUIRE(eth);
    CHECK(eth->destination() == to);
    REQUIRE(eth->ethertype() == ethertype::ipv4);
    auto const ip = ipv4_view::parse(eth->payload());
    REQUIRE(ip);
    if (i == 0) {
      j.source = ip->source();
      j.destination = ip->destination();
      j.protocol = ip->protocol();
      j.id = ip->identification();
    }
    CHECK(ip->identification() == j.id);
    CHECK_FALSE(ip->dont_fragment());
    CHECK(ip->fragment_offset() == j.l4.size());
    CHECK(ip->more_fragments() == (i + 1 < frames.size()));
    if (i + 1 < frames.size()) CHECK(ip->payload().size() == 1480);
    j.l4.insert(j.l4.end(), ip->payload().begin(), ip->payload().end());
  }
  j.fragments = frames.size();
  return j;
}

struct fixture {
  system_t sys{description};
  fixture() {
    platform::reset();
    platform::time = 1_s;
    fragment_nic::inbox.clear();
    fragment_nic::outbox.clear();
    fragment_nic::refuse_after = -1;
    sys.boot();
    fragment_nic::outbox.clear();  // the gratuitous ARP
  }
  auto& host() { return sys.get<cap::IpLayer>(); }
  auto const& counters() { return host().counters(); }
  void deliver(frame f) {
    fragment_nic::inbox.push_back(std::move(f));
    sys.poll(platform::time);
  }
  void deliver_all(std::vector<frame> const& frames) {
    for (auto const& f : frames) deliver(f);
  }
  void learn_peer() {
    std::array<std::byte, 28> a{};
    REQUIRE(arp_repr{arp_operation::request, peer_mac, peer_ip, {}, our_ip}.emit(a));
    frame f(42);
    REQUIRE(ethernet_repr{mac_address::broadcast(), peer_mac, ethertype::arp, {}}.emit(f));
    std::ranges::copy(a, f.begin() + 14);
    deliver(f);
    fragment_nic::outbox.clear();
  }
  static std::vector<frame> take_sent() { return std::exchange(fragment_nic::outbox, {}); }
};

TEST_CASE_FIXTURE(fixture, "a fragmented ping of 3000 bytes is reassembled and answered in three fragments") {
  learn_peer();
  auto const data = pattern(3000);
  deliver_all(fragments_of(echo_request(5, data), ip_protocol::icmp, 0x6f52));
  auto const sent = take_sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].size() == 1514);
  CHECK(sent[1].size() == 1514);
  CHECK(sent[2].size() == 14 + 20 + 48);
  auto const reply = join(sent);
  CHECK(reply.source == our_ip);
  CHECK(reply.destination == peer_ip);
  CHECK(reply.protocol == ip_protocol::icmp);
  auto const icmp = icmp_view::parse(reply.l4);  // the checksum covers all 3008 bytes
  REQUIRE(icmp);
  auto const m = *icmp_repr::parse(*icmp);
  CHECK(m.type == icmp_type::echo_reply);
  CHECK(m.identifier == 0x7777);
  CHECK(m.sequence == 5);
  CHECK(std::ranges::equal(m.data, data));
  auto const& c = counters();
  CHECK(c.ipv4.received == 3);
  CHECK(c.reassembled == 1);
  CHECK(c.icmp.received == 1);
  CHECK(c.icmp.sent == 1);
  CHECK(c.fragmented == 1);
  CHECK(c.ipv4.sent == 3);
  CHECK(c.ipv4.drops() == 0);
  CHECK(host().reassembling() == 0);
}

TEST_CASE_FIXTURE(fixture, "a 4000-byte UDP datagram, fragments reversed, is echoed byte for byte in fragments") {
  learn_peer();
  auto const data = pattern(4000, 9);
  auto frames = fragments_of(udp_message(40000, 7, data), ip_protocol::udp, 0x1001);
  REQUIRE(frames.size() == 3);
  std::ranges::reverse(frames);
  deliver_all(frames);
  auto const echo_frames = take_sent();
  REQUIRE(echo_frames.size() == 3);  // 4008 = 1480 + 1480 + 1048
  auto const e = join(echo_frames);
  CHECK(e.protocol == ip_protocol::udp);
  CHECK(e.l4.size() == 4008);
  auto const u = udp_view::parse(e.l4, our_ip, peer_ip);  // verifies the checksum over the whole datagram
  REQUIRE(u);
  CHECK(u->checksum() != 0);
  CHECK(u->source_port() == 7);
  CHECK(u->destination_port() == 40000);
  CHECK(std::ranges::equal(u->payload(), data));
  CHECK(counters().udp.received == 1);
  CHECK(counters().udp.sent == 1);
  CHECK(counters().reassembled == 1);
  CHECK(counters().fragmented == 1);
}

TEST_CASE_FIXTURE(fixture, "a datagram that fits one frame is not fragmented; one byte more is") {
  learn_peer();
  auto udp = net::socket<7>(sys);
  CHECK(udp.send_to({peer_ip, 9000}, pattern(1472)));
  auto one = take_sent();
  REQUIRE(one.size() == 1);
  CHECK(one[0].size() == 1514);
  CHECK_FALSE(ipv4_view::parse(ethernet_view::parse(one[0])->payload())->is_fragment());
  CHECK(udp.send_to({peer_ip, 9000}, pattern(1473)));
  auto two = take_sent();
  REQUIRE(two.size() == 2);
  auto const j = join(two);
  CHECK(j.l4.size() == 1481);
  CHECK(udp_view::parse(j.l4, our_ip, peer_ip));
  CHECK(counters().fragmented == 1);
}

TEST_CASE_FIXTURE(fixture, "the largest UDP datagram, 65507 bytes, goes out in 45 fragments; one byte more is too big") {
  learn_peer();
  auto udp = net::socket<7>(sys);
  auto const data = pattern(65507, 4);
  CHECK(udp.send_to({peer_ip, 9000}, data));
  auto const sent = take_sent();
  REQUIRE(sent.size() == 45);  // 65515 = 44 * 1480 + 395
  auto const j = join(sent);
  CHECK(j.l4.size() == 65515);
  auto const u = udp_view::parse(j.l4, our_ip, peer_ip);
  REQUIRE(u);
  CHECK(std::ranges::equal(u->payload(), data));
  CHECK(counters().ipv4.sent == 45);
  CHECK_FALSE(udp.send_to({peer_ip, 9000}, pattern(65508)));
  CHECK(take_sent().empty());
  CHECK(counters().udp.count(drop_reason::too_big) == 1);
}

TEST_CASE_FIXTURE(fixture, "fragments to an unresolved host all wait for ARP, then leave in order") {
  auto udp = net::socket<7>(sys);
  auto const data = pattern(4000);
  CHECK(udp.send_to({peer_ip, 9000}, data));
  auto const asked = take_sent();
  REQUIRE(asked.size() == 1);  // one ARP request for the three fragments
  CHECK(ethernet_view::parse(asked[0])->ethertype() == ethertype::arp);
  std::array<std::byte, 28> a{};
  REQUIRE(arp_repr{arp_operation::reply, peer_mac, peer_ip, our_mac, our_ip}.emit(a));
  frame reply(42);
  REQUIRE(ethernet_repr{our_mac, peer_mac, ethertype::arp, {}}.emit(reply));
  std::ranges::copy(a, reply.begin() + 14);
  deliver(reply);
  auto const sent = take_sent();
  REQUIRE(sent.size() == 3);
  auto const j = join(sent);
  auto const u = udp_view::parse(j.l4, our_ip, peer_ip);
  REQUIRE(u);
  CHECK(std::ranges::equal(u->payload(), data));
}

TEST_CASE_FIXTURE(fixture, "a datagram with more fragments than the ARP queue has room for is dropped whole") {
  auto udp = net::socket<7>(sys);
  CHECK_FALSE(udp.send_to({peer_ip, 9000}, pattern(6000)));  // 5 fragments, 4 places
  auto const asked = take_sent();
  REQUIRE(asked.size() == 1);  // the ARP request still goes out, so a retry finds the binding
  CHECK(ethernet_view::parse(asked[0])->ethertype() == ethertype::arp);
  CHECK(counters().ipv4.count(drop_reason::queue_full) == 1);
  CHECK(counters().ipv4.sent == 0);
  CHECK(counters().fragmented == 0);
  CHECK(sys.next_deadline() == never);  // nothing waits
  // A second try while nothing waits asks again; one that fits waits as usual.
  CHECK(udp.send_to({peer_ip, 9000}, pattern(4 * 1480 - 8)));  // exactly 4 fragments
  CHECK(take_sent().size() == 1);
  CHECK(sys.next_deadline() == platform::time + 1_s);
}

TEST_CASE_FIXTURE(fixture, "a NIC refusing a fragment stops the datagram there") {
  learn_peer();
  fragment_nic::refuse_after = 1;
  auto udp = net::socket<7>(sys);
  CHECK_FALSE(udp.send_to({peer_ip, 9000}, pattern(4000)));
  CHECK(take_sent().size() == 1);
  CHECK(counters().ethernet.count(drop_reason::device_busy) == 1);  // the second; no third was tried
  CHECK(counters().ipv4.sent == 2);
}

TEST_CASE_FIXTURE(fixture, "a reassembled datagram to a closed port draws port unreachable quoting the whole header") {
  learn_peer();
  deliver_all(fragments_of(udp_message(40000, 9, pattern(3000)), ip_protocol::udp, 0x2002));
  auto const sent = take_sent();
  REQUIRE(sent.size() == 1);
  auto const ip = *ipv4_view::parse(ethernet_view::parse(sent[0])->payload());
  auto const m = *icmp_repr::parse(*icmp_view::parse(ip.payload()));
  CHECK(m.type == icmp_type::destination_unreachable);
  CHECK(m.code == 3);
  // The reassembled header, cut short as quotes are: 548 bytes of a 3028-byte datagram.
  CHECK(ipv4_view::parse(m.data, checksum_policy::skip).failed_with(parse_error::truncated));
  CHECK(load_be16(m.data, ipv4_layout::total_length) == 3028);
  CHECK(load_be16(m.data, ipv4_layout::flags_fragment) == 0);
  CHECK(m.data.size() == 548);
  CHECK(counters().udp.count(drop_reason::no_service) == 1);
}

TEST_CASE_FIXTURE(fixture, "an incomplete datagram times out after 30 s with ICMP time exceeded quoting fragment 0") {
  learn_peer();
  auto const frames = fragments_of(udp_message(40000, 7, pattern(3000)), ip_protocol::udp, 0x3003);
  deliver(frames[0]);
  deliver(frames[2]);
  CHECK(host().reassembling() == 1);
  CHECK(sys.next_deadline() == 1_s + 30_s);
  platform::time = 1_s + 30_s - 1;
  sys.poll(platform::time);
  CHECK(take_sent().empty());
  platform::time = 1_s + 30_s;
  sys.poll(platform::time);
  CHECK(host().reassembling() == 0);
  CHECK(counters().ipv4.count(drop_reason::reassembly_timeout) == 1);
  auto const sent = take_sent();
  REQUIRE(sent.size() == 1);
  auto const ip = *ipv4_view::parse(ethernet_view::parse(sent[0])->payload());
  CHECK(ip.destination() == peer_ip);
  auto const m = *icmp_repr::parse(*icmp_view::parse(ip.payload()));
  CHECK(m.type == icmp_type::time_exceeded);
  CHECK(m.code == 1);
  // Fragment 0 as it came: its header (MF set, total length 1500) and data, cut to 548 bytes.
  auto const original = ethernet_view::parse(frames[0])->payload();
  REQUIRE(m.data.size() == 548);
  CHECK(std::ranges::equal(m.data, original.first(548)));
  CHECK(sys.next_deadline() == never);
}

TEST_CASE_FIXTURE(fixture, "without fragment 0 a timed-out datagram is dropped silently") {
  learn_peer();
  auto const frames = fragments_of(udp_message(40000, 7, pattern(3000)), ip_protocol::udp, 0x3004);
  deliver(frames[1]);
  platform::time += 30_s;
  sys.poll(platform::time);
  CHECK(take_sent().empty());
  CHECK(counters().ipv4.count(drop_reason::reassembly_timeout) == 1);
}

TEST_CASE_FIXTURE(fixture, "duplicates, overlaps, invalid fragments, eviction and oversize are counted by reason") {
  learn_peer();
  auto const frames = fragments_of(udp_message(40000, 7, pattern(3000)), ip_protocol::udp, 0x4000);
  deliver(frames[0]);
  deliver(frames[0]);  // duplicate
  deliver(frames[1]);
  deliver(frames[2]);
  CHECK(take_sent().size() == 3);  // the echo
  CHECK(counters().ipv4.count(drop_reason::fragment_duplicate) == 1);

  auto const other = fragments_of(udp_message(40000, 7, pattern(3000, 5)), ip_protocol::udp, 0x4001);
  auto const shifted = fragments_of(udp_message(40000, 7, pattern(3000, 5)), ip_protocol::udp, 0x4001, 1472);
  deliver(other[0]);
  deliver(shifted[1]);  // offset 1472 overlaps [0, 1480)
  CHECK(counters().ipv4.count(drop_reason::fragment_overlap) == 1);
  CHECK(host().reassembling() == 0);

  // Fragments of a datagram of more than 4096 bytes.
  auto const big = fragments_of(udp_message(40000, 7, pattern(5000)), ip_protocol::udp, 0x4002);
  deliver(big[0]);
  deliver(big[1]);
  deliver(big[2]);  // ends at 4440
  CHECK(counters().ipv4.count(drop_reason::too_big) == 1);
  CHECK(host().reassembling() == 0);

  // Three datagrams started at once: the third evicts the first.
  for (std::uint16_t id = 0x5000; id < 0x5003; ++id)
    deliver(fragments_of(udp_message(40000, 7, pattern(2000)), ip_protocol::udp, id)[0]);
  CHECK(counters().ipv4.count(drop_reason::reassembly_evicted) == 1);
  CHECK(host().reassembling() == 2);

  // Ping of death: an offset of 65528 with 16 bytes.
  frame p(20 + 16);
  REQUIRE(ipv4_repr{peer_ip, our_ip, ip_protocol::icmp, 64, 0, 0, 0x6000, false, false, 65528, 16, {}}.emit(p));
  deliver(ethernet_ipv4(p));
  CHECK(counters().ipv4.count(drop_reason::fragment_invalid) == 1);
  CHECK(take_sent().empty());
  CHECK(counters().reassembled == 1);
}

TEST_CASE_FIXTURE(fixture, "fragments of a protocol without a layer take no slot") {
  frame p(20 + 8);
  REQUIRE(ipv4_repr{peer_ip, our_ip, ip_protocol::tcp, 64, 0, 0, 1, false, true, 0, 8, {}}.emit(p));
  deliver(ethernet_ipv4(p));
  CHECK(counters().ipv4.count(drop_reason::unknown_protocol) == 1);
  CHECK(host().reassembling() == 0);
}

// --- a host without reassembly -----------------------------------------------------
constexpr auto no_reassembly = strata::system(monotonic_clock{}, fragment_nic{},
                                              net::basic_ipv4<16, 4, 0>{.address = "10.0.0.2/24"},
                                              udp_service<echo, 7>{});
using no_reassembly_t = runtime_system<platform, std::remove_cvref_t<decltype(no_reassembly)>>;

// No slots: not a byte of reassembly state (the default holds 2 of 4096).
static_assert(sizeof(ipv4_host<16, 4, 0, 4096>) + 2 * std::size_t{4096} < sizeof(ipv4_host<16, 4, 2, 4096>));
static_assert(sizeof(ipv4_host<16, 4, 0, 4096>) == sizeof(ipv4_host<16, 4, 0, 65515>));

TEST_CASE("without reassembly slots fragments are dropped as unsupported, and big sends still fragment") {
  platform::reset();
  fragment_nic::inbox.clear();
  fragment_nic::outbox.clear();
  fragment_nic::refuse_after = -1;
  no_reassembly_t sys{no_reassembly};
  sys.boot();
  auto const frames = fragments_of(echo_request(1, pattern(2000)), ip_protocol::icmp, 9);
  for (auto const& f : frames) fragment_nic::inbox.push_back(f);
  sys.poll(platform::time);
  auto const& c = sys.get<cap::IpLayer>().counters();
  CHECK(c.ipv4.count(drop_reason::unsupported) == 2);
  CHECK(c.icmp.received == 0);
  CHECK(sys.get<cap::IpLayer>().reassembling() == 0);
  CHECK(sys.next_deadline() == never);
  fragment_nic::outbox.clear();
  auto udp = net::socket<7>(sys);
  CHECK(udp.send_to({ipv4_address{{10, 0, 0, 255}}, 9000}, pattern(2000)));  // broadcast: no ARP
  CHECK(fragment_nic::outbox.size() == 2);
  CHECK(join(fragment_nic::outbox, mac_address::broadcast()).l4.size() == 2008);
}

}  // namespace
