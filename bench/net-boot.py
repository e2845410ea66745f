#!/usr/bin/env python3
"""Timing harness of bench/net-boot.sh: QEMU launch -> DHCP lease -> first UDP echo.

  net-boot.py time   --guest NAME:KIND:CMDFILE ... --runs N --out DIR [options]
  net-boot.py memory --guest NAME:KIND:CMDFILE --grid-kib K1,K2,... --out DIR --result FILE
  net-boot.py report --out DIR --set KEY=VALUE ...

A guest's command is in CMDFILE, one QEMU argument per line (as
targets/x86_64/inspect.sh vm prints it), with two placeholders: {port} (the
host port forwarded to the guest's UDP port 7, picked free for each run) and
{memory} (the -m value). KIND is "echo" (boot, then answer UDP echo on port 7
at a static address), "dhcp-echo" (the same after a DHCP lease, announced by
a --marker line on the serial console) or "exit" (the null image: boot and
exit through isa-debug-exit with code 0).

One run: take CLOCK_MONOTONIC, start QEMU (stdout on a pipe, stdin
/dev/null), then every --interval-ms send a datagram from 127.0.0.1 to the
forwarded port (from the launch; for dhcp-echo from the lease line: slirp
queues what it cannot deliver until the guest's first DHCP packet tells it the
guest's MAC, then sends the whole queue at once, and that burst made Linux's
udhcpc lose the DHCPACK and retry 2-3 s later), and record, in ms from the
launch:
  first   first byte on the serial console (QEMU's stdout);
  lease   when the serial output first holds a line starting with --marker
          ("dhcp: bound"), or "-" if none came;
  echo    when the first datagram came back with the payload we sent;
  exit    (KIND exit) when QEMU exited (pidfd readable).
QEMU is then killed by its PID (SIGKILL) and reaped; on every way out of this
program too (try/finally, SIGTERM/SIGINT/SIGHUP handlers).

"time" runs the guests interleaved (run i: guests in the given order for odd
i, reversed for even i; one discarded warm-up each) and writes DIR/NAME.tsv
(one line per successful run: run first lease echo_or_exit) and prints one
status line per failure on stderr. "memory" bisects over the grid (KiB,
ascending) for the smallest -m at which the guest still answers one echo,
and writes it (KiB) to --result, or "none". "report" prints the results of
DIR (the .tsv files of "time" and what bench/net-boot.sh passes with --set)
as a compact table, then as markdown for docs/bench.md. The harness runs SCHED_FIFO when allowed, as
bench/boot-timer.c does (QEMU does not: SCHED_RESET_ON_FORK), so that its
wake-ups do not lag behind QEMU's busy threads on a loaded 2-core machine.
"""
import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import time

PAYLOAD = b"strata-net-boot "
live = {}  # pid -> Popen of the QEMU now running (at most one)


def kill_live():
    for pid, proc in list(live.items()):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        live.pop(pid, None)


def on_signal(sig, _frame):
    # Kill QEMU and leave at once. No Popen.wait() here: the handler may run
    # inside one (holding its lock); init reaps QEMU once we are gone.
    for pid in list(live):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(128 + sig)


def free_udp_port():
    """A host UDP port free right now (the kernel picks it; QEMU binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_cmd(path):
    with open(path) as f:
        return [line.rstrip("\n") for line in f if line.rstrip("\n") != ""]


def ms(t, t0):
    return (t - t0) / 1e6


class Result:
    def __init__(self):
        self.ok, self.why = False, ""
        self.first = self.lease = self.echo = self.exit = None
        self.status, self.output, self.errors = None, b"", ""


def run_once(cmd, kind, memory, marker, timeout_s, interval_ms, errfile):
    """One boot; returns a Result (times in ms from the launch)."""
    port = free_udp_port()
    argv = [a.replace("{port}", str(port)).replace("{memory}", memory) for a in cmd]
    r = Result()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    target = ("127.0.0.1", port)
    out = bytearray()
    marker_b = marker.encode()
    with open(errfile, "wb") as err:
        t0 = time.monotonic_ns()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        live[proc.pid] = proc
    try:
        pidfd = os.pidfd_open(proc.pid)
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        poller.register(pidfd, select.POLLIN)
        if kind != "exit":
            poller.register(sock, select.POLLIN)
        deadline = t0 + int(timeout_s * 1e9)
        interval = int(interval_ms * 1e6)
        next_send, seq, stdout_open, exited = t0, 0, True, False
        while True:
            now = time.monotonic_ns()
            if now >= deadline:
                r.why = f"no {'exit' if kind == 'exit' else 'echo'} within {timeout_s:g} s, killed"
                if kind == "dhcp-echo" and r.lease is None:
                    r.why += " (no lease line)"
                break
            probing = kind == "echo" or (kind == "dhcp-echo" and r.lease is not None)
            if probing and now >= next_send:
                seq += 1
                try:
                    sock.sendto(PAYLOAD + str(seq).encode(), target)
                except OSError:
                    pass  # e.g. ECONNREFUSED from an ICMP error: QEMU not listening yet
                next_send = max(next_send + interval, now)  # no burst to catch up after a lag
            wait_ns = min(next_send, deadline) - now if probing else deadline - now
            events = poller.poll(max(0, wait_ns) / 1e6)
            now = time.monotonic_ns()
            for efd, _ in events:
                if efd == fd:
                    try:
                        chunk = os.read(fd, 65536)
                    except BlockingIOError:
                        chunk = None
                    if chunk:
                        if r.first is None:
                            r.first = ms(now, t0)
                        start = max(0, len(out) - len(marker_b))
                        out += chunk
                        if r.lease is None and marker_b:
                            i = out.find(marker_b, start)
                            while i >= 0 and not (i == 0 or out[i - 1] in b"\r\n"):
                                i = out.find(marker_b, i + 1)
                            if i >= 0:
                                r.lease = ms(now, t0)
                                next_send = now  # dhcp-echo: the first probe goes now
                    elif chunk == b"":
                        poller.unregister(fd)
                        stdout_open = False
                elif efd == pidfd:
                    if r.exit is None:
                        r.exit = ms(now, t0)
                    poller.unregister(pidfd)
                    exited = True
                elif kind != "exit":
                    try:
                        while True:
                            data = sock.recv(2048)
                            if data.startswith(PAYLOAD) and r.echo is None:
                                r.echo = ms(now, t0)
                    except BlockingIOError:
                        pass
            if kind != "exit" and r.echo is not None:
                r.ok = True
                break
            if exited and not stdout_open:
                if kind != "exit":
                    r.why = "QEMU exited before any echo"
                break
        if exited:
            r.status = proc.wait()  # already gone: this only reaps it
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        live.pop(proc.pid, None)
        try:
            os.close(pidfd)
        except (NameError, OSError):
            pass
        sock.close()
    r.output = bytes(out)
    with open(errfile, "rb") as f:
        r.errors = f.read().decode(errors="replace").strip()
    if kind == "exit" and not r.why:
        if r.exit is None:
            r.why = "QEMU did not exit"
        elif r.status != 1:
            r.why = f"QEMU status {r.status}, want 1 (isa-debug-exit code 0)"
        elif b"N" not in r.output:
            r.why = "serial output lacks 'N'"
        else:
            r.ok = True
    return r


# --- shared with bench/http/http.py -----------------------------------------

def describe_failure(what, r):
    """A failed boot for stderr: what (e.g. "net-boot: run 3, linux"), why, and
    the last words of QEMU and of the serial console."""
    lines = [f"{what}: FAILED: {r.why}"]
    if r.errors:
        lines += ["    qemu: " + l for l in r.errors.splitlines()[:5]]
    tail = r.output.decode(errors="replace").strip().splitlines()[-5:]
    lines += ["    serial: " + l for l in tail]
    return "\n".join(lines)


def last_words(r):
    """The line that says most about a failed boot: a kernel panic, else the last
    line of QEMU's stderr or of the serial console ("" if none)."""
    said = r.errors.splitlines() or r.output.decode(errors="replace").strip().splitlines() or [""]
    return next((l for l in said if "Kernel panic" in l), said[-1]).strip()


def parse_guests(specs, kinds, prog):
    """--guest NAME:KIND:CMDFILE values as (name, kind, command) tuples."""
    guests = []
    for spec in specs:
        name, kind, path = spec.split(":", 2)
        if kind not in kinds:
            sys.exit(f"{prog}: guest {name}: kind must be {', '.join(kinds[:-1])} or {kinds[-1]}")
        guests.append((name, kind, read_cmd(path)))
    return guests


def smallest_memory(grid, works):
    """The smallest value of grid (ascending) for which works(value) holds, or
    None when not even the top does. Bisects, assuming works is monotonic in
    memory; lo is the highest known failure. The minimum found is tried once
    more (a flaky pass would understate it)."""
    lo, hi = -1, len(grid) - 1
    if not works(grid[hi]):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if works(grid[mid]):
            hi = mid
        else:
            lo = mid
    while hi < len(grid) - 1 and not works(grid[hi]):
        hi += 1
    return grid[hi]


def write_result(path, value):
    with open(path, "w") as f:
        f.write(f"{'none' if value is None else value}\n")


def add_common_arguments(p, interval_ms):
    """The options every harness mode shares."""
    p.add_argument("--guest", action="append", default=[], help="NAME:KIND:CMDFILE")
    p.add_argument("--memory", action="append", default=[], help="NAME=SIZE, the -m of a guest")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--grid-kib", default="")
    p.add_argument("--marker", default="dhcp: bound")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--interval-ms", type=float, default=interval_ms)
    p.add_argument("--out", required=True)
    p.add_argument("--result", default="")
    p.add_argument("--set", action="append", default=[], help="KEY=VALUE for the report")
    p.add_argument("--progress", action="store_true")


def measure(out, how):
    """how() with the harness SCHED_FIFO when allowed (written to out/sched) and
    QEMU killed by its PID on every way out: return, exception or signal."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    with open(os.path.join(out, "sched"), "w") as f:
        f.write(set_fifo())
    try:
        return how()
    finally:
        kill_live()


# -----------------------------------------------------------------------------

KINDS = ("echo", "dhcp-echo", "exit")


def set_fifo():
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(10))
        return "fifo"
    except (OSError, AttributeError):
        return "other"


def cmd_time(a):
    guests = parse_guests(a.guest, KINDS, "net-boot.py")
    memory = dict(m.split("=", 1) for m in a.memory)
    files = {}
    for name, _, _ in guests:
        files[name] = open(os.path.join(a.out, f"{name}.tsv"), "w")
    failed = 0
    order = list(range(len(guests)))
    for i in range(0, a.runs + 1):  # run 0: warm-up, not recorded
        seq = order if i % 2 == 1 or i == 0 else order[::-1]
        for g in seq:
            name, kind, cmd = guests[g]
            label = "warm-up" if i == 0 else str(i)
            r = run_once(cmd, kind, memory.get(name, ""), a.marker, a.timeout, a.interval_ms,
                         os.path.join(a.out, f"{name}.err"))
            with open(os.path.join(a.out, f"{name}.out"), "wb") as f:
                f.write(r.output)
            if not r.ok:
                print(describe_failure(f"net-boot: run {label}, {name}", r), file=sys.stderr, flush=True)
                failed += 1
                continue
            if i == 0:
                continue
            last = r.exit if kind == "exit" else r.echo
            fmt = lambda v: "-" if v is None else f"{v:.3f}"
            files[name].write(f"{i}\t{fmt(r.first)}\t{fmt(r.lease)}\t{fmt(last)}\n")
            files[name].flush()
        if i > 0 and a.progress:
            print(f"net-boot: run {i}/{a.runs} done", file=sys.stderr, flush=True)
    for f in files.values():
        f.close()
    return 1 if failed else 0


def cmd_memory(a):
    (name, kind, cmd), = parse_guests(a.guest, KINDS, "net-boot.py")
    grid = [int(k) for k in a.grid_kib.split(",")]
    log = open(os.path.join(a.out, f"{name}.memory.log"), "w")

    def answers(kib):
        r = run_once(cmd, kind, f"{kib}K", a.marker, a.timeout, a.interval_ms,
                     os.path.join(a.out, f"{name}.memory.err"))
        why = "answers" if r.ok else "no: " + r.why
        if not r.ok:  # what QEMU or the guest said last, for the log
            with open(os.path.join(a.out, f"{name}.memory.out"), "wb") as f:
                f.write(r.output)
            why += f" ({last_words(r)[:120]})" if last_words(r) else ""
        log.write(f"-m {kib}K: {why}\n")
        log.flush()
        print(f"net-boot: {name} -m {kib}K: {why}", file=sys.stderr, flush=True)
        return r.ok

    found = smallest_memory(grid, answers)
    write_result(a.result, found)
    return 0 if found is not None else 1


def load_times(path):
    """{run: (first, lease, last)} from a .tsv of "time"; None for "-"."""
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                run, *vals = line.split()
                rows[int(run)] = tuple(None if v == "-" else float(v) for v in vals)
    return rows


def median(v):
    v = sorted(v)
    n = len(v)
    return None if n == 0 else (v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)


def summary(values, fmt="{:.1f}"):
    """"median (min-max)" of the values that exist, or None."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return f"{fmt.format(median(v))} ({fmt.format(min(v))}-{fmt.format(max(v))})"


def cmd_report(a):
    kv = dict(x.split("=", 1) for x in a.set)
    t = {g: load_times(os.path.join(a.out, f"{g}.tsv")) for g in ("strata", "null", "linux")}
    col = lambda g, i: [r[i] for r in t[g].values()]
    runs = kv["runs"]
    try:
        with open(os.path.join(a.out, "sched")) as f:
            sched = f.read().strip()
    except OSError:
        sched = "?"
    dhcp = kv["image_addr"] == "DHCP"
    img = kv["image"]

    def cell(g, i, missing):
        return summary(col(g, i)) or missing

    first = [cell("strata", 0, "n/a (no output)"), cell("null", 0, "n/a"), cell("linux", 0, "n/a")]
    lease = [cell("strata", 1, "n/a (no `dhcp: bound` line)"), "-", cell("linux", 1, "n/a")]
    echo = [cell("strata", 2, "none"), "-", cell("linux", 2, "none")]
    exit_ = ["-", cell("null", 2, "none"), "-"]

    def fmt(x, f="{:.1f}"):
        return "n/a" if x is None else f.format(x)

    s_echo, n_exit, l_echo = (median(col(g, 2)) for g in ("strata", "null", "linux"))
    both = sorted(set(t["strata"]) & set(t["null"]))
    paired_cost = median([t["strata"][i][2] - t["null"][i][2] for i in both])
    min_cost = (min(col("strata", 2)) - min(col("null", 2))) if t["strata"] and t["null"] else None
    med_cost = (s_echo - n_exit) if s_echo is not None and n_exit is not None else None
    both = sorted(set(t["strata"]) & set(t["linux"]))
    paired_ratio = median([t["linux"][i][2] / t["strata"][i][2] for i in both])
    med_ratio = (l_echo / s_echo) if s_echo and l_echo else None

    def mem(k):
        v = kv.get(k, "skipped")
        if not v.isdigit():
            return v
        return f"{int(v)} KiB ({int(v) / 1024:.2f} MiB)"

    ok = {g: len(t[g]) for g in t}
    linux_total = int(kv["size_vmlinuz"]) + int(kv["size_initramfs"])

    print()
    print(f"strata boot-to-first-echo benchmark  {kv['date']}  machine={kv['machine']}  runs={runs} "
          f"(ok: strata {ok['strata']}, null {ok['null']}, linux {ok['linux']})")
    print(f"QEMU {kv['qemu']}, TCG, {kv['cpu']}; harness scheduling: {sched}")
    print(f"load average at start: {kv['load_start']}, at end: {kv['load_end']}; whole bench {kv['total_s']}s")
    print(f"strata: {img}.elf ({kv['image_addr']}), -m {kv['image_memory']}; "
          f"Linux: {kv.get('guest_kernel', '?')}, {kv.get('guest_busybox', '?')}, -m {kv['linux_memory']}")
    print()
    w = 34
    print(f"{'ms from QEMU launch, median (min-max)':<40} {'strata':>{w}} {'null':>{w}} {'linux':>{w}}")
    for label, row in (("first serial byte", first), ("DHCP lease (serial line)", lease),
                       ("first UDP echo answered", echo), ("QEMU exit", exit_)):
        print(f"{label:<40} " + " ".join(f"{c.replace('`', ''):>{w}}" for c in row))
    print()
    print(f"strata first echo - null exit (ms): paired median {fmt(paired_cost)}; "
          f"of medians {fmt(med_cost)}; of minimums {fmt(min_cost)}")
    print(f"Linux first echo / strata first echo: paired median {fmt(paired_ratio)}x; of medians {fmt(med_ratio)}x")
    print(f"smallest -m that still answers: strata {mem('min_strata')}; Linux {mem('min_linux')}")
    print(f"bytes: {img}.elf {kv['size_image']} (stripped {kv['size_image_stripped']}, LOAD filesz "
          f"{kv['size_image_load']}); null.elf {kv['size_null']}; Linux vmlinuz {kv['size_vmlinuz']} + "
          f"initramfs.gz {kv['size_initramfs']} = {linux_total}")

    # markdown, for docs/bench.md
    def verdict(ok_, extra=""):
        return ("met" if ok_ else "MISSED") + extra
    print()
    print(f"### Results ({kv['date'][:10]}, QEMU {kv['qemu'].split()[0]} TCG, {kv['machine']}, {runs} runs)")
    print()
    print(f"Command: `{kv['command']}` (load average at start: {kv['load_start']}, at end: {kv['load_end']}; "
          f"{kv['total_s']} s; harness scheduling: {sched}; successful runs: strata {ok['strata']}, "
          f"null {ok['null']}, Linux {ok['linux']})")
    print()
    print(f"| ms from QEMU launch, median of {runs} (min-max) | strata `{img}` ({kv['image_addr']}) | null (floor) | Linux guest |")
    print("|---|---|---|---|")
    print("| first serial byte | " + " | ".join(first) + " |")
    print("| DHCP lease (`dhcp: bound` on the console) | " + " | ".join(lease) + " |")
    print("| **first UDP echo answered** | " + " | ".join(echo) + " |")
    print("| QEMU exit | " + " | ".join(exit_) + " |")
    print()
    print("| derived | value |")
    print("|---|---|")
    print(f"| strata first echo - null exit (ms) | paired **{fmt(paired_cost)}**; of medians {fmt(med_cost)}; "
          f"of minimums {fmt(min_cost)} |")
    print(f"| Linux first echo / strata first echo | paired **{fmt(paired_ratio)}x**; of medians {fmt(med_ratio)}x |")
    print(f"| smallest -m that still answers | strata {mem('min_strata')}; Linux {mem('min_linux')} |")
    print(f"| sizes (bytes) | `{img}.elf` {kv['size_image']} as built, {kv['size_image_stripped']} stripped, "
          f"{kv['size_image_load']} loaded (LOAD filesz); Linux: vmlinuz {kv['size_vmlinuz']} + initramfs.gz "
          f"{kv['size_initramfs']} = {linux_total} ({linux_total / int(kv['size_image']):.0f}x; initramfs "
          f"unpacked {kv.get('guest_initramfs_bytes', '?')}) |")
    print()
    print(f"Linux guest: {kv.get('guest_kernel', '?')}, {kv.get('guest_busybox', '?')}, -m {kv['linux_memory']}; "
          f"modules ({kv.get('guest_modules', '?')}); command line `{kv['linux_append']}`.")
    print()
    print("| target (reported, not asserted) | measured | verdict |")
    print("|---|---|---|")
    cost = paired_cost if paired_cost is not None else med_cost
    note = "" if dhcp else " (static address: no DHCP in this image yet)"
    print(f"| QEMU launch -> first UDP echo, minus null launch -> exit, median <= 20 ms (DHCP included) | "
          f"{fmt(cost)} ms{note} | {verdict(cost is not None and cost <= 20, '' if dhcp else ', without DHCP')} |")
    ratio = paired_ratio if paired_ratio is not None else med_ratio
    print(f"| >= 20x sooner than the Linux guest to the first echo, same run | {fmt(ratio)}x (paired median) | "
          f"{verdict(ratio is not None and ratio >= 20)} |")
    ms = kv.get("min_strata", "")
    print(f"| smallest -m that still answers <= 2 MiB (Linux: ~72 MB) | strata {mem('min_strata')}; "
          f"Linux {mem('min_linux')} | {verdict(ms.isdigit() and int(ms) <= 2048) if ms.isdigit() else ms} |")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["time", "memory", "report"])
    add_common_arguments(p, interval_ms=1.0)
    a = p.parse_args()
    if a.mode == "report":
        return cmd_report(a)
    return measure(a.out, lambda: cmd_time(a) if a.mode == "time" else cmd_memory(a))


if __name__ == "__main__":
    sys.exit(main())
