// The HTTP server over strata's own TCP on the simulated network: a client
// system pipelines requests for a file many times the send buffer, a small
// file and a dynamic route, and must read back exactly the expected answers,
// then the server's FIN; clean, and under loss, reordering and duplication.
// Also: the files strata_embed_files() generated from embed_fixture/ are the
// files on disk, byte for byte.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <embedded/fixture.hpp>
#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/http/server.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/scheduler.hpp>
#include <strata/net/tcp/layer.hpp>

namespace {

using namespace strata;
using namespace strata::net;
using namespace strata::literals;
using namespace strata::net::literals;

sim::network<2> wire;

// 5 times the server's send buffer; small enough for clang's constexpr step limit.
constexpr std::size_t big_size = 40'000;
constexpr auto big = [] {
  std::array<char, big_size> a{};
  std::size_t i = 0;
  for (char& c : a) {
    c = static_cast<char>((i * 7 + i / 251) & 0xff);
    ++i;
  }
  return a;
}();

struct site {
  static constexpr std::array<http::embedded_file, 2> files{{
      {.path = "/big.bin", .content = std::string_view{big.data(), big.size()}},
      {.path = "/index.html", .content = "<h1>hello</h1>\n"},
  }};
};
struct counter {
  int n = 0;
  void get(auto&, http::request const&, http::response& res) { res.print("call {}\n"_fmt, ++n); }
};

constexpr std::string_view requests =
    "GET /big.bin HTTP/1.1\r\nHost: s\r\n\r\n"
    "GET /count HTTP/1.1\r\nHost: s\r\n\r\n"
    "GET / HTTP/1.1\r\nHost: s\r\n\r\n"
    "GET /missing HTTP/1.1\r\nHost: s\r\n\r\n"
    "GET /count HTTP/1.1\r\nHost: s\r\n\r\n"
    "GET /big.bin HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n";

std::string head(std::string_view type, std::size_t length, std::string_view etag, bool close = false) {
  return "HTTP/1.1 200 OK\r\nServer: strata\r\n" + std::string(close ? "Connection: close\r\n" : "") +
         "Content-Type: " + std::string(type) + "\r\nContent-Length: " + std::to_string(length) + "\r\n" +
         (etag.empty() ? std::string() : "ETag: " + std::string(etag) + "\r\n") + "\r\n";
}

std::string expected_answers() {
  auto const tag = [](std::string_view content) {
    auto const t = http::etag_for(content);
    return std::string(t.data(), t.size());
  };
  std::string_view const body{big.data(), big.size()};
  std::string const big_etag = tag(body);
  return head("application/octet-stream", big_size, big_etag) + std::string(body) +
         head("text/plain; charset=utf-8", 7, "") + "call 1\n" +
         head("text/html; charset=utf-8", 15, tag("<h1>hello</h1>\n")) + "<h1>hello</h1>\n" +
         "HTTP/1.1 404 Not Found\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\n"
         "Content-Length: 10\r\n\r\nnot found\n" +
         head("text/plain; charset=utf-8", 7, "") + "call 2\n" +
         head("application/octet-stream", big_size, big_etag, true) + std::string(body);
}

// Sends the pipeline at once, reads until the server's FIN.
struct browser {
  using needs = caps<cap::TcpLayer>;
  std::optional<std::size_t> conn;
  std::size_t sent = 0;
  // Outside the app: a description is a constant, and clang cannot make a
  // std::string member in one.
  static inline std::string received;
  bool done = false;
  time_ns next = 0;

  void start(auto& sys) { conn = sys.template get<cap::TcpLayer>().connect(sys, {{{10, 0, 0, 2}}, 80}); }
  void poll(auto& sys, time_ns now) {
    next = now + 1'000'000;
    if (!conn || done) return;
    auto stream = sys.template get<cap::TcpLayer>().stream(sys, *conn);
    if (sent < requests.size())
      sent += stream.write(std::as_bytes(std::span{requests.data() + sent, requests.size() - sent}));
    std::array<std::byte, 4096> buffer{};
    while (std::size_t const n = stream.read(buffer))
      for (std::size_t k = 0; k < n; ++k) received += static_cast<char>(std::to_integer<unsigned char>(buffer[k]));
    if (stream.peer_closed() && stream.readable() == 0) {
      stream.close();
      done = true;
      sys.exit(0);
    }
  }
  time_ns next_deadline() const { return done ? never : next; }
};

using routes = http::routes<http::files<site>, http::route<"/count", counter>>;
constexpr auto server = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(0), .mac = "02:00:00:00:00:02"_mac},
                                       net::ipv4{.address = "10.0.0.2/24"}, net::tcp<4, 8192, 4096>{},
                                       http::server<80, routes, http::limits{.connections = 4}>{});
constexpr auto client = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(1), .mac = "02:00:00:00:00:01"_mac},
                                       net::ipv4{.address = "10.0.0.1/24"}, net::tcp<4, 16384, 65536>{},
                                       app<browser>{});
using server_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(server)>>;
using client_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(client)>>;

void fetch(sim::fault_plan const& faults, std::uint64_t seed) {
  sim::platform::reset();
  wire.reset(faults, seed);
  browser::received.clear();
  server_t srv{server};
  client_t cli{client};
  sim::run_until(wire, 600_s, srv, cli);
  auto const& b = cli.component<app<browser>>();
  CHECK(b.done);
  std::string const want = expected_answers();
  CHECK(browser::received.size() == want.size());
  CHECK(browser::received == want);
  auto const& http_server = srv.component<http::server<80, routes, http::limits{.connections = 4}>>();
  CHECK(http_server.counters().requests == 6);
  CHECK(http_server.counters().connections == 1);
}

TEST_CASE("HTTP over strata's TCP on the sim network: a pipeline, 80 KB of files through an 8 KB send buffer") {
  fetch({.delay = 100_us}, 1);
}

TEST_CASE("HTTP over strata's TCP on the sim network: the same under 5% loss, reordering and duplication") {
  fetch({.loss = sim::percent(5), .duplicate = sim::percent(5), .reorder = sim::percent(5), .delay = 100_us,
         .jitter = 200_us},
        11);
}

std::string read_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("strata_embed_files: every file of the folder, at its path, byte for byte") {
  auto const& files = strata::embedded::fixture::files;
  REQUIRE(files.size() == 5);
  // Sorted by path; subfolders keep their path; a name may hold UTF-8 and spaces.
  CHECK(files[0].path == "/empty");
  CHECK(files[1].path == "/quotes.txt");
  CHECK(files[2].path == "/sub/all_bytes.bin");
  CHECK(files[3].path == "/sub/caf\xc3\xa9 menu.txt");
  CHECK(files[4].path == "/utf8.html");
  for (auto const& f : files) {
    CAPTURE(f.path);
    CHECK(f.content == read_file(std::string(STRATA_EMBED_FIXTURE) + std::string(f.path)));
  }
  // The ETags come from the build (SHA-256), one per content.
  for (auto const& f : files) {
    CAPTURE(f.path);
    CHECK(f.etag.size() == 18);
    CHECK(f.etag.front() == '"');
    CHECK(f.etag.back() == '"');
    CHECK(http::serve_file(f).etag_view() == f.etag);
  }
  CHECK(files[0].etag == "\"e3b0c44298fc1c14\"");  // SHA-256 of nothing
  static_assert(strata::embedded::fixture::files[2].content.size() == 768);
  static_assert(strata::embedded::fixture::files[2].content[0] == '\0');
  static_assert(http::served_files<strata::embedded::fixture>[4].head_view().starts_with(
      "Content-Type: text/html; charset=utf-8\r\n"));
}

}  // namespace
