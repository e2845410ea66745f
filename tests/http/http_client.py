#!/usr/bin/env python3
"""Checks a running hello_http (samples/hello_http.cpp) from the outside:

  http_client.py STRATA IMAGE MACHINE SITE_DIR     boots the image (./strata run), through the forward
  http_client.py --connect HOST SITE_DIR           a system already running, port 80

1. curl gets every file of SITE_DIR byte-exact, with its Content-Type and an
   ETag; If-None-Match with that ETag is a 304; HEAD has the headers and no
   body; a missing path is a 404, POST to a file a 405; /stats is JSON with
   the uptime and the counters;
2. 100 requests on one kept-alive connection (http.client), then 20
   pipelined in one write, answered in order; /stats shows one connection
   for each;
3. 50 connections open at once, each then asking for a page;
4. bad requests: a request line over the limit is a 414 and a close, a
   request without Host a 400 and a close; the server answers afterwards.
QEMU is killed by its PID at the end, however the test ends.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import strata_guest  # noqa: E402

HOST = "127.0.0.1"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def fail(msg):
    strata_guest.fail("http_client", msg)


def curl(port, path, *args):
    """Runs curl; returns (status, headers dict with lower-case names, body bytes)."""
    out = subprocess.run(["curl", "-sS", "--max-time", "30", "-D", "-", *args, f"http://{HOST}:{port}{path}"],
                         capture_output=True, timeout=60)
    if out.returncode != 0:
        fail(f"curl {path} {args}: {out.stderr.decode(errors='replace').strip()}")
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def stats(port):
    status, headers, body = curl(port, "/stats")
    if status != 200 or headers.get("content-type") != "application/json":
        fail(f"/stats: {status} {headers}")
    return json.loads(body)


def server_counters(s):
    return next(v for k, v in s.items() if k.startswith("http::server"))


def wait_until_serving(port):
    start = time.monotonic()
    while True:  # the image may still be booting: slirp then resets the connection
        try:
            with socket.create_connection((HOST, port), timeout=5) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(16).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            pass
        if time.monotonic() - start > 60:
            fail("no answer within 60 s")
        time.sleep(0.2)
    print(f"http_client: first answer after {time.monotonic() - start:.2f} s", flush=True)


def files_and_errors(port, site):
    files = sorted(os.listdir(site))
    for name in files:
        with open(os.path.join(site, name), "rb") as f:
            want = f.read()
        status, headers, body = curl(port, f"/{name}")
        ext = os.path.splitext(name)[1]
        if status != 200 or body != want or headers.get("content-type") != TYPES.get(ext, headers.get("content-type")):
            fail(f"/{name}: {status} {headers} {len(body)} bytes, want {len(want)}")
        etag = headers.get("etag", "")
        if not (etag.startswith('"') and etag.endswith('"')):
            fail(f"/{name}: ETag {etag!r}")
        status, headers304, body = curl(port, f"/{name}", "-H", f"If-None-Match: {etag}")
        if status != 304 or body or headers304.get("etag") != etag:
            fail(f"/{name} with If-None-Match: {status} {headers304} {body!r}")
        status, headers_head, body = curl(port, f"/{name}", "-I", "-o", "/dev/null")
        if status != 200 or body or headers_head.get("content-length") != str(len(want)):
            fail(f"HEAD /{name}: {status} {headers_head} {body!r}")
    status, _, body = curl(port, "/")
    with open(os.path.join(site, "index.html"), "rb") as f:
        if status != 200 or body != f.read():
            fail(f"/: {status}, not index.html")
    print(f"http_client: {len(files)} files byte-exact, with Content-Type, ETag, 304 and HEAD", flush=True)

    status, _, body = curl(port, "/%69ndex%2Ehtml")  # percent-decoded: /index.html
    with open(os.path.join(site, "index.html"), "rb") as f:
        if status != 200 or body != f.read():
            fail(f"/%69ndex%2Ehtml: {status}, not index.html")
    status, _, _ = curl(port, "/index%zz.html")
    if status != 400:
        fail(f"a bad percent-encoding: {status}")
    status, _, _ = curl(port, "/no/such/page")
    if status != 404:
        fail(f"a missing page: {status}")
    status, headers, _ = curl(port, "/index.html", "-X", "POST", "-d", "x=1")
    if status != 405 or "GET" not in headers.get("allow", ""):
        fail(f"POST to a file: {status} {headers}")
    s = stats(port)
    if not isinstance(s.get("uptime_ms"), int) or "tcp" not in s or "ipv4" not in s:
        fail(f"/stats: {s}")
    print("http_client: percent-decoded paths (400 if malformed), 404, 405 with Allow, /stats as JSON", flush=True)


def keep_alive(port):
    before = server_counters(stats(port))["connections"]
    c = http.client.HTTPConnection(HOST, port, timeout=30)
    paths = ["/", "/style.css", "/logo.svg", "/index.html"]
    for i in range(100):
        c.request("GET", paths[i % len(paths)])
        r = c.getresponse()
        r.read()
        if r.status != 200 or r.getheader("Connection") == "close":
            fail(f"keep-alive request {i}: {r.status}")
    sock = c.sock
    c.request("GET", "/")
    c.getresponse().read()
    if c.sock is not sock:
        fail("http.client reconnected: the connection was not kept alive")
    c.close()
    after = server_counters(stats(port))["connections"]
    if after - before != 2:  # the kept-alive one and the /stats one
        fail(f"101 requests took {after - before - 1} connections")
    print("http_client: 100 requests on one kept-alive connection", flush=True)

    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(b"".join(f"GET /{'style.css' if i % 2 else 'logo.svg'} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
                           for i in range(20)) + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    answers = data.count(b"HTTP/1.1 200 OK\r\n")
    types = [line for line in data.split(b"\r\n") if line.startswith(b"Content-Type")]
    want = [b"Content-Type: text/css; charset=utf-8" if i % 2 else b"Content-Type: image/svg+xml" for i in range(20)]
    if answers != 21 or types[:20] != want or not data.endswith(b"</html>\n"):
        fail(f"20 pipelined requests: {answers} answers, types {types[:4]}...")
    print("http_client: 21 pipelined requests answered in order, then a close", flush=True)


def concurrent(port, n=50):
    socks = [socket.create_connection((HOST, port), timeout=30) for _ in range(n)]
    for s in socks:
        s.sendall(b"GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    for i, s in enumerate(socks):
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        if not data.startswith(b"HTTP/1.1 200 OK\r\n") or not data.endswith(b"}\n"):
            fail(f"connection {i} of {n}: {data[:60]!r}")
    print(f"http_client: {n} connections at once", flush=True)


def bad_requests(port):
    for request, status in [(b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
                            (b"GET / HTTP/1.1\r\n\r\n", b"400"),
                            (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", b"501")]:
        with socket.create_connection((HOST, port), timeout=30) as s:
            s.sendall(request)
            data = b""
            while chunk := s.recv(65536):  # the server closes after an error
                data += chunk
        if not data.startswith(b"HTTP/1.1 " + status) or b"Connection: close" not in data:
            fail(f"{request[:20]!r}...: {data[:80]!r}")
    if curl(port, "/")[0] != 200:
        fail("no answer after the bad requests")
    print("http_client: 414, 400 and 501 answered and closed", flush=True)


def expect_continue(port):
    """curl -T sends Expect: 100-continue over 1 KiB, then waits a second for
    the 100 before it sends the body: the 100 must come at once."""
    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(b"PUT /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        s.settimeout(0.5)  # well under curl's second, even under TCG
        interim = b""
        try:
            while not interim.endswith(b"\r\n\r\n") and (chunk := s.recv(64)):
                interim += chunk
        except socket.timeout:
            pass
        if interim != b"HTTP/1.1 100 Continue\r\n\r\n":
            fail(f"Expect: 100-continue: {interim[:60]!r} within 0.5 s, not a 100 Continue")
        s.settimeout(30)
        s.sendall(b"hello")
        data = s.recv(65536)
    if not data.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n") or b"Allow: GET, HEAD, OPTIONS" not in data:
        fail(f"PUT of a file after the 100: {data[:80]!r}")
    print("http_client: Expect: 100-continue answered at once, then the request", flush=True)


def exercise(port, site):
    wait_until_serving(port)
    files_and_errors(port, site)
    keep_alive(port)
    concurrent(port)
    bad_requests(port)
    expect_continue(port)
    print("http_client: ok", flush=True)


def main():
    global HOST
    if len(sys.argv) == 4 and sys.argv[1] == "--connect":
        HOST = sys.argv[2]
        return exercise(80, sys.argv[3])
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    strata, image, machine, site = sys.argv[1:5]
    with strata_guest.boot(strata, image, machine, "tcp", 80, tool="http_client") as port:
        exercise(port, site)


if __name__ == "__main__":
    main()
