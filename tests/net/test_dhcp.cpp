// DHCP (RFC 2131, RFC 2132): the wire format over captured exchanges with
// two real servers, every rejection, round trips; the client's state
// machine through acquisition, retransmission, NAK, renewal, rebinding and
// expiry, with exact times.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <strata/net/dhcp/client.hpp>
#include <strata/net/dhcp/wire.hpp>

#include "hex.hpp"
#include "test_support.hpp"

// The round-trip properties live with their fuzzer (the shared
// tests/fuzz/roundtrip.hpp is another owner's); this takes them without its
// entry point.
#define STRATA_FUZZ_NO_MAIN
#include "fuzz/fuzz_dhcp.cpp"  // NOLINT(bugprone-suspicious-include): the properties, without the entry point

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;
using strata::time_ns;
using bytes = std::span<std::byte const>;

constexpr time_ns ms = 1'000'000, s = 1'000'000'000;

// A message from its first 44 bytes (op to chaddr) and its bytes from the
// cookie to the end option; sname and file (192 bytes between them) and the
// rest up to Size are zeros, as they are in every capture below (checked
// when the constants were written out).
template <std::size_t Size, std::size_t F, std::size_t O>
constexpr std::array<std::byte, Size> message(std::array<std::byte, F> const& fixed,
                                              std::array<std::byte, O> const& options) {
  static_assert(F == dhcp_layout::sname && dhcp_layout::cookie + O <= Size);
  std::array<std::byte, Size> m{};
  for (std::size_t i = 0; i < F; ++i) m[i] = fixed[i];
  for (std::size_t i = 0; i < O; ++i) m[dhcp_layout::cookie + i] = options[i];
  return m;
}

// ---------------------------------------------------------------------------
// Captures. QEMU 7.2's user networking (slirp) joined by a hub to a TAP
// device in a network namespace ("-M none -netdev user,id=u0 -netdev
// tap,id=t0,ifname=dtap0 -netdev hubport,hubid=0,netdev=u0 -netdev
// hubport,hubid=0,netdev=t0"), busybox 1.35 udhcpc on the TAP with MAC
// 52:54:00:12:34:56, tcpdump on the TAP; then SIGUSR1 to udhcpc for a
// renewal. The same payloads are tests/fuzz/corpus/dhcp/slirp_*.bin.
// Options are grouped one per hex word group: code, length, data.

// udhcpc: DISCOVER; 57 max size 576, 55 (1 3 6 12 15 28 42), 60 "udhcp 1.35.0", 61 01+MAC.
constexpr auto slirp_discover = message<300>(
    hex<"01010600 05ae015c 0000 0000 00000000 00000000 00000000 00000000 525400123456 00000000000000000000">(),
    hex<"63825363 350101 39020240 3707010306 0c0f1c2a 3c0c756468637020312e33352e30 3d0701525400123456 ff">());
// slirp: OFFER of 10.0.2.15 (siaddr 10.0.2.2); 54 10.0.2.2, 1 /24, 3 10.0.2.2, 6 10.0.2.3, 51 86400.
// slirp sends 548 bytes: its struct bootp_t with a 312-byte vendor field.
constexpr auto slirp_offer = message<548>(
    hex<"02010600 05ae015c 0000 0000 00000000 0a00020f 0a000202 00000000 525400123456 00000000000000000000">(),
    hex<"63825363 350102 36040a000202 0104ffffff00 03040a000202 06040a000203 330400015180 ff">());
// udhcpc: REQUEST (selecting): 50 10.0.2.15, 54 10.0.2.2, then as the DISCOVER.
constexpr auto slirp_request = message<300>(
    hex<"01010600 05ae015c 0000 0000 00000000 00000000 00000000 00000000 525400123456 00000000000000000000">(),
    hex<"63825363 350103 32040a00020f 36040a000202 39020240 3707010306 0c0f1c2a 3c0c756468637020312e33352e30"
        "3d0701525400123456 ff">());
// slirp: ACK, as the OFFER. (Its ACK to the renewal was byte for byte the same.)
constexpr auto slirp_ack = message<548>(
    hex<"02010600 05ae015c 0000 0000 00000000 0a00020f 0a000202 00000000 525400123456 00000000000000000000">(),
    hex<"63825363 350105 36040a000202 0104ffffff00 03040a000202 06040a000203 330400015180 ff">());
// udhcpc: REQUEST (renewing), unicast from 10.0.2.15 to 10.0.2.2: ciaddr, no 50 or 54.
constexpr auto slirp_renew_request = message<300>(
    hex<"01010600 05ae015c 0000 0000 0a00020f 00000000 00000000 00000000 525400123456 00000000000000000000">(),
    hex<"63825363 350103 39020240 3707010306 0c0f1c2a 3c0c756468637020312e33352e30 3d0701525400123456 ff">());

// busybox 1.35 udhcpd over a veth pair between two namespaces (pool
// 192.168.7.100-150, "opt dns 192.168.7.53 192.168.7.54", "opt lease 600",
// "opt 0x3a 0000012c", "opt 0x3b 0000020d"), udhcpc with MAC
// 02:00:00:00:00:01. Corpus: tests/fuzz/corpus/dhcp/udhcpd_*.bin.
// OFFER: 54, 51 600, 1, 3, 6 (two servers), 58 T1 300, 59 T2 525.
constexpr auto udhcpd_offer = message<300>(
    hex<"02010600 92187954 0000 0000 00000000 c0a8077f 00000000 00000000 020000000001 00000000000000000000">(),
    hex<"63825363 350102 3604c0a80701 330400000258 0104ffffff00 0304c0a80701 0608c0a80735c0a80736"
        "3a040000012c 3b040000020d ff">());
constexpr auto udhcpd_ack = message<300>(
    hex<"02010600 92187954 0000 0000 00000000 c0a8077f 00000000 00000000 020000000001 00000000000000000000">(),
    hex<"63825363 350105 3604c0a80701 330400000258 0104ffffff00 0304c0a80701 0608c0a80735c0a80736"
        "3a040000012c 3b040000020d ff">());
// NAK: udhcpd's answer to a REQUEST (selecting) for 192.168.7.200, outside
// its pool, that a Python socket sent from the client namespace. 54 only.
constexpr auto udhcpd_nak = message<300>(
    hex<"02010600 2a5c13e7 0000 0000 00000000 00000000 00000000 00000000 020000000001 00000000000000000000">(),
    hex<"63825363 350106 3604c0a80701 ff">());

constexpr auto guest = "52:54:00:12:34:56"_mac;
constexpr auto udhcpc_mac = "02:00:00:00:00:01"_mac;

// Where the end option is: the message without padding.
constexpr std::size_t end_of(bytes m) {
  std::size_t at = dhcp_layout::options;
  while (m[at] != std::byte{0xff}) at += m[at] == std::byte{0} ? 1 : 2 + std::to_integer<std::size_t>(m[at + 1]);
  return at + 1;
}

template <std::size_t N>
constexpr dhcp_repr repr_of(std::array<std::byte, N> const& m) {
  return *dhcp_repr::parse(*dhcp_view::parse(m));
}

// ---------------------------------------------------------------------------
// The view and the repr over the captures.

constexpr auto offer_view = dhcp_view::parse(slirp_offer);
static_assert(offer_view && offer_view->op() == dhcp_op::reply && offer_view->xid() == 0x05ae015c);
static_assert(offer_view->yiaddr() == "10.0.2.15"_ipv4 && offer_view->siaddr() == "10.0.2.2"_ipv4);
static_assert(offer_view->ciaddr().is_unspecified() && offer_view->giaddr().is_unspecified());
static_assert(offer_view->chaddr() == guest && offer_view->hops() == 0 && offer_view->secs() == 0);
static_assert(!offer_view->broadcast() && offer_view->bytes().size() == 548);
static_assert(offer_view->options().size() == 33);  // behind the cookie, up to the end option
static_assert(offer_view->option(dhcp_option::lease_time)->size() == 4);
static_assert(!offer_view->option(dhcp_option::renewal_time));
static_assert(!offer_view->option(dhcp_option::pad) && !offer_view->option(dhcp_option::end));

constexpr auto offer = repr_of(slirp_offer);
static_assert(offer.message_type == dhcp_message_type::offer && offer.op == dhcp_op::reply);
static_assert(offer.server_identifier == "10.0.2.2"_ipv4 && offer.subnet_mask == "255.255.255.0"_ipv4);
static_assert(offer.router == "10.0.2.2"_ipv4 && offer.dns_server_count == 1 && offer.dns()[0] == "10.0.2.3"_ipv4);
static_assert(offer.lease_time == 86400U && !offer.renewal_time && !offer.rebinding_time);
static_assert(!offer.requested_address && !offer.max_message_size && offer.client_identifier.empty());

constexpr auto request = repr_of(slirp_request);
static_assert(request.message_type == dhcp_message_type::request && request.op == dhcp_op::request);
static_assert(request.requested_address == "10.0.2.15"_ipv4 && request.server_identifier == "10.0.2.2"_ipv4);
static_assert(request.ciaddr.is_unspecified() && request.max_message_size == 576U);
static_assert(request.parameter_request_list.size() == 7 && request.parameter_request_list[6] == std::byte{42});
static_assert(request.client_identifier.size() == 7 && request.client_identifier[0] == std::byte{1});

constexpr auto renew = repr_of(slirp_renew_request);
static_assert(renew.ciaddr == "10.0.2.15"_ipv4 && !renew.requested_address && !renew.server_identifier);

constexpr auto discover = repr_of(slirp_discover);
static_assert(discover.message_type == dhcp_message_type::discover && discover.chaddr == guest && !discover.broadcast);

constexpr auto udhcpd = repr_of(udhcpd_ack);
static_assert(udhcpd.message_type == dhcp_message_type::ack && udhcpd.yiaddr == "192.168.7.127"_ipv4);
static_assert(udhcpd.dns_server_count == 2 && udhcpd.dns()[1] == "192.168.7.54"_ipv4);
static_assert(udhcpd.lease_time == 600U && udhcpd.renewal_time == 300U && udhcpd.rebinding_time == 525U);
static_assert(udhcpd.siaddr.is_unspecified());

constexpr auto nak = repr_of(udhcpd_nak);
static_assert(nak.message_type == dhcp_message_type::nak && nak.yiaddr.is_unspecified() && !nak.lease_time);
static_assert(nak.server_identifier == "192.168.7.1"_ipv4 && nak.xid == 0x2a5c13e7);

// Emitting what was parsed gives the server's bytes where the option order
// is ours (slirp's, the NAK): the first 300 bytes, as emit pads to 300.
template <std::size_t N>
constexpr bool emits_capture(std::array<std::byte, N> const& m) {
  std::array<std::byte, 600> out{};
  auto const n = repr_of(m).emit(out);
  if (!n || *n != 300) return false;
  for (std::size_t i = 0; i < *n; ++i)
    if (out[i] != m[i]) return false;
  return true;
}
static_assert(emits_capture(slirp_offer) && emits_capture(slirp_ack) && emits_capture(udhcpd_nak));
static_assert(!emits_capture(udhcpd_offer));  // udhcpd puts the lease time second

// ---------------------------------------------------------------------------
// Rejections, on messages made of slirp's OFFER header and the given option
// bytes (cookie included, nothing behind them).

template <strata::fixed_string Options>
constexpr auto with_options() {
  constexpr auto o = hex<Options>();
  return message<dhcp_layout::cookie + o.size()>(
      hex<"02010600 05ae015c 0000 0000 00000000 0a00020f 0a000202 00000000 525400123456 00000000000000000000">(), o);
}
template <strata::fixed_string Options>
inline constexpr auto options_message = with_options<Options>();
template <strata::fixed_string Options>
constexpr result<dhcp_view> view_of() {
  return dhcp_view::parse(options_message<Options>);
}
template <strata::fixed_string Options>
constexpr result<dhcp_repr> parsed() {
  auto const v = view_of<Options>();
  if (!v) return v.error();
  return dhcp_repr::parse(*v);
}

template <std::size_t N>
constexpr std::array<std::byte, N> with_byte(std::array<std::byte, N> m, std::size_t at, std::uint8_t value) {
  m[at] = std::byte{value};
  return m;
}

// The fixed part and the cookie.
static_assert(dhcp_view::parse(prefix(slirp_offer, 239)).failed_with(parse_error::truncated));
static_assert(dhcp_view::parse(prefix(slirp_offer, 0)).failed_with(parse_error::truncated));
static_assert(dhcp_view::parse(with_byte(slirp_offer, dhcp_layout::op, 0)).failed_with(parse_error::unsupported));
static_assert(dhcp_view::parse(with_byte(slirp_offer, dhcp_layout::op, 3)).failed_with(parse_error::unsupported));
static_assert(dhcp_view::parse(with_byte(slirp_offer, dhcp_layout::htype, 6)).failed_with(parse_error::unsupported));
static_assert(dhcp_view::parse(with_byte(slirp_offer, dhcp_layout::hlen, 16)).failed_with(parse_error::unsupported));
static_assert(
    dhcp_view::parse(with_byte(slirp_offer, dhcp_layout::cookie + 3, 0x64)).failed_with(parse_error::unsupported));
static_assert(view_of<"00000000">().failed_with(parse_error::unsupported));  // BOOTP: no cookie
// The option walk.
static_assert(view_of<"63825363">().failed_with(parse_error::truncated));                 // no end option
static_assert(view_of<"63825363 350102 0000">().failed_with(parse_error::truncated));     // pads, no end
static_assert(view_of<"63825363 350102 33">().failed_with(parse_error::truncated));       // no length byte
static_assert(view_of<"63825363 350102 3304 0001">().failed_with(parse_error::truncated));  // data cut
static_assert(view_of<"63825363 350102 33ff 00015180 ff">().failed_with(parse_error::truncated));  // past the end
static_assert(view_of<"63825363 350102 e0ff">().failed_with(parse_error::truncated));     // unknown kind, too
// Zero or wrong lengths of the kinds the repr reads.
static_assert(view_of<"63825363 3500 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 35020202 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3300 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 0103ffffff ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 0300 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 03060a0002020a00 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 0600 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3600 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3203 0a0002 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3a00 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3b08 0000000100000002 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3700 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3903 024000 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 3d0101 ff">().failed_with(parse_error::bad_option));
static_assert(view_of<"63825363 350102 34020101 ff">().failed_with(parse_error::bad_option));
// Other kinds may be empty (80: rapid commit) or any length; padding anywhere.
static_assert(view_of<"63825363 350102 5000 e003010203 ff">());
static_assert(view_of<"63825363 0000 350102 00 ff">()->option(dhcp_option::message_type)->size() == 1);
// Bytes behind the end option are not looked at.
static_assert(view_of<"63825363 350102 ff 3300 1234">()->options().size() == 3);
// The repr needs a message type it knows.
static_assert(parsed<"63825363 ff">().failed_with(parse_error::unsupported));
static_assert(parsed<"63825363 350100 ff">().failed_with(parse_error::unsupported));
static_assert(parsed<"63825363 350109 ff">().failed_with(parse_error::unsupported));  // FORCERENEW
static_assert(parsed<"63825363 350108 ff">()->message_type == dhcp_message_type::inform);
// The first of two options counts; DNS servers past the third are dropped.
static_assert(parsed<"63825363 350102 350105 ff">()->message_type == dhcp_message_type::offer);
static_assert([] {
  auto const r = parsed<"63825363 350105 0610 0a000201 0a000202 0a000203 0a000204 0304 0a000202 ff">();
  return r->dns_server_count == 3 && r->dns()[2] == "10.0.2.3"_ipv4 && r->router == "10.0.2.2"_ipv4;
}());
static_assert(parsed<"63825363 350105 0308 0a000201 0a000202 ff">()->router == "10.0.2.1"_ipv4);
// Overload: checked, not followed; the options field still counts.
static_assert(parsed<"63825363 350105 340103 ff">()->message_type == dhcp_message_type::ack);

TEST_CASE("dhcp: every prefix of every capture up to its end option is truncated, the padding behind it is not needed") {
  struct capture {
    char const* name;
    bytes message;
  };
  capture const all[] = {{.name = "slirp_discover", .message = slirp_discover},
                         {.name = "slirp_offer", .message = slirp_offer},
                         {.name = "slirp_request", .message = slirp_request},
                         {.name = "slirp_ack", .message = slirp_ack},
                         {.name = "slirp_renew_request", .message = slirp_renew_request},
                         {.name = "udhcpd_offer", .message = udhcpd_offer},
                         {.name = "udhcpd_ack", .message = udhcpd_ack},
                         {.name = "udhcpd_nak", .message = udhcpd_nak}};
  for (auto const& c : all) {
    CAPTURE(c.name);
    std::size_t const end = end_of(c.message);
    for (std::size_t n = 0; n <= c.message.size(); ++n) {
      // A heap copy of exactly n bytes: ASan sees any read past it.
      std::vector<std::byte> const copy(c.message.begin(), c.message.begin() + static_cast<std::ptrdiff_t>(n));
      auto const v = dhcp_view::parse(copy);
      if (n < end) {
        CHECK(v.failed_with(parse_error::truncated));
      } else {
        REQUIRE(v);
        CHECK(dhcp_repr::parse(*v).has_value());
      }
    }
  }
  CHECK(end_of(slirp_offer) == 274);
  CHECK(end_of(udhcpd_nak) == 250);
}

TEST_CASE("dhcp: the round trip holds for the captures and every single-byte mutation of them") {
  bytes const all[] = {slirp_discover, slirp_offer, slirp_request, slirp_ack, slirp_renew_request,
                       udhcpd_offer,   udhcpd_ack,  udhcpd_nak};
  std::size_t parsed_mutations = 0;
  for (bytes m : all) {
    CHECK(roundtrip::dhcp(m));
    CHECK(roundtrip::dhcp_client_run(m));
    std::vector<std::byte> copy(m.begin(), m.end());
    for (std::size_t i = 0; i < copy.size(); ++i) {
      for (std::uint8_t x : {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x35}) {
        std::byte const old = copy[i];
        copy[i] ^= std::byte{x};
        bool const ok = roundtrip::dhcp(copy) && roundtrip::dhcp_client_run(copy);
        if (!ok) FAIL_CHECK("mutation at " << i << " by " << int(x));
        if (dhcp_view::parse(copy)) ++parsed_mutations;
        copy[i] = old;
      }
    }
  }
  CHECK(parsed_mutations > 20000);  // most mutations still parse: the property is exercised
}

TEST_CASE("dhcp: emit writes options in a fixed order, pads to 300 bytes, and refuses what the wire cannot carry") {
  std::array<std::byte, 1024> out{};
  // A DISCOVER as the client sends it, byte for byte (derived from RFC 2131
  // and 2132 by hand: 53, 57, 55, 61, end, padding).
  std::array<std::byte, 2> const prl{std::byte{1}, std::byte{3}};
  std::array<std::byte, 7> const id{std::byte{1}, std::byte{0x52}, std::byte{0x54}, std::byte{0},
                                    std::byte{0x12}, std::byte{0x34}, std::byte{0x56}};
  dhcp_repr const d{.xid = 0x01020304,
                    .secs = 3,
                    .broadcast = true,
                    .chaddr = guest,
                    .max_message_size = 576,
                    .parameter_request_list = prl,
                    .client_identifier = id};
  constexpr auto expected = message<300>(
      hex<"01010600 01020304 0003 8000 00000000 00000000 00000000 00000000 525400123456 00000000000000000000">(),
      hex<"63825363 350101 39020240 37020103 3d0701525400123456 ff">());
  auto const n = d.emit(out);
  REQUIRE(n);
  CHECK(*n == 300);
  CHECK(same_bytes(bytes{out.data(), *n}, expected));

  // Over 300 bytes when the options need it; the lists keep every byte.
  std::array<std::byte, 255> long_list{};
  for (std::size_t i = 0; i < long_list.size(); ++i) long_list[i] = std::byte(i);
  dhcp_repr big = d;
  big.parameter_request_list = long_list;
  big.client_identifier = long_list;
  CHECK(big.size() == 240 + 3 + 4 + 257 + 257 + 1);
  auto const m = big.emit(out);
  REQUIRE(m);
  auto const back = dhcp_view::parse(bytes{out.data(), *m});
  REQUIRE(back);
  CHECK(*dhcp_repr::parse(*back) == big);
  CHECK(big.emit(std::span{out}.first(big.size() - 1)).failed_with(emit_error::buffer_too_small));
  CHECK(d.emit(std::span{out}.first(299)).failed_with(emit_error::buffer_too_small));

  auto refused = [&](dhcp_repr r) { return r.emit(out).failed_with(emit_error::field_out_of_range); };
  dhcp_repr r = d;
  r.op = dhcp_op{3};
  CHECK(refused(r));
  r = d;
  r.message_type = dhcp_message_type{0};
  CHECK(refused(r));
  r.message_type = dhcp_message_type{9};
  CHECK(refused(r));
  r = d;
  r.dns_server_count = 4;
  CHECK(refused(r));
  r = d;
  r.client_identifier = std::span{id}.first(1);
  CHECK(refused(r));
  std::array<std::byte, 256> too_long{};
  r = d;
  r.parameter_request_list = too_long;
  CHECK(refused(r));
}

TEST_CASE("dhcp: describe_to names the type, the xid and the options a client uses") {
  CHECK(describe(offer) ==
        "dhcp offer xid 0x05ae015c chaddr 52:54:00:12:34:56 yiaddr 10.0.2.15 server 10.0.2.2 mask 255.255.255.0 "
        "router 10.0.2.2 dns 10.0.2.3 lease 86400");
  CHECK(describe(renew) == "dhcp request xid 0x05ae015c chaddr 52:54:00:12:34:56 ciaddr 10.0.2.15");
  CHECK(describe(udhcpd) ==
        "dhcp ack xid 0x92187954 chaddr 02:00:00:00:00:01 yiaddr 192.168.7.127 server 192.168.7.1 mask "
        "255.255.255.0 router 192.168.7.1 dns 192.168.7.53 dns 192.168.7.54 lease 600 t1 300 t2 525");
}

// ---------------------------------------------------------------------------
// The client.

// A server's message as an answer to the client's exchange in progress.
template <std::size_t N>
std::array<std::byte, N> answer(std::array<std::byte, N> m, dhcp_client const& c) {
  store_be32(m, dhcp_layout::xid, c.xid());
  return m;
}

// A client that has sent its DISCOVER at 0.
dhcp_client selecting(mac_address mac = guest, std::uint32_t seed = 2131) {
  dhcp_client c{mac, seed};
  c.start(0);
  REQUIRE(c.poll(0));
  return c;
}

// A client bound by slirp: OFFER at 10 ms, REQUEST then, ACK at 20 ms.
dhcp_client bound_to_slirp() {
  auto c = selecting();
  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  REQUIRE(c.poll(10 * ms));
  c.receive(bytes{answer(slirp_ack, c)}, 20 * ms);
  REQUIRE(c.state() == dhcp_state::bound);
  (void)c.take_change();
  return c;
}

// The client's lease, which the test requires it to have.
dhcp_lease lease_of(dhcp_client const& c) {
  auto const l = c.lease();
  REQUIRE(l);
  return *l;
}

TEST_CASE("dhcp: a full exchange with slirp: DISCOVER, OFFER, REQUEST, ACK, bound with its lease") {
  dhcp_client c{guest, 2131};
  CHECK(c.state() == dhcp_state::init);
  CHECK(c.next_deadline() == strata::never);
  CHECK_FALSE(c.poll(0));
  c.start(0);
  CHECK(c.next_deadline() == 0);

  auto const d = c.poll(0);
  REQUIRE(d);
  CHECK(c.state() == dhcp_state::selecting);
  CHECK(d->source == ipv4_address::any());
  CHECK(d->destination == ipv4_address::broadcast());
  CHECK(d->message.xid == 0x34f81031);  // the seed's first xid: the run is reproducible
  CHECK(d->message.xid == c.xid());
  // Byte for byte, derived by hand from RFC 2131/2132 and the client's
  // policies: broadcast flag, 53 discover, 57 576, 55 (1 3 6 51 58 59), 61 01+MAC.
  constexpr auto expected = message<300>(
      hex<"01010600 34f81031 0000 8000 00000000 00000000 00000000 00000000 525400123456 00000000000000000000">(),
      hex<"63825363 350101 39020240 3706010306333a3b 3d0701525400123456 ff">());
  std::array<std::byte, 600> out{};
  auto const n = d->message.emit(out);
  REQUIRE(n);
  CHECK(same_bytes(bytes{out.data(), *n}, expected));
  // Next try after 4 s +- 1 s.
  CHECK(c.next_deadline() == 3'317'419'124);
  CHECK_FALSE(c.poll(10 * ms));

  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  CHECK(c.state() == dhcp_state::requesting);
  CHECK(c.next_deadline() == 10 * ms);
  auto const r = c.poll(10 * ms);
  REQUIRE(r);
  CHECK(r->message.message_type == dhcp_message_type::request);
  CHECK(r->message.xid == 0x34f81031);
  CHECK(r->message.requested_address == "10.0.2.15"_ipv4);
  CHECK(r->message.server_identifier == "10.0.2.2"_ipv4);
  CHECK(r->message.ciaddr == ipv4_address::any());
  CHECK(r->message.broadcast);
  CHECK(r->source == ipv4_address::any());
  CHECK(r->destination == ipv4_address::broadcast());
  // What udhcpc's REQUEST to slirp carried, too.
  CHECK(r->message.requested_address == request.requested_address);
  CHECK(r->message.server_identifier == request.server_identifier);
  CHECK(c.next_deadline() >= 10 * ms + 3 * s);
  CHECK(c.next_deadline() <= 10 * ms + 5 * s);
  CHECK_FALSE(c.bound());
  CHECK_FALSE(c.take_change());

  c.receive(bytes{answer(slirp_ack, c)}, 20 * ms);
  CHECK(c.state() == dhcp_state::bound);
  CHECK(c.bound());
  auto const l = c.lease();
  REQUIRE(l);
  CHECK(l->address == "10.0.2.15/24"_ipv4_interface);
  CHECK(l->gateway == "10.0.2.2"_ipv4);
  CHECK(l->server == "10.0.2.2"_ipv4);
  REQUIRE(l->dns().size() == 1);
  CHECK(l->dns()[0] == "10.0.2.3"_ipv4);
  CHECK(l->lease_time == 86400);
  CHECK(l->renewal_time == 43200);   // 0.5
  CHECK(l->rebinding_time == 75600);  // 0.875
  CHECK(l->start == 10 * ms);         // when the REQUEST went out
  CHECK(l->renew_at() == 10 * ms + 43200 * s);
  CHECK(l->rebind_at() == 10 * ms + 75600 * s);
  CHECK(l->expires_at() == 10 * ms + 86400 * s);
  CHECK(c.next_deadline() == l->renew_at());
  CHECK_FALSE(c.poll(20 * ms));
  CHECK(c.generation() == 1);
  CHECK(c.take_change());
  CHECK_FALSE(c.take_change());

  auto const& k = c.counters();
  CHECK(k.received == 2);
  CHECK(k.sent == 2);
  CHECK(k.retransmitted == 0);
  CHECK(k.offers == 1);
  CHECK(k.acks == 1);
  CHECK(describe(c) ==
        "dhcp bound 10.0.2.15/24 router 10.0.2.2 server 10.0.2.2 dns 10.0.2.3 lease 86400 t1 43200 t2 75600");
  CHECK(describe(k) == "received 2, sent 2, retransmitted 0, offers 1, acks 1, naks 0, expired 0, timeouts 0");
}

TEST_CASE("dhcp: lost OFFERs: the DISCOVER is repeated after 4, 8, 16, 32, 64, 64 s, each +- 1 s, with the same xid") {
  dhcp_client c{guest, 2131};
  c.start(0);
  REQUIRE(c.poll(0));
  std::uint32_t const xid = c.xid();
  time_ns const base[] = {4, 8, 16, 32, 64, 64, 64};
  // The seed's draws: the same on every run, with either compiler.
  time_ns const expected[] = {3'317'419'124,   12'060'096'443,  27'790'917'148, 59'078'421'741,
                              122'695'990'258, 185'736'052'805, 250'627'392'223};
  time_ns sent_at = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    CAPTURE(i);
    time_ns const next = c.next_deadline();
    CHECK(next == expected[i]);
    CHECK(next - sent_at >= (base[i] - 1) * s);
    CHECK(next - sent_at <= (base[i] + 1) * s);
    CHECK_FALSE(c.poll(next - 1));
    auto const m = c.poll(next);
    REQUIRE(m);
    CHECK(m->message.message_type == dhcp_message_type::discover);
    CHECK(m->message.xid == xid);
    CHECK(m->message.secs == next / s);  // seconds since the first DISCOVER
    sent_at = next;
  }
  CHECK(c.counters().sent == 8);
  CHECK(c.counters().retransmitted == 7);
  CHECK(c.state() == dhcp_state::selecting);

  // The REQUEST repeats the last DISCOVER's secs (RFC 2131 4.4.1).
  c.receive(bytes{answer(slirp_offer, c)}, sent_at + 100 * ms);
  auto const r = c.poll(sent_at + 100 * ms);
  REQUIRE(r);
  CHECK(r->message.secs == 250);
}

TEST_CASE("dhcp: the same seed and MAC give the same run, another seed or MAC another xid") {
  dhcp_client a{guest, 42};
  dhcp_client b{guest, 42};
  dhcp_client other_seed{guest, 43};
  dhcp_client other_mac{udhcpc_mac, 42};
  for (auto* c : {&a, &b, &other_seed, &other_mac}) {
    c->start(0);
    REQUIRE(c->poll(0));
  }
  CHECK(a.xid() == b.xid());
  CHECK(a.next_deadline() == b.next_deadline());
  CHECK(a.xid() != other_seed.xid());
  CHECK(a.xid() != other_mac.xid());
}

TEST_CASE("dhcp: unanswered REQUESTs: four tries, then back to a DISCOVER with a new xid") {
  auto c = selecting();
  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  std::uint32_t const xid = c.xid();
  time_ns const base[] = {4, 8, 16, 32};
  time_ns now = 10 * ms;
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    auto const m = c.poll(now);
    REQUIRE(m);
    CHECK(m->message.message_type == dhcp_message_type::request);
    CHECK(m->message.xid == xid);
    CHECK(c.next_deadline() - now >= (base[i] - 1) * s);
    CHECK(c.next_deadline() - now <= (base[i] + 1) * s);
    now = c.next_deadline();
  }
  auto const m = c.poll(now);
  REQUIRE(m);
  CHECK(m->message.message_type == dhcp_message_type::discover);
  CHECK(m->message.xid != xid);
  CHECK(m->message.secs == 0);
  CHECK(c.state() == dhcp_state::selecting);
  CHECK(c.counters().timeouts == 1);
  // A late ACK to the abandoned exchange is not ours any more.
  auto late = slirp_ack;
  store_be32(late, dhcp_layout::xid, xid);
  c.receive(bytes{late}, now + ms);
  CHECK(c.counters().count(dhcp_ignore_reason::wrong_xid) == 1);
  CHECK_FALSE(c.bound());
}

TEST_CASE("dhcp: NAK while requesting: back to init with a fresh xid, the next DISCOVER after a growing backoff") {
  auto c = selecting(udhcpc_mac, 7);
  c.receive(bytes{answer(udhcpd_offer, c)}, 10 * ms);
  REQUIRE(c.poll(10 * ms));
  std::uint32_t const first_xid = c.xid();

  // A NAK from another server than the one requested from does not count.
  auto foreign = answer(udhcpd_nak, c);
  "192.168.7.2"_ipv4.store(foreign, dhcp_layout::options + 5);
  c.receive(bytes{foreign}, 15 * ms);
  CHECK(c.counters().count(dhcp_ignore_reason::wrong_server) == 1);
  CHECK(c.state() == dhcp_state::requesting);

  c.receive(bytes{answer(udhcpd_nak, c)}, 20 * ms);
  CHECK(c.state() == dhcp_state::init);
  CHECK(c.counters().naks == 1);
  CHECK(c.xid() != first_xid);
  CHECK_FALSE(c.lease());
  CHECK_FALSE(c.take_change());  // nothing was bound
  time_ns const first_wait = c.next_deadline() - 20 * ms;
  CHECK(first_wait >= 3 * s);
  CHECK(first_wait <= 5 * s);
  CHECK_FALSE(c.poll(c.next_deadline() - 1));
  time_ns now = c.next_deadline();
  auto const d = c.poll(now);
  REQUIRE(d);
  CHECK(d->message.message_type == dhcp_message_type::discover);
  CHECK(d->message.xid == c.xid());
  CHECK(d->message.secs == 0);

  // A second NAK in a row waits 8 s +- 1 s.
  c.receive(bytes{answer(udhcpd_offer, c)}, now + 10 * ms);
  REQUIRE(c.poll(now + 10 * ms));
  c.receive(bytes{answer(udhcpd_nak, c)}, now + 20 * ms);
  time_ns const second_wait = c.next_deadline() - (now + 20 * ms);
  CHECK(second_wait >= 7 * s);
  CHECK(second_wait <= 9 * s);
  CHECK(c.counters().naks == 2);
}

TEST_CASE("dhcp: udhcpd's lease: its T1 and T2, two DNS servers") {
  auto c = selecting(udhcpc_mac, 7);
  c.receive(bytes{answer(udhcpd_offer, c)}, 10 * ms);
  REQUIRE(c.poll(10 * ms));
  c.receive(bytes{answer(udhcpd_ack, c)}, 30 * ms);
  auto const l = c.lease();
  REQUIRE(l);
  CHECK(l->address == "192.168.7.127/24"_ipv4_interface);
  CHECK(l->gateway == "192.168.7.1"_ipv4);
  CHECK(l->server == "192.168.7.1"_ipv4);
  REQUIRE(l->dns().size() == 2);
  CHECK(l->dns()[1] == "192.168.7.54"_ipv4);
  CHECK(l->lease_time == 600);
  CHECK(l->renewal_time == 300);
  CHECK(l->rebinding_time == 525);
  CHECK(c.next_deadline() == 10 * ms + 300 * s);
}

TEST_CASE("dhcp: renewal at T1 is unicast to the server with ciaddr, and its ACK extends the lease") {
  auto c = bound_to_slirp();
  auto const old = lease_of(c);
  std::uint32_t const acquisition_xid = c.xid();
  time_ns const t1 = old.renew_at();
  CHECK_FALSE(c.poll(t1 - 1));
  auto const r = c.poll(t1);
  REQUIRE(r);
  CHECK(c.state() == dhcp_state::renewing);
  CHECK(c.bound());  // the address is still ours
  CHECK(r->message.message_type == dhcp_message_type::request);
  CHECK(r->message.xid != acquisition_xid);
  CHECK(r->message.ciaddr == "10.0.2.15"_ipv4);
  CHECK_FALSE(r->message.requested_address);  // RFC 2131 table 5
  CHECK_FALSE(r->message.server_identifier);
  CHECK_FALSE(r->message.broadcast);
  CHECK(r->message.secs == 0);
  CHECK(r->source == "10.0.2.15"_ipv4);
  CHECK(r->destination == "10.0.2.2"_ipv4);
  // What udhcpc sent to slirp when renewing.
  CHECK(r->message.ciaddr == renew.ciaddr);
  CHECK(r->message.requested_address == renew.requested_address);
  CHECK(r->message.server_identifier == renew.server_identifier);

  // No answer: the next try after half the time left to T2 (16200 s).
  CHECK(c.next_deadline() == t1 + 16200 * s);
  auto const again = c.poll(t1 + 16200 * s);
  REQUIRE(again);
  CHECK(again->message.xid == r->message.xid);
  CHECK(again->message.secs == 16200);
  CHECK(c.next_deadline() == t1 + (16200 + 8100) * s);

  c.receive(bytes{answer(slirp_ack, c)}, t1 + 16200 * s + 5 * ms);
  CHECK(c.state() == dhcp_state::bound);
  auto const l = c.lease();
  REQUIRE(l);
  CHECK(l->start == t1);  // the renewal's first REQUEST
  CHECK(l->renew_at() == t1 + 43200 * s);
  CHECK(c.next_deadline() == t1 + 43200 * s);
  CHECK(l->same_configuration(old));
  CHECK_FALSE(c.take_change());  // same address, router, DNS: nothing for the host to do
  CHECK(c.counters().acks == 2);
}

TEST_CASE("dhcp: rebinding at T2 broadcasts, retries at half the time left down to 60 s, and expiry loses the address") {
  auto c = bound_to_slirp();
  auto const l = lease_of(c);
  REQUIRE(c.poll(l.renew_at()));
  std::uint32_t const renewal_xid = c.xid();
  // Polled only at T2: the renewal's retries are skipped, rebinding begins.
  time_ns const t2 = l.rebind_at();
  auto const r = c.poll(t2);
  REQUIRE(r);
  CHECK(c.state() == dhcp_state::rebinding);
  CHECK(r->message.xid == renewal_xid);  // the same exchange
  CHECK(r->message.ciaddr == "10.0.2.15"_ipv4);
  CHECK(r->source == "10.0.2.15"_ipv4);
  CHECK(r->destination == ipv4_address::broadcast());
  CHECK(r->message.secs == 75600 - 43200);

  // 10800 s left: 5400, 2700, 1350, 675, 337.5, 168.75, 84.375, then 60 s
  // (the floor), then the lease's end.
  time_ns const offsets_ms[] = {5'400'000,  8'100'000,  9'450'000,  10'125'000, 10'462'500,
                                10'631'250, 10'715'625, 10'775'625, 10'800'000};
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(c.next_deadline() == t2 + offsets_ms[i] * ms);
    auto const m = c.poll(c.next_deadline());
    REQUIRE(m);
    CHECK(m->destination == ipv4_address::broadcast());
  }
  CHECK(c.next_deadline() == l.expires_at());
  CHECK(t2 + offsets_ms[8] * ms == l.expires_at());
  CHECK(c.bound());
  CHECK_FALSE(c.take_change());

  auto const d = c.poll(l.expires_at());
  REQUIRE(d);
  CHECK(d->message.message_type == dhcp_message_type::discover);
  CHECK(d->message.xid != renewal_xid);
  CHECK(d->source == ipv4_address::any());
  CHECK(c.state() == dhcp_state::selecting);
  CHECK_FALSE(c.bound());
  CHECK_FALSE(c.lease());
  CHECK(c.counters().expired == 1);
  CHECK(c.generation() == 2);
  CHECK(c.take_change());
}

TEST_CASE("dhcp: an ACK while rebinding may come from any server, a NAK while renewing loses the address") {
  auto c = bound_to_slirp();
  auto const l = lease_of(c);
  REQUIRE(c.poll(l.renew_at()));
  REQUIRE(c.poll(l.rebind_at()));
  auto other = answer(slirp_ack, c);
  "10.0.2.4"_ipv4.store(other, dhcp_layout::options + 5);  // option 54's address
  c.receive(bytes{other}, l.rebind_at() + ms);
  CHECK(c.state() == dhcp_state::bound);
  CHECK(lease_of(c).server == "10.0.2.4"_ipv4);
  CHECK(c.take_change());  // another server: the host may care

  auto c2 = bound_to_slirp();
  REQUIRE(c2.poll(l.renew_at()));
  auto n = answer(udhcpd_nak, c2);
  guest.store(n, dhcp_layout::chaddr);
  "10.0.2.2"_ipv4.store(n, dhcp_layout::options + 5);
  c2.receive(bytes{n}, l.renew_at() + ms);
  CHECK(c2.state() == dhcp_state::init);
  CHECK_FALSE(c2.bound());
  CHECK(c2.take_change());
}

TEST_CASE("dhcp: messages not for this exchange are counted by reason and change nothing") {
  auto c = selecting();
  c.receive(bytes{slirp_offer}, 10 * ms);                  // udhcpc's xid
  c.receive(bytes{answer(slirp_discover, c)}, 10 * ms);    // a client's broadcast
  auto other_client = answer(slirp_offer, c);
  udhcpc_mac.store(other_client, dhcp_layout::chaddr);
  c.receive(bytes{other_client}, 10 * ms);
  c.receive(bytes{answer(slirp_ack, c)}, 10 * ms);         // an ACK while selecting
  c.receive(bytes{answer(udhcpd_nak, c)}, 10 * ms);        // wrong chaddr first
  auto no_server = answer(slirp_offer, c);
  store_u8(no_server, dhcp_layout::options + 3, 0xe0);     // option 54 becomes an unknown kind
  c.receive(bytes{no_server}, 10 * ms);
  auto no_address = answer(slirp_offer, c);
  ipv4_address::any().store(no_address, dhcp_layout::yiaddr);
  c.receive(bytes{no_address}, 10 * ms);
  c.receive(bytes{std::span{slirp_offer}.first(100)}, 10 * ms);
  c.receive(bytes{with_byte(slirp_offer, dhcp_layout::cookie, 0)}, 10 * ms);
  c.receive(bytes{with_options<"63825363 350102 3300 ff">()}, 10 * ms);

  auto const& k = c.counters();
  CHECK(k.received == 10);
  CHECK(k.count(dhcp_ignore_reason::wrong_xid) == 1);
  CHECK(k.count(dhcp_ignore_reason::not_reply) == 1);
  CHECK(k.count(dhcp_ignore_reason::wrong_chaddr) == 2);
  CHECK(k.count(dhcp_ignore_reason::unexpected) == 1);
  CHECK(k.count(dhcp_ignore_reason::incomplete) == 2);
  CHECK(k.count(parse_error::truncated) == 1);
  CHECK(k.count(parse_error::unsupported) == 1);
  CHECK(k.count(parse_error::bad_option) == 1);
  CHECK(k.offers == 0);
  CHECK(c.state() == dhcp_state::selecting);
  CHECK(describe(k) ==
        "received 10, sent 1, retransmitted 0, offers 0, acks 0, naks 0, expired 0, timeouts 0, dropped: truncated 1, "
        "unsupported 1, bad_option 1, not_reply 1, wrong_xid 1, wrong_chaddr 2, unexpected 1, incomplete 2");

  // Bound: OFFERs and ACKs of the finished exchange are unexpected.
  auto b = bound_to_slirp();
  b.receive(bytes{answer(slirp_offer, b)}, 30 * ms);
  b.receive(bytes{answer(slirp_ack, b)}, 30 * ms);
  CHECK(b.counters().count(dhcp_ignore_reason::unexpected) == 2);
  CHECK(b.state() == dhcp_state::bound);
  CHECK(b.counters().acks == 1);
}

TEST_CASE("dhcp: an ACK must carry a lease time and name the server requested from") {
  auto c = selecting();
  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  REQUIRE(c.poll(10 * ms));
  dhcp_repr ack = repr_of(slirp_ack);
  ack.xid = c.xid();
  ack.lease_time.reset();
  c.receive(ack, 20 * ms);
  CHECK(c.counters().count(dhcp_ignore_reason::incomplete) == 1);
  ack.lease_time = 3600;
  ack.server_identifier = "10.0.2.9"_ipv4;
  c.receive(ack, 20 * ms);
  CHECK(c.counters().count(dhcp_ignore_reason::wrong_server) == 1);
  CHECK(c.state() == dhcp_state::requesting);
  ack.server_identifier = "10.0.2.2"_ipv4;
  c.receive(ack, 20 * ms);
  CHECK(c.state() == dhcp_state::bound);
  CHECK(lease_of(c).lease_time == 3600);
}

// A client bound by an ACK built from slirp's with the given changes.
template <class Change>
dhcp_lease lease_after(Change change) {
  auto c = selecting();
  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  REQUIRE(c.poll(10 * ms));
  dhcp_repr ack = repr_of(slirp_ack);
  ack.xid = c.xid();
  change(ack);
  c.receive(ack, 20 * ms);
  return lease_of(c);
}

TEST_CASE("dhcp: lease policies: classful prefix without a mask, T1 and T2 sanity, a 20 s floor, forever") {
  // No mask, or a non-contiguous one: the address's class.
  CHECK(lease_after([](dhcp_repr& a) { a.subnet_mask.reset(); }).address == "10.0.2.15/8"_ipv4_interface);
  CHECK(lease_after([](dhcp_repr& a) { a.subnet_mask = "255.0.255.0"_ipv4; }).address.prefix_len == 8);
  CHECK(lease_after([](dhcp_repr& a) {
          a.yiaddr = "172.16.0.5"_ipv4;
          a.subnet_mask.reset();
        }).address.prefix_len == 16);
  CHECK(lease_after([](dhcp_repr& a) {
          a.yiaddr = "192.168.1.5"_ipv4;
          a.subnet_mask.reset();
        }).address.prefix_len == 24);
  CHECK(lease_after([](dhcp_repr& a) { a.subnet_mask = "255.255.255.252"_ipv4; }).address.prefix_len == 30);
  CHECK(lease_after([](dhcp_repr& a) { a.subnet_mask = "255.255.255.255"_ipv4; }).address.prefix_len == 32);
  CHECK(lease_after([](dhcp_repr& a) { a.subnet_mask = "0.0.0.0"_ipv4; }).address.prefix_len == 0);
  // No router: no gateway.
  CHECK(lease_after([](dhcp_repr& a) { a.router.reset(); }).gateway == ipv4_address::any());

  // T1 and T2 from the server when they make sense, else the defaults.
  auto const given = lease_after([](dhcp_repr& a) {
    a.renewal_time = 1000;
    a.rebinding_time = 2000;
  });
  CHECK(given.renewal_time == 1000);
  CHECK(given.rebinding_time == 2000);
  auto const t2_too_late = lease_after([](dhcp_repr& a) { a.rebinding_time = 90000; });
  CHECK(t2_too_late.rebinding_time == 75600);
  auto const t1_after_t2 = lease_after([](dhcp_repr& a) {
    a.renewal_time = 5000;
    a.rebinding_time = 4000;
  });
  CHECK(t1_after_t2.rebinding_time == 4000);
  CHECK(t1_after_t2.renewal_time == 4000);  // half the lease would be after T2
  auto const zeros = lease_after([](dhcp_repr& a) {
    a.renewal_time = 0;
    a.rebinding_time = 0;
  });
  CHECK(zeros.renewal_time == 43200);
  CHECK(zeros.rebinding_time == 75600);

  auto const short_lease = lease_after([](dhcp_repr& a) { a.lease_time = 0; });
  CHECK(short_lease.lease_time == 20);
  CHECK(short_lease.renewal_time == 10);
  CHECK(short_lease.rebinding_time == 17);  // 17.5 rounded down
  CHECK(short_lease.expires_at() == 10 * ms + 20 * s);

  auto const forever = lease_after([](dhcp_repr& a) { a.lease_time = dhcp_infinite_lease; });
  CHECK(forever.renew_at() == strata::never);
  CHECK(forever.expires_at() == strata::never);
  CHECK(describe(forever) == "10.0.2.15/24 router 10.0.2.2 server 10.0.2.2 dns 10.0.2.3 lease infinite");
}

TEST_CASE("dhcp: a lease forever is never renewed, and start() drops the lease") {
  auto c = selecting();
  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  REQUIRE(c.poll(10 * ms));
  dhcp_repr ack = repr_of(slirp_ack);
  ack.xid = c.xid();
  ack.lease_time = dhcp_infinite_lease;
  c.receive(ack, 20 * ms);
  CHECK(c.next_deadline() == strata::never);
  CHECK_FALSE(c.poll(1'000'000 * s));
  CHECK(c.take_change());
  c.start(2'000'000 * s);
  CHECK_FALSE(c.bound());
  CHECK(c.take_change());
  auto const d = c.poll(2'000'000 * s);
  REQUIRE(d);
  CHECK(d->message.message_type == dhcp_message_type::discover);
}

TEST_CASE("dhcp: the client's messages survive emit and parse, and describe their state") {
  auto c = selecting();
  CHECK(describe(c) == "dhcp selecting xid 0x34f81031");
  c.receive(bytes{answer(slirp_offer, c)}, 10 * ms);
  auto const r = c.poll(10 * ms);
  REQUIRE(r);
  std::array<std::byte, 600> out{};
  auto const n = r->message.emit(out);
  REQUIRE(n);
  auto const v = dhcp_view::parse(bytes{out.data(), *n});
  REQUIRE(v);
  CHECK(*dhcp_repr::parse(*v) == r->message);
  auto const id = v->option(dhcp_option::client_identifier);
  REQUIRE(id);
  CHECK(id->size() == 7);
}

}  // namespace
