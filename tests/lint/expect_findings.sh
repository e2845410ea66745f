#!/usr/bin/env bash
# expect_findings.sh PATTERN... -- COMMAND...
#
# Runs COMMAND (lint.sh over the planted unit) and passes only if it fails
# (exit 1) and its output has a line matching each extended regular
# expression PATTERN: the proof that a lint test fails, naming the finding,
# when there is one.
set -uo pipefail
patterns=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do patterns+=("$1"); shift; done
[ $# -gt 1 ] || { echo "usage: expect_findings.sh PATTERN... -- COMMAND..." >&2; exit 2; }
shift
out=$("$@" 2>&1)
rc=$?
echo "$out"
echo "== expect_findings: the command exited $rc"
ok=1
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1 (findings)"; ok=0; }
for p in "${patterns[@]}"; do
  if grep -qE -- "$p" <<<"$out"; then echo "found: $p"; else echo "FAIL: no line matches: $p"; ok=0; fi
done
[ $ok -eq 1 ] && echo "expect_findings: ok"
