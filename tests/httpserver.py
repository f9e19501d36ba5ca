"""A local HTTP server for fetch and batch tests: the misbehaving government site, on 127.0.0.1, never the internet.

Each route says what to send (status, headers, body, a delay, failures before success, validators);
the server records every request (path, headers, arrival time) and how many were in flight at once,
so tests can check politeness and caching from the server's side.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from disclosure_cli.testing import synth


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow server)
    fail_first: int = 0  # answer with fail_status this many times before succeeding
    fail_status: int = 500
    fail_headers: dict = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    length: bool = True  # send Content-Length (False: read until the connection closes)
    drip: float = 0.0  # seconds between single body bytes (a server that never quite times out)
    cut: int | None = None  # send only this many body bytes after a full Content-Length, then close


@dataclass
class Hit:
    path: str
    headers: dict
    at: float
    status: int = 0


class Site:
    """Routes plus a request log; ``url(path)`` is the address to fetch."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.served: Counter = Counter()
        self.in_flight = 0
        self.max_in_flight: Counter = Counter()  # host-wide concurrency seen, per path prefix "/"
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def add(self, path: str, body: bytes | str = b"", **kw) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **kw)
        return self.url(path)

    def url(self, path: str) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def count(self, path: str) -> int:
        return sum(1 for h in self.hits if h.path == path)

    def statuses(self, path: str) -> list[int]:
        return [h.status for h in self.hits if h.path == path]

    def __enter__(self) -> Site:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with site._lock:
                    site.hits.append(hit)
                    site.in_flight += 1
                    site.max_in_flight["/"] = max(site.max_in_flight["/"], site.in_flight)
                try:
                    self._answer(hit)
                except OSError:  # the client gave up (timeout, size cap): expected in these tests
                    self.close_connection = True
                finally:
                    with site._lock:
                        site.in_flight -= 1

            def _answer(self, hit: Hit) -> None:
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    return self._send(hit, 404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>")
                if route.delay:
                    time.sleep(route.delay)
                with site._lock:
                    n = site.served[self.path]
                    site.served[self.path] += 1
                if n < route.fail_first:
                    return self._send(hit, route.fail_status, route.fail_headers, b"busy")
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                    if hit.headers.get("if-none-match") == route.etag:
                        return self._send(hit, 304, headers, b"")
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                    if hit.headers.get("if-modified-since") == route.last_modified:
                        return self._send(hit, 304, headers, b"")
                self._send(hit, route.status, headers, route.body, route.length, route.drip, route.cut)

            def _send(
                self,
                hit: Hit,
                status: int,
                headers: dict,
                body: bytes,
                length: bool = True,
                drip: float = 0.0,
                cut: int | None = None,
            ) -> None:
                hit.status = status
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if status == 304:
                    self.end_headers()
                    return
                if length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if cut is not None:
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if drip:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(drip)
                    return
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


# -- pages --------------------------------------------------------------------------------------------


@cache
def report(seed: int, fmt: str = "2019") -> synth.Synthetic:
    return synth.random_report(seed, fmt)


@cache
def gbk_page(seed: int = 1) -> bytes:
    """A GBK page whose <meta> (and the server's header) claim UTF-8."""
    return synth.encode(synth.render_html(report(seed), meta_charset="utf-8"), "gbk")


@cache
def big5_page(seed: int = 2) -> bytes:
    """A Traditional page in Big5 whose <meta> (and header) claim GBK."""
    return synth.encode(synth.to_traditional(synth.render_html(report(seed), meta_charset="gbk")), "big5")


@cache
def utf8_page(seed: int, fmt: str = "2019") -> bytes:
    return synth.render_html(report(seed, fmt)).encode("utf-8")


PDF_ONLY = """<html><head><meta charset="utf-8"><title>平潭综合实验区公安局2020年政府信息公开工作年度报告</title></head>
<body><div class="nav">首页 &gt; 政务公开 &gt; 年度报告</div>
<h1>平潭综合实验区公安局2020年政府信息公开工作年度报告</h1>
<p>发布时间：2021-01-28</p>
<p>附件：<a href="/files/2020report.pdf">平潭综合实验区公安局2020年政府信息公开工作年度报告.pdf</a></p>
</body></html>"""

JS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title>
<script src="/static/js/chunk-vendors.js"></script><script src="/static/js/app.js"></script></head>
<body><noscript>请启用JavaScript以浏览本站</noscript><div id="app"></div></body></html>"""


def index_page(links: list[tuple[str, str, str]], next_href: str | None) -> str:
    """An agency's list of reports: (href, text, title attribute) links, site chrome, a pager."""
    items = "\n".join(f'<li><a href="{h}" title="{t}">{x}</a><span>2021-01-15</span></li>' for h, x, t in links)
    pager = f'<a href="index.html">首页</a> <a href="{next_href}">下一页</a>' if next_href else "<span>下一页</span>"
    return f"""<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/about.html">关于我们</a> <a href="/zwgk/">政务公开</a></div>
<ul class="list">{items}</ul><div class="pager">{pager}</div></body></html>"""
