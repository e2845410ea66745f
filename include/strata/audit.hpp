// The audit: what an image contains and exposes, computed from the
// description at compile time. STRATA_MAIN embeds the report (text and JSON)
// in the image, in sections the loader never maps; `./strata audit` prints
// it and checks the linked binary against it (targets/x86_64/audit.sh).
// The JSON schema is in docs/audit.md.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include <strata/core/component.hpp>
#include <strata/core/describe.hpp>
#include <strata/core/manifest.hpp>
#include <strata/core/surface.hpp>
#include <strata/core/system.hpp>
#include <strata/core/text.hpp>

namespace strata::audit {

// Bytes of a component's run-time state on platform P (its static memory:
// the system object holding it is a static).
template <class C, class P>
inline constexpr std::size_t static_memory = std::is_empty_v<runtime_t<C, P>> ? 0 : sizeof(runtime_t<C, P>);

template <class P, class... Cs>
constexpr std::size_t total_static_memory(system_description<Cs...> const&) {
  return (static_memory<Cs, P> + ... + 0);
}

// The components strata itself offers: the prefix of their names and of
// their run-time types' names, and the header holding their code. When one is
// absent from a description, no code or debug information naming its type may
// be in the image; when present, the code from its header is its size.
struct library_component {
  std::string_view component;  // prefix of the component's name
  std::string_view runtime;    // prefix of its run-time type's name
  std::string_view header;     // where its code is, below include/
};
// A component's header may be a folder (a prefix): the first row whose
// header a source file's path contains owns the file's code, so the more
// specific rows come first and ipv4, which owns the wire formats, the
// checksum and reassembly, is last.
inline constexpr library_component library[] = {
    {.component = "serial_console", .runtime = "strata::platform_console", .header = "strata/console.hpp"},
    {.component = "monotonic_clock", .runtime = "strata::platform_clock", .header = "strata/clock.hpp"},
    {.component = "timers", .runtime = "strata::timer_table", .header = "strata/timers.hpp"},
    {.component = "udp_service", .runtime = "strata::net::udp_service_state", .header = "strata/net/udp/service.hpp"},
    {.component = "dhcp", .runtime = "strata::net::dhcp_service_state", .header = "strata/net/dhcp/"},
    // The TCP layer owns the engine and the services' plumbing; a service's
    // own code is its handler's (the app's).
    {.component = "tcp", .runtime = "strata::net::tcp_layer_state", .header = "strata/net/tcp/"},
    {.component = "tcp_service", .runtime = "strata::net::tcp_service_state", .header = "strata/net/tcp/layer.hpp"},
    // The HTTP server owns the request parser and the files' tables too.
    {.component = "http::server", .runtime = "strata::http::server_state", .header = "strata/http/"},
    // The image's NIC; its code is the target's virtio headers.
    {.component = "virtio_nic", .runtime = "strata::target::virtio::virtio_net", .header = "strata/target/virtio/"},
    {.component = "ipv4", .runtime = "strata::net::ipv4_host", .header = "strata/net/"},
};

template <class... Cs>
constexpr bool uses_library_component(library_component const& l) {
  return ((Cs::name.starts_with(l.component)) || ... || false);
}

namespace detail {

// Writes s as a JSON string.
constexpr void json_string(text_writer& w, std::string_view s) {
  constexpr char hex[] = "0123456789abcdef";
  w << '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      w << '\\' << c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      w << "\\u00" << hex[(c >> 4) & 0xf] << hex[c & 0xf];
    } else {
      w << c;
    }
  }
  w << '"';
}

template <class T>
constexpr void json_value(text_writer& w, T const& v) {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>)
    w << v;
  else if constexpr (std::is_convertible_v<T const&, std::string_view>)
    json_string(w, v);
  else {
    // Values that describe themselves (addresses, ...) become JSON strings.
    char buf[128]{};
    text_writer inner{buf, sizeof buf};
    v.describe_to(inner);
    json_string(w, std::string_view{buf, inner.truncated() ? sizeof buf : inner.size()});
  }
}

template <class... Caps>
constexpr void json_caps(text_writer& w, caps<Caps...>) {
  w << '[';
  [[maybe_unused]] bool first = true;
  ((w << (first ? "" : ", "), json_string(w, Caps::name), first = false), ...);
  w << ']';
}

template <class... Cs, class... Caps>
constexpr void json_needs(text_writer& w, caps<Caps...>) {
  w << '[';
  [[maybe_unused]] bool first = true;
  (([&] {
     w << (first ? "" : ", ") << "{\"capability\": ";
     json_string(w, Caps::name);
     w << ", \"from\": ";
     json_string(w, strata::detail::nth<strata::detail::provider_index<Caps, Cs...>, Cs...>::name);
     w << '}';
     first = false;
   }()),
   ...);
  w << ']';
}

// The VM's command line; nothing when the target has no VM (VM = void).
// {memory} and {image} are filled in from the linked image by ./strata, and
// the target's other {placeholders} by its inspect.sh (machine-specific
// device names). The listening ports become the network's forwards.
template <class VM, class... Cs, class F>
constexpr void qemu_arguments(system_description<Cs...> const& d, F&& arg) {
  if constexpr (!std::is_void_v<VM>) {
    arg(VM::program);
    for (auto a : VM::base) arg(a);
    auto const for_each_port = [&](auto&& port) { (visit_surface(d.template get<Cs>(), port), ...); };
    manifest_of(d).for_each([&](device dev) { VM::device_arguments(dev, arg, for_each_port); });
    arg("-m");
    arg("{memory}");
    arg("-kernel");
    arg("{image}");
  }
}

}  // namespace detail

// The report for people.
template <class P, class VM, class... Cs>
constexpr void report_text(text_writer& w, system_description<Cs...> const& d, std::string_view name) {
  w << "strata audit of " << name << ", target " << P::name << "\n\n== components\n";
  describe_to(w, d);

  w << "\n== static memory (each component's run-time state)\n";
  for_each_in_init_order(d, [&](auto index) {
    using C = strata::detail::nth<decltype(index)::value, Cs...>;
    auto const mark = w.size();
    w << "  " << C::name;
    w.pad_from(mark, 32);
    w << static_memory<C, P> << " B\n";
  });
  w << "  total                         " << total_static_memory<P>(d) << " B\n";

  w << "\n== exposed surface\n  listening ports:";
  bool any = false;
  (visit_surface(d.template get<Cs>(),
                 [&](protocol p, std::uint16_t port) {
                   w << ' ' << port << '/' << protocol_name(p) << " (" << Cs::name << ')';
                   any = true;
                 }),
   ...);
  w << (any ? "\n" : " none\n");
  (visit_behaviour(d.template get<Cs>(),
                   [&](std::string_view what, std::string_view how) {
                     auto const mark = w.size();
                     w << "  " << what << ':';
                     w.pad_from(mark, 19);
                     w << how << " (" << Cs::name << ")\n";
                   }),
   ...);

  w << "\n== devices (manifest)\n";
  auto const m = manifest_of(d);
  m.for_each([&](device dev) { w << "  " << device_name(dev) << '\n'; });

  w << "\n== run with\n ";
  bool has_vm = false;
  detail::qemu_arguments<VM>(d, [&](std::string_view a) {
    w << ' ' << a;
    has_vm = true;
  });
  w << (has_vm ? "\n" : " the hosted executable (no virtual machine)\n");

  w << "\n== strata components absent, so absent from the binary\n";
  bool none_absent = true;
  for (auto const& l : library)
    if (!uses_library_component<Cs...>(l)) {
      w << "  " << l.component << " (" << l.runtime << ")\n";
      none_absent = false;
    }
  if (none_absent) w << "  none\n";
}

// The report for tools; schema "strata-audit/1" in docs/audit.md.
template <class P, class VM, class... Cs>
constexpr void report_json(text_writer& w, system_description<Cs...> const& d, std::string_view name) {
  w << "{\"schema\": \"strata-audit/1\", \"name\": ";
  detail::json_string(w, name);
  w << ", \"target\": ";
  detail::json_string(w, P::name);
  w << ",\n \"components\": [";
  bool first_component = true;
  for_each_in_init_order(d, [&](auto index) {
    constexpr std::size_t i = decltype(index)::value;
    using C = strata::detail::nth<i, Cs...>;
    w << (first_component ? "\n  " : ",\n  ") << "{\"name\": ";
    first_component = false;
    detail::json_string(w, C::name);
    w << ", \"runtime\": ";
    detail::json_string(w, type_name<runtime_t<C, P>>);
    w << ", \"provides\": ";
    detail::json_caps(w, typename C::provides{});
    w << ", \"needs\": ";
    detail::json_needs<Cs...>(w, typename C::needs{});
    w << ", \"config\": {";
    bool first = true;
    visit_config(d.template at<i>(), [&](std::string_view key, auto const& value) {
      w << (first ? "" : ", ");
      detail::json_string(w, key);
      w << ": ";
      detail::json_value(w, value);
      first = false;
    });
    w << "}, \"static_memory\": " << static_memory<C, P> << '}';
  });
  w << "],\n \"static_memory\": " << total_static_memory<P>(d) << ",\n \"surface\": {\"ports\": [";
  bool first = true;
  (visit_surface(d.template get<Cs>(),
                 [&](protocol p, std::uint16_t port) {
                   w << (first ? "" : ", ") << "{\"protocol\": \"" << protocol_name(p) << "\", \"port\": " << port
                     << ", \"component\": ";
                   detail::json_string(w, Cs::name);
                   w << '}';
                   first = false;
                 }),
   ...);
  w << "], \"behaviour\": [";
  first = true;
  (visit_behaviour(d.template get<Cs>(),
                   [&](std::string_view what, std::string_view how) {
                     w << (first ? "" : ", ") << "{\"what\": ";
                     detail::json_string(w, what);
                     w << ", \"how\": ";
                     detail::json_string(w, how);
                     w << ", \"component\": ";
                     detail::json_string(w, Cs::name);
                     w << '}';
                     first = false;
                   }),
   ...);
  w << "]},\n \"devices\": [";
  auto const m = manifest_of(d);
  first = true;
  m.for_each([&](device dev) {
    w << (first ? "" : ", ");
    detail::json_string(w, device_name(dev));
    first = false;
  });
  w << "],\n \"qemu\": [";
  first = true;
  detail::qemu_arguments<VM>(d, [&](std::string_view a) {
    w << (first ? "" : ", ");
    detail::json_string(w, a);
    first = false;
  });
  w << "],\n \"library\": [";
  first = true;
  for (auto const& l : library) {
    w << (first ? "" : ", ") << "{\"component\": ";
    detail::json_string(w, l.component);
    w << ", \"runtime\": ";
    detail::json_string(w, l.runtime);
    w << ", \"header\": ";
    detail::json_string(w, l.header);
    w << ", \"present\": " << uses_library_component<Cs...>(l) << '}';
    first = false;
  }
  w << "]}\n";
}

}  // namespace strata::audit
