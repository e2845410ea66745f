// Why a packet was not accepted, and the result type the wire layer returns.
// The parse_error values become the drop counters of the protocol layers, so
// each names one condition an operator can act on, and all layers share them
// (a truncated IPv4 packet and a truncated UDP datagram count the same way).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace strata::net {

enum class parse_error : std::uint8_t {
  // The buffer ends before the fixed header does, or before the length a
  // header field claims (IPv4 total length, UDP length, IPv4 IHL, ARP lengths).
  truncated,
  // The IPv4 version field is not 4 (also in the header an ICMP error quotes).
  bad_version,
  // The IPv4 IHL or the TCP data offset is below 5: the header would be
  // shorter than its fixed part.
  bad_header_length,
  // A length field smaller than its own header: IPv4 total length < IHL * 4,
  // UDP length < 8. (Larger than the buffer is `truncated`.)
  bad_total_length,
  // The IPv4 header, ICMP, UDP or TCP checksum does not verify.
  bad_checksum,
  // Well formed but not something this stack handles: an 802.3 length field
  // instead of an EtherType, stacked VLAN tags, ARP for other than
  // Ethernet/IPv4 or an operation other than request/reply, ICMP types other
  // than echo, destination unreachable and time exceeded.
  unsupported,
  // An option whose length does not fit its kind (TCP: MSS not 4, SACK not
  // 2 + 8n, ...; DHCP: see its wire.hpp), or, in TCP, a length byte that is
  // missing, below 2 or runs past the header.
  bad_option,
};

inline constexpr std::size_t parse_error_count = 7;

inline constexpr std::array<parse_error, parse_error_count> all_parse_errors{
    parse_error::truncated,    parse_error::bad_version,  parse_error::bad_header_length,
    parse_error::bad_total_length, parse_error::bad_checksum, parse_error::unsupported,
    parse_error::bad_option};

// The name a counter or a log line shows; the enumerator's own spelling.
constexpr std::string_view name(parse_error e) {
  switch (e) {
    case parse_error::truncated: return "truncated";
    case parse_error::bad_version: return "bad_version";
    case parse_error::bad_header_length: return "bad_header_length";
    case parse_error::bad_total_length: return "bad_total_length";
    case parse_error::bad_checksum: return "bad_checksum";
    case parse_error::unsupported: return "unsupported";
    case parse_error::bad_option: return "bad_option";
  }
  return "unknown";
}

// Why a repr could not be written.
enum class emit_error : std::uint8_t {
  buffer_too_small,    // the span cannot hold the header (and payload) the repr describes
  field_out_of_range,  // a field does not fit its wire encoding (IPv4 options not a multiple
                       // of 4 or over 40 bytes, a length over 65535, a fragment offset not a
                       // multiple of 8)
};

inline constexpr std::size_t emit_error_count = 2;

constexpr std::string_view name(emit_error e) {
  switch (e) {
    case emit_error::buffer_too_small: return "buffer_too_small";
    case emit_error::field_out_of_range: return "field_out_of_range";
  }
  return "unknown";
}

// A value or the reason there is none. Like std::optional, but it carries the
// error, needs no default-constructible T (packet views have no unchecked
// constructor), and works in constant expressions. Reading the value of an
// error is a bug in the caller: it fails to compile in a constant expression
// and traps at run time rather than reading a union member that is not there.
template <class T, class E = parse_error>
class [[nodiscard]] result {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "result<T> holds views, reprs and sizes: plain values");

 public:
  constexpr result(T value) : value_{value}, has_value_{true} {}
  constexpr result(E error) : error_{error}, has_value_{false} {}

  constexpr bool has_value() const { return has_value_; }
  constexpr explicit operator bool() const { return has_value_; }

  constexpr T const& value() const {
    if (!has_value_) __builtin_trap();
    return value_;
  }
  constexpr T const& operator*() const { return value(); }
  constexpr T const* operator->() const { return &value(); }

  constexpr E error() const {
    if (has_value_) __builtin_trap();
    return error_;
  }

  // True when this holds exactly that error (a test's CHECK reads well).
  constexpr bool failed_with(E e) const { return !has_value_ && error_ == e; }

 private:
  union {
    T value_;
    E error_;
  };
  bool has_value_;
};

}  // namespace strata::net
