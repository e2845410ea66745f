// doctest's assertions as the analysers should read them. tests/lint/lint.sh
// includes this ahead of every doctest translation unit it gives clang-tidy
// and GCC's analyzer (-include); no build uses it. cppcheck gets the same
// from tests/lint/doctest.cfg.
//
// A CHECK evaluates its expression and the test goes on; a REQUIRE ends the
// test when its expression is false (doctest throws), so what follows may
// rely on it: "REQUIRE(lease); use(*lease);" is no finding. doctest's own
// expansion hides both: the expression goes through expression templates
// (bugprone-unchecked-optional-access cannot see that a REQUIRE tested an
// optional), the end of the test through a flag tested in a lambda, and each
// assertion brings branches into doctest's reporting that GCC 12's analyzer
// misreads (a use of an uninitialised value in its small-string union) and
// that cost both analysers a path per assertion. The rest of doctest (test
// cases, SUBCASE, CAPTURE, MESSAGE) is left as it is.
#pragma once

#include <doctest/doctest.h>

namespace strata::lint {
// doctest throws here. Declared only: lint compiles, it never links.
[[noreturn]] void require_failed();
}  // namespace strata::lint

#undef CHECK
#undef CHECK_FALSE
#undef CHECK_EQ
#undef CHECK_NE
#undef REQUIRE
#undef REQUIRE_FALSE
#undef REQUIRE_EQ
#undef REQUIRE_NE
#define CHECK(...) static_cast<void>(static_cast<bool>(__VA_ARGS__))
#define CHECK_FALSE(...) static_cast<void>(static_cast<bool>(__VA_ARGS__))
#define CHECK_EQ(a, b) static_cast<void>(static_cast<bool>((a) == (b)))
#define CHECK_NE(a, b) static_cast<void>(static_cast<bool>((a) != (b)))
#define REQUIRE(...) (static_cast<bool>(__VA_ARGS__) ? static_cast<void>(0) : ::strata::lint::require_failed())
#define REQUIRE_FALSE(...) (static_cast<bool>(__VA_ARGS__) ? ::strata::lint::require_failed() : static_cast<void>(0))
#define REQUIRE_EQ(a, b) (static_cast<bool>((a) == (b)) ? static_cast<void>(0) : ::strata::lint::require_failed())
#define REQUIRE_NE(a, b) (static_cast<bool>((a) != (b)) ? static_cast<void>(0) : ::strata::lint::require_failed())
