#!/usr/bin/env bash
# idle_check.sh COMMAND...: runs a system that sleeps ~2 s and checks that it
# used well under half of that in CPU time (user + system, QEMU included):
# a halted or sleeping system passes, a spinning one burns ~2 s and fails.
# This checks behaviour (halting), not speed: the margin is ~10x.
set -euo pipefail
TIMEFORMAT='%U %S %R'
out=$(mktemp)
trap 'rm -f "$out"' EXIT
times=$( { time "$@" >"$out" 2>&1; } 2>&1 ) || { cat "$out"; echo "idle_check: the command failed"; exit 1; }
read -r user sys real <<<"$times"
cat "$out"
echo "idle_check: user ${user}s + sys ${sys}s of CPU over ${real}s"
grep -q '^woke$' "$out" || { echo "idle_check: the system did not wake"; exit 1; }
awk -v u="$user" -v s="$sys" -v r="$real" 'BEGIN { exit !(r >= 1.9 && u + s < 1.0) }' ||
  { echo "idle_check: it did not sleep for 2 s, or it spun while it waited"; exit 1; }
