"""Boots an image with ./strata run for a test and finds the host port QEMU's
user networking forwards to a guest port; kills QEMU by its PID afterwards,
however the test ends. Used by the Python clients in tests/tcp and tests/http.

    with strata_guest.boot(strata, image, machine, "tcp", 80) as port:
        ...
"""
import contextlib
import os
import re
import signal
import subprocess
import sys
import time


def fail(tool, msg):
    print(f"{tool}: FAIL: {msg}", flush=True)
    sys.exit(1)


def descendants_named(root, prefix):
    """PIDs of the processes below root whose name starts with prefix."""
    parent, comm = {}, {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    parent[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{pid}/comm") as f:
                    comm[int(pid)] = f.read().strip()
            except OSError:
                pass
    found = []
    for pid, name in comm.items():
        p = pid
        while name.startswith(prefix) and p in parent and p > 1:
            p = parent[p]
            if p == root:
                found.append(pid)
                break
    return found


@contextlib.contextmanager
def boot(strata, image, machine, protocol, guest_port, tool="guest", timeout=300, extra=()):
    """Runs the image; yields the host port forwarded to guest_port."""
    proc = subprocess.Popen([strata, "run", "--no-build", "--machine", machine, "--timeout", str(timeout),
                             *extra, image],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        os.set_blocking(proc.stderr.fileno(), False)
        err = b""
        deadline = time.monotonic() + 60
        pattern = rf"forward: {protocol} 127\.0\.0\.1:(\d+) -> {guest_port}\b".encode()
        port = None
        while port is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                fail(tool, f"no {protocol} forward line (strata run said {err.decode(errors='replace')!r})")
            time.sleep(0.05)
            err += proc.stderr.read() or b""
            m = re.search(pattern, err)
            port = int(m.group(1)) if m else None
        print(f"{tool}: forward port {port}", flush=True)
        yield port
    finally:
        for pid in descendants_named(proc.pid, "qemu-system"):
            os.kill(pid, signal.SIGKILL)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
