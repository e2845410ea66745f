#!/usr/bin/env python3
"""Boots a UDP echo image with ./strata run (user networking) and talks to it
through the forward strata run prints:

  udp_client.py STRATA IMAGE MACHINE [--burst N]

1. waits for "forward: udp 127.0.0.1:<port> -> 7", then for a first echo
   (the image may still be booting, or asking DHCP for an address);
2. 200 echoes of every size from 1 to 1472 bytes, each byte-exact;
3. a burst of N datagrams (default 10,000) sent as fast as the socket takes
   them, answers not awaited; then the image must still answer;
4. idle for 2 s, QEMU must use well under a second of CPU: the image halts
   until an interrupt, it does not spin on the rings;
5. if port 9 is forwarded (the stop service), a datagram there ends the
   image, which prints its run-time state (counters), and strata run must
   exit 0; otherwise QEMU is killed.
strata run and QEMU run in their own process groups, killed on every way out
(QEMU by its PID).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time


def fail(msg):
    print(f"udp_client: FAIL: {msg}", flush=True)
    sys.exit(1)


def qemu_pid(ancestor, required=True):
    """The QEMU process strata run started: a descendant of ancestor."""
    parent, comm = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                parent[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/comm") as f:
                comm[int(pid)] = f.read().strip()
        except OSError:
            continue
    for pid, name in comm.items():
        if not name.startswith("qemu-system"):
            continue
        p = pid
        while p in parent and p > 1:
            p = parent[p]
            if p == ancestor:
                return pid
    if required:
        fail("QEMU's process was not found")
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    strata, image, machine = sys.argv[1:4]
    burst = int(sys.argv[sys.argv.index("--burst") + 1]) if "--burst" in sys.argv else 10000
    proc = subprocess.Popen([strata, "run", "--no-build", "--machine", machine, "--timeout", "150", image],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        run(proc, burst)
    finally:
        qemu = qemu_pid(proc.pid, required=False)
        for kill, pid in [(os.kill, qemu), (os.killpg, proc.pid)]:
            try:
                if pid:
                    kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def run(proc, burst):
    os.set_blocking(proc.stderr.fileno(), False)
    forwards, err = {}, b""
    deadline = time.monotonic() + 60
    while 7 not in forwards or (b"-> 9" in err and 9 not in forwards):
        if time.monotonic() > deadline or proc.poll() is not None:
            fail(f"no forward line for port 7 (strata run said: {err.decode(errors='replace')!r})")
        time.sleep(0.05)
        err += proc.stderr.read() or b""
        for m in re.finditer(rb"forward: udp 127\.0\.0\.1:(\d+) -> (\d+)", err):
            forwards[int(m.group(2))] = int(m.group(1))
    print(f"udp_client: forwards {forwards}", flush=True)
    echo = ("127.0.0.1", forwards[7])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def exchange(payload, wait):
        s.settimeout(wait)
        s.sendto(payload, echo)
        while True:
            data, _ = s.recvfrom(2048)
            if data == payload:
                return
            # an answer to an earlier, retried datagram: keep reading

    def first_echo(what, limit):
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < limit:
            n += 1
            try:
                exchange(f"{what} {n}".encode(), 0.5)
                return time.monotonic() - start
            except socket.timeout:
                if proc.poll() is not None:
                    fail(f"the image stopped (exit {proc.returncode}) before answering")
        fail(f"no echo {what} within {limit} s")

    t = first_echo("hello", 60)
    print(f"udp_client: first echo after {t:.2f} s of trying", flush=True)
    for i in range(200):
        size = 1 + (i * 7919) % 1472
        payload = bytes((i + k) & 0xff for k in range(size))
        try:
            exchange(payload, 5)
        except socket.timeout:
            fail(f"echo {i} of {size} bytes not answered")
    print("udp_client: 200 echoes of 1..1472 bytes, byte-exact", flush=True)

    s.setblocking(False)
    sent = 0
    start = time.monotonic()
    while sent < burst:
        try:
            s.sendto(sent.to_bytes(4, "big") * 16, echo)
            sent += 1
        except BlockingIOError:
            time.sleep(0.0005)
    answered = 0
    drain_until = time.monotonic() + 3
    while time.monotonic() < drain_until:
        try:
            s.recvfrom(2048)
            answered += 1
        except BlockingIOError:
            time.sleep(0.01)
    print(f"udp_client: burst of {sent} datagrams in {time.monotonic() - start - 3:.2f} s, "
          f"{answered} answered", flush=True)
    t = first_echo("after-burst", 30)
    print("udp_client: still answering after the burst", flush=True)

    qemu = qemu_pid(proc.pid)
    before = cpu_seconds(qemu)
    time.sleep(2)
    used = cpu_seconds(qemu) - before
    print(f"udp_client: idle 2 s, QEMU used {used:.2f} s of CPU", flush=True)
    if used > 0.5:
        fail("the image spins while idle")

    if 9 in forwards:
        s.setblocking(True)
        s.sendto(b"stop", ("127.0.0.1", forwards[9]))
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            fail("the image did not stop")
        out = proc.stdout.read().decode(errors="replace")
        if code != 0:
            fail(f"strata run exited {code}; output: {out!r}")
        print(out, end="", flush=True)
        # The stop service prints the run-time state: the NIC's and the stack's counters.
        for expected in [r"virtio_nic: virtio-net over (MMIO|PCI), link up, received \d+",
                         r"ipv4: 10\.0\.2\.15/24 gateway 10\.0\.2\.2\n    ethernet: received \d+",
                         r"\n    udp: received \d+"]:
            if not re.search(expected, out):
                fail(f"the run-time state lacks {expected!r}")
        print("udp_client: stopped, exit 0, run-time state printed", flush=True)
    print("udp_client: ok", flush=True)


if __name__ == "__main__":
    main()
