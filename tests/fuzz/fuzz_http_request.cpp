// libFuzzer target for the HTTP/1.1 request parser (include/strata/http/request.hpp).
// The input is a TCP stream of pipelined requests, parsed three ways: all at once
// (bytes), byte by byte, and cut in two at a point the first byte picks (chars).
// The three must agree on every request: status, error, bytes consumed, and
// every field; a complete request must respect the limits. Small limits, so
// the fuzzer reaches each of them. A violation traps, which libFuzzer reports
// as a crash and saves the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <strata/http/request.hpp>

namespace {

using namespace strata::http;

constexpr request_limits limits{
    .max_request_line = 64, .max_header_bytes = 256, .max_headers = 8, .max_body = 512, .max_chunk_line = 32};
using parser = basic_request_parser<limits>;

// One way of handing the stream to a parser, a request at a time.
struct driver {
  enum class mode : std::uint8_t { whole, byte_by_byte, split };
  parser& p;
  std::span<std::byte const> bytes;
  std::string_view chars;  // the same stream, for the split mode
  mode how;
  std::size_t cut = 0;
  std::size_t pos = 0;

  // Feeds until the current request completes or fails, or the input ends.
  feed_result next() {
    feed_result total{};
    auto const add = [&](feed_result r) {
      pos += r.consumed;
      total = {.consumed = total.consumed + r.consumed, .status = r.status, .error = r.error};
      return r.status != parse_status::incomplete;
    };
    switch (how) {
      case mode::whole: add(p.feed(bytes.subspan(pos))); break;
      case mode::byte_by_byte:
        while (pos < bytes.size())
          if (add(p.feed(bytes.subspan(pos, 1)))) break;
        break;
      case mode::split:
        if (pos < cut && add(p.feed(chars.substr(pos, cut - pos)))) break;
        add(p.feed(chars.substr(pos)));
        break;
    }
    return total;
  }
};

bool same(request const& a, request const& b) {
  if (a.method != b.method || a.target != b.target || a.version != b.version || a.body != b.body ||
      a.chunked != b.chunked || a.keep_alive != b.keep_alive || a.headers.size() != b.headers.size())
    return false;
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) return false;
  return true;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return strata::http::detail::is_tchar(c); });
}

// What a complete request promises whatever the input was.
bool sane(request const& r) {
  if (r.target.empty() || r.target.size() > limits.max_request_line || r.headers.size() > limits.max_headers ||
      r.body.size() > limits.max_body)
    return false;
  for (auto const& h : r.headers) {
    if (!is_token(h.name)) return false;
    if (!h.value.empty() && (h.value.front() == ' ' || h.value.front() == '\t' || h.value.back() == ' ' ||
                             h.value.back() == '\t'))
      return false;
    for (char c : h.value)
      if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

parser whole_parser, byte_parser, split_parser;  // large: not on the stack

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libFuzzer's bytes as std::byte; both may alias
  std::span<std::byte const> const bytes{reinterpret_cast<std::byte const*>(data), size};
  std::string copy(size, '\0');  // the chars overload, on the heap: ASan sees reads past it
  for (std::size_t i = 0; i < size; ++i) copy[i] = static_cast<char>(data[i]);
  std::size_t const cut = size == 0 ? 0 : size * data[0] / 256;
  whole_parser.reset();
  byte_parser.reset();
  split_parser.reset();
  driver a{.p = whole_parser, .bytes = bytes, .chars = copy, .how = driver::mode::whole};
  driver b{.p = byte_parser, .bytes = bytes, .chars = copy, .how = driver::mode::byte_by_byte};
  driver c{.p = split_parser, .bytes = bytes, .chars = copy, .how = driver::mode::split, .cut = cut};
  while (true) {
    feed_result const ra = a.next();
    feed_result const rb = b.next();
    feed_result const rc = c.next();
    if (!(ra == rb) || !(ra == rc) || a.pos != b.pos || a.pos != c.pos || a.pos > size) __builtin_trap();
    if (ra.status != parse_status::complete) break;
    if (ra.consumed == 0 || !same(whole_parser.request(), byte_parser.request()) ||
        !same(whole_parser.request(), split_parser.request()) || !sane(whole_parser.request()))
      __builtin_trap();
    whole_parser.reset();
    byte_parser.reset();
    split_parser.reset();
  }
  return 0;
}
