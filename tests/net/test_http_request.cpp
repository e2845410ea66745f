// The HTTP/1.1 request parser: requests as curl and wrk send them, split at
// every byte, every error with its status code and the byte it stops at,
// limits at their exact boundaries, Content-Length and chunked framing,
// keep-alive, pipelining.
#include <doctest/doctest.h>

#include <cstddef>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <strata/http/request.hpp>

namespace strata::http {
// For doctest's messages.
// NOLINTNEXTLINE(misc-use-internal-linkage): doctest finds it by argument-dependent lookup, in this namespace
inline std::ostream& operator<<(std::ostream& os, feed_result const& r) {
  return os << "{consumed " << r.consumed << ", status " << int(r.status) << ", error " << name(r.error) << "}";
}
}  // namespace strata::http

namespace {

using namespace strata::http;
using namespace std::string_view_literals;

// Requests as sent by curl 7.88.1 and wrk 4.1.0 (Debian 12), recorded by a
// Python socket server on 127.0.0.1 that saved the bytes it received:
//   curl http://127.0.0.1:18080/index.html?q=1
constexpr auto curl_get =
    "GET /index.html?q=1 HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"sv;
//   curl -H 'Content-Type: application/json' -d '{"name":"strata"}' http://127.0.0.1:18081/api/items
constexpr auto curl_post =
    "POST /api/items HTTP/1.1\r\nHost: 127.0.0.1:18081\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
    "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"name\":\"strata\"}"sv;
//   printf 'hello strata\n' | curl -H 'Transfer-Encoding: chunked' -H 'Expect:' -T - http://127.0.0.1:18091/upload
constexpr auto curl_chunked =
    "PUT /upload HTTP/1.1\r\nHost: 127.0.0.1:18091\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
    "Transfer-Encoding: chunked\r\n\r\nd\r\nhello strata\n\r\n0\r\n\r\n"sv;
//   head -c 1100 /dev/zero | tr '\0' x >body.txt; curl -T body.txt http://127.0.0.1:18097/upload
// (curl sends Expect: 100-continue for an upload over 1 KiB, then waits up to
// a second for the 100 before it sends the body anyway)
constexpr auto curl_put_expect_head =
    "PUT /upload HTTP/1.1\r\nHost: 127.0.0.1:18097\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
    "Content-Length: 1100\r\nExpect: 100-continue\r\n\r\n"sv;
//   curl -I http://127.0.0.1:18096/
constexpr auto curl_head =
    "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:18096\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"sv;
//   curl --http1.0 -H 'Connection: keep-alive' http://127.0.0.1:18095/status
constexpr auto curl_http10 =
    "GET /status HTTP/1.0\r\nHost: 127.0.0.1:18095\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
    "Connection: keep-alive\r\n\r\n"sv;
//   wrk -t1 -c1 -d1s http://127.0.0.1:18093/
constexpr auto wrk_get = "GET / HTTP/1.1\r\nHost: 127.0.0.1:18093\r\n\r\n"sv;
//   wrk -t1 -c1 -d1s -s /usr/share/doc/wrk/examples/scripts/pipeline.lua http://127.0.0.1:18094/ (one write)
constexpr auto wrk_pipeline =
    "GET /?foo HTTP/1.1\r\nHost: 127.0.0.1:18094\r\n\r\nGET /?bar HTTP/1.1\r\nHost: 127.0.0.1:18094\r\n\r\n"
    "GET /?baz HTTP/1.1\r\nHost: 127.0.0.1:18094\r\n\r\n"sv;

// Small limits, to reach each at its boundary.
constexpr request_limits small{
    .max_request_line = 32, .max_header_bytes = 64, .max_headers = 3, .max_body = 16, .max_chunk_line = 16};
using small_parser = basic_request_parser<small>;

// Everything a parse produced, as values that outlive the parser.
struct outcome {
  feed_result result{};
  std::string method{}, target{}, version{}, body{};
  std::vector<std::pair<std::string, std::string>> headers{};
  bool keep_alive = false;
  bool chunked = false;
  bool operator==(outcome const&) const = default;
};

template <class Parser>
outcome outcome_of(Parser const& p, feed_result r) {
  outcome o{.result = r};
  if (r.status != parse_status::complete) return o;
  auto const& q = p.request();
  o.method = name(q.method);
  o.target = q.target;
  o.version = name(q.version);
  o.body = q.body;
  for (auto const& h : q.headers) o.headers.emplace_back(h.name, h.value);
  o.keep_alive = q.keep_alive;
  o.chunked = q.chunked;
  return o;
}

// Parses `text` in one piece with a fresh parser.
template <class Parser = request_parser>
outcome parse(std::string_view text) {
  auto p = std::make_unique<Parser>();
  std::vector<char> const copy(text.begin(), text.end());  // on the heap: ASan sees reads past it
  return outcome_of(*p, p->feed(std::string_view{copy.data(), copy.size()}));
}

template <class Parser = request_parser>
feed_result result_of(std::string_view text) {
  return parse<Parser>(text).result;
}

constexpr feed_result failed_at(std::size_t consumed, request_error e) {
  return {.consumed = consumed, .status = parse_status::failed, .error = e};
}
constexpr feed_result complete_at(std::size_t consumed) {
  return {.consumed = consumed, .status = parse_status::complete};
}

// Feeds pieces one after another, as a TCP stream delivers them, and sums
// what was consumed; stops at the first piece that completes or fails.
template <class Parser>
feed_result feed_pieces(Parser& p, std::vector<std::string_view> const& pieces) {
  feed_result total{};
  for (auto piece : pieces) {
    std::vector<char> const copy(piece.begin(), piece.end());
    auto const r = p.feed(std::string_view{copy.data(), copy.size()});
    total = {.consumed = total.consumed + r.consumed, .status = r.status, .error = r.error};
    if (r.status != parse_status::incomplete) break;
    CHECK(r.consumed == piece.size());  // an incomplete request takes all it is given
  }
  return total;
}

// The outcome does not depend on where the input is cut: in two at every
// position, and byte by byte.
template <class Parser = request_parser>
void check_every_split(std::string_view text) {
  auto const whole = parse<Parser>(text);
  auto p = std::make_unique<Parser>();
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    CAPTURE(cut);
    p->reset();
    CHECK(outcome_of(*p, feed_pieces(*p, {text.substr(0, cut), text.substr(cut)})) == whole);
  }
  std::vector<std::string_view> bytes;
  bytes.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) bytes.push_back(text.substr(i, 1));
  p->reset();
  CHECK(outcome_of(*p, feed_pieces(*p, bytes)) == whole);
}

TEST_CASE("http: curl's GET") {
  auto const o = parse(curl_get);
  CHECK(o.result == complete_at(curl_get.size()));
  CHECK(o.method == "GET");
  CHECK(o.target == "/index.html?q=1");
  CHECK(o.version == "HTTP/1.1");
  CHECK(o.headers == std::vector<std::pair<std::string, std::string>>{
                         {"Host", "127.0.0.1:18080"}, {"User-Agent", "curl/7.88.1"}, {"Accept", "*/*"}});
  CHECK(o.body.empty());
  CHECK(o.keep_alive);
  CHECK_FALSE(o.chunked);
}

TEST_CASE("http: curl's POST with a Content-Length body") {
  auto const o = parse(curl_post);
  CHECK(o.result == complete_at(curl_post.size()));
  CHECK(o.method == "POST");
  CHECK(o.target == "/api/items");
  CHECK(o.headers.size() == 5);
  CHECK(o.body == R"({"name":"strata"})");
  CHECK_FALSE(o.chunked);
}

TEST_CASE("http: curl's chunked PUT") {
  auto const o = parse(curl_chunked);
  CHECK(o.result == complete_at(curl_chunked.size()));
  CHECK(o.method == "PUT");
  CHECK(o.body == "hello strata\n");
  CHECK(o.chunked);
  CHECK(o.keep_alive);
}

TEST_CASE("http: Expect: 100-continue is reported between the headers and the body's first byte") {
  constexpr request_limits roomy{.max_body = 2048};
  auto p = std::make_unique<basic_request_parser<roomy>>();
  CHECK_FALSE(p->wants_continue());
  CHECK(p->feed(curl_put_expect_head.substr(0, curl_put_expect_head.size() - 1)).status == parse_status::incomplete);
  CHECK_FALSE(p->wants_continue());  // the headers are not complete yet
  CHECK(p->feed(curl_put_expect_head.substr(curl_put_expect_head.size() - 1)).status == parse_status::incomplete);
  CHECK(p->wants_continue());
  std::string const body(1100, 'x');
  CHECK(p->feed(std::string_view{body}.substr(0, 1)).status == parse_status::incomplete);
  CHECK_FALSE(p->wants_continue());  // the body has started: no 100 any more
  CHECK(p->feed(std::string_view{body}.substr(1)) == complete_at(1099));
  CHECK_FALSE(p->wants_continue());
  CHECK(p->request().header("expect") == "100-continue");

  // A chunked body: until the first chunk-size byte.
  p->reset();
  CHECK(p->feed("PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n"sv)
            .status == parse_status::incomplete);
  CHECK(p->wants_continue());
  CHECK(p->feed("5"sv).status == parse_status::incomplete);
  CHECK_FALSE(p->wants_continue());

  // Not for HTTP/1.0 (RFC 9110 10.1.1), nor without a body, nor for another expectation.
  for (auto const text : {"PUT /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"sv,
                          "PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"sv,
                          "PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\n"sv}) {
    CAPTURE(text);
    p->reset();
    (void)p->feed(text);
    CHECK_FALSE(p->wants_continue());
  }
  // reset() forgets it.
  p->reset();
  (void)p->feed(curl_put_expect_head);
  REQUIRE(p->wants_continue());
  p->reset();
  (void)p->feed("PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"sv);
  CHECK_FALSE(p->wants_continue());
}

TEST_CASE("http: curl's HEAD, HTTP/1.0 with keep-alive, and wrk's GET") {
  auto const head = parse(curl_head);
  CHECK(head.result == complete_at(curl_head.size()));
  CHECK(head.method == "HEAD");
  auto const old = parse(curl_http10);
  CHECK(old.result == complete_at(curl_http10.size()));
  CHECK(old.version == "HTTP/1.0");
  CHECK(old.target == "/status");
  CHECK(old.keep_alive);
  auto const wrk = parse(wrk_get);
  CHECK(wrk.result == complete_at(41));
  CHECK(wrk.headers == std::vector<std::pair<std::string, std::string>>{{"Host", "127.0.0.1:18093"}});
}

TEST_CASE("http: the header lookup ignores case, values lose surrounding whitespace") {
  auto p = std::make_unique<request_parser>();
  auto const r =
      p->feed("GET / HTTP/1.1\r\nhOsT:a\r\nX-Spaced: \t a  b \t\r\nX-Empty:\r\nX-Utf8: caf\xc3\xa9\r\n\r\n"sv);
  REQUIRE(r.status == parse_status::complete);
  auto const& q = p->request();
  CHECK(q.header("HOST") == "a");
  CHECK(q.header("x-spaced") == "a  b");
  CHECK(q.header("X-Empty") == "");
  CHECK(q.header("x-utf8") == "caf\xc3\xa9");  // obs-text is allowed in values
  CHECK_FALSE(q.header("Accept").has_value());
  CHECK(q.headers.size() == 4);
  CHECK(q.headers[0].name == "hOsT");
}

TEST_CASE("http: every literal request gives the same result cut anywhere or byte by byte") {
  for (auto text : {curl_get, curl_post, curl_chunked, curl_head, curl_http10, wrk_get, wrk_pipeline}) {
    CAPTURE(text);
    check_every_split(text);
  }
}

TEST_CASE("http: pipelined requests, each from where the last one stopped") {
  auto p = std::make_unique<request_parser>();
  std::string_view in = wrk_pipeline;
  std::vector<std::string> targets;
  std::vector<std::size_t> consumed;
  while (!in.empty()) {
    auto const r = p->feed(in);
    REQUIRE(r.status == parse_status::complete);
    targets.emplace_back(p->request().target);
    consumed.push_back(r.consumed);
    in.remove_prefix(r.consumed);
    // Complete: nothing more is taken until reset().
    CHECK(p->feed(in) == complete_at(0));
    p->reset();
  }
  CHECK(targets == std::vector<std::string>{"/?foo", "/?bar", "/?baz"});
  CHECK(consumed == std::vector<std::size_t>{45, 45, 45});

  // A body, a chunked body and empty lines between requests.
  std::string const mixed = std::string{curl_post} + std::string{curl_chunked} + "\r\n\r\n" + std::string{wrk_get};
  std::string_view rest = mixed;
  std::vector<std::string> bodies;
  consumed.clear();
  while (!rest.empty()) {
    auto const r = p->feed(rest);
    REQUIRE(r.status == parse_status::complete);
    bodies.emplace_back(p->request().body);
    consumed.push_back(r.consumed);
    rest.remove_prefix(r.consumed);
    p->reset();
  }
  CHECK(bodies == std::vector<std::string>{R"({"name":"strata"})", "hello strata\n", ""});
  CHECK(consumed == std::vector<std::size_t>{curl_post.size(), curl_chunked.size(), 4 + wrk_get.size()});
  check_every_split(mixed);
}

TEST_CASE("http: request-line errors, their status codes and where they stop") {
  CHECK(result_of("GET  / HTTP/1.1\r\n"sv) == failed_at(5, request_error::bad_request_line));
  CHECK(result_of(" GET / HTTP/1.1\r\n"sv) == failed_at(1, request_error::bad_request_line));
  CHECK(result_of("G(T / HTTP/1.1\r\n"sv) == failed_at(2, request_error::bad_request_line));
  CHECK(result_of("\nGET / HTTP/1.1\r\n"sv) == failed_at(1, request_error::bad_request_line));
  CHECK(result_of("\r\rGET / HTTP/1.1\r\n"sv) == failed_at(2, request_error::bad_request_line));
  CHECK(result_of("GET /\r\n\r\n"sv) == failed_at(6, request_error::bad_request_line));  // HTTP/0.9
  CHECK(result_of("GET / HTTP/1.1 \r\n"sv) == failed_at(15, request_error::bad_request_line));
  CHECK(result_of("GET / HTTP/1.1\n"sv) == failed_at(15, request_error::bad_request_line));
  CHECK(result_of("GET / HTTP/1.1\rX"sv) == failed_at(16, request_error::bad_request_line));
  CHECK(result_of("GET / http/1.1\r\n"sv) == failed_at(15, request_error::bad_request_line));
  CHECK(result_of("GET / HTTP/1.10\r\n"sv) == failed_at(15, request_error::bad_request_line));
  CHECK(result_of("GET / HTTP/11\r\n"sv) == failed_at(14, request_error::bad_request_line));
  CHECK(result_of("GET /\x7f HTTP/1.1\r\n"sv) == failed_at(6, request_error::bad_request_line));
  CHECK(result_of("GET /caf\xc3\xa9 HTTP/1.1\r\n"sv) == failed_at(9, request_error::bad_request_line));
  // Targets.
  CHECK(result_of("GET index.html HTTP/1.1\r\n"sv) == failed_at(15, request_error::bad_target));
  CHECK(result_of("GET * HTTP/1.1\r\n"sv) == failed_at(6, request_error::bad_target));
  CHECK(result_of("GET 1http://a/ HTTP/1.1\r\n"sv) == failed_at(15, request_error::bad_target));
  CHECK(result_of("GET [::1]:80 HTTP/1.1\r\n"sv) == failed_at(13, request_error::bad_target));
  CHECK(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"sv).target == "*");
  CHECK(parse("GET http://a.example/x?y HTTP/1.1\r\nHost: a.example\r\n\r\n"sv).target == "http://a.example/x?y");
  // Methods: case-sensitive, six known; the rest are 501 once seen whole, or
  // once longer than any known one.
  CHECK(result_of("get / HTTP/1.1\r\n"sv) == failed_at(4, request_error::unknown_method));
  CHECK(result_of("PATCH / HTTP/1.1\r\n"sv) == failed_at(6, request_error::unknown_method));
  CHECK(result_of("CONNECT a:443 HTTP/1.1\r\n"sv) == failed_at(8, request_error::unknown_method));
  CHECK(result_of("GETTINGLONG / HTTP/1.1\r\n"sv) == failed_at(9, request_error::unknown_method));
  for (auto m : {"GET"sv, "HEAD"sv, "POST"sv, "PUT"sv, "DELETE"sv, "OPTIONS"sv})
    CHECK(parse(std::string{m} + " / HTTP/1.1\r\nHost: a\r\n\r\n").method == m);
  // Versions.
  CHECK(result_of("GET / HTTP/2.0\r\n"sv) == failed_at(15, request_error::unsupported_version));
  CHECK(result_of("GET / HTTP/0.9\r\n"sv) == failed_at(15, request_error::unsupported_version));
  CHECK(result_of("GET / HTTP/1.2\r\n"sv) == failed_at(15, request_error::unsupported_version));
  CHECK(status_code(request_error::unsupported_version) == 505);
  CHECK(status_code(request_error::unknown_method) == 501);
  CHECK(status_code(request_error::bad_target) == 400);
}

TEST_CASE("http: the request-line limit, exactly") {
  // 14 bytes around the target: "GET /" + 18 + " HTTP/1.1" is 32, the limit.
  std::string const fits = "GET /" + std::string(18, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  CHECK(result_of<small_parser>(fits) == complete_at(fits.size()));
  std::string const over = "GET /" + std::string(19, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  CHECK(result_of<small_parser>(over) == failed_at(33, request_error::uri_too_long));
  CHECK(status_code(request_error::uri_too_long) == 414);
  // Empty lines in front do not count.
  CHECK(result_of<small_parser>("\r\n\r\n" + fits) == complete_at(fits.size() + 4));
}

TEST_CASE("http: header errors") {
  auto const with = [](std::string_view fields) { return "GET / HTTP/1.1\r\n" + std::string{fields}; };
  CHECK(result_of(with("Host : a\r\n\r\n")) == failed_at(16 + 5, request_error::bad_header));
  CHECK(result_of(with("Host: a\r\n Folded\r\n\r\n")) == failed_at(16 + 10, request_error::obs_fold));
  CHECK(result_of(with("Host: a\r\nX: b\r\n\tc\r\n\r\n")) == failed_at(16 + 16, request_error::obs_fold));
  CHECK(result_of(with(" Host: a\r\n\r\n")) == failed_at(17, request_error::bad_header));  // before the first field
  CHECK(result_of(with(": a\r\n\r\n")) == failed_at(17, request_error::bad_header));
  CHECK(result_of(with("Ho(st: a\r\n\r\n")) == failed_at(16 + 3, request_error::bad_header));
  CHECK(result_of(with("Host\r\n\r\n")) == failed_at(16 + 5, request_error::bad_header));
  CHECK(result_of(with("Host: a\x01z\r\n\r\n")) == failed_at(16 + 8, request_error::bad_header));
  CHECK(result_of(with("Host: a\x7f\r\n\r\n")) == failed_at(16 + 8, request_error::bad_header));
  CHECK(result_of(with(std::string{"Host: a\0b\r\n\r\n", 13})) == failed_at(16 + 8, request_error::bad_header));
  CHECK(result_of(with("Host: a\nX: b\r\n\r\n")) == failed_at(16 + 8, request_error::bad_header));
  CHECK(result_of(with("Host: a\rX: b\r\n\r\n")) == failed_at(16 + 9, request_error::bad_header));
  CHECK(result_of(with("Host: a\r\n\rX")) == failed_at(16 + 11, request_error::bad_header));
  CHECK(status_code(request_error::bad_header) == 400);
  CHECK(status_code(request_error::obs_fold) == 400);
  // Host: exactly one in HTTP/1.1, none needed in HTTP/1.0.
  CHECK(result_of(with("Accept: */*\r\n\r\n")) == failed_at(16 + 15, request_error::bad_host));
  CHECK(result_of(with("Host: a\r\nhost: a\r\n\r\n")) == failed_at(16 + 18, request_error::bad_host));
  CHECK(result_of("GET / HTTP/1.0\r\n\r\n"sv) == complete_at(18));
}

TEST_CASE("http: the header-section limits, exactly") {
  // "Host: a\r\n" (9) + "X: " + 48 + "\r\n" (53) + "\r\n" (2) = 64, the limit.
  std::string const fits = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(48, 'v') + "\r\n\r\n";
  CHECK(result_of<small_parser>(fits) == complete_at(fits.size()));
  std::string const over = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(49, 'v') + "\r\n\r\n";
  CHECK(result_of<small_parser>(over) == failed_at(16 + 65, request_error::headers_too_large));
  CHECK(status_code(request_error::headers_too_large) == 431);
  // Three field lines fit; the fourth is one too many.
  std::string const three = "GET / HTTP/1.1\r\nHost: a\r\nB: b\r\nC: c\r\n\r\n";
  CHECK(result_of<small_parser>(three) == complete_at(three.size()));
  std::string const four = "GET / HTTP/1.1\r\nHost: a\r\nB: b\r\nC: c\r\nD: d\r\n\r\n";
  CHECK(result_of<small_parser>(four) == failed_at(16 + 9 + 6 + 6 + 1, request_error::too_many_headers));
  CHECK(status_code(request_error::too_many_headers) == 431);
}

TEST_CASE("http: Content-Length") {
  auto const post = [](std::string_view fields, std::string_view body = "") {
    return "POST / HTTP/1.1\r\nHost: a\r\n" + std::string{fields} + "\r\n" + std::string{body};
  };
  CHECK(parse(post("Content-Length: 5\r\n", "hello")).body == "hello");
  CHECK(parse(post("Content-Length: 005\r\n", "hello")).body == "hello");
  CHECK(parse(post("Content-Length: 5, 5\r\n", "hello")).body == "hello");
  CHECK(parse(post("Content-Length: 5\r\ncontent-length: 5\r\n", "hello")).body == "hello");
  CHECK(parse(post("Content-Length: 0\r\n")).result == complete_at(47));
  auto const bad = [&](std::string_view fields) {
    auto const text = post(fields);
    return result_of(text) == failed_at(text.size() - 2, request_error::bad_content_length);
  };
  CHECK(bad("Content-Length: 5, 6\r\n"));
  CHECK(bad("Content-Length: 5\r\nContent-Length: 6\r\n"));
  CHECK(bad("Content-Length: \r\n"));
  CHECK(bad("Content-Length: ,\r\n"));
  CHECK(bad("Content-Length: -1\r\n"));
  CHECK(bad("Content-Length: +5\r\n"));
  CHECK(bad("Content-Length: 0x10\r\n"));
  CHECK(bad("Content-Length: 5 5\r\n"));
  CHECK(status_code(request_error::bad_content_length) == 400);
  // The body limit, exactly: 16 fits, 17 is refused when the headers end.
  std::string const fits = post("Content-Length: 16\r\n", "0123456789abcdef");
  CHECK(parse<small_parser>(fits).body == "0123456789abcdef");
  std::string const over = post("Content-Length: 17\r\n", "0123456789abcdefg");
  CHECK(result_of<small_parser>(over) == failed_at(over.size() - 17, request_error::body_too_large));
  std::string const huge = post("Content-Length: 99999999999999999999999999\r\n");
  CHECK(result_of(huge) == failed_at(huge.size(), request_error::body_too_large));
  CHECK(status_code(request_error::body_too_large) == 413);
  // Incomplete until the last body byte, which completes it.
  std::string const text = post("Content-Length: 5\r\n", "hello") + "GET";
  CHECK(result_of(text.substr(0, text.size() - 4)) == feed_result{.consumed = text.size() - 4});
  CHECK(result_of(text) == complete_at(text.size() - 3));
}

TEST_CASE("http: Transfer-Encoding") {
  auto const te = [](std::string_view fields, std::string_view version = "1.1") {
    return "POST / HTTP/" + std::string{version} + "\r\nHost: a\r\n" + std::string{fields} + "\r\n";
  };
  auto const fails = [&](std::string const& text, request_error e) {
    return result_of(text) == failed_at(text.size(), e);
  };
  CHECK(fails(te("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), request_error::ambiguous_framing));
  CHECK(fails(te("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), request_error::ambiguous_framing));
  CHECK(fails(te("Transfer-Encoding: chunked, gzip\r\n"), request_error::bad_transfer_encoding));
  CHECK(fails(te("Transfer-Encoding: gzip\r\n"), request_error::bad_transfer_encoding));
  CHECK(fails(te("Transfer-Encoding: chunked, chunked\r\n"), request_error::bad_transfer_encoding));
  CHECK(fails(te("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
              request_error::bad_transfer_encoding));
  CHECK(fails(te("Transfer-Encoding:\r\n"), request_error::bad_transfer_encoding));
  CHECK(fails(te("Transfer-Encoding: chunked\r\n", "1.0"), request_error::bad_transfer_encoding));
  CHECK(fails(te("Transfer-Encoding: gzip, chunked\r\n"), request_error::unknown_transfer_coding));
  CHECK(fails(te("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), request_error::unknown_transfer_coding));
  CHECK(status_code(request_error::ambiguous_framing) == 400);
  CHECK(status_code(request_error::bad_transfer_encoding) == 400);
  CHECK(status_code(request_error::unknown_transfer_coding) == 501);
  // Case-insensitive, empty list elements ignored.
  CHECK(parse(te("transfer-encoding: , CHUNKED\r\n") + "0\r\n\r\n").chunked);
}

TEST_CASE("http: chunked bodies") {
  std::string const head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  // Several chunks, upper and lower case hex, leading zeros, extensions, trailers.
  std::string const text = head + "5;name=value\r\nhello\r\n0001 ; x\r\n \r\nA\r\n0123456789\r\n0;last\r\n"
                                  "Trailer-X: y\r\nTrailer-Y: z\r\n\r\nGET";
  auto const o = parse(text);
  CHECK(o.result == complete_at(text.size() - 3));
  CHECK(o.body == "hello 0123456789");
  CHECK(o.headers.size() == 2);  // trailers are not kept
  check_every_split(text);
  auto const fails = [&](std::string const& body, std::size_t at, request_error e) {
    return result_of(head + body) == failed_at(head.size() + at, e);
  };
  CHECK(fails("g\r\n", 1, request_error::bad_chunk));
  CHECK(fails("\r\n", 1, request_error::bad_chunk));
  CHECK(fails(";x\r\n", 1, request_error::bad_chunk));
  CHECK(fails("5\n", 2, request_error::bad_chunk));
  CHECK(fails("5 \r\n", 3, request_error::bad_chunk));  // whitespace only before an extension
  CHECK(fails("5;\x01\r\n", 3, request_error::bad_chunk));
  CHECK(fails("5\r\nhelloX", 9, request_error::bad_chunk));
  CHECK(fails("5\r\nhello\rX", 10, request_error::bad_chunk));
  CHECK(fails("0\r\nTrailer : y\r\n\r\n", 11, request_error::bad_header));
  CHECK(fails("0\r\nTrailer: y\r\n folded\r\n\r\n", 16, request_error::obs_fold));
  CHECK(fails("0\r\n\r\r", 5, request_error::bad_header));
  CHECK(status_code(request_error::bad_chunk) == 400);
  // Limits, exactly: 16 bytes of chunks fit the small parser's body, 17 do not,
  // noticed at the size digit that goes over.
  std::string const small_head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string const fits = small_head + "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n";
  CHECK(parse<small_parser>(fits).body == "0123456789abcdef");
  std::string const over = small_head + "8\r\n01234567\r\n9\r\n89abcdefg\r\n0\r\n\r\n";
  CHECK(result_of<small_parser>(over) == failed_at(small_head.size() + 14, request_error::body_too_large));
  std::string const huge = small_head + "fffffffffffffffffffffffff\r\n";
  CHECK(result_of<small_parser>(huge) == failed_at(small_head.size() + 2, request_error::body_too_large));
  // A chunk-size line of 16 bytes fits, 17 do not.
  CHECK(result_of<small_parser>(small_head + "0;aaaaaaaaaaaaaa\r\n\r\n") == complete_at(small_head.size() + 20));
  CHECK(result_of<small_parser>(small_head + "0;aaaaaaaaaaaaaaa\r\n\r\n") ==
        failed_at(small_head.size() + 17, request_error::bad_chunk));
  CHECK(result_of<small_parser>(small_head + "00000000000000001\r\n") ==
        failed_at(small_head.size() + 17, request_error::bad_chunk));
  // Trailers have the header section's byte limit: 64.
  std::string const trailer_fits = small_head + "0\r\nT: " + std::string(57, 't') + "\r\n\r\n";
  CHECK(result_of<small_parser>(trailer_fits) == complete_at(trailer_fits.size()));
  std::string const trailer_over = small_head + "0\r\nT: " + std::string(58, 't') + "\r\n\r\n";
  CHECK(result_of<small_parser>(trailer_over) ==
        failed_at(small_head.size() + 3 + 65, request_error::headers_too_large));
  // The trailer section does not count against the header-line count.
  std::string const many = small_head + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
  CHECK(result_of<small_parser>(many) == complete_at(many.size()));
}

TEST_CASE("http: keep-alive") {
  auto const keep = [](std::string_view version, std::string_view fields) {
    return parse("GET / HTTP/" + std::string{version} + "\r\nHost: a\r\n" + std::string{fields} + "\r\n").keep_alive;
  };
  CHECK(keep("1.1", ""));
  CHECK_FALSE(keep("1.1", "Connection: close\r\n"));
  CHECK_FALSE(keep("1.1", "connection: Upgrade, CLOSE\r\n"));
  CHECK_FALSE(keep("1.1", "Connection: keep-alive\r\nConnection: close\r\n"));
  CHECK(keep("1.1", "Connection: keep-alive\r\n"));
  CHECK_FALSE(keep("1.0", ""));
  CHECK(keep("1.0", "Connection: Keep-Alive\r\n"));
  CHECK_FALSE(keep("1.0", "Connection: keep-alive, close\r\n"));
  CHECK_FALSE(keep("1.0", "Connection: closed\r\n"));
}

TEST_CASE("http: a finished parser takes nothing more until reset") {
  auto p = std::make_unique<small_parser>();
  CHECK(p->feed("get"sv) == feed_result{.consumed = 3});  // a method is judged whole
  CHECK(p->feed(" / HTTP/1.1\r\n"sv) == failed_at(1, request_error::unknown_method));
  CHECK(p->feed(" / HTTP/1.1\r\n"sv) == failed_at(0, request_error::unknown_method));
  CHECK(p->status() == parse_status::failed);
  CHECK(p->error() == request_error::unknown_method);
  p->reset();
  CHECK(p->status() == parse_status::incomplete);
  CHECK(p->feed(""sv) == feed_result{});
  CHECK(p->feed(wrk_get) == complete_at(wrk_get.size()));
  CHECK(p->request().target == "/");
}

TEST_CASE("http: every error case gives the same result cut anywhere") {
  for (auto text : {"GET  / HTTP/1.1\r\n"sv, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"sv, "PATCH / HTTP/1.1\r\n"sv,
                    "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n"sv, "GET / HTTP/1.1\r\n\r\n"sv,
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"sv,
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX"sv}) {
    CAPTURE(text);
    check_every_split(text);
    check_every_split<small_parser>(text);
  }
  std::string const long_target = "GET /" + std::string(40, 'a') + " HTTP/1.1\r\n";
  check_every_split<small_parser>(long_target);
}

TEST_CASE("http: request_error names, status codes and reasons") {
  std::set<std::string_view> names;
  for (auto e : all_request_errors) {
    CHECK_FALSE(name(e).empty());
    CHECK_FALSE(reason_phrase(status_code(e)).empty());
    names.insert(name(e));
  }
  CHECK(names.size() == request_error_count);
  CHECK(reason_phrase(431) == "Request Header Fields Too Large");
  CHECK(reason_phrase(413) == "Content Too Large");
}

// The parser works in constant evaluation too. (The limits are named:
// cppcheck 2.10 fails on a designated initialiser as a template argument here.)
constexpr request_limits compile_time_limits{
    .max_request_line = 64, .max_header_bytes = 64, .max_headers = 2, .max_body = 8};
static_assert([] {
  basic_request_parser<compile_time_limits> p;
  auto const r = p.feed("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET"sv);
  return r == feed_result{.consumed = 50, .status = parse_status::complete} && p.request().body == "hi" &&
         p.request().method == method::post && p.request().header("host") == "a";
}());

}  // namespace
