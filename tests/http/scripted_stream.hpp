// A scripted stand-in for a TCP connection and the system around it, for
// driving http::server_state without TCP: the test decides what has
// arrived, how much the send buffer takes, and the time. Shared by the
// server's tests and its fuzz target.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/http/files.hpp>

namespace strata::http::testing {

// One connection as the server sees it.
struct connection_script {
  std::string in;            // sent by the client, not yet read
  std::string out;           // written by the server
  std::size_t room = 65536;  // free space in the send buffer
  bool fin = false;          // the client closed its side
  bool shut = false, closed = false, aborted = false, want_write = false;
  bool open = true;  // handed to the server and not closed by it
};

struct fake_system;

struct fake_stream {
  fake_system* sys;
  connection_script* c;
  std::size_t index;

  std::size_t peek(std::span<std::byte> out) const {
    std::size_t const n = std::min(out.size(), c->in.size());
    for (std::size_t i = 0; i < n; ++i) out[i] = std::byte(static_cast<unsigned char>(c->in[i]));
    return n;
  }
  std::size_t consume(std::size_t n) const {
    n = std::min(n, c->in.size());
    c->in.erase(0, n);
    return n;
  }
  std::size_t readable() const { return c->in.size(); }
  std::size_t write(std::span<std::byte const> data) const {
    if (c->shut || c->closed || c->aborted) return 0;
    std::size_t const n = std::min(data.size(), c->room);
    for (std::size_t i = 0; i < n; ++i) c->out += static_cast<char>(std::to_integer<unsigned char>(data[i]));
    c->room -= n;
    return n;
  }
  std::size_t writable() const { return c->shut || c->closed ? 0 : c->room; }
  bool peer_closed() const { return c->fin; }
  void wait_writable() const { c->want_write = true; }
  void shutdown_write() const { c->shut = true; }
  void close() const {
    c->closed = true;
    c->open = false;
  }
  void abort() const {
    c->aborted = true;
    c->open = false;
  }
  std::size_t slot() const { return index; }
  fake_system& system() const { return *sys; }
};

struct fake_tcp {
  fake_system* sys;
  std::array<connection_script, 4>* conns;
  std::optional<fake_stream> service_stream(fake_system&, std::size_t i) {
    if (!(*conns)[i].open) return std::nullopt;
    return fake_stream{.sys = sys, .c = &(*conns)[i], .index = i};
  }
};

// A group of counters, as a layer's runtime shows them.
struct nic_counters {
  void visit_counters(auto&& v) const {
    v("in", std::uint64_t{3});
    v("out", std::uint64_t{4});
  }
};

struct fake_system {
  time_ns t = 0;
  std::array<connection_script, 4> conns{};
  fake_tcp tcp{.sys = this, .conns = &conns};
  time_ns now() const { return t; }
  template <class Cap>
  fake_tcp& get() {
    return tcp;
  }
  // For system_stats: two counters and a group.
  void visit_counters(auto&& visit) const {
    visit("nic", nic_counters{});
    visit("drops", std::uint64_t{0});
  }
  fake_stream stream(std::size_t i) { return {.sys = this, .c = &conns[i], .index = i}; }
};

// A file set: an index, a folder's index, a file larger than small send
// buffers, binary bytes, a name with UTF-8 and a space.
constexpr std::array<char, 3000> big_text = [] {
  std::array<char, 3000> a{};
  std::size_t i = 0;
  for (char& c : a) c = static_cast<char>('a' + i++ % 26);
  return a;
}();

struct site {
  static constexpr std::array<embedded_file, 5> files{{
      {.path = "/index.html", .content = "<h1>hi</h1>\n"},
      {.path = "/docs/index.html", .content = "docs\n"},
      {.path = "/big.txt", .content = std::string_view{big_text.data(), big_text.size()}},
      {.path = "/data.bin", .content = std::string_view{"\0\x01\x02", 3}},
      {.path = "/caf\xc3\xa9 menu.txt", .content = "soup\n"},  // as a browser asks: /caf%C3%A9%20menu.txt
  }};
};

}  // namespace strata::http::testing
