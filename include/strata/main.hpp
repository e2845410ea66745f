// STRATA_MAIN(description): the program's entry for whichever target the
// build chose. It defines strata_main(argc, argv), which the target calls
// (the image's boot code with no arguments, the hosted main with the
// process's), and the target's own entry point where it has one.
#pragma once

#include <cstddef>
#include <new>
#include <string_view>
#include <type_traits>

#include <strata/audit.hpp>
#include <strata/core/describe.hpp>
#include <strata/core/options.hpp>
#include <strata/core/runtime.hpp>
#include <strata/core/text.hpp>
#include <strata/platform.hpp>

// The unikernel's name, as strata_add_unikernel() defines it.
#ifndef STRATA_UNIKERNEL_NAME
#define STRATA_UNIKERNEL_NAME "unikernel"
#endif

namespace strata::detail {

inline constexpr std::string_view unikernel_name = STRATA_UNIKERNEL_NAME;

// The audit report and the VM command line, rendered by the compiler. They
// are embedded in the image in sections the loader does not map (see the
// linker script), for ./strata audit and ./strata run to read.
// (Function templates, not static members of a class template: clang 19
// crashes on lambdas as template arguments in static member initialisers.)
template <class P, class VM, auto const& Description>
constexpr auto audit_text() {
  return render_text<[](text_writer& w) { audit::report_text<P, VM>(w, Description, unikernel_name); }>();
}
template <class P, class VM, auto const& Description>
constexpr auto audit_json() {
  return render_text<[](text_writer& w) { audit::report_json<P, VM>(w, Description, unikernel_name); }>();
}
// The VM's arguments, each ended by a NUL.
template <class VM, auto const& Description>
constexpr auto vm_command() {
  return render_text<[](text_writer& w) {
    audit::detail::qemu_arguments<VM>(Description, [&](std::string_view a) { w << a << '\0'; });
  }>();
}

template <Platform P>
void write_line(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  P::console_write(a.data(), a.size());
  P::console_write(b.data(), b.size());
  P::console_write(c.data(), c.size());
}

template <class Description, class F>
void for_each_component_option(F&& f);
template <class... Cs, class F>
void for_each_component_option_of(system_description<Cs...> const*, F&& f) {
  (for_each_option<Cs>(f), ...);
}
template <class Description, class F>
void for_each_component_option(F&& f) {
  for_each_component_option_of(static_cast<Description const*>(nullptr), f);
}

// What read_arguments returns when the system is to run.
inline constexpr int run_the_system = -1;

// The command line of a target that has one: --describe, --audit,
// --audit-json, --help and the options of the system's components. Returns
// the exit status for an option that ends the program, else run_the_system.
template <Platform P, class VM, auto const& Description>
int read_arguments(int argc, char const* const* argv) {
  using description = std::remove_cvref_t<decltype(Description)>;
  for (int i = 1; i < argc; ++i) {
    std::string_view const arg = argv[i];
    if (arg == "--describe") {
      static constexpr auto text = render_text<[](text_writer& w) { describe_to(w, Description); }>();
      write_line<P>(text.view());
      return 0;
    }
    if (arg == "--audit") {
      static constexpr auto text = audit_text<P, VM, Description>();
      write_line<P>(text.view());
      return 0;
    }
    if (arg == "--audit-json") {
      static constexpr auto json = audit_json<P, VM, Description>();
      write_line<P>(json.view());
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      write_line<P>("usage: ", argc > 0 ? argv[0] : "unikernel", " [options]\n");
      write_line<P>("  --describe    print the system description (components, capabilities, configuration)\n"
                    "  --audit       print the audit report (adds static memory, surface, devices)\n"
                    "  --audit-json  the audit report as JSON (schema in docs/audit.md)\n");
      for_each_component_option<description>([](command_option const& o) {
        write_line<P>("  ", o.flag, " ");
        write_line<P>(o.value_name, "  ", o.help);
        write_line<P>("\n");
      });
      return 0;
    }
    // An option a component of this system declares, with its value.
    bool known = false;
    for_each_component_option<description>([&](command_option const& o) { known = known || o.flag == arg; });
    if (known) {
      if (i + 1 >= argc) {
        write_line<P>("strata: option '", arg, "' needs a value; see --help\n");
        return 2;
      }
      set_option(arg, argv[++i]);
      continue;
    }
    write_line<P>("strata: unknown option '", arg, "'; the options are --describe, --audit, --audit-json");
    for_each_component_option<description>([](command_option const& o) { write_line<P>(", ", o.flag); });
    write_line<P>(" and --help\n");
    return 2;
  }
  return run_the_system;
}

template <Platform P, class VM, auto const& Description>
int main(int argc, char const* const* argv) {
  using description = std::remove_cvref_t<decltype(Description)>;
  static_assert(is_system_description<description>,
                "strata: STRATA_MAIN(x) needs x to be a constexpr value made by strata::system(...)");
  // Only targets with a command line (hosted) take options; an image has
  // its report in its own sections and carries none of this text.
  if constexpr (requires { requires P::has_arguments; }) {
    if (int const status = read_arguments<P, VM, Description>(argc, argv); status != run_the_system) return status;
  } else {
    (void)argc;
    (void)argv;
  }
  // Static: component state can be large (buffers) and must not sit on the
  // stack. Built here in zeroed storage rather than as a constant-initialised
  // static, which would put every buffer's zeros into .data, in the image file.
  using system_type = runtime_system<P, description>;
  alignas(system_type) static std::byte storage[sizeof(system_type)];
  return (new (storage) system_type{Description})->run();
}

}  // namespace strata::detail

#define STRATA_MAIN(description)                                                                       \
  [[gnu::used, gnu::section(".strata.audit")]] constexpr auto strata_audit_text =                      \
      ::strata::detail::audit_text<::strata::target::platform, ::strata::target::vm, description>();  \
  [[gnu::used, gnu::section(".strata.audit.json")]] constexpr auto strata_audit_json =                 \
      ::strata::detail::audit_json<::strata::target::platform, ::strata::target::vm, description>();  \
  [[gnu::used, gnu::section(".strata.vm")]] constexpr auto strata_vm_command =                         \
      ::strata::detail::vm_command<::strata::target::vm, description>();                            \
  extern "C" int strata_main(int argc, char const* const* argv) {                                      \
    return ::strata::detail::main<::strata::target::platform, ::strata::target::vm, description>(argc, argv); \
  }                                                                                                    \
  STRATA_TARGET_ENTRY
