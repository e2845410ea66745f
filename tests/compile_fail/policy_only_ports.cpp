// A component listens on a port the policy does not allow.
// expect: policy_violation<strata::policy::only_ports<.*>, listener ?>
// expect: policy only_ports<...> is violated: this component listens on a port that is not on the list
#include <strata/strata.hpp>

// Stands in for a network service until the stack exists: it declares its surface.
struct listener {
  std::uint16_t port = 8080;
  static constexpr std::string_view name = "listener";
  using provides = strata::caps<>;
  using needs = strata::caps<>;
  constexpr void visit_surface(auto&& open) const { open(strata::protocol::tcp, port); }
  template <class P>
  static constexpr int runtime(listener const&) { return 0; }
};

constexpr auto description = strata::system(listener{.port = 8080});

using strata::policy::port;
#ifdef STRATA_FIXED
static_assert(strata::complies<description, strata::policy::only_ports<port{strata::protocol::tcp, 8080}>>);
#else
static_assert(strata::complies<description, strata::policy::only_ports<port{strata::protocol::tcp, 80}>>);
#endif
