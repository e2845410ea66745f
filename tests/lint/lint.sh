#!/usr/bin/env bash
# lint.sh TOOL PROGRAM BUILD_DIR WORK_DIR SOURCES_FILE SOURCE_ROOT [SKIP...]
#
# Runs one static analyser over the linted translation units of a build and
# fails with the list of findings (tests/lint/CMakeLists.txt registers one
# ctest test per tool; docs/lint.md says what each checks and why).
#   TOOL      clang-tidy, cppcheck or gcc-analyzer
#   PROGRAM   the analyser's executable (clang-tidy-19, cppcheck, g++)
#   SKIP      sources this tool leaves out (the reasons are in CMakeLists.txt)
# The translation units and their flags come from BUILD_DIR's compile
# database, narrowed to the units in SOURCES_FILE (select.cmake). Each unit
# says which functions the analysers that explore paths explore (docs/lint.md,
# "Paths"): "paths", those of the file; "all-paths", those of strata's headers
# too; "no-paths" (tests/net, tests/sim), none: clang-tidy gets the file as an
# included file, where the Clang static analyzer runs only its checks that do
# not explore paths, and GCC's analyzer skips it. Scratch output goes to
# WORK_DIR. Runs one job per CPU.
set -euo pipefail

tool=$1 program=$2 build=$3 work=$4 sources=$5 root=$6
shift 6
skip=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=$(nproc)
start=$SECONDS

fail() { echo "lint ($tool): $*" >&2; exit 1; }

case "$tool" in
  clang-tidy) package=clang-tidy-19 ;;
  cppcheck) package=cppcheck ;;
  gcc-analyzer) package=g++ ;;
  *) fail "unknown tool '$tool'" ;;
esac
if [[ $program == *NOTFOUND* || -z $program ]] || ! command -v "$program" >/dev/null; then
  fail "$package is not installed; run ./strata setup (it installs the Debian package $package)"
fi

rm -rf "$work"
mkdir -p "$work/log"
skip_list=$(IFS=';'; echo "${skip[*]}")
cmake -DDATABASE="$build/compile_commands.json" -DSOURCES="$sources" -DSKIP="$skip_list" -DOUT="$work" \
      -P "$here/select.cmake"

mapfile -t unit_lines <"$work/units.txt"
[ ${#unit_lines[@]} -gt 0 ] || fail "no translation units selected (is $sources empty?)"

rel() { echo "${1#"$root"/}"; }
for s in "${skip[@]}"; do echo "lint ($tool): skipped $(rel "$s") (see tests/lint/CMakeLists.txt)"; done

# --- one translation unit -----------------------------------------------------
# unit_args COMMAND FILE: sets args to the unit's own flags (defines, include
# paths, -std, -O) minus the compiler, the output, the source and the
# sanitizers of the test builds; the constexpr limit in the analyser's
# spelling (the net tests raise it: they evaluate whole packets at compile
# time); and doctest's assertions as the analysers should read them, for a
# unit that uses doctest (doctest_lint.hpp says why).
unit_args() {
  local command=$1 file=$2 skip_next=0 a
  args=()
  eval "set -- $command"
  shift
  for a in "$@"; do
    if [ $skip_next -eq 1 ]; then skip_next=0; continue; fi
    case "$a" in
      -o) skip_next=1 ;;
      -c|"$file"|-fsanitize=*|-fno-sanitize*|-fdiagnostics-color*|-fcolor-diagnostics) ;;
      -fconstexpr-ops-limit=*|-fconstexpr-steps=*)
        if [ "$tool" = clang-tidy ]; then args+=("-fconstexpr-steps=${a#*=}"); else args+=("-fconstexpr-ops-limit=${a#*=}"); fi ;;
      *) args+=("$a") ;;
    esac
  done
  if grep -q '^#include <doctest/doctest.h>' "$file"; then args+=(-include "$root/tests/lint/doctest_lint.hpp"); fi
}

# run_unit INDEX: analyses unit INDEX; output in log/INDEX.out, status in log/INDEX.rc.
run_unit() {
  local i=$1 file mode directory command rc=0 started=$SECONDS args
  IFS=$'\t' read -r file mode directory command <<<"${unit_lines[$i]}"
  local log="$work/log/$i.out"
  unit_args "$command" "$file"
  case "$tool" in
    clang-tidy)
      # The configuration is the repository's .clang-tidy. A no-paths unit is
      # the one line of a file of its own, which makes it an included file:
      # its findings count as a header's (HeaderFilterRegex), and the static
      # analyzer explores the functions of the main file only.
      # An all-paths unit has the analyzer explore the functions of its
      # included files and of strata's headers too.
      local main=$file
      if [ "$mode" = no-paths ]; then
        main="$work/log/$i.cpp"
        printf '#include "%s"  // NOLINT(bugprone-suspicious-include): docs/lint.md, "Paths"\n' "$file" >"$main"
      elif [ "$mode" = all-paths ]; then
        args+=(-Xclang -analyzer-opt-analyze-headers)
      fi
      (cd "$directory" && "$program" --config-file="$root/.clang-tidy" --quiet "$main" -- "${args[@]}" \
          -Wno-unknown-warning-option) >"$log" 2>&1 || rc=$?
      ;;
    gcc-analyzer)
      (cd "$directory" && "$program" "${args[@]}" -fanalyzer -Werror -fdiagnostics-color=never \
          -c "$file" -o "$work/log/$i.o") >"$log" 2>&1 || rc=$?
      ;;
  esac
  echo "$rc" >"$work/log/$i.rc"
  echo $((SECONDS - started)) >"$work/log/$i.time"
}

# A finding is a diagnostic line ("file:line:col: warning: ...") or, from
# GCC, one at no location ("cc1plus: error: ...").
findings_in() {
  grep -E '^([^ :]+:[0-9]+:[0-9]+|cc1plus): (warning|error): ' "$1" | sed "s|^$root/||" || true
}

summary=$work/findings.txt
: >"$summary"
failed=0

if [ "$tool" = cppcheck ]; then
  # One run over the filtered database. Boost, fmt, doctest and the standard
  # library are not on its include path (cppcheck needs no system headers and
  # would take minutes on them); doctest.cfg gives it doctest's macros. The
  # checks that are off for the whole code base, with their reasons, are in
  # cppcheck-suppressions.txt; a single finding is suppressed inline.
  rc=0
  "$program" --project="$work/compile_commands.json" --library="$here/doctest.cfg" \
    --suppressions-list="$here/cppcheck-suppressions.txt" \
    --enable=warning,performance,portability --std=c++20 --inline-suppr --error-exitcode=1 \
    --quiet -j "$jobs" \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]\n{code}' >"$work/log/cppcheck.out" 2>&1 || rc=$?
  grep -E '^[^ :]+ ?:[0-9]+:[0-9]+: ' "$work/log/cppcheck.out" | sed "s|^$root/||" | sort -u >"$summary" || true
  if [ $rc -ne 0 ] || [ -s "$summary" ]; then
    failed=1
    echo "== cppcheck output (exit $rc)"
    sed "s|$root/||" "$work/log/cppcheck.out"
  fi
  echo "lint ($tool): ${#unit_lines[@]} translation units"
else
  export -f unit_args run_unit
  export tool program work root
  # GCC's analyzer leaves out the no-paths units (docs/lint.md, "Paths").
  # The units whose paths are explored take longest: they start first.
  queued=()
  for m in all-paths paths no-paths; do
    [ "$tool" = gcc-analyzer ] && [ "$m" = no-paths ] && continue
    for i in "${!unit_lines[@]}"; do
      IFS=$'\t' read -r file mode _ <<<"${unit_lines[$i]}"
      [ "$mode" = "$m" ] && queued+=("$i")
    done
  done
  # Arrays do not cross into the xargs children: they re-read units.txt.
  # shellcheck disable=SC2016  # expanded by the child shell, on purpose
  printf '%s\n' "${queued[@]}" | xargs -P "$jobs" -I{} bash -c \
    'mapfile -t unit_lines <"$work/units.txt"; run_unit "$1"' _ {}
  details=$work/details.txt
  : >"$details"
  echo "lint ($tool): ${#queued[@]} translation units, $jobs jobs"
  for i in "${!unit_lines[@]}"; do
    IFS=$'\t' read -r file mode _ <<<"${unit_lines[$i]}"
    if [ ! -f "$work/log/$i.rc" ]; then
      printf '  -     %s (%s: not for this tool)\n' "$(rel "$file")" "$mode"
      continue
    fi
    rc=$(cat "$work/log/$i.rc")
    took=$(cat "$work/log/$i.time")
    found=$(findings_in "$work/log/$i.out")
    if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
      failed=1
      printf '  FAIL  %s (exit %s, %ss)\n' "$(rel "$file")" "$rc" "$took"
      [ -n "$found" ] && echo "$found" >>"$summary"
      { echo "== $(rel "$file") (exit $rc)"
        sed -E -e "s|$root/||g" -e '/^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$/d' "$work/log/$i.out"; } >>"$details"
    else
      printf '  ok    %s (%ss)\n' "$(rel "$file")" "$took"
    fi
  done
  [ $failed -eq 0 ] || cat "$details"
  sort -u -o "$summary" "$summary"
fi

elapsed=$((SECONDS - start))
if [ $failed -ne 0 ]; then
  echo
  echo "== lint ($tool) findings, each once (fix them, or suppress one inline with a reason: docs/lint.md)"
  if [ -s "$summary" ]; then cat "$summary"; else echo "(no diagnostic lines; see the output above)"; fi
  echo "lint ($tool): FAILED after ${elapsed}s"
  exit 1
fi
echo "lint ($tool): clean, ${elapsed}s"
