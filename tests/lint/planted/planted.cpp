// The unit lint.planted.* analyse (see planted.hpp). Never built.
#include "planted.hpp"

int strata_lint_planted(bool taken) {
  return strata::lint::planted::dereference_when(taken) + strata::lint::planted::two_declarations();
}
