#!/usr/bin/env bash
# Builds and runs the checksum benchmark with the image's code-generation
# flags (x86-64-v3 + PCLMUL + AES: Highway's static target is AVX2, as in the
# image), once per compiler: g++ and clang++-19 by default, or $CXX alone.
#   bench/checksum/run.sh            both compilers
#   CXX=clang++-19 bench/checksum/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${TMPDIR:-/tmp}/strata-checksum-bench"
mkdir -p "$out"
compilers=("${CXX:-}")
if [[ -z "${CXX:-}" ]]; then
  compilers=()
  for c in g++ clang++-19; do command -v "$c" >/dev/null && compilers+=("$c"); done
fi
for cxx in "${compilers[@]}"; do
  exe="$out/checksum_bench-$(basename "$cxx")"
  "$cxx" -std=c++20 -O2 -march=x86-64-v3 -mpclmul -maes -Wall -Wextra -Werror -I"$root/include" \
    "$here/checksum_bench.cpp" -o "$exe"
  echo "== $cxx ($("$cxx" --version | head -1)), -O2 -march=x86-64-v3 -mpclmul -maes"
  "$exe"
done
