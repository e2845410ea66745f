// libFuzzer: the HTTP server (server.hpp) over a scripted stream. Each input
// is a byte stream from a client, served three times: whole with a large
// send buffer; in pieces cut where the input's first bytes say, with a send
// buffer that frees a few hundred bytes a turn; and with the client closing
// its side after the last byte. What the server writes must not depend on
// how the bytes arrived, how fast the buffer drained, or whether the client
// closed after its last byte (then the server must close too); the stream
// refuses writes past the buffer and after FIN, so a server that tried
// would lose bytes and differ. (A 100 Continue depends on the cuts: it is
// left out of the comparison.) Sanitizers catch the rest.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <strata/format.hpp>
#include <strata/http/server.hpp>

#include "scripted_stream.hpp"

namespace {

using namespace strata;
using namespace strata::http;
using namespace strata::http::testing;
using namespace strata::literals;

struct echo {
  void get(auto&, request const& req, response& res) { res.print("get {}\n"_fmt, req.target); }
  void post(auto&, request const& req, response& res) {
    res.header("X-Chunked", req.chunked ? "yes" : "no");
    res.write(req.body);
  }
};

constexpr limits fuzz_limits{.connections = 4,
                             .request = {.max_request_line = 64,
                                         .max_header_bytes = 256,
                                         .max_headers = 8,
                                         .max_body = 64,
                                         .max_chunk_line = 32},
                             .max_response = 256,
                             .max_headers = 64};
using server_t = server_state<80, routes<files<site>, route<"/echo", echo>, route<"/stats", system_stats>>, fuzz_limits>;

struct outcome {
  std::string out;
  bool shut = false, closed = false;
};

// Feeds `in` in pieces of the sizes `cuts` gives (cycled), with `room` bytes
// of send buffer freed each turn (0: unlimited).
outcome serve(std::string_view in, std::span<std::uint8_t const> cuts, std::size_t room, bool fin) {
  static fake_system sys;  // big: one, reset for each run
  static server_t server;
  sys = fake_system{};
  sys.tcp = fake_tcp{.sys = &sys, .conns = &sys.conns};
  std::destroy_at(&server);
  std::construct_at(&server);
  fake_stream stream = sys.stream(0);
  auto& c = sys.conns[0];
  c.room = room == 0 ? std::size_t{1} << 30 : room;
  server.on_accept(stream);
  std::size_t at = 0;
  std::size_t k = 0;
  int idle_turns = 0;
  while (c.open && idle_turns < 64) {
    std::size_t const before_in = c.in.size() + at;
    std::size_t const before_out = c.out.size();
    if (at < in.size()) {
      std::size_t const n = cuts.empty() ? in.size() : 1 + cuts[k++ % cuts.size()] % 97;
      std::size_t const take = std::min(n, in.size() - at);
      c.in.append(in.substr(at, take));
      at += take;
    } else if (fin) {
      c.fin = true;
    }
    if (room != 0) c.room += room;
    if (c.want_write) {
      c.want_write = false;
      server.on_writable(stream);
    }
    if (c.open) server.on_readable(stream);
    idle_turns = (c.in.size() + at == before_in && c.out.size() == before_out && at == in.size()) ? idle_turns + 1 : 0;
  }
  return {.out = c.out, .shut = c.shut, .closed = c.closed};
}

// A 100 (Continue) goes out when a request's headers have arrived and its
// body has not, which depends on the cuts: outputs are compared without them.
std::string without_continues(std::string s) {
  constexpr std::string_view line = "HTTP/1.1 100 Continue\r\n\r\n";
  for (auto at = s.find(line); at != std::string::npos; at = s.find(line, at)) s.erase(at, line.size());
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::span<std::uint8_t const> const bytes{data, size};
  std::size_t const n_cuts = size == 0 ? 0 : bytes[0] % 8;
  if (size < 1 + n_cuts) return 0;
  auto const cuts = bytes.subspan(1, n_cuts);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libFuzzer's bytes as chars; char may alias
  std::string_view const in{reinterpret_cast<char const*>(data) + 1 + n_cuts, size - 1 - n_cuts};

  outcome const whole = serve(in, {}, 0, false);
  std::string const answers = without_continues(whole.out);
  outcome const pieces = serve(in, cuts, 700, false);
  if (without_continues(pieces.out) != answers || pieces.shut != whole.shut) std::abort();  // depends on the cuts or the room
  outcome const ended = serve(in, cuts, 0, true);
  if (without_continues(ended.out) != answers) std::abort();  // the client's FIN changes no answer
  if (!ended.closed) std::abort();           // the client closed: so must the server, at last
  if (!whole.out.empty() && !whole.out.starts_with("HTTP/1.1 ")) std::abort();
  return 0;
}
