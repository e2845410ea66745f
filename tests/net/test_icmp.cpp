// ICMP: echo, destination unreachable with its quote, time exceeded.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <span>

#include <strata/net/icmp/wire.hpp>
#include <strata/net/ipv4/wire.hpp>

#include "captures.hpp"
#include "hex.hpp"
#include "test_support.hpp"

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;
namespace cap = captures;

// The ICMP message of a frame: the IPv4 payload.
constexpr std::span<std::byte const> icmp_of(std::span<std::byte const> frame) {
  return ipv4_view::parse(frame.subspan(14))->payload();
}

constexpr auto request = icmp_view::parse(icmp_of(cap::ping_request));
static_assert(request && request->type() == icmp_type::echo_request && request->code() == 0);
static_assert(request->checksum() == 0xdd77 && request->echo_identifier() == 0x4e4a && request->echo_sequence() == 1);
static_assert(request->data().size() == 56 && request->bytes().size() == 64);
constexpr auto request_repr = icmp_repr::parse(*request);
static_assert(request_repr && request_repr->is_echo() && request_repr->identifier == 20042 &&
              request_repr->sequence == 1 && request_repr->data.size() == 56);

constexpr auto reply = icmp_view::parse(icmp_of(cap::ping_reply));
static_assert(reply && reply->type() == icmp_type::echo_reply && reply->echo_identifier() == 0x4e4a);

// The peer's port unreachable for the DNS query quotes the whole query.
constexpr auto unreachable = icmp_view::parse(icmp_of(cap::port_unreachable));
static_assert(unreachable && unreachable->type() == icmp_type::destination_unreachable &&
              unreachable->code() == icmp_unreachable::port && unreachable->rest_of_header() == 0);
constexpr auto unreachable_repr = icmp_repr::parse(*unreachable);
static_assert(unreachable_repr && unreachable_repr->is_error() && unreachable_repr->data.size() == 80);
static_assert([] {
  auto const quoted = ipv4_view::parse(unreachable_repr->data);
  return quoted && quoted->protocol() == ip_protocol::udp && quoted->source() == "10.0.0.1"_ipv4 &&
         load_be16(quoted->payload(), 2) == 53;
}());

// Round trips reproduce the captured messages.
template <std::size_t N>
constexpr bool round_trips(std::array<std::byte, N> const& frame) {
  auto const in = icmp_of(frame);
  auto const r = icmp_repr::parse(*icmp_view::parse(in));
  std::array<std::byte, 200> out{};
  auto const n = r->emit(out);
  if (!n || *n != in.size()) return false;
  for (std::size_t i = 0; i < *n; ++i)
    if (out[i] != in[i]) return false;
  return true;
}
static_assert(round_trips(cap::ping_request) && round_trips(cap::ping_reply) && round_trips(cap::port_unreachable));
static_assert(round_trips(cap::ping_record_route_request) && round_trips(cap::ping_record_route_reply));

// What the stack will do: answer the request...
static_assert([] {
  auto const q = *request_repr;
  std::array<std::byte, 64> out{};
  return icmp_repr::echo_reply(q.identifier, q.sequence, q.data).emit(out) &&
         same_bytes(out, slice<64>(icmp_of(cap::ping_reply), 0));
}());
// ...and refuse the DNS query with what Linux sent (RFC 1812 quote size).
static_assert([] {
  auto const query = ipv4_view::parse(std::span{cap::dig_query}.subspan(14));
  auto const quote = icmp_error_quote(*query);
  std::array<std::byte, 88> out{};
  auto const n = icmp_repr::port_unreachable(quote).emit(out);
  bool same = n && *n == 88;
  for (std::size_t i = 0; same && i < 88; ++i) same = out[i] == icmp_of(cap::port_unreachable)[i];
  return same && quote.size() == 80;
}());

// Rejections by the view: length and checksum.
static_assert(icmp_view::parse(icmp_of(cap::ping_request).first(7)).failed_with(parse_error::truncated));
static_assert(icmp_view::parse(icmp_of(cap::ping_request).first(63)).failed_with(parse_error::bad_checksum));
static_assert(icmp_view::parse(icmp_of(cap::ping_request).first(63), checksum_policy::skip));

// A message with a valid checksum, built from its first bytes.
template <strata::fixed_string S>
constexpr auto message() {
  auto m = hex<S>();
  store_be16(m, 2, 0);
  store_be16(m, 2, internet_checksum(m));
  return m;
}
static_assert(icmp_view::parse(message<"0800 0000 0001 0002">()));  // 8 bytes: an echo with no data
// Types and codes the repr does not handle.
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0501 0000 0a000001 4500001c">()))
                  .failed_with(parse_error::unsupported));  // redirect
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0d00 0000 0001 0002">())).failed_with(parse_error::unsupported));
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0801 0000 0001 0002">())).failed_with(parse_error::unsupported));
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0310 0000 00000000 "
                                                         "4500001c000000004011000000000000000000008c9d003500080000">()))
                  .failed_with(parse_error::unsupported));  // code 16
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0b02 0000 00000000 "
                                                         "4500001c000000004011000000000000000000008c9d003500080000">()))
                  .failed_with(parse_error::unsupported));  // time exceeded code 2
// The quote of an error: an IPv4 header and 8 bytes behind it.
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "4500001c000000004011000000000000000000008c9d003500080000">())));
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "4500001c000000004011000000000000000000008c9d0035000800">()))
                  .failed_with(parse_error::truncated));  // 7 bytes behind the header
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "4500001c00000000401100000000000000000000">()))
                  .failed_with(parse_error::truncated));  // no data at all
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "4500001c">())).failed_with(parse_error::truncated));
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "6500001c000000004011000000000000000000008c9d003500080000">()))
                  .failed_with(parse_error::bad_version));
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "4400001c000000004011000000000000000000008c9d003500080000">()))
                  .failed_with(parse_error::bad_header_length));
// IHL 6: the quote must hold 24 header bytes and 8 more.
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 00000000 "
                                                         "4600001c000000004011000000000000000000008c9d003500080000">()))
                  .failed_with(parse_error::truncated));

// Fragmentation needed carries the next-hop MTU (RFC 1191); other codes do not.
constexpr auto frag_needed = message<"0304 0000 0000 05dc 4500001c000000004011000000000000000000008c9d003500080000">();
static_assert(icmp_repr::parse(*icmp_view::parse(frag_needed))->next_hop_mtu == 1500);
static_assert(icmp_view::parse(frag_needed)->next_hop_mtu() == 1500);
static_assert(icmp_repr::parse(*icmp_view::parse(message<"0303 0000 0000 05dc "
                                                         "4500001c000000004011000000000000000000008c9d003500080000">()))
                  ->next_hop_mtu == 0);
static_assert([] {
  std::array<std::byte, 36> out{};
  auto const r = *icmp_repr::parse(*icmp_view::parse(frag_needed));
  return r.emit(out) && same_bytes(out, frag_needed);
}());
// Time exceeded in transit, as a router sends it to traceroute.
static_assert([] {
  auto const quote = hex<"4500001c000000000111000000000000000000008c9d003500080000">();
  std::array<std::byte, 36> out{};
  auto const n = icmp_repr::time_exceeded(icmp_time_exceeded::ttl, quote).emit(out);
  auto const again = icmp_repr::parse(*icmp_view::parse(out));
  return n && *n == 36 && again && again->type == icmp_type::time_exceeded && again->code == 0 &&
         again->data.size() == 28;
}());

// Emit refuses a buffer too small and types it cannot write.
static_assert([] {
  std::array<std::byte, 63> small{};
  return request_repr->emit(small).failed_with(emit_error::buffer_too_small);
}());
static_assert([] {
  std::array<std::byte, 64> out{};
  auto r = *request_repr;
  r.type = icmp_type{13};
  return r.emit(out).failed_with(emit_error::field_out_of_range);
}());

TEST_CASE("an echo request becomes its reply in place with an RFC 1624 update") {
  auto frame = cap::ping_request;
  auto const ip = mutable_ipv4_view::parse(std::span{frame}.subspan(14));
  REQUIRE(ip);
  auto const icmp = mutable_icmp_view::parse(ip->payload());
  REQUIRE(icmp);
  std::uint16_t const old_word = load_be16(icmp->bytes(), 0);
  icmp->set_type(icmp_type::echo_reply);
  icmp->set_checksum(checksum_update(icmp->checksum(), old_word, load_be16(icmp->bytes(), 0)));
  CHECK(same_bytes(icmp->bytes(), slice<64>(icmp_of(cap::ping_reply), 0)));
  std::uint16_t const updated = icmp->checksum();
  icmp->set_code(0);
  icmp->fill_checksum();
  CHECK(icmp->checksum() == updated);
}

TEST_CASE("a message longer than an IPv4 packet can carry is not emitted") {
  static std::array<std::byte, 70000> big{};
  auto const r = icmp_repr::echo_request(1, 1, std::span{big}.first(65535 - 20 - 8 + 1));
  CHECK(r.emit(big).failed_with(emit_error::field_out_of_range));
  auto const fits = icmp_repr::echo_request(1, 1, std::span{big}.subspan(8, 65535 - 20 - 8));
  CHECK(fits.emit(big).has_value());  // the data already sits behind the header: not copied
}

TEST_CASE("icmp_repr describes itself") {
  CHECK(describe(*request_repr) == "icmp echo request id 20042 seq 1 len 56");
  CHECK(describe(*unreachable_repr) == "icmp destination unreachable code 3 quote 80");
  CHECK(describe(*icmp_repr::parse(*icmp_view::parse(frag_needed))) ==
        "icmp destination unreachable code 4 mtu 1500 quote 28");
}

}  // namespace
