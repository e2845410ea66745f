#!/usr/bin/env python3
"""Drives a TCP echo image (tests/tcp/tcp_echo.cpp) through the forward
./strata run prints, against the host's (Linux's) TCP:

  tcp_client.py STRATA IMAGE MACHINE [--bytes N]
  tcp_client.py --connect HOST [--bytes N]     (a system already running, port 7)

1. waits for "forward: tcp 127.0.0.1:<port> -> 7", connects (retrying while
   the image boots);
2. streams N bytes (default 1 MiB) while reading the echo concurrently,
   byte-exact; half-closes, and the image must close its side (EOF);
3. 20 connections one after another, then 6 at once, each echoing its own
   bytes;
QEMU is killed by its PID at the end, however the test ends.
"""
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import strata_guest  # noqa: E402


def fail(msg):
    strata_guest.fail("tcp_client", msg)


HOST = "127.0.0.1"


def echo_through(port, data, chunk=16384):
    """Sends data and reads the echo at the same time; returns what came back before EOF."""
    s = socket.create_connection((HOST, port), timeout=30)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    sent, received, shut = 0, bytearray(), False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for _, events in sel.select(timeout=1):
            if events & selectors.EVENT_WRITE and sent < len(data):
                try:
                    sent += s.send(data[sent:sent + chunk])
                except BlockingIOError:
                    pass
            if events & selectors.EVENT_READ:
                got = s.recv(65536)
                if not got:
                    s.close()
                    return bytes(received)
                received += got
        if sent == len(data) and not shut:
            s.shutdown(socket.SHUT_WR)
            shut = True
            sel.modify(s, selectors.EVENT_READ)
    s.close()
    fail(f"timed out: sent {sent} of {len(data)}, received {len(received)}")


def main():
    global HOST
    size = int(sys.argv[sys.argv.index("--bytes") + 1]) if "--bytes" in sys.argv else 1 << 20
    if sys.argv[1] == "--connect":
        HOST = sys.argv[2]
        return exercise(7, size)
    strata, image, machine = sys.argv[1:4]
    with strata_guest.boot(strata, image, machine, "tcp", 7, tool="tcp_client") as port:
        exercise(port, size)


def exercise(port, size):
    start = time.monotonic()
    while True:  # the image may still be booting: slirp then resets the connection
        try:
            if echo_through(port, b"hello") == b"hello":
                break
        except OSError:
            pass
        if time.monotonic() - start > 30:
            fail("no echo within 30 s")
        time.sleep(0.2)
    print(f"tcp_client: first echo after {time.monotonic() - start:.2f} s", flush=True)

    data = bytes((i * 7 + i // 251) & 0xff for i in range(size))
    t = time.monotonic()
    back = echo_through(port, data)
    if back != data:
        fail(f"stream of {size} bytes: got {len(back)} bytes back, first difference at "
             f"{next((i for i in range(min(len(back), size)) if back[i] != data[i]), min(len(back), size))}")
    print(f"tcp_client: {size} bytes echoed byte-exact in {time.monotonic() - t:.2f} s, "
          f"then a clean close", flush=True)

    for i in range(20):
        payload = f"connection {i} ".encode() * 100
        if echo_through(port, payload) != payload:
            fail(f"sequential connection {i}")
    print("tcp_client: 20 connections one after another", flush=True)

    socks = [socket.create_connection((HOST, port), timeout=30) for _ in range(6)]
    for i, s in enumerate(socks):
        s.sendall(f"parallel {i};".encode() * 50)
    for i, s in enumerate(socks):
        want = f"parallel {i};".encode() * 50
        got = b""
        while len(got) < len(want):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        if got != want:
            fail(f"parallel connection {i}: {got[:40]!r}")
        s.close()
    print("tcp_client: 6 connections at once", flush=True)
    print("tcp_client: ok", flush=True)


if __name__ == "__main__":
    main()
