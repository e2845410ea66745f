// What both UDP echo harnesses share: the frames fed to the stack, the
// recorder for the frames it transmits, the checks that prove an echo, and
// the measured loop with its callgrind client requests.
//
// Written without Strata's headers on purpose: the frames and the checks
// must not come from the code under test, and the lwIP harness uses them too.
// The checksum here is the plain RFC 1071 loop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <valgrind/callgrind.h>

namespace echo_bench {

using bytes = std::vector<std::byte>;

// The stack under test (the server) and the peer that sends to it (the
// client), as in the sample and the simulation tests.
inline constexpr std::array<std::uint8_t, 6> server_mac{0x02, 0, 0, 0, 0, 0x02};
inline constexpr std::array<std::uint8_t, 6> client_mac{0x02, 0, 0, 0, 0, 0x01};
inline constexpr std::array<std::uint8_t, 4> server_ip{10, 0, 0, 2};
inline constexpr std::array<std::uint8_t, 4> client_ip{10, 0, 0, 1};
inline constexpr std::uint16_t echo_port = 7;
inline constexpr std::uint16_t client_port = 5000;
inline constexpr std::size_t max_frame = 1514;
inline constexpr std::size_t max_payload = 1500 - 20 - 8;

// --- bytes -------------------------------------------------------------------
inline std::uint8_t u8(std::span<std::byte const> f, std::size_t at) { return std::to_integer<std::uint8_t>(f[at]); }
inline std::uint16_t be16(std::span<std::byte const> f, std::size_t at) {
  return static_cast<std::uint16_t>((u8(f, at) << 8) | u8(f, at + 1));
}
inline void put16(std::span<std::byte> f, std::size_t at, std::uint16_t v) {
  f[at] = std::byte(v >> 8);
  f[at + 1] = std::byte(v & 0xff);
}
template <std::size_t N>
void put(std::span<std::byte> f, std::size_t at, std::array<std::uint8_t, N> const& v) {
  for (std::size_t i = 0; i < N; ++i) f[at + i] = std::byte{v[i]};
}
template <std::size_t N>
bool same(std::span<std::byte const> f, std::size_t at, std::array<std::uint8_t, N> const& v) {
  for (std::size_t i = 0; i < N; ++i)
    if (u8(f, at + i) != v[i]) return false;
  return true;
}

// RFC 1071, the obvious way: the one's-complement sum of big-endian words.
inline std::uint32_t sum16(std::span<std::byte const> data, std::uint32_t sum = 0) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += be16(data, i);
  if (i < data.size()) sum += std::uint32_t{u8(data, i)} << 8;
  return sum;
}
inline std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
inline std::uint32_t pseudo_header(std::array<std::uint8_t, 4> const& src, std::array<std::uint8_t, 4> const& dst,
                                   std::size_t udp_len) {
  std::uint32_t s = 17 + static_cast<std::uint32_t>(udp_len);
  for (std::size_t i = 0; i < 4; i += 2) s += (std::uint32_t{src[i]} << 8 | src[i + 1]) + (std::uint32_t{dst[i]} << 8 | dst[i + 1]);
  return s;
}

// --- the frames fed to the stack ----------------------------------------------
// The client asks who has 10.0.0.2: both stacks answer and remember the
// client, so the echoes that follow find its MAC in their ARP cache.
inline bytes arp_request() {
  bytes f(60);
  std::span<std::byte> s{f};
  put(s, 0, std::array<std::uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  put(s, 6, client_mac);
  put16(s, 12, 0x0806);
  put16(s, 14, 1);       // Ethernet
  put16(s, 16, 0x0800);  // IPv4
  f[18] = std::byte{6};
  f[19] = std::byte{4};
  put16(s, 20, 1);  // request
  put(s, 22, client_mac);
  put(s, 28, client_ip);
  put(s, 38, server_ip);  // target hardware address (32..37) stays zero
  return f;
}

// The payload byte k of datagram `seq`: each datagram differs from the
// others, so an echo can only match the request it answers.
inline std::byte payload_byte(std::uint32_t seq, std::size_t k) {
  return std::byte(static_cast<std::uint8_t>(seq * 131 + k * 7 + (seq >> 8)));
}

// Client port 5000 -> 10.0.0.2 port 7: Ethernet, IPv4 (20 bytes, id = seq),
// UDP with a valid checksum, `payload` bytes.
inline bytes udp_request(std::uint32_t seq, std::size_t payload) {
  std::size_t const udp_len = 8 + payload, ip_len = 20 + udp_len;
  bytes f(14 + ip_len);
  std::span<std::byte> s{f};
  put(s, 0, server_mac);
  put(s, 6, client_mac);
  put16(s, 12, 0x0800);
  f[14] = std::byte{0x45};
  put16(s, 16, static_cast<std::uint16_t>(ip_len));
  put16(s, 18, static_cast<std::uint16_t>(seq));
  f[22] = std::byte{64};  // TTL
  f[23] = std::byte{17};  // UDP
  put(s, 26, client_ip);
  put(s, 30, server_ip);
  put16(s, 24, static_cast<std::uint16_t>(~fold(sum16(s.subspan(14, 20)))));
  put16(s, 34, client_port);
  put16(s, 36, echo_port);
  put16(s, 38, static_cast<std::uint16_t>(udp_len));
  for (std::size_t k = 0; k < payload; ++k) f[42 + k] = payload_byte(seq, k);
  std::uint16_t c = static_cast<std::uint16_t>(~fold(sum16(s.subspan(34), pseudo_header(client_ip, server_ip, udp_len))));
  put16(s, 40, c == 0 ? 0xffff : c);
  return f;
}

// --- the checks ----------------------------------------------------------------
// Empty when `tx` is the stack's ARP reply to arp_request(), else what is wrong.
inline std::string check_arp_reply(std::span<std::byte const> tx) {
  if (tx.size() < 42) return "too short for an ARP reply (" + std::to_string(tx.size()) + " bytes)";
  if (!same(tx, 0, client_mac) || !same(tx, 6, server_mac)) return "Ethernet addresses are not server -> client";
  if (be16(tx, 12) != 0x0806) return "not ARP (EtherType " + std::to_string(be16(tx, 12)) + ")";
  if (be16(tx, 14) != 1 || be16(tx, 16) != 0x0800 || u8(tx, 18) != 6 || u8(tx, 19) != 4) return "not Ethernet/IPv4 ARP";
  if (be16(tx, 20) != 2) return "not a reply";
  if (!same(tx, 22, server_mac) || !same(tx, 28, server_ip)) return "sender is not 10.0.0.2 at the server's MAC";
  if (!same(tx, 32, client_mac) || !same(tx, 38, client_ip)) return "target is not the client";
  return {};
}

// Empty when `tx` is the echo of `request` (built by udp_request): addresses
// and ports swapped, the same payload, valid IPv4 and UDP checksums.
inline std::string check_echo(std::span<std::byte const> tx, std::span<std::byte const> request) {
  std::size_t const payload = request.size() - 42, ip_len = 28 + payload;
  // Below Ethernet's 60-byte minimum a stack may pad (Strata) or leave it to the driver (lwIP).
  if (tx.size() != 14 + ip_len && !(14 + ip_len < 60 && tx.size() == 60))
    return "frame of " + std::to_string(tx.size()) + " bytes, expected " + std::to_string(14 + ip_len);
  if (!same(tx, 0, client_mac) || !same(tx, 6, server_mac)) return "Ethernet addresses are not server -> client";
  if (be16(tx, 12) != 0x0800) return "not IPv4 (EtherType " + std::to_string(be16(tx, 12)) + ")";
  if (u8(tx, 14) != 0x45) return "IPv4 version/header length is not 4/20";
  if (be16(tx, 16) != ip_len) return "IPv4 total length " + std::to_string(be16(tx, 16));
  if ((be16(tx, 20) & 0x3fff) != 0) return "a fragment";
  if (u8(tx, 22) == 0 || u8(tx, 23) != 17) return "TTL 0 or not UDP";
  if (fold(sum16(tx.subspan(14, 20))) != 0xffff) return "bad IPv4 header checksum";
  if (!same(tx, 26, server_ip) || !same(tx, 30, client_ip)) return "IPv4 addresses are not 10.0.0.2 -> 10.0.0.1";
  if (be16(tx, 34) != echo_port || be16(tx, 36) != client_port) return "UDP ports are not 7 -> 5000";
  if (be16(tx, 38) != 8 + payload) return "UDP length " + std::to_string(be16(tx, 38));
  if (be16(tx, 40) == 0) return "no UDP checksum";
  if (fold(sum16(tx.subspan(34, 8 + payload), pseudo_header(server_ip, client_ip, 8 + payload))) != 0xffff)
    return "bad UDP checksum";
  if (std::memcmp(tx.data() + 42, request.data() + 42, payload) != 0) return "payload differs from the request's";
  return {};
}

// --- what the stack transmits ---------------------------------------------------
// The harness's NIC (Strata) or linkoutput (lwIP) copies each frame the stack
// sends into the next slot, as a driver copies into its transmit ring; the
// frames are checked after the measured loop, so checking costs nothing there.
struct recorder {
  bytes store;
  std::vector<std::size_t> lengths;
  std::size_t count = 0;
  std::array<std::byte, max_frame> overflow{};  // where frames past the capacity go (counted, not kept)

  void reset(std::size_t capacity) {
    store.assign(capacity * max_frame, std::byte{0});
    lengths.assign(capacity, 0);
    count = 0;
  }
  // Where the next frame goes (max_frame bytes); commit(len) keeps it.
  std::span<std::byte> slot() {
    return count < lengths.size() ? std::span<std::byte>{store}.subspan(count * max_frame, max_frame)
                                  : std::span<std::byte>{overflow};
  }
  void commit(std::size_t len) {
    if (count < lengths.size()) lengths[count] = len;
    ++count;
  }
  std::span<std::byte const> frame(std::size_t i) const {
    return std::span<std::byte const>{store}.subspan(i * max_frame, lengths[i] < max_frame ? lengths[i] : max_frame);
  }
};

inline recorder transmitted;

// --- the run ----------------------------------------------------------------------
struct options {
  std::size_t payload = 64;
  std::size_t count = 10'000;
  std::size_t warmup = 200;
};

[[noreturn]] inline void usage(char const* argv0) {
  std::fprintf(stderr, "usage: %s [--payload BYTES (1..%zu)] [--count N] [--warmup N]\n", argv0, max_payload);
  std::exit(2);
}

inline options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view const a{argv[i]};
    if (i + 1 >= argc) usage(argv[0]);
    char* end = nullptr;
    unsigned long long const v = std::strtoull(argv[++i], &end, 10);
    if (end == nullptr || *end != '\0') usage(argv[0]);
    if (a == "--payload") o.payload = v;
    else if (a == "--count") o.count = v;
    else if (a == "--warmup") o.warmup = v;
    else usage(argv[0]);
  }
  if (o.payload == 0 || o.payload > max_payload || o.count == 0 || o.warmup == 0) usage(argv[0]);
  return o;
}

[[nodiscard]] inline int fail(char const* stack, std::string const& what) {
  std::fprintf(stderr, "%s: NOT ECHOING: %s\n", stack, what.c_str());
  return 1;
}

// Drives `stack` (anything with deliver(std::span<std::byte const>), which
// hands one frame to the stack and lets it run to completion):
//   1. the ARP request; the reply is checked;
//   2. `warmup` echoes, each checked at once (exactly one frame out per frame in);
//   3. `count` echoes with callgrind collecting (run under
//      valgrind --tool=callgrind --collect-atstart=no: only this loop counts),
//      then every echo is checked.
// Returns the exit code: 0 when every echo was right, 1 (with the reason on
// stderr) otherwise.
template <class Stack>
int run(Stack& stack, char const* name, options const& o) {
  bytes const arp = arp_request();
  std::vector<bytes> requests;
  requests.reserve(o.warmup + o.count);
  for (std::size_t i = 0; i < o.warmup + o.count; ++i) requests.push_back(udp_request(static_cast<std::uint32_t>(i), o.payload));

  transmitted.reset(4);
  stack.deliver(arp);
  if (transmitted.count != 1) return fail(name, "the ARP request got " + std::to_string(transmitted.count) + " frames");
  if (auto const e = check_arp_reply(transmitted.frame(0)); !e.empty()) return fail(name, "ARP reply: " + e);

  for (std::size_t i = 0; i < o.warmup; ++i) {
    transmitted.reset(4);
    stack.deliver(requests[i]);
    if (transmitted.count != 1)
      return fail(name, "warm-up datagram " + std::to_string(i) + " got " + std::to_string(transmitted.count) + " frames");
    if (auto const e = check_echo(transmitted.frame(0), requests[i]); !e.empty())
      return fail(name, "warm-up echo " + std::to_string(i) + ": " + e);
  }

  transmitted.reset(o.count);
  CALLGRIND_TOGGLE_COLLECT;
  for (std::size_t i = 0; i < o.count; ++i) stack.deliver(requests[o.warmup + i]);
  CALLGRIND_TOGGLE_COLLECT;

  if (transmitted.count != o.count)
    return fail(name, std::to_string(o.count) + " datagrams got " + std::to_string(transmitted.count) + " frames");
  for (std::size_t i = 0; i < o.count; ++i)
    if (auto const e = check_echo(transmitted.frame(i), requests[o.warmup + i]); !e.empty())
      return fail(name, "echo " + std::to_string(i) + ": " + e);
  std::printf("%s: payload %zu B: %zu echoes checked (after %zu warm-up echoes)\n", name, o.payload, o.count, o.warmup);
  return 0;
}

}  // namespace echo_bench
