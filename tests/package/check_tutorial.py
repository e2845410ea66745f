#!/usr/bin/env python3
"""check_tutorial.py STRATA IMAGE: boots the tutorial's image (docs/tutorial,
built against an installed strata) and checks what the tutorial promises:
the page, /hello counting visitors, a POST's body length, /stats as JSON.
QEMU is killed by its PID at the end."""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import strata_guest  # noqa: E402


def get(port, path, data=None):
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", data=data, timeout=10) as r:
                return r.status, r.headers, r.read()
        except OSError:  # still booting: slirp resets the connection
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main():
    strata, image = sys.argv[1:3]
    with strata_guest.boot(strata, image, "microvm", "tcp", 80, tool="tutorial") as port:
        status, headers, body = get(port, "/")
        if status != 200 or b"<h1>my site</h1>" not in body or headers["Content-Type"] != "text/html; charset=utf-8":
            strata_guest.fail("tutorial", f"/: {status} {body[:80]!r}")
        for visitor in (1, 2):
            status, _, body = get(port, "/hello")
            if status != 200 or not body.startswith(f"hello, visitor {visitor} (".encode()):
                strata_guest.fail("tutorial", f"/hello: {status} {body!r}")
        status, _, body = get(port, "/hello", data=b"x" * 10)
        if body != b"you sent 10 bytes\n":
            strata_guest.fail("tutorial", f"POST /hello: {body!r}")
        status, _, body = get(port, "/stats")
        stats = json.loads(body)
        if stats["http::server<80>"]["requests"] < 4:
            strata_guest.fail("tutorial", f"/stats: {stats}")
    print("tutorial: ok", flush=True)


if __name__ == "__main__":
    main()
