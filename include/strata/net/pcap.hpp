// strata::net::pcap<Nic>: records every frame a NIC receives and sends to a
// pcap file (the classic format tcpdump, tshark and Wireshark read), with
// the system's clock as timestamps. It wraps the NIC's component, so a
// description swaps one for the other:
//   strata::net::pcap<strata::net::nic<>>{.path = "udp_echo.pcap"}
// On the hosted target --pcap FILE overrides the path. Hosted and simulated
// systems only: it writes with stdio.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/component.hpp>
#include <strata/core/options.hpp>
#include <strata/core/text.hpp>
#include <strata/net/device.hpp>

namespace strata::net {

namespace detail {
inline constexpr std::string_view pcap_name = "pcap";

// Little-endian fields, byte by byte: the file's layout does not depend on the host.
template <std::size_t N>
// NOLINTNEXTLINE(bugprone-easily-swappable-parameters): where, what, how wide, as the header's tables say
constexpr void put_le(std::array<std::byte, N>& out, std::size_t at, std::uint32_t v, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out[at + i] = std::byte(v >> (8 * i));
}
}  // namespace detail

template <class Device, class P>
class pcap_device {
 public:
  static constexpr std::size_t mtu = Device::mtu;

  constexpr pcap_device(Device inner, std::string_view path) : inner_{inner}, path_{path} {}
  pcap_device(pcap_device const&) = delete;
  pcap_device& operator=(pcap_device const&) = delete;
  pcap_device(pcap_device&& o) noexcept : inner_{o.inner_}, path_{o.path_} {}
  ~pcap_device() {
    if (file_ != nullptr) (void)std::fclose(file_);
  }

  template <class Sys>
  void init(Sys& sys) {
    if constexpr (requires { inner_.init(sys); }) inner_.init(sys);
    open(sys);
  }
  template <class Sys>
  void attach(Sys& sys)
    requires requires(Device& d) { d.attach(sys); }
  {
    inner_.attach(sys);
  }

  std::size_t receive(std::span<std::byte> rx) {
    std::size_t const n = inner_.receive(rx);
    if (n > 0) record(std::span<std::byte const>{rx.data(), n});
    return n;
  }
  bool transmit(std::span<std::byte const> tx) {
    bool const sent = inner_.transmit(tx);
    if (sent) record(tx);
    return sent;
  }
  net::mac_address mac() const { return inner_.mac(); }
  std::uint64_t frames() const { return frames_; }

 private:
  template <class Sys>
  void open(Sys& sys) {
    std::string_view const chosen = option_value("--pcap").empty() ? path_ : option_value("--pcap");
    if (chosen.empty()) return;  // no file: a plain NIC
    std::array<char, 256> name{};
    if (chosen.size() >= name.size()) sys.panic("strata: pcap: the file name is too long");
    for (std::size_t i = 0; i < chosen.size(); ++i) name[i] = chosen[i];
    file_ = std::fopen(name.data(), "wb");
    if (file_ == nullptr) sys.panic("strata: pcap: cannot create the capture file");
    std::array<std::byte, 24> header{};
    detail::put_le(header, 0, 0xa1b2c3d4, 4);  // microsecond timestamps
    detail::put_le(header, 4, 2, 2);           // version 2.4
    detail::put_le(header, 6, 4, 2);
    detail::put_le(header, 16, 65535, 4);      // snapshot length
    detail::put_le(header, 20, 1, 4);          // LINKTYPE_ETHERNET
    write(header);
  }

  void record(std::span<std::byte const> frame) {
    if (file_ == nullptr) return;
    std::uint64_t const now = P::now_ns();
    std::array<std::byte, 16> header{};
    detail::put_le(header, 0, static_cast<std::uint32_t>(now / 1'000'000'000), 4);
    detail::put_le(header, 4, static_cast<std::uint32_t>(now / 1'000 % 1'000'000), 4);
    detail::put_le(header, 8, static_cast<std::uint32_t>(frame.size()), 4);
    detail::put_le(header, 12, static_cast<std::uint32_t>(frame.size()), 4);
    write(header);
    write(frame);
    (void)std::fflush(file_);  // readable while the system runs
    ++frames_;
  }

  template <class Bytes>
  void write(Bytes const& bytes) {
    (void)std::fwrite(bytes.data(), 1, bytes.size(), file_);
  }

  Device inner_;
  std::string_view path_;
  std::FILE* file_ = nullptr;
  std::uint64_t frames_ = 0;
};

template <class Nic>
struct pcap {
  Nic nic{};
  std::string_view path{};  // empty: record only when --pcap FILE is given

  static constexpr std::string_view name = template_name_v<detail::pcap_name, Nic>;
  using provides = caps<cap::NetDevice>;
  using needs = typename Nic::needs;
  static constexpr auto options = [] {
    constexpr std::size_t inner = [] {
      if constexpr (requires { Nic::options; }) return std::size(Nic::options);
      else return std::size_t{0};
    }();
    std::array<command_option, inner + 1> all{};
    if constexpr (inner > 0)
      for (std::size_t i = 0; i < inner; ++i) all[i] = Nic::options[i];
    all[inner] = {.flag = "--pcap", .value_name = "FILE", .help = "record the NIC's frames to FILE (pcap format)"};
    return all;
  }();

  constexpr void visit_config(auto&& field) const {
    field("path", path);
    strata::visit_config(nic, field);
  }
  template <class P>
  static constexpr auto runtime(pcap const& c) {
    using device = runtime_t<Nic, P>;
    return pcap_device<device, P>{Nic::template runtime<P>(c.nic), c.path};
  }
};

}  // namespace strata::net
