#!/usr/bin/env python3
"""Harness of bench/http/run.sh: QEMU launch -> first HTTP response, wrk against a booted guest, smallest -m.

  http.py first  --guest NAME:KIND:CMDFILE ... --runs N --page FILE --out DIR [options]
  http.py load   --guest NAME:KIND:CMDFILE ... --rounds R --page FILE --out DIR [wrk options]
  http.py memory --guest NAME:KIND:CMDFILE --grid-kib K1,K2,... --page FILE --out DIR --result FILE
  http.py report --out DIR --set KEY=VALUE ...

A guest's command is in CMDFILE, one QEMU argument per line (as
targets/x86_64/inspect.sh vm prints it), with two placeholders: {port} (the
host port forwarded to the guest's TCP port 80, picked free for each boot)
and {memory} (the -m value). KIND is "http" (probed from the launch) or
"dhcp-http" (probed from the guest's --marker line, "dhcp: bound", on the
serial console: as in bench/net-boot.py, slirp holds what it cannot deliver
until the guest's first DHCP packet, then sends it all at once).

One boot (every mode): take CLOCK_MONOTONIC, start QEMU (stdout on a pipe,
stdin /dev/null), and from the launch (or the lease line) open a new TCP
connection to 127.0.0.1:port every --interval-ms and send on it
"GET / HTTP/1.1" with "Connection: close". Until the guest listens, each of
these ends at once: QEMU refuses it before it listens itself, and slirp
closes it when the guest answers its SYN with a reset. Connections stay open
until they end (at most 256 at a time, the oldest closed first). Recorded, in
ms from the launch: the first serial byte, the lease line, and the first
complete response (headers and Content-Length bytes of body), which must be
"200" with the bytes of --page as its body. QEMU is killed by its PID
(SIGKILL) and reaped after each boot, and on every way out of this program
(try/finally, SIGTERM/SIGINT/SIGHUP handlers).

"first" boots the guests interleaved (run i: the given order for odd i,
reversed for even i; one discarded warm-up each) and writes DIR/NAME.tsv (run,
first byte, lease, response; one line per successful run) and DIR/NAME.response
(the first response's bytes). "load" boots each guest once per round (order
reversed on even rounds), and once it has answered runs wrk against it: a
warm-up of --warmup s (discarded: TCG translates the server's code on first
use), then --duration s with --latency; the output goes to DIR/NAME.wrk.R,
the figures to DIR/NAME.load.tsv. "memory" bisects over the grid (KiB,
ascending) for the smallest -m at which the guest still serves the page and
writes it (KiB) to --result, or "none". "report" prints DIR's results as a
compact table, then as markdown for docs/bench.md. The harness runs
SCHED_FIFO when allowed (QEMU and wrk do not: SCHED_RESET_ON_FORK).
"""
import argparse
import collections
import errno
import importlib.util
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

# What is not HTTP is shared with the boot-to-echo harness: the QEMU that is
# running (nb.live, killed by PID on every way out), SCHED_FIFO, statistics,
# the guests' specs, failure reports and the smallest-memory search.
sys.dont_write_bytecode = True  # no __pycache__ in bench/
_spec = importlib.util.spec_from_file_location(
    "net_boot", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net-boot.py"))
nb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nb)
median, summary, read_cmd = nb.median, nb.summary, nb.read_cmd
describe_failure, last_words, smallest_memory, write_result = (
    nb.describe_failure, nb.last_words, nb.smallest_memory, nb.write_result)
KINDS = ("http", "dhcp-http")

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
MAX_OPEN = 256


def free_tcp_port():
    """A host TCP port free right now (the kernel picks it; QEMU binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_response(buf, eof):
    """(status, headers dict, body) once buf holds a whole response, else None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return (0, {}, b"")  # not HTTP: complete, and wrong
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = bytes(buf[end + 4:])
    if "content-length" in headers:
        n = int(headers["content-length"])
        return (int(m.group(1)), headers, body[:n]) if len(body) >= n else None
    return (int(m.group(1)), headers, body) if eof else None


class Attempt:
    """One probe: a non-blocking connection that sends REQUEST once connected."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.sent = False
        self.err = self.sock.connect_ex(("127.0.0.1", port))

    def send(self):
        try:
            self.sock.send(REQUEST)  # 60 bytes: all of it goes, or an error
            self.sent = True
            return True
        except OSError:
            return False


class Result:
    def __init__(self):
        self.ok, self.why = False, ""
        self.first = self.lease = self.response = None
        self.attempts = 0
        self.raw = b""
        self.output, self.errors = b"", ""
        self.extra = None  # what "then" returned (load mode)


class Boot:
    """A running QEMU whose serial output is read as it comes."""

    def __init__(self, cmd, memory, errfile):
        self.port = free_tcp_port()
        argv = [a.replace("{port}", str(self.port)).replace("{memory}", memory) for a in cmd]
        self.out = bytearray()
        self.errfile = errfile
        with open(errfile, "wb") as err:
            self.t0 = time.monotonic_ns()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        nb.live[self.proc.pid] = self.proc
        self.pidfd = os.pidfd_open(self.proc.pid)
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.stdout_open, self.exited = True, False

    def ms(self, t):
        return (t - self.t0) / 1e6

    def read_serial(self):
        """Reads what QEMU printed; returns the new bytes (b"" at EOF)."""
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return None
        if chunk:
            self.out += chunk
        else:
            self.stdout_open = False
        return chunk

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        nb.live.pop(self.proc.pid, None)
        os.close(self.pidfd)

    def output(self):
        with open(self.errfile, "rb") as f:
            return bytes(self.out), f.read().decode(errors="replace").strip()


def probe(b, kind, marker, timeout_s, interval_ms, page, r):
    """Waits for the first whole response to GET / (see the module's doc); fills r."""
    marker_b = marker.encode()
    poller = select.poll()
    poller.register(b.fd, select.POLLIN)
    poller.register(b.pidfd, select.POLLIN)
    attempts = collections.OrderedDict()  # fd -> Attempt, oldest first
    deadline = b.t0 + int(timeout_s * 1e9)
    interval = int(interval_ms * 1e6)
    next_try = b.t0

    def drop(fd):
        a = attempts.pop(fd)
        poller.unregister(fd)
        a.sock.close()

    try:
        while True:
            now = time.monotonic_ns()
            if now >= deadline:
                r.why = f"no HTTP response within {timeout_s:g} s, killed"
                if kind == "dhcp-http" and r.lease is None:
                    r.why += " (no lease line)"
                return
            probing = kind == "http" or r.lease is not None
            if probing and now >= next_try:
                if len(attempts) >= MAX_OPEN:
                    drop(next(iter(attempts)))
                a = Attempt(b.port)
                r.attempts += 1
                fd = a.sock.fileno()
                if a.err == 0 and a.send():
                    attempts[fd] = a
                    poller.register(fd, select.POLLIN)
                elif a.err == errno.EINPROGRESS:
                    attempts[fd] = a
                    poller.register(fd, select.POLLOUT)
                else:
                    a.sock.close()  # refused: QEMU is not listening yet
                next_try = max(next_try + interval, now)  # no burst to catch up after a lag
            wait_ns = (min(next_try, deadline) if probing else deadline) - now
            events = poller.poll(max(0, wait_ns) / 1e6)
            now = time.monotonic_ns()
            for fd, ev in events:
                if fd == b.fd:
                    start = max(0, len(b.out) - len(marker_b))
                    chunk = b.read_serial()
                    if chunk and r.first is None:
                        r.first = b.ms(now)
                    if chunk and r.lease is None and marker_b:
                        i = b.out.find(marker_b, start)
                        while i >= 0 and not (i == 0 or b.out[i - 1] in b"\r\n"):
                            i = b.out.find(marker_b, i + 1)
                        if i >= 0:
                            r.lease = b.ms(now)
                            next_try = now  # dhcp-http: the first probe goes now
                    if chunk == b"":
                        poller.unregister(fd)
                elif fd == b.pidfd:
                    poller.unregister(fd)
                    b.exited = True
                elif fd in attempts:
                    a = attempts[fd]
                    if not a.sent:
                        if a.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) or not a.send():
                            drop(fd)
                        else:
                            poller.modify(fd, select.POLLIN)
                        continue
                    eof = False
                    try:
                        data = a.sock.recv(65536)
                        eof = data == b""
                        a.buf += data
                    except BlockingIOError:
                        continue
                    except OSError:
                        eof = True  # reset: slirp's answer to the guest's reset
                    parsed = parse_response(a.buf, eof)
                    if parsed is None:
                        if eof:
                            drop(fd)
                        continue
                    r.response, r.raw = b.ms(now), bytes(a.buf)
                    status, headers, body = parsed
                    if status != 200:
                        r.why = f"GET / answered {status or 'not HTTP'}"
                    elif body != page:
                        r.why = f"GET / body is not the page ({len(body)} bytes, want {len(page)})"
                    elif not headers.get("content-type", "").startswith("text/html"):
                        r.why = f"GET / has Content-Type {headers.get('content-type')!r}, want text/html"
                    else:
                        r.ok = True
                    return
            if b.exited and not b.stdout_open:
                r.why = "QEMU exited before any HTTP response"
                return
    finally:
        for fd in list(attempts):
            drop(fd)


def boot_once(cmd, kind, memory, a, errfile, page, then=None):
    """One boot up to the first response, then then(boot) if it served; QEMU is killed after."""
    r = Result()
    b = Boot(cmd, memory, errfile)
    try:
        probe(b, kind, a.marker, a.timeout, a.interval_ms, page, r)
        if r.ok and then is not None:
            r.extra = then(b)
    finally:
        b.stop()
    r.output, r.errors = b.output()
    return r


def read_page(a):
    with open(a.page, "rb") as f:
        return f.read()


def cmd_first(a):
    guests = nb.parse_guests(a.guest, KINDS, "http.py")
    memory = dict(m.split("=", 1) for m in a.memory)
    page = read_page(a)
    files = {name: open(os.path.join(a.out, f"{name}.tsv"), "w") for name, _, _ in guests}
    failed = 0
    order = list(range(len(guests)))
    for i in range(0, a.runs + 1):  # run 0: warm-up, not recorded
        for g in (order if i % 2 == 1 or i == 0 else order[::-1]):
            name, kind, cmd = guests[g]
            label = "warm-up" if i == 0 else f"run {i}"
            r = boot_once(cmd, kind, memory.get(name, ""), a, os.path.join(a.out, f"{name}.err"), page)
            with open(os.path.join(a.out, f"{name}.out"), "wb") as f:
                f.write(r.output)
            if r.raw:
                with open(os.path.join(a.out, f"{name}.response"), "wb") as f:
                    f.write(r.raw)
            if not r.ok:
                print(describe_failure(f"http: {label}, {name}", r), file=sys.stderr, flush=True)
                failed += 1
                continue
            if i == 0:
                continue
            fmt = lambda v: "-" if v is None else f"{v:.3f}"
            files[name].write(f"{i}\t{fmt(r.first)}\t{fmt(r.lease)}\t{fmt(r.response)}\t{r.attempts}\n")
            files[name].flush()
        if i > 0 and a.progress:
            print(f"http: first response, run {i}/{a.runs} done", file=sys.stderr, flush=True)
    for f in files.values():
        f.close()
    return 1 if failed else 0


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def wrk_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def parse_wrk(text):
    """The figures of one wrk --latency run, or None if wrk printed none."""
    f = {}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not m:
        return None
    f["rps"] = float(m.group(1))
    for p in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", text, re.M)
        f[f"p{p}"] = wrk_ms(m.group(1)) if m else None
    m = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    f["avg"], f["max"] = (wrk_ms(m.group(1)), wrk_ms(m.group(3))) if m else (None, None)
    m = re.search(r"^\s+(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text, re.M)
    f["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    f["socket_errors"] = [int(x) for x in m.groups()] if m else [0, 0, 0, 0]  # connect, read, write, timeout
    f["errors"] = sum(f["socket_errors"])
    f["error_text"] = m.group(0) if m else ""
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    f["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"^Transfer/sec:\s+(\S+)", text, re.M)
    f["transfer"] = m.group(1) if m else "?"
    return f


def run_wrk(b, args, seconds, path):
    """wrk ARGS against the guest, QEMU's serial output read meanwhile (a full
    pipe would stop the guest); its output in PATH. Returns that output."""
    argv = ["wrk", *args, f"-d{seconds}s", f"http://127.0.0.1:{b.port}/"]
    with open(path, "wb") as out:
        out.write((" ".join(argv) + "\n").encode())
        out.flush()
        w = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        nb.live[w.pid] = w  # killed with QEMU if we are
        wfd = os.pidfd_open(w.pid)
        try:
            poller = select.poll()
            poller.register(wfd, select.POLLIN)
            if b.stdout_open:
                poller.register(b.fd, select.POLLIN)
            deadline = time.monotonic() + seconds + 60
            while w.poll() is None and time.monotonic() < deadline:
                for fd, _ in poller.poll(1000):
                    if fd == b.fd and b.read_serial() == b"":
                        poller.unregister(fd)
        finally:
            if w.poll() is None:
                w.kill()
            w.wait()
            nb.live.pop(w.pid, None)
            os.close(wfd)
    with open(path) as f:
        return f.read()


def cmd_load(a):
    guests = nb.parse_guests(a.guest, KINDS, "http.py")
    memory = dict(m.split("=", 1) for m in a.memory)
    page = read_page(a)
    wrk_args = [f"-t{a.threads}", f"-c{a.connections}"]
    failed = 0
    order = list(range(len(guests)))
    for rnd in range(1, a.rounds + 1):
        for g in (order if rnd % 2 == 1 else order[::-1]):
            name, kind, cmd = guests[g]

            def load(b):
                if a.warmup > 0:
                    run_wrk(b, wrk_args, a.warmup, os.path.join(a.out, f"{name}.warmup.{rnd}"))
                text = run_wrk(b, [*wrk_args, "--latency"], a.duration, os.path.join(a.out, f"{name}.wrk.{rnd}"))
                alive = b.proc.poll() is None
                return parse_wrk(text), alive

            r = boot_once(cmd, kind, memory.get(name, ""), a, os.path.join(a.out, f"{name}.load.err"), page, load)
            with open(os.path.join(a.out, f"{name}.load.out"), "wb") as f:
                f.write(r.output)
            if r.ok and (r.extra is None or r.extra[0] is None):
                r.ok, r.why = False, f"wrk printed no figures (see {name}.wrk.{rnd})"
            elif r.ok and not r.extra[1]:
                r.ok, r.why = False, "QEMU exited during the wrk run"
            if not r.ok:
                print(describe_failure(f"http: round {rnd}, {name}", r), file=sys.stderr, flush=True)
                failed += 1
                continue
            f = r.extra[0]
            v = lambda x: "-" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)
            with open(os.path.join(a.out, f"{name}.load.tsv"), "a") as out:
                out.write("\t".join(v(x) for x in (rnd, f["rps"], f["p50"], f["p75"], f["p90"], f["p99"],
                                                     f["avg"], f["max"], f["requests"], *f["socket_errors"],
                                                     f["non2xx"], f["transfer"])) + "\n")
            if a.progress:
                print(f"http: round {rnd}/{a.rounds}, {name}: {f['rps']:.0f} req/s, p50 {v(f['p50'])} ms, "
                      f"p99 {v(f['p99'])} ms" + (f"; {f['error_text']}" if f["errors"] else "")
                      + (f"; {f['non2xx']} non-2xx" if f["non2xx"] else ""), file=sys.stderr, flush=True)
    return 1 if failed else 0


def cmd_memory(a):
    (name, kind, cmd), = nb.parse_guests(a.guest, KINDS, "http.py")
    page = read_page(a)
    grid = [int(k) for k in a.grid_kib.split(",")]
    log = open(os.path.join(a.out, f"{name}.memory.log"), "w")

    def serves(kib):
        r = boot_once(cmd, kind, f"{kib}K", a, os.path.join(a.out, f"{name}.memory.err"), page)
        why = "serves" if r.ok else "no: " + r.why
        if not r.ok:  # what QEMU or the guest said last, for the log
            why += f" ({last_words(r)[:120]})" if last_words(r) else ""
        log.write(f"-m {kib}K: {why}\n")
        log.flush()
        print(f"http: {name} -m {kib}K: {why}", file=sys.stderr, flush=True)
        return r.ok

    found = smallest_memory(grid, serves)  # as bench/net-boot.py searches
    write_result(a.result, found)
    return 0 if found is not None else 1


# --- report ------------------------------------------------------------------

def load_rows(path, width):
    """Rows of a .tsv as tuples of floats (None for "-"), keyed by the first column."""
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                vals = []
                for c in cols[1:width]:
                    try:
                        vals.append(float(c))
                    except ValueError:
                        vals.append(None)
                rows[int(cols[0])] = tuple(vals)
    return rows


def response_sizes(path):
    """(header bytes, body bytes, content type) of a saved response, or None."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return None
    p = parse_response(raw, True)
    return end + 4, len(p[2]) if p else len(raw) - end - 4, (p[1].get("content-type", "?") if p else "?")


def cmd_report(a):
    kv = dict(x.split("=", 1) for x in a.set)
    names = kv["guests"].split(",")
    label = {"strata": f"strata `{kv['image']}`", "nginx": "nginx (Linux guest)",
             "busybox": "busybox httpd (Linux guest)"}
    first = {g: load_rows(os.path.join(a.out, f"{g}.tsv"), 4) for g in names}
    # round, rps, p50, p75, p90, p99, avg, max, requests, 4 kinds of socket errors, non-2xx, transfer/s
    load = {g: load_rows(os.path.join(a.out, f"{g}.load.tsv"), 15) for g in names}
    try:
        with open(os.path.join(a.out, "sched")) as f:
            sched = f.read().strip()
    except OSError:
        sched = "?"

    def fmt(x, f="{:.1f}"):
        return "n/a" if x is None else f.format(x)

    def rx(x, f="{:.1f}x"):  # a ratio
        return fmt(x, f)

    col = lambda t, g, i: [r[i] for r in t[g].values() if r[i] is not None]
    cell = lambda t, g, i, f="{:.1f}": summary(col(t, g, i), f) or "n/a"
    med = lambda t, g, i: median(col(t, g, i))

    def paired(t, a_, b_, i, how):
        both = sorted(set(t[a_]) & set(t[b_]))
        v = [how(t[a_][k][i], t[b_][k][i]) for k in both if t[a_][k][i] and t[b_][k][i]]
        return median(v)

    has = lambda g: g in names
    # First response: the Linux guests over strata (how many times sooner strata answers).
    first_ratio = {g: (paired(first, "strata", g, 2, lambda s, l: l / s),
                       (med(first, g, 2) / med(first, "strata", 2)) if med(first, g, 2) and med(first, "strata", 2) else None)
                   for g in ("nginx", "busybox") if has(g) and has("strata")}
    # Throughput: strata over each Linux guest.
    rps_ratio = {g: (paired(load, "strata", g, 0, lambda s, l: s / l),
                     (med(load, "strata", 0) / med(load, g, 0)) if med(load, g, 0) and med(load, "strata", 0) else None)
                 for g in ("nginx", "busybox") if has(g) and has("strata")}

    def mem(g):
        v = kv.get(f"min_{g}", "skipped")
        return f"{int(v)} KiB ({int(v) / 1024:.2f} MiB)" if v.isdigit() else v

    size = {"strata": int(kv["size_image"])}
    for g in ("nginx", "busybox"):
        if f"size_initramfs_{g}" in kv:
            size[g] = int(kv["size_vmlinuz"]) + int(kv[f"size_initramfs_{g}"])
    resp = {g: response_sizes(os.path.join(a.out, f"{g}.response")) for g in names}
    resp_text = lambda g: (f"{resp[g][0]} B of headers + {resp[g][1]} B of body, `{resp[g][2]}`"
                           if resp[g] else "n/a")
    ok_first = {g: len(first[g]) for g in names}
    ok_load = {g: len(load[g]) for g in names}
    runs, rounds = int(kv["runs"]), int(kv["rounds"])
    wrk = f"wrk -t{kv['threads']} -c{kv['connections']} -d{kv['duration']}s --latency"

    print()
    print(f"strata HTTP benchmark  {kv['date']}  machine={kv['machine']}  first-response runs={runs}  "
          f"wrk rounds={rounds}")
    print(f"QEMU {kv['qemu']}, TCG, {kv['cpu']}; {kv['wrk_version']}; harness scheduling: {sched}")
    print(f"load average at start: {kv['load_start']}, at end: {kv['load_end']}; whole bench {kv['total_s']}s")
    print(f"strata: {kv['image']}.elf ({kv['image_addr']}), -m {kv['image_memory']}; Linux: {kv.get('guest_kernel', '?')}, "
          f"{kv.get('guest_nginx', '?')}, {kv.get('guest_busybox', '?')}, -m {kv['linux_memory']}")
    w = 30
    print()
    print(f"{'':<44}" + "".join(f"{g:>{w}}" for g in names))
    if runs:
        print(f"{'ms from launch to first serial byte':<44}" + "".join(f"{cell(first, g, 0):>{w}}" for g in names))
        print(f"{'ms from launch to DHCP lease line':<44}" + "".join(f"{cell(first, g, 1):>{w}}" for g in names))
        print(f"{'ms from launch to first HTTP response':<44}" + "".join(f"{cell(first, g, 2):>{w}}" for g in names))
    if rounds:
        print(f"{'requests/s (' + wrk + ')':<44}" + "".join(f"{cell(load, g, 0, '{:.0f}'):>{w}}" for g in names))
        for i, p in ((1, "p50"), (3, "p90"), (4, "p99")):
            print(f"{'latency ' + p + ', ms':<44}" + "".join(f"{cell(load, g, i, '{:.2f}'):>{w}}" for g in names))
    print(f"{'smallest -m that serves':<44}" + "".join(f"{mem(g):>{w}}" for g in names))
    print(f"{'image bytes (Linux: vmlinuz + initramfs.gz)':<44}" + "".join(f"{size.get(g, 0):>{w}}" for g in names))
    print()
    for g, (p, m) in first_ratio.items():
        print(f"first response, {g} / strata: paired median {rx(p)}; of medians {rx(m)}")
    for g, (p, m) in rps_ratio.items():
        print(f"requests/s, strata / {g}: paired median {rx(p, '{:.2f}x')}; of medians {rx(m, '{:.2f}x')}")
    for g in names:
        print(f"GET / from {g}: {resp_text(g).replace('`', '')}")

    # markdown, for docs/bench.md
    print()
    print(f"### Results ({kv['date'][:10]}, QEMU {kv['qemu'].split()[0]} TCG, {kv['machine']})")
    print()
    print(f"Command: `{kv['command']}` (load average at start: {kv['load_start']}, at end: {kv['load_end']}; "
          f"{kv['total_s']} s; harness scheduling: {sched}; successful boots to a first response: "
          + ", ".join(f"{g} {ok_first[g]}/{runs}" for g in names) + "; wrk rounds: "
          + ", ".join(f"{g} {ok_load[g]}/{rounds}" for g in names) + ")")
    print()
    print("| | " + " | ".join(label[g] for g in names) + " |")
    print("|---|" + "---|" * len(names))
    if rounds:
        print(f"| **requests/s**, median of {rounds} rounds (min-max) | "
              + " | ".join(cell(load, g, 0, "{:.0f}") for g in names) + " |")
        for i, p in ((1, "p50"), (3, "p90"), (4, "p99"), (6, "max")):
            print(f"| latency {p}, ms | " + " | ".join(cell(load, g, i, "{:.2f}") for g in names) + " |")
        print("| wrk socket errors (connect/read/write/timeout), non-2xx responses; all rounds | " + " | ".join(
            "/".join(str(int(sum(col(load, g, i)))) for i in (8, 9, 10, 11)) + f", {int(sum(col(load, g, 12)))}"
            for g in names) + " |")
    if runs:
        print(f"| ms from QEMU launch to first serial byte, median of {runs} (min-max) | "
              + " | ".join(cell(first, g, 0) for g in names) + " |")
        print("| ms to the DHCP lease line | " + " | ".join(cell(first, g, 1) for g in names) + " |")
        print("| **ms to the first HTTP response** | " + " | ".join(cell(first, g, 2) for g in names) + " |")
    print("| smallest -m that serves | " + " | ".join(mem(g) for g in names) + " |")
    print("| image, bytes | " + " | ".join(
        (f"{kv['size_image']} as built, {kv['size_image_stripped']} stripped, {kv['size_image_load']} loaded"
         if g == "strata" else f"{size.get(g, 0)} (vmlinuz {kv['size_vmlinuz']} + initramfs.gz "
         f"{kv.get(f'size_initramfs_{g}', '?')}; unpacked {kv.get(f'guest_{g}_bytes', '?')})")
        for g in names) + " |")
    print("| GET / response | " + " | ".join(resp_text(g) for g in names) + " |")
    print()
    if rps_ratio or first_ratio:
        print("| derived | value |")
        print("|---|---|")
        for g, (p, m) in rps_ratio.items():
            print(f"| requests/s, strata / {g} | paired **{rx(p, '{:.2f}x')}** (median over rounds); "
                  f"of medians {rx(m, '{:.2f}x')} |")
        for g, (p, m) in first_ratio.items():
            print(f"| first response, {g} / strata | paired **{rx(p)}**; of medians {rx(m)} |")
        print()
    print(f"Client: `{wrk}` ({kv['wrk_version']}; warm-up {kv['warmup']} s discarded), keep-alive on. "
          f"Linux guests: {kv.get('guest_kernel', '?')}, {kv.get('guest_nginx', '?')} "
          f"(libraries: {kv.get('guest_nginx_libs', '?')}), {kv.get('guest_busybox', '?')}; -m {kv['linux_memory']}; "
          f"command line `{kv['linux_append']}`.")
    print()
    if "strata" not in names:
        return 0

    def verdict(x, ok_):
        return "n/a" if x is None else "met" if ok_ else "MISSED"
    print("| target (reported, not asserted) | measured | verdict |")
    print("|---|---|---|")
    if "nginx" in rps_ratio:
        p = rps_ratio["nginx"][0]
        print(f"| requests/s >= 2x nginx in the Linux guest, keep-alive on | {rx(p, '{:.2f}x')} | "
              f"{verdict(p, p is not None and p >= 2)} |")
    if "busybox" in rps_ratio:
        p = rps_ratio["busybox"][0]
        print(f"| far ahead of busybox httpd (read as >= 2x) | {rx(p, '{:.2f}x')} | {verdict(p, p is not None and p >= 2)} |")
    s = int(kv["size_image"])
    print(f"| `{kv['image']}` image <= 128 KiB | {s} B as built ({s / 1024:.1f} KiB), {kv['size_image_stripped']} B "
          f"stripped | {verdict(s, s <= 131072)} |")
    ms_ = kv.get("min_strata", "skipped")
    print(f"| smallest -m that serves <= 4 MiB | {mem('strata')} | "
          f"{verdict(ms_, int(ms_) <= 4096) if ms_.isdigit() else ms_} |")
    for g, (p, m) in first_ratio.items():
        print(f"| first HTTP response after QEMU launch >= 20x sooner than the Linux guest's ({g}) | "
              f"{rx(p)} (paired median) | {verdict(p, p is not None and p >= 20)} |")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["first", "load", "memory", "report"])
    nb.add_common_arguments(p, interval_ms=2.0)
    p.add_argument("--page", help="the body GET / must answer with")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--connections", type=int, default=8)
    a = p.parse_args()
    if a.mode == "report":
        return cmd_report(a)
    if not a.page:
        p.error("--page is needed")
    return nb.measure(a.out, lambda: {"first": cmd_first, "load": cmd_load, "memory": cmd_memory}[a.mode](a))


if __name__ == "__main__":
    sys.exit(main())
