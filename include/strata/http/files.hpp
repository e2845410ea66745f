// Static files embedded in the image at build time, and what the server
// needs to answer them, computed by the compiler: each file's Content-Type
// (from its extension), its ETag (a hash of its bytes, from the build) and
// the header lines of its 200 response.
//
// A folder becomes a C++ header with strata_embed_files() (CMake,
// cmake/StrataEmbed.cmake), which defines a type holding the files:
//
//   namespace strata::embedded {
//   struct site {
//     static constexpr std::array<strata::http::embedded_file, 2> files{{
//         {"/index.html", std::string_view{"<!doctype html>...", 478}, "\"530a38af9196dd02\""},
//         {"/style.css", std::string_view{"body {...", 225}, "\"421c02dafbbb7c60\""}}};
//   };
//   }
//
// Any type shaped like that (a static constexpr range of embedded_file named
// files) is a file set: tests write their own by hand.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include <strata/core/text.hpp>

namespace strata::http {

struct embedded_file {
  std::string_view path;     // absolute, "/index.html"
  std::string_view content;  // the file's bytes
  // The quoted entity tag, 16 hex digits: strata_embed_files() writes 64 bits
  // of the file's SHA-256. Empty: the compiler hashes the bytes (etag_for).
  std::string_view etag{};
};

template <class T>
concept FileSet = requires {
  { T::files.size() } -> std::convertible_to<std::size_t>;
  { T::files[0] } -> std::convertible_to<embedded_file const&>;
};

// The media type of a file, by its extension (RFC 9110 8.3; the IANA
// registrations). Text is served as UTF-8. An unknown extension is
// application/octet-stream, which browsers download rather than render.
constexpr std::string_view content_type_for(std::string_view path) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 22> types{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/markdown; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"},
  }};
  for (auto const& [extension, type] : types)
    if (path.ends_with(extension)) return type;
  return "application/octet-stream";
}

// A strong entity tag (RFC 9110 8.8.3) for content: 64-bit FNV-1a of the
// bytes in hex, quoted. The same bytes give the same tag in every build, so
// a rebuilt image keeps the caches of unchanged files valid. For file sets
// written by hand; generated ones carry a tag from the build.
constexpr std::array<char, 18> etag_for(std::string_view content) {
  std::uint64_t h = 0xcbf29ce484222325U;
  for (char c : content) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3U;
  }
  std::array<char, 18> tag{};
  tag[0] = '"';
  for (std::size_t i = 0; i < 16; ++i) tag[16 - i] = "0123456789abcdef"[(h >> (4 * i)) & 0xf];
  tag[17] = '"';
  return tag;
}

// What the server keeps of one file: its path, body, tag, and the header
// lines of its 200 and 304 responses, built at compile time.
struct served_file {
  static constexpr std::size_t max_head = 192;
  std::string_view path;
  std::string_view content;
  std::array<char, 18> etag{};
  std::array<char, max_head> head{};  // "Content-Type: ...\r\nContent-Length: N\r\nETag: \"...\"\r\n"
  std::size_t head_size = 0;
  std::size_t etag_line_from = 0;  // head's "ETag: ..." line, all a 304 repeats

  constexpr std::string_view etag_view() const { return {etag.data(), etag.size()}; }
  constexpr std::string_view head_view() const { return {head.data(), head_size}; }
  constexpr std::string_view etag_line() const { return {head.data() + etag_line_from, head_size - etag_line_from}; }
};

constexpr served_file serve_file(embedded_file const& f) {
  served_file s{.path = f.path, .content = f.content};
  if (f.etag.size() == s.etag.size())
    std::ranges::copy(f.etag, s.etag.begin());
  else
    s.etag = etag_for(f.content);
  text_writer w{s.head.data(), s.head.size()};
  w << "Content-Type: " << content_type_for(f.path) << "\r\nContent-Length: " << f.content.size() << "\r\n";
  s.etag_line_from = w.size();
  w << "ETag: " << s.etag_view() << "\r\n";
  s.head_size = w.size();
  return s;
}

template <FileSet Files>
constexpr std::array<served_file, Files::files.size()> serve_files() {
  std::array<served_file, Files::files.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = serve_file(Files::files[i]);
  return out;
}

// The served files of a file set, in its order, built once at compile time.
// (A function rather than a lambda: cppcheck 2.10 cannot parse a lambda
// initialising a variable template.)
template <FileSet Files>
inline constexpr auto served_files = serve_files<Files>();

}  // namespace strata::http
