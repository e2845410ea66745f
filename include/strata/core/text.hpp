// Compile-time text: type names, names joined from pieces, and a text builder
// that works the same in constant evaluation and at run time. describe() and
// the audit render through it, so a report can be computed by the compiler.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace strata {

// A string literal usable as a template argument (format strings, names).
template <std::size_t N>
struct fixed_string {
  char data[N]{};
  constexpr fixed_string(char const (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  constexpr std::string_view view() const { return {data, N - 1}; }
};

namespace detail {

template <class T>
constexpr std::string_view raw_type_name() {
  // "... [with T = hello]" (g++) or "... [T = hello]" (clang).
  std::string_view p = __PRETTY_FUNCTION__;
  auto const start = p.find("T = ") + 4;
  auto const end = p.find_first_of(";]", start);
  return p.substr(start, end - start);
}

template <class T>
inline constexpr std::string_view raw_type_name_v = raw_type_name<T>();

template <std::string_view const&... Parts>
inline constexpr auto joined = [] {
  std::array<char, (Parts.size() + ... + 0) + 1> a{};
  std::size_t i = 0;
  ((std::char_traits<char>::copy(a.data() + i, Parts.data(), Parts.size()), i += Parts.size()), ...);
  return a;
}();

template <std::uint64_t V>
inline constexpr auto decimal_digits = [] {
  constexpr std::size_t n = [] {
    std::size_t d = 1;
    for (auto v = V; v >= 10; v /= 10) ++d;
    return d;
  }();
  std::array<char, n + 1> a{};
  auto v = V;
  for (std::size_t i = n; i-- > 0; v /= 10) a[i] = char('0' + v % 10);
  return a;
}();

template <auto const& Chars>
inline constexpr std::string_view view_of{Chars.data(), Chars.size() - 1};

inline constexpr std::string_view open_angle = "<", close_angle = ">";

}  // namespace detail

// The name of a type as the compiler spells it, stored once, without the
// pretty-function text around it.
template <class T>
inline constexpr std::string_view type_name = detail::view_of<detail::joined<detail::raw_type_name_v<T>>>;

// Pieces joined at compile time into one static string: join_v<a, b, c>.
template <std::string_view const&... Parts>
inline constexpr std::string_view join_v = detail::view_of<detail::joined<Parts...>>;

template <std::uint64_t V>
inline constexpr std::string_view decimal_v = detail::view_of<detail::decimal_digits<V>>;

// "name<Arg>" for a component template over a type.
template <std::string_view const& Name, class Arg>
inline constexpr std::string_view template_name_v =
    join_v<Name, detail::open_angle, type_name<Arg>, detail::close_angle>;

// "name<N>" for a component template over a number.
template <std::string_view const& Name, std::uint64_t N>
inline constexpr std::string_view numbered_name_v =
    join_v<Name, detail::open_angle, decimal_v<N>, detail::close_angle>;

// Appends text to a fixed buffer, or only counts when the buffer is null, so
// one rendering function both sizes and fills (in constant evaluation too).
class text_writer {
 public:
  constexpr text_writer() = default;
  constexpr text_writer(char* out, std::size_t capacity) : out_{out}, capacity_{capacity} {}

  constexpr text_writer& operator<<(std::string_view s) {
    for (char c : s) put(c);
    return *this;
  }
  constexpr text_writer& operator<<(char c) {
    put(c);
    return *this;
  }
  // Exactly bool: a string literal would otherwise convert to bool first.
  template <class B>
    requires std::is_same_v<B, bool>
  constexpr text_writer& operator<<(B b) {
    return *this << (b ? std::string_view{"true"} : "false");
  }
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
  constexpr text_writer& operator<<(I v) {
    char digits[24]{};
    std::size_t n = 0;
    bool const negative = v < 0;
    // Unsigned magnitude, so the most negative value does not overflow.
    auto u = negative ? std::uint64_t(0) - std::uint64_t(v) : std::uint64_t(v);
    do digits[n++] = char('0' + u % 10);
    while ((u /= 10) != 0);
    if (negative) put('-');
    while (n > 0) put(digits[--n]);
    return *this;
  }
  // Pads the text written since `mark` with spaces to `width` columns.
  constexpr void pad_from(std::size_t mark, std::size_t width) {
    while (size_ - mark < width) put(' ');
  }

  constexpr std::size_t size() const { return size_; }
  constexpr bool truncated() const { return out_ != nullptr && size_ > capacity_; }

 private:
  constexpr void put(char c) {
    if (out_ != nullptr && size_ < capacity_) out_[size_] = c;
    ++size_;
  }
  char* out_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

// Text of a size known at compile time, as returned by render_text.
template <std::size_t N>
struct static_text {
  std::array<char, N + 1> chars{};
  constexpr std::string_view view() const { return {chars.data(), N}; }
  constexpr operator std::string_view() const { return view(); }
};

// Renders `Render(writer&)` into a static_text whose size the compiler works
// out by rendering once without a buffer. Render is a constexpr lambda.
template <auto Render>
constexpr auto render_text() {
  constexpr std::size_t n = [] {
    text_writer counter;
    Render(counter);
    return counter.size();
  }();
  static_text<n> t;
  text_writer w{t.chars.data(), n};
  Render(w);
  return t;
}

}  // namespace strata
