#!/usr/bin/env bash
# gdb_check.sh STRATA IMAGE: ./strata run --gdb starts QEMU halted and prints
# a gdb command; that command, run as printed (in batch mode), must stop at
# strata_main with symbols. QEMU is killed by PID however the test ends.
set -euo pipefail
strata=$1 image=$2
err=$(mktemp)
pid=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$pid" ]; then
    pkill -KILL -P "$pid" 2>/dev/null  # timeout's child: QEMU
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -f "$err"
  exit $status
}
trap cleanup EXIT

setsid "$strata" run --no-build --gdb --timeout 60 "$image" >/dev/null 2>"$err" &
pid=$!
for _ in $(seq 100); do grep -q '^gdb: ' "$err" && break; sleep 0.1; done
command=$(sed -n 's/^gdb: //p' "$err")
[ -n "$command" ] || { cat "$err"; echo "FAIL: no gdb command printed"; exit 1; }
echo "printed: $command"
# The printed command, in batch mode, plus a backtrace and the end of QEMU.
out=$(eval "timeout 60 ${command/gdb -q/gdb -q -batch} -ex 'bt 2' -ex kill" 2>&1) || true
echo "$out"
grep -q "Breakpoint 1, strata_main" <<<"$out" || { echo "FAIL: gdb did not stop at strata_main"; exit 1; }
grep -q "#1 .* strata_x86_64_boot" <<<"$out" || { echo "FAIL: no symbolised backtrace"; exit 1; }
echo "ok: gdb stopped at strata_main"
