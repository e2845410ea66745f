// An app with deadlines in a system without a Clock to wait on.
// expect: deadline_without_clock<strata::app<poller> ?>
// expect: has deadlines \(next_deadline\(\)\) but the system has no Clock to wait for them; add strata::monotonic_clock\{\}
#include <strata/strata.hpp>

struct poller {
  void poll(auto& sys, strata::time_ns) { sys.exit(0); }
  strata::time_ns next_deadline() const { return 0; }
};

constexpr auto description = strata::system(
#ifdef STRATA_FIXED
    strata::monotonic_clock{},
#endif
    strata::app<poller>{});

STRATA_MAIN(description)
