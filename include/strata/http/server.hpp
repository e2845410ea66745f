// An HTTP/1.1 server in a system: a TCP service whose routes are types.
//
//   struct hello {                       // a route's handler: a member per method
//     void get(auto& sys, strata::http::request const& req, strata::http::response& res) {
//       res.content_type("text/plain; charset=utf-8");
//       res.print("hello, {}\n"_fmt, req.target);
//     }
//   };
//   strata::net::tcp<>{},
//   strata::http::server<80, strata::http::routes<
//       strata::http::route<"/hello", hello>,        // dynamic
//       strata::http::files<strata::embedded::site>, // embedded at build time (files.hpp)
//       strata::http::route<"/stats", strata::http::system_stats>>>{},
//
// What the server does for every route, so handlers do not: parsing
// (request.hpp: bad input is a 4xx or 501 and a close), keep-alive and
// pipelining (requests answered in order, each once the send buffer has room
// for it), HEAD (a GET without the body), OPTIONS and 405 with Allow (from the
// handler's members), 404, ETag and 304 for files, Content-Length, Connection:
// close when the client or an error asks, and timeouts (a request still
// incomplete after request_timeout is a 408; a kept-alive connection idle for
// idle_timeout is closed), since connection slots are few.
//
// Memory: one request parser per TCP connection (limits.request), and one
// response buffer of limits.max_response bytes for the whole server (handlers
// run one at a time). A handler runs only when the connection's send buffer
// can take its whole answer, so it runs once per request and never blocks.
// A file's body goes from the image's read-only data to the send buffer, in
// as many turns as the buffer needs.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <strata/core/capability.hpp>
#include <strata/core/errors.hpp>
#include <strata/core/surface.hpp>
#include <strata/core/text.hpp>
#include <strata/format.hpp>
#include <strata/http/files.hpp>
#include <strata/http/request.hpp>
#include <strata/net/tcp/layer.hpp>

namespace strata::http {

// What a handler writes its answer into: a status (200 unless set), header
// lines, and a body in the server's response buffer. A Console, so
// print("..."_fmt, ...) formats into the body with fmt's compile-time checks.
class response {
 public:
  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): named as the members they fill
  constexpr response(std::span<char> body, std::span<char> headers) : body_{body}, headers_{headers} {}

  constexpr void status(std::uint16_t code) { status_ = code; }
  constexpr std::uint16_t status() const { return status_; }
  constexpr void content_type(std::string_view type) { content_type_ = type; }
  constexpr std::string_view content_type() const { return content_type_; }
  // An extra header line. Names and values with CR, LF or NUL are refused
  // (a response splitting guard); the answer becomes a 500.
  constexpr void header(std::string_view name, std::string_view value) {
    for (std::string_view part : {name, value})
      for (char c : part)
        if (c == '\r' || c == '\n' || c == '\0') overflow_ = true;
    for (std::string_view part : {name, std::string_view{": "}, value, std::string_view{"\r\n"}}) append(headers_, headers_size_, part);
  }
  // Body bytes; what does not fit in the server's max_response makes the answer a 500.
  constexpr void write(std::string_view bytes) { append(body_, body_size_, bytes); }
  template <fixed_string S, class... Args>
  void print(format_string<S> format, Args const&... args) {
    strata::print(*this, format, args...);
  }

  constexpr std::string_view body() const { return {body_.data(), body_size_}; }
  constexpr std::string_view headers() const { return {headers_.data(), headers_size_}; }
  // Something did not fit, or a header was unsafe.
  constexpr bool failed() const { return overflow_; }

 private:
  constexpr void append(std::span<char> to, std::size_t& size, std::string_view bytes) {
    if (bytes.size() > to.size() - size) {
      overflow_ = true;
      return;
    }
    for (char c : bytes) to[size++] = c;
  }
  std::span<char> body_;
  std::span<char> headers_;
  std::size_t body_size_ = 0;
  std::size_t headers_size_ = 0;
  std::uint16_t status_ = 200;
  std::string_view content_type_ = "text/plain; charset=utf-8";
  bool overflow_ = false;
};

// A dynamic route: a handler at an exact path (the target without its query).
// The handler answers with members named after methods, each
// void m(auto& sys, request const&, response&): get, post, put, delete_,
// options. HEAD is answered from get.
template <fixed_string Path, class Handler>
struct route {
  static_assert(Path.view().starts_with('/'), "strata: http::route<Path, Handler>: a path starts with '/'");
  static constexpr std::string_view path = Path.view();
  using handler_type = Handler;
};

// The files of a file set (files.hpp), each at its path; a path ending in
// '/' serves its index.html.
template <FileSet Files>
struct files {
  using file_set = Files;
};

template <class... Routes>
struct routes {};

// The server's limits, a template argument: server<80, R, limits{.connections = 32}>.
struct limits {
  std::size_t connections = 8;  // connections served at once: at least the TCP layer's
  request_limits request{.max_request_line = 2048, .max_header_bytes = 4096, .max_headers = 32, .max_body = 4096,
                         .max_chunk_line = 256};
  std::size_t max_response = 4096;            // a dynamic answer's body
  std::size_t max_headers = 512;              // a dynamic answer's extra header lines
  time_ns request_timeout = 10'000'000'000;   // from a request's first byte to its last (408)
  time_ns idle_timeout = 30'000'000'000;      // a kept-alive connection with no request
};

struct server_counters {
  std::uint64_t connections = 0;   // accepted
  std::uint64_t requests = 0;      // parsed (complete)
  std::uint64_t bad_requests = 0;  // refused by the parser (4xx, 501, 505)
  std::uint64_t responses_2xx = 0, responses_3xx = 0, responses_4xx = 0, responses_5xx = 0;
  std::uint64_t timeouts = 0;        // 408s and idle connections closed
  std::uint64_t handler_errors = 0;  // a handler's answer did not fit or had an unsafe header (500)

  constexpr void count(std::uint16_t status) {
    if (status < 300)
      ++responses_2xx;
    else if (status < 400)
      ++responses_3xx;
    else if (status < 500)
      ++responses_4xx;
    else
      ++responses_5xx;
  }
  constexpr void visit_counters(auto&& visit) const {
    visit("connections", connections);
    visit("requests", requests);
    visit("bad_requests", bad_requests);
    visit("responses_2xx", responses_2xx);
    visit("responses_3xx", responses_3xx);
    visit("responses_4xx", responses_4xx);
    visit("responses_5xx", responses_5xx);
    visit("timeouts", timeouts);
    visit("handler_errors", handler_errors);
  }
  constexpr void describe_to(text_writer& w) const {
    bool first = true;
    visit_counters([&](std::string_view name, std::uint64_t n) {
      w << (first ? "" : ", ") << name << ' ' << n;
      first = false;
    });
  }
};

}  // namespace strata::http

namespace strata::error {
template <class Handler>
struct route_handler_wrong_shape {
  static_assert(detail::always_false<Handler>,
                "strata: this http::route's handler answers no method; it needs at least one member "
                "'void get(auto& sys, strata::http::request const&, strata::http::response&)' (or post, put, "
                "delete_, options)");
};
template <class Route>
struct http_route_path_never_matches {
  static_assert(detail::always_false<Route>,
                "strata: this http::route's path can never match a request: paths are compared after "
                "percent-decoding and without their query, so write the path decoded (\"/a b\", not "
                "\"/a%20b\") and without '?' or '#'");
};
template <class Server>
struct http_duplicate_path {
  static_assert(detail::always_false<Server>,
                "strata: two routes of this http::server serve the same path (a route<Path, H> or a file); "
                "give each its own path or drop one");
};
template <class Server>
struct http_fewer_connections_than_tcp {
  static_assert(detail::always_false<Server>,
                "strata: this http::server keeps state for fewer connections than the TCP layer opens; set "
                "http::limits{.connections = N} to the N of strata::net::tcp<N>");
};
template <class Server>
struct http_response_over_send_buffer {
  static_assert(detail::always_false<Server>,
                "strata: this http::server's limits.max_response (plus its headers) is larger than the TCP "
                "layer's send buffer, so an answer could never be sent; raise tcp<..., SendBuffer> or lower "
                "max_response");
};
}  // namespace strata::error

namespace strata::http {
namespace detail {

constexpr std::uint8_t bit(method m) { return static_cast<std::uint8_t>(1U << static_cast<unsigned>(m)); }

// The methods a handler answers, as bits of http::method.
template <class H, class Sys>
constexpr std::uint8_t handler_methods() {
  std::uint8_t m = 0;
  if constexpr (requires(H h, Sys& s, request const& q, response& r) { h.get(s, q, r); })
    m |= bit(method::get) | bit(method::head);
  if constexpr (requires(H h, Sys& s, request const& q, response& r) { h.post(s, q, r); }) m |= bit(method::post);
  if constexpr (requires(H h, Sys& s, request const& q, response& r) { h.put(s, q, r); }) m |= bit(method::put);
  if constexpr (requires(H h, Sys& s, request const& q, response& r) { h.delete_(s, q, r); })
    m |= bit(method::delete_);
  if constexpr (requires(H h, Sys& s, request const& q, response& r) { h.options(s, q, r); })
    m |= bit(method::options);
  return m;
}

template <class H, class Sys>
constexpr void call(H& h, method m, Sys& s, request const& q, response& r) {
  switch (m) {
    case method::get:
    case method::head:
      if constexpr (requires { h.get(s, q, r); }) h.get(s, q, r);
      break;
    case method::post:
      if constexpr (requires { h.post(s, q, r); }) h.post(s, q, r);
      break;
    case method::put:
      if constexpr (requires { h.put(s, q, r); }) h.put(s, q, r);
      break;
    case method::delete_:
      if constexpr (requires { h.delete_(s, q, r); }) h.delete_(s, q, r);
      break;
    case method::options:
      if constexpr (requires { h.options(s, q, r); }) h.options(s, q, r);
      break;
  }
}

// "Allow: GET, HEAD\r\n" for a method set.
constexpr void write_allow(text_writer& w, std::uint8_t methods) {
  w << "Allow: ";
  bool first = true;
  for (auto m : {method::get, method::head, method::post, method::put, method::delete_, method::options}) {
    if ((methods & bit(m)) == 0 && m != method::options) continue;  // OPTIONS is always answered
    w << (first ? "" : ", ") << name(m);
    first = false;
  }
  w << "\r\n";
}

// The path of a target: origin-form without its query, or the path of an
// absolute-form target ("http://host/p?q" -> "/p"); "*" stays "*".
constexpr std::string_view target_path(std::string_view target) {
  if (!target.starts_with('/') && target != "*") {
    auto const scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return target;
    auto const path = target.find('/', scheme_end + 3);
    if (path == std::string_view::npos) return "/";
    target.remove_prefix(path);
  }
  // No substr: its out_of_range path would pull exceptions into the image.
  target.remove_suffix(target.size() - std::min(target.size(), target.find_first_of("?#")));
  return target;
}

// A path with its percent-encoded octets decoded (RFC 3986 2.1), as routes
// and file names are written: "/caf%C3%A9%20menu.txt" is "/café menu.txt".
// "%2F" stays as it is, so that no '/' appears that the client did not send
// as one (it names no file or route then), and "%00" and a '%' without two
// hex digits after it make the path invalid (nullopt: a 400). A path with no
// '%' is returned as it is; otherwise it is decoded into `out`, which holds
// a path of its size (decoding only shortens).
constexpr std::optional<std::string_view> decode_path(std::string_view path, std::span<char> out) {
  if (path.find('%') == std::string_view::npos) return path;
  if (path.size() > out.size()) return std::nullopt;
  std::size_t n = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out[n++] = path[i];
      continue;
    }
    if (path.size() - i < 3) return std::nullopt;
    int const hi = hex_value(path[i + 1]);
    int const lo = hex_value(path[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    if (hi == 2 && lo == 0xf) {
      for (std::size_t k = 0; k < 3; ++k) out[n++] = path[i + k];
    } else {
      out[n++] = static_cast<char>(hi * 16 + lo);
    }
    i += 2;
  }
  return std::string_view{out.data(), n};
}

// If-None-Match (RFC 9110 13.1.2): "*" or a list of entity tags, compared
// weakly (W/"x" matches "x").
// NOLINTNEXTLINE(bugprone-easily-swappable-parameters): the header, then what it is compared with
constexpr bool none_match(std::string_view header, std::string_view etag) {
  bool found = false;
  for_each_element(header, [&](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) found = true;
  });
  return found;
}

template <class Route>
struct route_paths {
  static constexpr std::array<std::string_view, 1> value{Route::path};
};
template <class Files>
constexpr std::array<std::string_view, Files::files.size()> file_paths() {
  std::array<std::string_view, Files::files.size()> p{};
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = Files::files[i].path;
  return p;
}
template <class Files>
struct route_paths<files<Files>> {
  static constexpr auto value = file_paths<Files>();  // (not a lambda: cppcheck 2.10 cannot parse it here)
};

template <class... Routes>
constexpr bool paths_distinct() {
  constexpr std::size_t n = (route_paths<Routes>::value.size() + ... + 0);
  std::array<std::string_view, n> all{};
  std::size_t k = 0;
  auto add = [&](auto const& paths) {
    for (auto p : paths) all[k++] = p;
  };
  (add(route_paths<Routes>::value), ...);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (all[i] == all[j]) return false;
  return true;
}

// Stands for the system when a handler's shape is checked in the
// description, before any system exists: handlers take `auto& sys`.
struct any_system {};

template <class R>
constexpr bool answers_something() {
  if constexpr (requires { typename R::handler_type; })
    return handler_methods<typename R::handler_type, any_system>() != 0;
  else
    return true;
}
// A route's path as requests are compared with it (decoded, without the
// query): a '%' in it can only be an encoded '/' ("%2F", kept as sent).
constexpr bool route_path_matchable(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '?' || p[i] == '#') return false;
    if (p[i] == '%' && !(p.substr(i).starts_with("%2F") || p.substr(i).starts_with("%2f"))) return false;
  }
  return true;
}

template <class R>
constexpr bool check_route_shape() {
  if constexpr (requires { typename R::handler_type; }) {
    if constexpr (!route_path_matchable(R::path)) (void)error::http_route_path_never_matches<R>{};
  }
  if constexpr (!answers_something<R>()) (void)error::route_handler_wrong_shape<typename R::handler_type>{};
  return true;
}

template <class T>
struct is_route : std::false_type {};
template <fixed_string P, class H>
struct is_route<route<P, H>> : std::true_type {};
template <class F>
struct is_route<files<F>> : std::true_type {};

inline constexpr std::string_view http_server_name = "http::server<";

}  // namespace detail

template <std::uint16_t Port, class Routes, limits L>
struct server;

// The runtime: a TCP service (tcp/layer.hpp) with per-connection state.
template <std::uint16_t Port, class Routes, limits L>
class server_state;

template <std::uint16_t Port, class... Routes, limits L>
class server_state<Port, routes<Routes...>, L> {
  using parser_type = basic_request_parser<L.request>;
  // Handlers of the dynamic routes, built in place (they may hold state).
  template <class R>
  struct handler_of {
    struct type {};
  };
  template <fixed_string P, class H>
  struct handler_of<route<P, H>> {
    using type = H;
  };

 public:
  using is_tcp_service = void;
  using component = server<Port, routes<Routes...>, L>;
  static constexpr std::uint16_t port = Port;

  constexpr server_state() = default;
  server_state(server_state const&) = delete;
  server_state& operator=(server_state const&) = delete;

  template <class Stream>
  void on_accept(Stream& s) {
    if (s.slot() >= L.connections) {  // cannot happen: validate() checks the counts
      s.abort();
      return;
    }
    auto& c = conns_[s.slot()];
    c.parser.reset();
    c.pending = {};
    c.closing = false;
    c.draining = false;
    c.started = false;
    c.continued = false;
    c.active = true;
    arm(c, s.system().now() + L.idle_timeout);
    ++counters_.connections;
  }
  template <class Stream>
  void on_readable(Stream& s) {
    pump(s);
  }
  template <class Stream>
  void on_writable(Stream& s) {
    pump(s);
  }

  // Timeouts: connections past their deadline get a 408 (mid-request) or
  // are closed (idle).
  template <class Sys>
  void poll(Sys& sys, time_ns now) {
    if (now < next_deadline_) return;
    next_deadline_ = never;
    auto& tcp = sys.template get<cap::TcpLayer>();
    for (std::size_t i = 0; i < L.connections; ++i) {
      auto& c = conns_[i];
      if (!c.active) continue;
      auto s = tcp.service_stream(sys, i);
      if (!s) {  // the connection ended under us (reset, or closed by the layer)
        c.active = false;
        continue;
      }
      if (c.deadline <= now) time_out(*s, c, now);
      if (c.active) next_deadline_ = std::min(next_deadline_, c.deadline);
    }
  }
  constexpr time_ns next_deadline() const { return next_deadline_; }

  constexpr server_counters const& counters() const { return counters_; }
  constexpr void describe_to(text_writer& w) const { counters_.describe_to(w); }
  constexpr void visit_counters(auto&& visit) const { counters_.visit_counters(visit); }

 private:
  static constexpr time_ns never = ~time_ns{0};
  static constexpr time_ns linger_timeout = 2'000'000'000;
  static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
  // The longest head a server writes: status line, fixed lines, a file's
  // lines or a handler's (content type, extra headers), Allow.
  static constexpr std::size_t max_head = 256 + served_file::max_head + L.max_headers;

  struct connection {
    parser_type parser;
    std::string_view pending{};  // a file's body still to send (read-only data)
    time_ns deadline = never;
    bool started = false;   // the current request has its first byte
    bool continued = false;  // its 100 (Continue) is sent
    bool closing = false;   // close once pending is sent
    bool draining = false;  // FIN sent; reading what the client still sends, until it closes
    bool active = false;
  };

  // What a route did with a request.
  enum class routed : std::uint8_t { not_mine, answered, no_room };

  constexpr void arm(connection& c, time_ns deadline) {
    c.deadline = deadline;
    next_deadline_ = std::min(next_deadline_, deadline);
  }

  // A connection past its deadline: a 408 if a request was cut short, then
  // the lingering close; otherwise (idle, stalled, or lingered long enough)
  // it is closed, with a RST if bytes are still unread.
  template <class Stream>
  void time_out(Stream& s, connection& c, time_ns now) {
    bool const mid_request = c.started && !c.closing && c.parser.status() == parse_status::incomplete;
    if (!c.draining) ++counters_.timeouts;
    if (mid_request && c.pending.empty()) {
      c.closing = true;
      if (answer_simple(s, c, 408, "request timeout\n", {}, method::get)) {
        pump(s);
        if (c.active && c.deadline > now) return;
      }
    }
    s.close();
    c.active = false;
  }

  // Answers what has arrived, in order, as far as the send buffer allows.
  template <class Stream>
  void pump(Stream& s) {
    if (s.slot() >= L.connections) return;
    auto& c = conns_[s.slot()];
    if (!c.active) return;
    time_ns const now = s.system().now();
    for (;;) {
      if (!c.pending.empty()) {
        auto const n = s.write(std::as_bytes(std::span{c.pending.data(), c.pending.size()}));
        c.pending.remove_prefix(n);
        if (n != 0) c.deadline = now + L.idle_timeout;  // a slow reader is not idle while it reads
        if (!c.pending.empty()) {
          s.wait_writable();
          return;
        }
      }
      if (c.closing) {
        linger(s, c, now);
        return;
      }
      if (!read_request(s, c, now)) return;
      if (!answer(s, c)) {
        s.wait_writable();  // no room yet: on_writable comes back here
        return;
      }
      c.parser.reset();
      c.started = false;
      c.continued = false;
      arm(c, now + L.idle_timeout);
    }
  }

  // Feeds the parser what has arrived until its request is complete or
  // failed; false when it needs bytes that have not arrived (or the client
  // closed before sending any: then the connection is closed).
  template <class Stream>
  bool read_request(Stream& s, connection& c, time_ns now) {
    while (c.parser.status() == parse_status::incomplete) {
      if (c.parser.wants_continue() && !c.continued) {  // RFC 9110 15.2.1: the body may come
        if (s.writable() < continue_line.size()) {
          s.wait_writable();
          return false;
        }
        send(s, continue_line);
        c.continued = true;
      }
      std::array<std::byte, 1024> in;  // NOLINT(cppcoreguidelines-pro-type-member-init): peek fills what is read
      std::size_t const n = s.peek(in);
      if (n == 0) {
        if (s.peer_closed()) {  // the client is done (a half-close after its last request is fine)
          s.close();
          c.active = false;
        }
        return false;
      }
      if (!c.started) {
        c.started = true;
        arm(c, now + L.request_timeout);
      }
      s.consume(c.parser.feed(std::span{in}.first(n)).consumed);
    }
    return true;
  }

  // After the last answer: FIN, then read and drop what the client still
  // sends until it closes too, or linger_timeout. Closing with unread bytes
  // would send a RST, which may make the client's TCP drop our answer before
  // its application reads it (RFC 9112 9.6; what nginx's lingering close does).
  template <class Stream>
  void linger(Stream& s, connection& c, time_ns now) {
    if (!c.draining) {
      c.draining = true;
      s.shutdown_write();
      arm(c, now + linger_timeout);
    }
    while (s.readable() != 0) s.consume(s.readable());
    if (s.peer_closed()) {
      s.close();
      c.active = false;
    }
  }

  // Answers the parser's complete or failed request; false when the send
  // buffer cannot take the answer yet (nothing was written then).
  template <class Stream>
  bool answer(Stream& s, connection& c) {
    if (c.parser.status() == parse_status::failed) {
      if (s.writable() < max_head + 64) return false;
      auto const status = status_code(c.parser.error());
      ++counters_.bad_requests;
      c.closing = true;  // the framing is lost (RFC 9112 6.3)
      std::array<char, 64> body{};
      text_writer w{body.data(), body.size()};
      w << reason_phrase(status) << '\n';
      return answer_simple(s, c, status, {body.data(), w.size()}, {}, method::get);
    }
    request const& q = c.parser.request();
    c.closing = !q.keep_alive;  // the status line says Connection: close
    if (!dispatch(s, c, q)) {
      c.closing = false;
      return false;
    }
    ++counters_.requests;
    return true;
  }

  // The first route that takes the path answers; a 404 if none does.
  template <class Stream>
  bool dispatch(Stream& s, connection& c, request const& q) {
    auto const decoded = detail::decode_path(detail::target_path(q.target), path_);
    if (!decoded) return answer_simple(s, c, 400, "bad percent-encoding in the path\n", {}, q.method);
    std::string_view const path = *decoded;
    if (q.method == method::options && path == "*")
      return answer_simple(s, c, 204, {}, "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS\r\n", q.method);
    routed r = routed::not_mine;
    (void)(((r = try_route<Routes>(s, c, q, path)) != routed::not_mine) || ...);
    if (r == routed::no_room) return false;
    return r == routed::answered || answer_simple(s, c, 404, "not found\n", {}, q.method);
  }

  template <class R, class Stream>
  routed try_route(Stream& s, connection& c, request const& q, std::string_view path) {
    if constexpr (requires { typename R::file_set; }) {
      for (auto const& f : served_files<typename R::file_set>) {
        bool const index = path.ends_with('/') && f.path.size() == path.size() + 10 && f.path.starts_with(path) &&
                           f.path.ends_with("index.html");
        if (f.path != path && !index) continue;
        if (s.writable() < max_head) return routed::no_room;
        answer_file(s, c, q, f);
        return routed::answered;
      }
      return routed::not_mine;
    } else {
      if (path != R::path) return routed::not_mine;
      if (s.writable() < max_head + L.max_response) return routed::no_room;
      answer_handler<R>(s, c, q);
      return routed::answered;
    }
  }

  template <class R, class Stream>
  void answer_handler(Stream& s, connection& c, request const& q) {
    using Sys = std::remove_cvref_t<decltype(s.system())>;
    using H = typename R::handler_type;
    constexpr std::uint8_t methods = detail::handler_methods<H, Sys>();
    if constexpr (methods == 0) {
      (void)error::route_handler_wrong_shape<H>{};
    } else {
      bool const has = (methods & detail::bit(q.method)) != 0;
      if (!has || (q.method == method::options && (methods & detail::bit(method::options)) == 0)) {
        std::array<char, 80> allow{};
        text_writer w{allow.data(), allow.size()};
        detail::write_allow(w, methods);
        answer_allow(s, c, q.method, {allow.data(), w.size()});
        return;
      }
      response res{std::span{body_}, std::span{headers_}};
      detail::call(handler<R>(), q.method, s.system(), q, res);
      if (res.failed()) {
        ++counters_.handler_errors;
        answer_simple(s, c, 500, "the answer did not fit or had an unsafe header\n", {}, q.method);
        return;
      }
      std::array<char, max_head> head{};
      text_writer w{head.data(), head.size()};
      status_line(w, res.status(), c);
      w << "Content-Type: " << res.content_type() << "\r\nContent-Length: " << res.body().size() << "\r\n"
        << res.headers() << "\r\n";
      send(s, {head.data(), w.size()});
      if (q.method != method::head) send(s, res.body());
      counters_.count(res.status());
    }
  }

  template <class Stream>
  void answer_file(Stream& s, connection& c, request const& q, served_file const& f) {
    if (q.method != method::get && q.method != method::head) {
      answer_allow(s, c, q.method, "Allow: GET, HEAD, OPTIONS\r\n");
      return;
    }
    std::array<char, max_head> head{};
    text_writer w{head.data(), head.size()};
    if (auto const inm = q.header("If-None-Match"); inm && detail::none_match(*inm, f.etag_view())) {
      status_line(w, 304, c);
      w << f.etag_line() << "\r\n";
      counters_.count(304);
      send(s, {head.data(), w.size()});
      return;
    }
    status_line(w, 200, c);
    w << f.head_view() << "\r\n";
    send(s, {head.data(), w.size()});
    counters_.count(200);
    if (q.method == method::get) c.pending = f.content;  // pump() sends it, in as many turns as it takes
  }

  // OPTIONS lists the methods a path allows; another method it does not
  // allow is a 405 with the same list.
  template <class Stream>
  void answer_allow(Stream& s, connection& c, method m, std::string_view allow) {
    if (m == method::options)
      answer_simple(s, c, 204, {}, allow, m);
    else
      answer_simple(s, c, 405, "method not allowed\n", allow, m);
  }

  // A short answer of the server's own; false when it does not fit.
  template <class Stream>
  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): the answer's parts in the order they are sent
  bool answer_simple(Stream& s, connection& c, std::uint16_t status, std::string_view body,
                     std::string_view extra_headers, method m) {
    std::array<char, max_head> head{};
    text_writer w{head.data(), head.size()};
    status_line(w, status, c);
    if (status != 204 && status != 304)
      w << "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " << body.size() << "\r\n";
    w << extra_headers << "\r\n";
    if (s.writable() < w.size() + body.size()) return false;
    send(s, {head.data(), w.size()});
    if (m != method::head) send(s, body);
    counters_.count(status);
    return true;
  }

  constexpr void status_line(text_writer& w, std::uint16_t status, connection const& c) {
    w << "HTTP/1.1 " << status << ' ' << reason_phrase(status) << "\r\nServer: strata\r\n";
    if (c.closing) w << "Connection: close\r\n";
  }

  template <class Stream>
  static void send(Stream& s, std::string_view bytes) {
    if (bytes.empty()) return;  // an empty view may hold nullptr, which memcpy must not get
    s.write(std::as_bytes(std::span{bytes.data(), bytes.size()}));
  }

  template <class R>
  auto& handler() {
    return std::get<index_of<R>()>(handlers_);
  }
  template <class R>
  static constexpr std::size_t index_of() {
    constexpr bool same[] = {std::is_same_v<R, Routes>...};
    std::size_t i = 0;
    while (!same[i]) ++i;
    return i;
  }

  std::array<connection, L.connections> conns_{};
  std::tuple<typename handler_of<Routes>::type...> handlers_{};
  std::array<char, L.max_response> body_{};
  std::array<char, L.max_headers> headers_{};
  std::array<char, L.request.max_request_line> path_{};  // a percent-decoded path
  server_counters counters_{};
  time_ns next_deadline_ = never;
};

// The component: an HTTP server on a TCP port.
template <std::uint16_t Port, class Routes, limits L = limits{}>
struct server;

template <std::uint16_t Port, class... Routes, limits L>
struct server<Port, routes<Routes...>, L> {
  static_assert(Port != 0, "strata: http::server<0, ...>: port 0 cannot be listened on; pick a port (80)");
  static_assert((detail::is_route<Routes>::value && ...),
                "strata: http::server<Port, routes<...>>: each of routes<...> is an http::route<\"/path\", "
                "Handler> or an http::files<FileSet>");
  static_assert(L.connections > 0, "strata: http::limits{.connections = 0}: a server needs a connection");

  static constexpr std::string_view name =
      join_v<detail::http_server_name, decimal_v<Port>, strata::detail::close_angle>;
  using provides = caps<cap::TcpPort<Port>>;
  using needs = caps<cap::TcpLayer, cap::Clock>;

  constexpr void visit_config(auto&& field) const {
    field("port", Port);
    field("routes", sizeof...(Routes));
    field("connections", L.connections);
    field("max_body", L.request.max_body);
    field("max_response", L.max_response);
  }
  constexpr void visit_surface(auto&& open) const { open(protocol::tcp, Port); }

  template <class D>
  constexpr void validate(D const& d) const {
    (detail::check_route_shape<Routes>() && ...);
    if constexpr (!detail::paths_distinct<Routes...>()) (void)error::http_duplicate_path<server>{};
    if constexpr (D::template has<cap::TcpLayer>) {
      using tcp = std::remove_cvref_t<decltype(d.template at<D::template provider_of<cap::TcpLayer>>())>;
      if constexpr (requires { tcp::connections; }) {
        if constexpr (tcp::connections > L.connections) (void)error::http_fewer_connections_than_tcp<server>{};
      }
      if constexpr (requires { tcp::send_buffer; }) {
        if constexpr (L.max_response + L.max_headers + 256 + served_file::max_head > tcp::send_buffer)
          (void)error::http_response_over_send_buffer<server>{};
      }
    }
  }

  template <class P>
  static constexpr server_state<Port, routes<Routes...>, L> runtime(server const&) {
    return {};
  }
};

// A route handler that answers GET with the system's run-time state as JSON:
// uptime and every component's counters (runtime_system::visit_counters).
struct system_stats {
  void get(auto& sys, request const&, response& res) {
    res.content_type("application/json");
    res.header("Cache-Control", "no-store");
    text_writer_json out{.res = res};
    out.begin();
    out.value("uptime_ms", sys.now() / 1'000'000);
    sys.visit_counters(out);
    out.end();
  }

 private:
  // Writes visit_counters' calls as JSON objects: visit(name, n) is a
  // member, visit(name, part) an object of part's counters.
  struct text_writer_json {
    response& res;
    bool first = true;
    void begin() { res.write("{"); }
    void end() { res.write("}\n"); }
    void key(std::string_view k) {
      res.write(first ? "\"" : ",\"");
      res.write(k);  // names are identifiers of strata's own: nothing to escape
      res.write("\":");
      first = false;
    }
    void value(std::string_view k, std::uint64_t n) {
      key(k);
      std::array<char, 24> d{};
      text_writer w{d.data(), d.size()};
      w << n;
      res.write({d.data(), w.size()});
    }
    template <class T>
    void operator()(std::string_view k, T const& v) {
      if constexpr (std::is_integral_v<T>) {
        value(k, static_cast<std::uint64_t>(v));
      } else {
        key(k);
        res.write("{");
        first = true;
        v.visit_counters(*this);
        res.write("}");
        first = false;
      }
    }
  };
};

}  // namespace strata::http
