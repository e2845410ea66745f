// An incremental HTTP/1.1 request parser (RFC 9112) for bytes that arrive in
// pieces, as a TCP stream delivers them.
//
//   strata::http::request_parser p;           // basic_request_parser<request_limits{...}>
//   while (!in.empty()) {
//     auto const r = p.feed(in);               // takes bytes up to the end of one request
//     in = in.subspan(r.consumed);             // a pipelined next request starts here
//     if (r.status == parse_status::incomplete) break;                // wait for more
//     if (r.status == parse_status::failed) { respond(status_code(r.error)); close(); break; }
//     serve(p.request());                      // then, unless !p.request().keep_alive:
//     p.reset();
//   }
//
// Storage: the parser copies what it keeps (target, header names and values,
// the de-chunked body) into a buffer inside itself of
// max_request_line + max_header_bytes + max_body bytes, and request() holds
// views into it, valid until reset() or destruction. Copying, rather than
// pointing into the caller's bytes, lets the caller hand over pieces of a
// receive ring in any sizes and reuse them at once, and gives a chunked body
// as one contiguous span. The parser is therefore neither copyable nor
// movable (the views point into it); it allocates nothing.
//
// Byte by byte: every byte goes through one state machine (a body is copied
// in bulk, to the same effect), so the outcome, the error and the bytes
// consumed do not depend on how the input was split.
//
// Strictness (where RFC 9112 allows a choice, the stricter one, since
// request smuggling lives in the differences between lenient parsers):
// lines end in CRLF, a bare LF or CR is an error (2.2); single spaces in the
// request line (3); empty lines before the request line are skipped (2.2);
// obs-fold and whitespace before a colon are rejected (5.1, 5.2); an
// HTTP/1.1 request needs exactly one Host (3.2); Content-Length and
// Transfer-Encoding together are rejected (6.3), as are differing
// Content-Length values (a list of equal ones is one value, RFC 9110 8.6);
// Transfer-Encoding must end in chunked, once (6.3), is refused in HTTP/1.0
// (6.1), and codings other than chunked are not implemented (501). Chunk
// extensions are checked for control characters and otherwise ignored;
// trailer fields are checked like header fields and dropped (7.1.2).
// docs/http.md has the whole mapping from errors to status codes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace strata::http {

// The methods a server here answers; others are 501 (RFC 9110 9.1).
enum class method : std::uint8_t { get, head, post, put, delete_, options };

constexpr std::string_view name(method m) {
  switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::delete_: return "DELETE";
    case method::options: return "OPTIONS";
  }
  return "unknown";
}

enum class version : std::uint8_t { http_1_0, http_1_1 };

constexpr std::string_view name(version v) { return v == version::http_1_0 ? "HTTP/1.0" : "HTTP/1.1"; }

// Why a request was refused. Each names one condition; status_code() maps
// them to the response a server sends before it closes the connection.
enum class request_error : std::uint8_t {
  bad_request_line,         // 400: not method SP target SP HTTP-version CRLF
  bad_target,               // 400: not origin-form, absolute-form, or "*" with OPTIONS
  uri_too_long,             // 414: the request line is longer than max_request_line
  unknown_method,           // 501: a well-formed method other than the six known
  unsupported_version,      // 505: HTTP/x.y other than 1.0 and 1.1
  bad_header,               // 400: a malformed field line (header or trailer)
  obs_fold,                 // 400: a field line continued on the next (RFC 9112 5.2)
  headers_too_large,        // 431: the header (or trailer) section over max_header_bytes
  too_many_headers,         // 431: more than max_headers field lines
  bad_host,                 // 400: HTTP/1.1 without Host, or Host twice
  bad_content_length,       // 400: not digits, or differing values
  ambiguous_framing,        // 400: Content-Length and Transfer-Encoding together
  bad_transfer_encoding,    // 400: chunked not last, twice, or in HTTP/1.0
  unknown_transfer_coding,  // 501: a transfer coding other than chunked
  body_too_large,           // 413: Content-Length or the chunks over max_body
  bad_chunk,                // 400: a malformed chunk-size line or chunk end
};

inline constexpr std::size_t request_error_count = 16;

inline constexpr std::array<request_error, request_error_count> all_request_errors{
    request_error::bad_request_line,  request_error::bad_target,
    request_error::uri_too_long,      request_error::unknown_method,
    request_error::unsupported_version, request_error::bad_header,
    request_error::obs_fold,          request_error::headers_too_large,
    request_error::too_many_headers,  request_error::bad_host,
    request_error::bad_content_length, request_error::ambiguous_framing,
    request_error::bad_transfer_encoding, request_error::unknown_transfer_coding,
    request_error::body_too_large,    request_error::bad_chunk};

constexpr std::string_view name(request_error e) {
  switch (e) {
    case request_error::bad_request_line: return "bad_request_line";
    case request_error::bad_target: return "bad_target";
    case request_error::uri_too_long: return "uri_too_long";
    case request_error::unknown_method: return "unknown_method";
    case request_error::unsupported_version: return "unsupported_version";
    case request_error::bad_header: return "bad_header";
    case request_error::obs_fold: return "obs_fold";
    case request_error::headers_too_large: return "headers_too_large";
    case request_error::too_many_headers: return "too_many_headers";
    case request_error::bad_host: return "bad_host";
    case request_error::bad_content_length: return "bad_content_length";
    case request_error::ambiguous_framing: return "ambiguous_framing";
    case request_error::bad_transfer_encoding: return "bad_transfer_encoding";
    case request_error::unknown_transfer_coding: return "unknown_transfer_coding";
    case request_error::body_too_large: return "body_too_large";
    case request_error::bad_chunk: return "bad_chunk";
  }
  return "unknown";
}

// The status a server answers an error with (RFC 9110 15.5, 15.6; RFC 6585 5).
constexpr std::uint16_t status_code(request_error e) {
  switch (e) {
    case request_error::uri_too_long: return 414;
    case request_error::headers_too_large:
    case request_error::too_many_headers: return 431;
    case request_error::body_too_large: return 413;
    case request_error::unknown_method:
    case request_error::unknown_transfer_coding: return 501;
    case request_error::unsupported_version: return 505;
    default: return 400;
  }
}

// RFC 9110 15's phrases for the statuses strata's server sends.
constexpr std::string_view reason_phrase(std::uint16_t status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

// The parser's limits, a template argument:
// basic_request_parser<request_limits{.max_body = 1 << 20}>.
struct request_limits {
  std::size_t max_request_line = 8192;  // method SP target SP version, without CRLF (RFC 9112 3: >= 8000)
  std::size_t max_header_bytes = 8192;  // the header section: field lines, their CRLFs, the empty line
  std::size_t max_headers = 64;         // field lines
  std::size_t max_body = 65536;         // after de-chunking
  std::size_t max_chunk_line = 1024;    // a chunk-size line with its extensions, without CRLF
};

struct header_field {
  std::string_view name{};   // as received; compare with iequals
  std::string_view value{};  // without leading and trailing whitespace
};

namespace detail {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace detail

// ASCII case-insensitive equality, for field names and tokens.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (detail::lower(a[i]) != detail::lower(b[i])) return false;
  return true;
}

// A parsed request. Its views point into the parser that made it.
struct request {
  http::method method = http::method::get;
  std::string_view target{};
  http::version version = http::version::http_1_1;
  std::span<header_field const> headers{};  // in the order received
  std::string_view body{};                  // de-chunked
  bool chunked = false;                     // the body came as chunks
  // Whether the connection stays open after the response: HTTP/1.1 unless
  // "Connection: close"; HTTP/1.0 only with "Connection: keep-alive" (RFC 9112 9.3).
  bool keep_alive = true;

  // The first field with this name (case-insensitive), if any.
  constexpr std::optional<std::string_view> header(std::string_view field_name) const {
    for (auto const& h : headers)
      if (iequals(h.name, field_name)) return h.value;
    return std::nullopt;
  }
};

enum class parse_status : std::uint8_t {
  incomplete,  // all input taken; the request goes on in the next piece
  complete,    // request() is ready; consumed stops at its last byte
  failed,      // error says why; consumed includes the byte that showed it
};

struct feed_result {
  std::size_t consumed = 0;
  parse_status status = parse_status::incomplete;
  request_error error{};  // when failed
  friend constexpr bool operator==(feed_result const&, feed_result const&) = default;
};

namespace detail {

constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
// RFC 9110 5.6.2.
constexpr bool is_tchar(char c) {
  return is_alpha(c) || is_digit(c) || std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}
constexpr bool is_vchar(char c) { return c > ' ' && c < 0x7f; }
constexpr bool is_obs_text(char c) { return static_cast<unsigned char>(c) >= 0x80; }
constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }
constexpr int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr char to_char(char c) { return c; }
constexpr char to_char(std::byte b) { return static_cast<char>(std::to_integer<unsigned char>(b)); }

constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Calls f(element) for each element of a comma-separated list (RFC 9110
// 5.6.1), whitespace trimmed, empty elements skipped as the RFC asks.
template <class F>
constexpr void for_each_element(std::string_view list, F&& f) {
  while (true) {
    std::size_t const comma = list.find(',');
    // No substr here or below: its out_of_range path would pull exceptions into an image.
    std::string_view element = list;
    element.remove_suffix(list.size() - std::min(comma, list.size()));
    element = trim_ows(element);
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// Content-Length: 1*DIGIT, or a list of equal ones. Values too large for 64
// bits saturate: any of them is over any body limit anyway.
constexpr std::optional<std::uint64_t> parse_content_length(std::string_view value) {
  std::optional<std::uint64_t> result;
  bool bad = trim_ows(value).empty();
  for_each_element(value, [&](std::string_view element) {
    std::uint64_t n = 0;
    for (char c : element) {
      if (!is_digit(c)) {
        bad = true;
        return;
      }
      auto const d = static_cast<std::uint64_t>(c - '0');
      n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
    }
    if (result && *result != n) bad = true;
    result = n;
  });
  // A list with empty elements only (","): no value.
  if (bad || !result) return std::nullopt;
  return result;
}

}  // namespace detail

template <request_limits Limits = request_limits{}>
class basic_request_parser {
  static_assert(Limits.max_request_line >= 16, "a request line of 16 bytes holds \"OPTIONS * HTTP/1.1\" barely");
  static_assert(Limits.max_header_bytes >= 2 && Limits.max_headers >= 1 && Limits.max_chunk_line >= 1);
  static_assert(Limits.max_body <= (std::size_t{1} << 48), "chunk sizes are summed below 2^64");

 public:
  static constexpr request_limits limits = Limits;
  static constexpr std::size_t capacity = Limits.max_request_line + Limits.max_header_bytes + Limits.max_body;

  constexpr basic_request_parser() = default;
  basic_request_parser(basic_request_parser const&) = delete;
  basic_request_parser& operator=(basic_request_parser const&) = delete;

  // Takes bytes of one request from the front of `in`, never past its end.
  // Once complete or failed, takes nothing until reset().
  constexpr feed_result feed(std::span<std::byte const> in) { return feed_any(in); }
  constexpr feed_result feed(std::string_view in) { return feed_any(std::span<char const>{in}); }

  constexpr parse_status status() const {
    return state_ == state::complete ? parse_status::complete
           : state_ == state::failed ? parse_status::failed
                                     : parse_status::incomplete;
  }
  // The client waits for a 100 (Continue) before it sends the body (RFC 9110
  // 10.1.1): an HTTP/1.1 request with "Expect: 100-continue" whose headers
  // are complete and whose body has not started.
  constexpr bool wants_continue() const {
    bool const body_not_started =
        body_len_ == 0 && (state_ == state::body || (state_ == state::chunk_size && line_len_ == 0));
    return expect_continue_ && request_.version == version::http_1_1 && body_not_started;
  }
  // Valid when status() is failed.
  constexpr request_error error() const { return error_; }
  // Valid when status() is complete, until reset().
  constexpr http::request const& request() const { return request_; }

  // Ready for the next request (of a pipeline, or a new connection).
  constexpr void reset() {
    state_ = state::start;
    error_ = {};
    request_ = {};
    pos_ = line_len_ = section_bytes_ = field_count_ = 0;
    token_len_ = 0;
    name_start_ = name_len_ = value_start_ = value_end_ = 0;
    in_trailers_ = false;
    host_count_ = 0;
    content_length_.reset();
    has_transfer_encoding_ = chunked_last_ = other_coding_ = false;
    chunked_count_ = 0;
    close_ = keep_alive_token_ = expect_continue_ = false;
    body_start_ = body_len_ = remaining_ = 0;
    chunk_size_ = 0;
    chunk_digits_ = 0;
  }

 private:
  enum class state : std::uint8_t {
    start,             // before the request line: empty lines skipped
    start_lf,          // CR of an empty line seen
    method,
    target,
    version,
    request_line_lf,
    field_start,       // a field line or the empty line ending the section
    field_name,
    field_value,
    field_lf,
    section_lf,        // CR of the empty line seen
    body,              // Content-Length bytes
    chunk_size,
    chunk_size_ws,     // whitespace after the size: a ';' must follow
    chunk_extension,
    chunk_size_lf,
    chunk_data,
    chunk_data_cr,
    chunk_data_lf,
    complete,
    failed,
  };

  template <class Char>
  constexpr feed_result feed_any(std::span<Char const> in) {
    std::size_t i = 0;
    while (i < in.size() && state_ != state::complete && state_ != state::failed) {
      if (state_ == state::body || state_ == state::chunk_data) {
        std::size_t const n = remaining_ < in.size() - i ? remaining_ : in.size() - i;
        for (std::size_t k = 0; k < n; ++k) put(detail::to_char(in[i + k]));
        i += n;
        body_len_ += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          if (state_ == state::body) finish();
          else state_ = state::chunk_data_cr;
        }
        continue;
      }
      step(detail::to_char(in[i]));
      ++i;
    }
    return {.consumed = i, .status = status(), .error = state_ == state::failed ? error_ : request_error{}};
  }

  constexpr void fail(request_error e) {
    error_ = e;
    state_ = state::failed;
  }

  // Every byte kept goes through here. The limits bound each part (target,
  // field lines, body) so the sum never exceeds the capacity; the check is a
  // second line of defence, not a limit.
  constexpr void put(char c) {
    if (pos_ >= capacity) __builtin_trap();
    buf_[pos_++] = c;
  }

  constexpr std::string_view kept(std::size_t from, std::size_t len) const { return {buf_.data() + from, len}; }

  // NOLINTNEXTLINE(readability-function-cognitive-complexity): a case a state, each read on its own
  constexpr void step(char c) {
    using detail::is_ows;
    switch (state_) {
      case state::start_lf:
        if (c == '\n') state_ = state::start;
        else fail(request_error::bad_request_line);
        return;
      case state::start:
        if (c == '\r') {  // an empty line before a request is ignored (RFC 9112 2.2)
          state_ = state::start_lf;
          return;
        }
        state_ = state::method;
        [[fallthrough]];
      case state::method:
        if (!count_request_line()) return;
        if (c == ' ') return end_method();
        if (!detail::is_tchar(c)) return fail(request_error::bad_request_line);
        if (token_len_ == token_.size()) return fail(request_error::unknown_method);  // longer than OPTIONS
        token_[token_len_++] = c;
        return;
      case state::target:
        if (!count_request_line()) return;
        if (c == ' ') return end_target();
        if (!detail::is_vchar(c)) return fail(request_error::bad_request_line);
        put(c);
        return;
      case state::version:
        if (c == '\r') return end_version();
        if (!count_request_line()) return;
        if (!detail::is_vchar(c) || token_len_ == token_.size()) return fail(request_error::bad_request_line);
        token_[token_len_++] = c;
        return;
      case state::request_line_lf:
        if (c != '\n') return fail(request_error::bad_request_line);
        state_ = state::field_start;
        return;
      case state::field_start:
        if (!count_section()) return;
        if (c == '\r') {
          state_ = state::section_lf;
          return;
        }
        if (is_ows(c)) return fail(field_count_ == 0 ? request_error::bad_header : request_error::obs_fold);
        if (!detail::is_tchar(c)) return fail(request_error::bad_header);
        if (!in_trailers_ && field_count_ == Limits.max_headers) return fail(request_error::too_many_headers);
        name_start_ = pos_;
        keep(c);
        state_ = state::field_name;
        return;
      case state::field_name:
        if (!count_section()) return;
        if (c == ':') {
          name_len_ = pos_ - name_start_;
          value_start_ = value_end_ = pos_;
          state_ = state::field_value;
          return;
        }
        if (!detail::is_tchar(c)) return fail(request_error::bad_header);  // whitespace before ':' too
        keep(c);
        return;
      case state::field_value:
        if (!count_section()) return;
        if (c == '\r') {
          state_ = state::field_lf;
          return;
        }
        if (is_ows(c)) {
          if (pos_ != value_start_) keep(c);  // inside the value; leading whitespace is dropped
          return;
        }
        if (!detail::is_vchar(c) && !detail::is_obs_text(c)) return fail(request_error::bad_header);
        keep(c);
        value_end_ = pos_;
        return;
      case state::field_lf:
        if (!count_section()) return;
        if (c != '\n') return fail(request_error::bad_header);
        end_field();
        return;
      case state::section_lf:
        if (!count_section()) return;
        if (c != '\n') return fail(request_error::bad_header);
        if (in_trailers_) finish();
        else end_headers();
        return;
      case state::chunk_size:
        if (!count_chunk_line(c)) return;
        if (int const d = detail::hex_value(c); d >= 0) {
          chunk_size_ = chunk_size_ * 16 + static_cast<std::uint64_t>(d);
          ++chunk_digits_;
          // Checked per digit, so chunk_size_ stays below 2^52.
          if (chunk_size_ > Limits.max_body - body_len_) return fail(request_error::body_too_large);
          return;
        }
        if (chunk_digits_ == 0) return fail(request_error::bad_chunk);
        if (c == '\r') state_ = state::chunk_size_lf;
        else if (c == ';') state_ = state::chunk_extension;
        else if (is_ows(c)) state_ = state::chunk_size_ws;
        else fail(request_error::bad_chunk);
        return;
      case state::chunk_size_ws:
        if (!count_chunk_line(c)) return;
        if (c == ';') state_ = state::chunk_extension;
        else if (!is_ows(c)) fail(request_error::bad_chunk);
        return;
      case state::chunk_extension:
        if (!count_chunk_line(c)) return;
        if (c == '\r') state_ = state::chunk_size_lf;
        else if (c != '\t' && !detail::is_vchar(c) && c != ' ' && !detail::is_obs_text(c))
          fail(request_error::bad_chunk);
        return;
      case state::chunk_size_lf:
        if (c != '\n') return fail(request_error::bad_chunk);
        if (chunk_size_ == 0) {  // the last chunk: trailer fields follow
          in_trailers_ = true;
          section_bytes_ = 0;
          field_count_ = 0;  // request_.headers has its count already
          state_ = state::field_start;
          return;
        }
        remaining_ = static_cast<std::size_t>(chunk_size_);
        state_ = state::chunk_data;
        return;
      case state::chunk_data_cr:
        if (c != '\r') return fail(request_error::bad_chunk);
        state_ = state::chunk_data_lf;
        return;
      case state::chunk_data_lf:
        if (c != '\n') return fail(request_error::bad_chunk);
        line_len_ = 0;
        chunk_size_ = 0;
        chunk_digits_ = 0;
        state_ = state::chunk_size;
        return;
      case state::body:
      case state::chunk_data:
      case state::complete:
      case state::failed: return;  // handled in feed_any, or terminal
    }
  }

  constexpr bool count_request_line() {
    if (++line_len_ > Limits.max_request_line) {
      fail(request_error::uri_too_long);
      return false;
    }
    return true;
  }
  constexpr bool count_section() {
    if (++section_bytes_ > Limits.max_header_bytes) {
      fail(request_error::headers_too_large);
      return false;
    }
    return true;
  }
  constexpr bool count_chunk_line(char c) {
    if (c != '\r' && ++line_len_ > Limits.max_chunk_line) {
      fail(request_error::bad_chunk);
      return false;
    }
    return true;
  }
  // Header fields are kept; trailer fields only checked.
  constexpr void keep(char c) {
    if (!in_trailers_) put(c);
  }

  constexpr void end_method() {
    std::string_view const m{token_.data(), token_len_};
    constexpr std::array known{method::get, method::head, method::post, method::put, method::delete_, method::options};
    if (m.empty()) return fail(request_error::bad_request_line);
    for (auto k : known)
      if (m == name(k)) {
        request_.method = k;
        token_len_ = 0;
        state_ = state::target;
        return;
      }
    fail(request_error::unknown_method);
  }

  constexpr void end_target() {
    std::string_view const t = kept(0, pos_);
    if (t.empty()) return fail(request_error::bad_request_line);
    if (!valid_target(t, request_.method)) return fail(request_error::bad_target);
    request_.target = t;
    state_ = state::version;
  }

  // origin-form "/...", absolute-form "scheme:...", asterisk-form "*" for
  // OPTIONS (RFC 9112 3.2). authority-form is CONNECT's, not known here.
  static constexpr bool valid_target(std::string_view t, method m) {
    if (t.front() == '/') return true;
    if (t == "*") return m == method::options;
    if (!detail::is_alpha(t.front())) return false;
    for (char c : std::string_view{t.data() + 1, t.size() - 1}) {
      if (c == ':') return true;
      if (!detail::is_alpha(c) && !detail::is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return false;
  }

  constexpr void end_version() {
    std::string_view const v{token_.data(), token_len_};
    if (v.size() != 8 || !v.starts_with("HTTP/") || !detail::is_digit(v[5]) || v[6] != '.' ||
        !detail::is_digit(v[7]))
      return fail(request_error::bad_request_line);
    if (v == "HTTP/1.1") request_.version = version::http_1_1;
    else if (v == "HTTP/1.0") request_.version = version::http_1_0;
    else return fail(request_error::unsupported_version);
    state_ = state::request_line_lf;
  }

  constexpr void end_field() {
    state_ = state::field_start;
    ++field_count_;
    if (in_trailers_) return;
    pos_ = value_end_;  // trailing whitespace given back
    header_field const f{.name = kept(name_start_, name_len_), .value = kept(value_start_, value_end_ - value_start_)};
    headers_[field_count_ - 1] = f;
    if (iequals(f.name, "content-length")) {
      auto const n = detail::parse_content_length(f.value);
      if (!n || (content_length_ && *content_length_ != *n)) return fail(request_error::bad_content_length);
      content_length_ = n;
    } else if (iequals(f.name, "transfer-encoding")) {
      has_transfer_encoding_ = true;
      detail::for_each_element(f.value, [&](std::string_view coding) {
        chunked_last_ = iequals(coding, "chunked");
        if (chunked_last_) ++chunked_count_;
        else other_coding_ = true;
      });
    } else if (iequals(f.name, "connection")) {
      detail::for_each_element(f.value, [&](std::string_view option) {
        if (iequals(option, "close")) close_ = true;
        if (iequals(option, "keep-alive")) keep_alive_token_ = true;
      });
    } else if (iequals(f.name, "host")) {
      if (++host_count_ > 1) return fail(request_error::bad_host);
    } else if (iequals(f.name, "expect")) {
      // Other expectations are ignored (a 417 is a MAY, RFC 9110 10.1.1).
      if (iequals(f.value, "100-continue")) expect_continue_ = true;
    }
  }

  // RFC 9112 6.3, in its order: Transfer-Encoding, Content-Length, none.
  constexpr void end_headers() {
    bool const v11 = request_.version == version::http_1_1;
    request_.headers = std::span<header_field const>{headers_.data(), field_count_};
    request_.keep_alive = v11 ? !close_ : keep_alive_token_ && !close_;
    body_start_ = pos_;
    if (v11 && host_count_ == 0) return fail(request_error::bad_host);
    if (has_transfer_encoding_) {
      if (content_length_) return fail(request_error::ambiguous_framing);
      if (!v11 || !chunked_last_ || chunked_count_ != 1) return fail(request_error::bad_transfer_encoding);
      if (other_coding_) return fail(request_error::unknown_transfer_coding);
      request_.chunked = true;
      line_len_ = 0;
      state_ = state::chunk_size;
      return;
    }
    if (content_length_ && *content_length_ > Limits.max_body) return fail(request_error::body_too_large);
    remaining_ = content_length_ ? static_cast<std::size_t>(*content_length_) : 0;
    if (remaining_ == 0) return finish();
    state_ = state::body;
  }

  constexpr void finish() {
    request_.body = kept(body_start_, body_len_);
    state_ = state::complete;
  }

  state state_ = state::start;
  request_error error_{};
  http::request request_{};
  std::array<char, capacity> buf_{};
  std::size_t pos_ = 0;  // bytes kept in buf_
  std::array<header_field, Limits.max_headers> headers_{};
  std::size_t line_len_ = 0;       // request line, or chunk-size line
  std::size_t section_bytes_ = 0;  // header or trailer section
  std::size_t field_count_ = 0;
  std::array<char, 8> token_{};  // the method, then the version
  std::size_t token_len_ = 0;
  std::size_t name_start_ = 0, name_len_ = 0, value_start_ = 0, value_end_ = 0;
  bool in_trailers_ = false;
  std::size_t host_count_ = 0;
  std::optional<std::uint64_t> content_length_{};
  bool has_transfer_encoding_ = false, chunked_last_ = false, other_coding_ = false;
  std::size_t chunked_count_ = 0;
  bool close_ = false, keep_alive_token_ = false;
  bool expect_continue_ = false;
  std::size_t body_start_ = 0, body_len_ = 0, remaining_ = 0;
  std::uint64_t chunk_size_ = 0;
  std::size_t chunk_digits_ = 0;
};

using request_parser = basic_request_parser<>;

}  // namespace strata::http
