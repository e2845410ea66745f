// Planted findings, one each analyser must report (tests/lint/CMakeLists.txt,
// lint.planted.*): a null dereference on one of two paths, which only an
// analyser that explores paths sees, and two declarations in one statement,
// a clang-tidy style finding. In a header, as most of strata's code is: a
// finding there must count as much as in a source.
#pragma once

namespace strata::lint::planted {

inline int dereference_when(bool taken) {
  int* p = nullptr;
  if (taken) return *p;
  return 0;
}

inline int two_declarations() {
  int a = 1, b = 2;
  return a + b;
}

}  // namespace strata::lint::planted
