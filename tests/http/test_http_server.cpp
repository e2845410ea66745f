// The HTTP server's logic over a scripted stream: what it answers, byte for
// byte, to files, routes, pipelines, errors, backpressure and timeouts. The
// stream stands in for a TCP connection (tcp/layer.hpp's tcp_stream): the
// test decides what has arrived, how much the send buffer takes, and when
// time passes. TCP itself is in tests/sim and the whole server over real
// TCP in test_http_sim.cpp.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <strata/core/capability.hpp>
#include <strata/format.hpp>
#include <strata/http/server.hpp>

#include "scripted_stream.hpp"

namespace {

using namespace strata;
using namespace strata::http;
using namespace strata::http::testing;
using namespace std::string_view_literals;
using namespace strata::literals;

constexpr time_ns s = 1'000'000'000;

// A dynamic route: GET tells the target, POST echoes the body.
struct echo {
  int calls = 0;
  void get(auto&, request const& req, response& res) {
    ++calls;
    res.print("get {}\n"_fmt, req.target);
  }
  void post(auto&, request const& req, response& res) {
    ++calls;
    res.status(201);
    res.content_type("application/octet-stream");
    res.header("X-Length", req.chunked ? "chunked" : "plain");
    res.write(req.body);
  }
};
struct too_much {
  void get(auto&, request const&, response& res) {
    for (int i = 0; i < 200; ++i) res.write("0123456789");  // 2000 bytes, over max_response
  }
};
struct splitting {
  void get(auto&, request const&, response& res) { res.header("X-Evil", "a\r\nSet-Cookie: x=1"); }
};

constexpr limits test_limits{.connections = 4,
                             .request = {.max_request_line = 64,
                                         .max_header_bytes = 256,
                                         .max_headers = 8,
                                         .max_body = 32,
                                         .max_chunk_line = 32},
                             .max_response = 1024,
                             .max_headers = 128,
                             .request_timeout = 10 * s,
                             .idle_timeout = 30 * s};

using test_routes = routes<files<site>, route<"/echo", echo>, route<"/too-much", too_much>,
                           route<"/split", splitting>, route<"/stats", system_stats>>;
using server_t = server_state<80, test_routes, test_limits>;

// A server, a system, and the client side of connection 0.
struct fixture {
  fake_system sys;
  server_t server;
  fake_stream stream = sys.stream(0);
  connection_script& c = sys.conns[0];

  fixture() { server.on_accept(stream); }
  // The client sends bytes; the server reads them as the TCP layer would call it.
  std::string send(std::string_view bytes) {
    c.in += bytes;
    server.on_readable(stream);
    return take();
  }
  std::string take() {
    std::string out = std::move(c.out);
    c.out.clear();
    return out;
  }
};

std::string file_response(std::string_view type, std::string_view body, std::string_view etag,
                          bool close = false) {
  std::string r = "HTTP/1.1 200 OK\r\nServer: strata\r\n";
  if (close) r += "Connection: close\r\n";
  r += "Content-Type: " + std::string(type) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nETag: " +
       std::string(etag) + "\r\n\r\n" + std::string(body);
  return r;
}

std::string etag_of(std::string_view content) {
  auto const t = etag_for(content);
  return {t.data(), t.size()};
}

TEST_CASE("files: the compiler works out Content-Type, ETag and the header lines") {
  static_assert(content_type_for("/a/b.html") == "text/html; charset=utf-8");
  static_assert(content_type_for("/style.css") == "text/css; charset=utf-8");
  static_assert(content_type_for("/logo.svg") == "image/svg+xml");
  static_assert(content_type_for("/x.woff2") == "font/woff2");
  static_assert(content_type_for("/noextension") == "application/octet-stream");
  // FNV-1a 64 of "" is its offset basis; of "a", the published test vector.
  static_assert(std::string_view{etag_for("").data(), 18} == "\"cbf29ce484222325\"");
  static_assert(std::string_view{etag_for("a").data(), 18} == "\"af63dc4c8601ec8c\"");
  constexpr auto const& served = served_files<site>;
  CHECK(served[0].head_view() == "Content-Type: text/html; charset=utf-8\r\nContent-Length: 12\r\nETag: " +
                                     etag_of("<h1>hi</h1>\n") + "\r\n");
  CHECK(served[0].etag_line() == "ETag: " + etag_of("<h1>hi</h1>\n") + "\r\n");
  CHECK(served[3].head_view().starts_with("Content-Type: application/octet-stream\r\nContent-Length: 3\r\n"));
}

TEST_CASE("a file: status line, headers and body, byte for byte; / is index.html") {
  fixture f;
  auto const index = file_response("text/html; charset=utf-8", "<h1>hi</h1>\n", etag_of("<h1>hi</h1>\n"));
  CHECK(f.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n") == index);
  CHECK(f.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") == index);
  CHECK(f.send("GET /?q=1#frag HTTP/1.1\r\nHost: x\r\n\r\n") == index);
  CHECK(f.send("GET http://example.com/index.html HTTP/1.1\r\nHost: example.com\r\n\r\n") == index);
  CHECK(f.send("GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n") ==
        file_response("text/html; charset=utf-8", "docs\n", etag_of("docs\n")));
  CHECK(f.send("GET /data.bin HTTP/1.1\r\nHost: x\r\n\r\n") ==
        file_response("application/octet-stream", std::string_view{"\0\x01\x02", 3}, etag_of({"\0\x01\x02", 3})));
  CHECK(f.server.counters().requests == 6);
  CHECK(f.server.counters().responses_2xx == 6);
  CHECK_FALSE(f.c.shut);
}

TEST_CASE("HEAD is GET without the body; If-None-Match gives 304") {
  fixture f;
  std::string const etag = etag_of("<h1>hi</h1>\n");
  auto const full = file_response("text/html; charset=utf-8", "<h1>hi</h1>\n", etag);
  CHECK(f.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n") == full.substr(0, full.size() - 12));
  std::string const not_modified = "HTTP/1.1 304 Not Modified\r\nServer: strata\r\nETag: " + etag + "\r\n\r\n";
  CHECK(f.send("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n") == not_modified);
  CHECK(f.send("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\", W/" + etag + "\r\n\r\n") == not_modified);
  CHECK(f.send("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n\r\n") == not_modified);
  CHECK(f.send("HEAD / HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n") == not_modified);
  CHECK(f.send("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\"\r\n\r\n") == full);
  CHECK(f.server.counters().responses_3xx == 4);
}

TEST_CASE("404, 405 with Allow, OPTIONS") {
  fixture f;
  CHECK(f.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 404 Not Found\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 10\r\n\r\nnot found\n");
  CHECK(f.send("HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 404 Not Found\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 10\r\n\r\n");
  CHECK(f.send("DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 405 Method Not Allowed\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 19\r\nAllow: GET, HEAD, OPTIONS\r\n\r\nmethod not allowed\n");
  CHECK(f.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n") ==
        "HTTP/1.1 405 Method Not Allowed\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 19\r\nAllow: GET, HEAD, POST, OPTIONS\r\n\r\nmethod not allowed\n");
  CHECK(f.send("OPTIONS /echo HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 204 No Content\r\nServer: strata\r\nAllow: GET, HEAD, POST, OPTIONS\r\n\r\n");
  CHECK(f.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 204 No Content\r\nServer: strata\r\nAllow: GET, HEAD, POST, PUT, DELETE, OPTIONS\r\n\r\n");
  CHECK(f.server.counters().responses_4xx == 4);
}

// decode_path on its own, at compile time: what it decodes, what it keeps,
// what it refuses.
// NOLINTNEXTLINE(bugprone-easily-swappable-parameters): read as "decodes(path, to)"
constexpr bool decodes(std::string_view path, std::string_view to) {
  std::array<char, 64> out{};
  auto const d = http::detail::decode_path(path, out);
  return d && *d == to;
}
constexpr bool refused(std::string_view path) {
  std::array<char, 64> out{};
  return !http::detail::decode_path(path, out);
}
static_assert(decodes("/plain/path.txt", "/plain/path.txt"));
static_assert(decodes("/caf%C3%A9%20menu.txt", "/caf\xc3\xa9 menu.txt"));
static_assert(decodes("/%64ata%2ebin", "/data.bin"));  // either case of hex
static_assert(decodes("/a%2Fb%2fc", "/a%2Fb%2fc"));    // no '/' the client did not send as one
static_assert(decodes("/%25", "/%"));                  // a '%' itself
static_assert(refused("/a%00b"));                      // NUL
static_assert(refused("/a%zz"));                       // not hex
static_assert(refused("/a%2"));                        // cut short
static_assert(refused("/a%"));
static_assert(!http::detail::decode_path("/%41", std::span<char>{}).has_value());  // no room: refused, not cut

TEST_CASE("paths are percent-decoded before they are matched; bad encodings are a 400") {
  fixture f;
  CHECK(f.send("GET /%64ata%2Ebin HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(f.send("GET /caf%C3%A9%20menu.txt HTTP/1.1\r\nHost: x\r\n\r\n") ==
        file_response("text/plain; charset=utf-8", "soup\n", etag_of("soup\n")));
  CHECK(f.send("GET /docs%2F HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 404 Not Found\r\n"));
  CHECK(f.send("GET /ech%6F?x=%41 HTTP/1.1\r\nHost: x\r\n\r\n").ends_with("get /ech%6F?x=%41\n"));  // the handler sees the target as sent
  CHECK(f.send("GET /b%g0 HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 400 Bad Request\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 33\r\n\r\nbad percent-encoding in the path\n");
  // The framing is intact: the connection goes on.
  CHECK(f.send("GET /index.html%00 HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(f.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK_FALSE(f.c.shut);
}

TEST_CASE("a dynamic route: GET and HEAD, a POST body plain and chunked") {
  fixture f;
  CHECK(f.send("GET /echo?name=x HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 200 OK\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 17\r\n\r\n"
        "get /echo?name=x\n");
  CHECK(f.send("HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 200 OK\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\n");
  CHECK(f.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") ==
        "HTTP/1.1 201 Created\r\nServer: strata\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n"
        "X-Length: plain\r\n\r\nhello");
  CHECK(f.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n") ==
        "HTTP/1.1 201 Created\r\nServer: strata\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n"
        "X-Length: chunked\r\n\r\nabcde");
  CHECK(f.server.counters().requests == 4);
}

TEST_CASE("Expect: 100-continue gets a 100 once the headers are in, then the answer once the body is") {
  fixture f;
  CHECK(f.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n") ==
        "HTTP/1.1 100 Continue\r\n\r\n");
  CHECK(f.send("he").empty());  // once
  CHECK(f.send("llo") ==
        "HTTP/1.1 201 Created\r\nServer: strata\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n"
        "X-Length: plain\r\n\r\nhello");
  // The body sent with the headers (the client did not wait): no 100.
  CHECK(f.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi")
            .starts_with("HTTP/1.1 201 Created\r\n"));
  // A body over the limit is refused at once, without a 100.
  CHECK(f.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 33\r\nExpect: 100-continue\r\n\r\n")
            .starts_with("HTTP/1.1 413 Content Too Large\r\n"));
  CHECK(f.server.counters().requests == 2);
}

TEST_CASE("Expect: 100-continue waits for room in the send buffer") {
  fixture f;
  f.c.room = 10;
  CHECK(f.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n").empty());
  CHECK(f.c.want_write);
  f.c.room = 4096;
  f.c.want_write = false;
  f.server.on_writable(f.stream);
  CHECK(f.take() == "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST_CASE("pipelined requests are answered in order, however the bytes arrive") {
  std::string const pipeline =
      "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  fixture whole;
  std::string const all = whole.send(pipeline);
  CHECK(all.find("HTTP/1.1 200 OK") == 0);
  CHECK(all.find("HTTP/1.1 201 Created") < all.find("HTTP/1.1 404 Not Found"));
  CHECK(all.ends_with("Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\n"
                      "get /echo\n"));
  CHECK(whole.c.shut);  // FIN after the last answer
  fixture bytewise;
  std::string out;
  for (char ch : pipeline) out += bytewise.send(std::string_view{&ch, 1});
  CHECK(out == all);
  CHECK(bytewise.server.counters().requests == 4);
}

TEST_CASE("backpressure: a file larger than the send buffer goes out as room frees, before the next answer") {
  fixture f;
  f.c.room = 700;
  std::string out = f.send("GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(out.size() == 700);
  CHECK(f.c.want_write);
  while (f.c.want_write) {  // the TCP layer calls on_writable once acknowledgements free room
    f.c.want_write = false;
    f.c.room = 1000;  // at least a head's worth (the server waits for max_head bytes of room)
    f.server.on_writable(f.stream);
    out += f.take();
  }
  std::string_view const big{big_text.data(), big_text.size()};
  std::string const want = file_response("text/plain; charset=utf-8", big, etag_of(big)) +
                           file_response("text/html; charset=utf-8", "<h1>hi</h1>\n", etag_of("<h1>hi</h1>\n"));
  CHECK(out == want);
}

TEST_CASE("backpressure: a handler runs once, when its whole answer fits") {
  fixture f;
  f.c.room = 100;  // under max_response and the headers
  CHECK(f.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").empty());
  CHECK(f.c.want_write);
  f.server.on_readable(f.stream);  // more turns without room change nothing
  CHECK(f.c.out.empty());
  f.c.room = 4096;
  f.server.on_writable(f.stream);
  CHECK(f.take() ==
        "HTTP/1.1 200 OK\r\nServer: strata\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\n"
        "get /echo\n");
  CHECK(f.server.counters().requests == 1);
}

TEST_CASE("bad requests: the status, Connection: close, FIN, and the rest read and dropped until the client closes") {
  std::string const long_header = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(300, 'a') + "\r\n\r\n";
  for (auto const& [request, status] : std::array<std::pair<std::string_view, std::string_view>, 9>{{
           {"GET / HTTP/1.1\r\n\r\n", "400 Bad Request"},
           {"GET /0123456789012345678901234567890123456789012345678901234567890 HTTP/1.1\r\n", "414 URI Too Long"},
           {"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", "501 Not Implemented"},
           {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported"},
           {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 33\r\n\r\n", "413 Content Too Large"},
           {long_header, "431 Request Header Fields Too Large"},
           {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400 Bad Request"},
           {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "400 Bad Request"},
           {"GET / HTTP/1.1\nHost: x\n\n", "400 Bad Request"},
       }}) {
    CAPTURE(request);
    fixture f;
    std::string const out = f.send(std::string(request) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(out.starts_with("HTTP/1.1 " + std::string(status) + "\r\nServer: strata\r\nConnection: close\r\n"));
    CHECK(out.ends_with(std::string(status.substr(4)) + "\n"));  // the body is the reason phrase
    CHECK(f.c.shut);
    CHECK(f.c.in.empty());  // what followed was read and dropped: closing with it unread would send a RST
    CHECK_FALSE(f.c.closed);
    f.c.fin = true;
    f.server.on_readable(f.stream);
    CHECK(f.c.closed);
    CHECK_FALSE(f.c.aborted);
    CHECK(f.server.counters().bad_requests == 1);
  }
}

TEST_CASE("Connection: close and HTTP/1.0 without keep-alive end the connection after the answer") {
  fixture f;
  CHECK(f.send("GET /echo HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200 OK\r\nServer: strata\r\nConnection: close\r\n"));
  CHECK(f.c.shut);
  fixture g;
  CHECK(g.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").find("Connection: close") == std::string::npos);
  CHECK_FALSE(g.c.shut);
  fixture h;
  h.c.fin = true;  // a client that half-closes after its request still gets the answer, then the close
  CHECK(h.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 200 OK"));
  CHECK(h.c.closed);
}

TEST_CASE("a handler's answer that does not fit, or a header with CR LF, is a 500") {
  fixture f;
  CHECK(f.send("GET /too-much HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  std::string const split = f.send("GET /split HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(split.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  CHECK(split.find("Set-Cookie") == std::string::npos);
  CHECK(f.server.counters().handler_errors == 2);
  CHECK(f.server.counters().responses_5xx == 2);
}

TEST_CASE("timeouts: a request still incomplete is a 408; an idle connection is closed") {
  fixture f;
  CHECK(f.server.next_deadline() == 30 * s);  // idle from the accept
  f.send("GET / HTTP/1.1\r\nHo");
  CHECK(f.server.next_deadline() == 10 * s);
  f.sys.t = 10 * s - 1;
  f.server.poll(f.sys, f.sys.t);
  CHECK(f.c.out.empty());
  f.sys.t = 10 * s;
  f.server.poll(f.sys, f.sys.t);
  CHECK(f.take().starts_with("HTTP/1.1 408 Request Timeout\r\nServer: strata\r\nConnection: close\r\n"));
  CHECK(f.c.shut);
  CHECK_FALSE(f.c.closed);  // lingering: the client may still be sending
  f.sys.t = 12 * s;         // linger's end
  f.server.poll(f.sys, f.sys.t);
  CHECK(f.c.closed);
  CHECK(f.server.counters().timeouts == 1);

  fixture g;
  g.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  g.take();
  g.sys.t = 29 * s;
  g.server.poll(g.sys, g.sys.t);
  CHECK(g.c.open);
  CHECK(g.server.next_deadline() == 30 * s);
  g.sys.t = 30 * s;
  g.server.poll(g.sys, g.sys.t);
  CHECK(g.c.closed);
  CHECK(g.c.out.empty());
  CHECK(g.server.counters().timeouts == 1);
  CHECK(g.server.next_deadline() == ~time_ns{0});
}

TEST_CASE("system_stats: the uptime and every counter as JSON") {
  fixture f;
  f.sys.t = 2'500'000'000;
  CHECK(f.send("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n") ==
        "HTTP/1.1 200 OK\r\nServer: strata\r\nContent-Type: application/json\r\nContent-Length: 52\r\n"
        "Cache-Control: no-store\r\n\r\n{\"uptime_ms\":2500,\"nic\":{\"in\":3,\"out\":4},\"drops\":0}\n");
}

TEST_CASE("connections are kept apart by slot") {
  fixture f;
  auto second = f.sys.stream(1);
  f.server.on_accept(second);
  f.c.in = "GET /echo HTTP/1.1\r\nHo";
  f.server.on_readable(f.stream);
  f.sys.conns[1].in = "GET /echo?two HTTP/1.1\r\nHost: x\r\n\r\n";
  f.server.on_readable(second);
  CHECK(f.sys.conns[1].out.ends_with("get /echo?two\n"));
  CHECK(f.send("st: x\r\n\r\n").ends_with("get /echo\n"));
  CHECK(f.server.counters().connections == 2);
}

}  // namespace
