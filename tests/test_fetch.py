"""Fetching: politeness, robots.txt, retries, limits, the validator cache, discovery and page triage.

Everything runs against tests/httpserver.py on 127.0.0.1 with tiny timeouts; nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_cli import __version__
from disclosure_cli.errors import ReportError
from disclosure_cli.fetch import Cache, Fetcher, classify_page, find_links
from disclosure_cli.sources import FetchOptions, load, parse_loaded

from .conftest import SEED
from .httpserver import JS_PAGE, PDF_ONLY, Site, gbk_page, index_page, utf8_page

FAST = {"delay": 0.0, "timeout": 0.3, "retries": 1, "backoff": 0.01}


@pytest.fixture
def site():
    with Site() as s:
        s.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
        yield s


@pytest.fixture
def fetcher(tmp_path):
    with Fetcher(tmp_path / "cache", **FAST) as f:
        yield f


def test_user_agent_names_the_tool_and_version(site, fetcher):
    fetcher.get(site.add("/a.html", utf8_page(1)))
    assert all(f"disclosure-cli/{__version__}" in h.headers["user-agent"] for h in site.hits)
    assert [h.path for h in site.hits] == ["/robots.txt", "/a.html"]  # robots.txt first, once


def test_page_bytes_are_returned_untouched_with_fetch_metadata(site, fetcher):
    url = site.add("/gbk.html", gbk_page(), headers={"Content-Type": "text/html; charset=utf-8"})
    page = fetcher.get(url)
    assert page.data == gbk_page()  # the lying charset is the parser's problem, not re-encoded here
    assert page.meta["url"] == page.meta["final_url"] == url
    assert page.meta["status"] == 200
    assert page.meta["content_type"] == "text/html; charset=utf-8"
    assert page.meta["from_cache"] is False
    assert len(page.meta["sha256"]) == 64 and page.meta["fetched_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("path", "route", "reason"),
    [
        ("/missing.html", None, "http-404"),
        ("/gone.html", {"status": 410}, "http-410"),
        ("/forbidden.html", {"status": 403}, "http-403"),
        ("/down.html", {"fail_first": 9, "fail_status": 503}, "http-503"),
        ("/slow.html", {"delay": 0.6}, "timeout"),
        ("/huge.html", {"body": b"x" * 5000}, "too-large"),
        ("/huge-stream.html", {"body": b"x" * 5000, "length": False}, "too-large"),
        ("/private/report.html", {"body": b"<p>hi</p>"}, "robots-disallowed"),
        ("/to-ftp", {"status": 302, "headers": {"Location": "ftp://127.0.0.1/report.html"}}, "not-http"),
        ("/loop", {"status": 302, "headers": {"Location": "/loop"}}, "fetch-failed"),
    ],
)
def test_failures_have_a_reason_and_one_line(site, tmp_path, path, route, reason):
    if route is not None:
        site.add(path, **route)
    with Fetcher(tmp_path / "c", max_bytes=4000, max_redirects=3, **FAST) as f, pytest.raises(ReportError) as err:
        f.get(site.url(path))
    assert err.value.reason == reason
    assert "\n" not in err.value.message and err.value.message


def test_not_http_inputs_are_refused_before_any_request(fetcher):
    for url in ("ftp://example.org/a.html", "file:///etc/passwd"):
        with pytest.raises(ReportError) as err:
            fetcher.get(url)
        assert err.value.reason == "not-http"
    assert fetcher.requests == 0


def test_a_500_is_retried_and_then_succeeds(site, fetcher):
    url = site.add("/flaky.html", utf8_page(3), fail_first=1)
    assert fetcher.get(url).data == utf8_page(3)
    assert site.statuses("/flaky.html") == [500, 200]


def test_429_waits_as_asked_then_succeeds(site, fetcher):
    url = site.add("/busy.html", b"ok", fail_first=1, fail_status=429, fail_headers={"Retry-After": "0.2"})
    started = time.monotonic()
    assert fetcher.get(url).data == b"ok"
    assert time.monotonic() - started >= 0.2
    assert site.statuses("/busy.html") == [429, 200]


def test_a_timeout_is_retried_with_backoff(site, fetcher):
    site.add("/slow.html", b"late", delay=0.6)
    with pytest.raises(ReportError, match="after 2 attempts"):
        fetcher.get(site.url("/slow.html"))
    assert site.count("/slow.html") == 2


def test_redirects_are_followed_and_recorded(site, fetcher):
    site.add("/old", status=301, headers={"Location": "/new/report.html"})
    target = site.add("/new/report.html", utf8_page(4))
    page = fetcher.get(site.url("/old"))
    assert page.meta["url"] == site.url("/old") and page.meta["final_url"] == target


def test_a_redirect_into_a_disallowed_path_is_refused(site, fetcher):
    site.add("/sneaky", status=302, headers={"Location": "/private/x.html"})
    site.add("/private/x.html", b"secret")
    with pytest.raises(ReportError) as err:
        fetcher.get(site.url("/sneaky"))
    assert err.value.reason == "robots-disallowed"
    assert site.count("/private/x.html") == 0


def test_ignore_robots(site, tmp_path):
    url = site.add("/private/report.html", b"fine")
    with Fetcher(tmp_path / "c", ignore_robots=True, **FAST) as f:
        assert f.get(url).data == b"fine"
    assert site.count("/robots.txt") == 0


def test_robots_crawl_delay_raises_the_delay(site, tmp_path):
    site.add("/robots.txt", "User-agent: disclosure-cli\nCrawl-delay: 1\nDisallow:\n")  # whole seconds only
    with Fetcher(tmp_path / "c", **FAST) as f:
        f.get(site.add("/p.html", b"x"))
    assert [h.path for h in site.hits] == ["/robots.txt", "/p.html"]
    assert site.hits[1].at - site.hits[0].at >= 0.99


def test_one_request_at_a_time_per_host_with_a_delay(site, tmp_path):
    urls = [site.add(f"/p{i}.html", b"x", delay=0.02) for i in range(4)]
    with Fetcher(tmp_path / "c", **{**FAST, "delay": 0.05}) as f:
        threads = [threading.Thread(target=f.get, args=(u,)) for u in urls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert site.max_in_flight["/"] == 1
    times = sorted(h.at for h in site.hits if h.path.startswith("/p"))
    assert all(b - a >= 0.05 for a, b in itertools.pairwise(times))


# -- the cache ----------------------------------------------------------------------------------------


def test_etag_revalidation_costs_a_304_not_a_body(site, tmp_path):
    url = site.add("/etag.html", utf8_page(5), etag='"v1"')
    with Fetcher(tmp_path / "c", max_age=0, **FAST) as f:
        first, second = f.get(url), f.get(url)
    assert (first.meta["from_cache"], second.meta["from_cache"]) == (False, True)
    assert second.data == first.data and second.meta["sha256"] == first.meta["sha256"]
    assert site.statuses("/etag.html") == [200, 304]
    assert site.hits[-1].headers["if-none-match"] == '"v1"'


def test_last_modified_revalidation(site, tmp_path):
    lm = "Wed, 27 Jan 2021 08:00:00 GMT"
    url = site.add("/lm.html", utf8_page(6), last_modified=lm)
    with Fetcher(tmp_path / "c", max_age=0, **FAST) as f:
        f.get(url)
        assert f.get(url).meta["from_cache"] is True
    assert site.statuses("/lm.html") == [200, 304]
    assert site.hits[-1].headers["if-modified-since"] == lm


def test_a_changed_page_is_downloaded_again(site, tmp_path):
    url = site.add("/changing.html", b"v1", etag='"1"')
    with Fetcher(tmp_path / "c", max_age=0, **FAST) as f:
        f.get(url)
        site.add("/changing.html", b"v2", etag='"2"')
        page = f.get(url)
    assert page.data == b"v2" and page.meta["from_cache"] is False


def test_a_fresh_cache_entry_needs_no_request_and_offline_none_at_all(site, tmp_path):
    url = site.add("/r.html", utf8_page(7))
    with Fetcher(tmp_path / "c", **FAST) as f:
        f.get(url)
    before = len(site.hits)
    with Fetcher(tmp_path / "c", **FAST) as f:  # within max_age: no revalidation
        assert f.get(url).meta["from_cache"] is True
    with Fetcher(tmp_path / "c", offline=True, max_age=0, **FAST) as f:
        assert f.get(url).data == utf8_page(7)
        with pytest.raises(ReportError) as err:
            f.get(site.url("/never-fetched.html"))
        assert err.value.reason == "not-cached"
    assert len(site.hits) == before


def test_cache_bodies_are_content_addressed_and_checked(site, tmp_path):
    a = site.add("/a.html", b"same body")
    b = site.add("/b.html", b"same body")
    with Fetcher(tmp_path / "c", max_age=0, **FAST) as f:
        sha = f.get(a).meta["sha256"]
        f.get(b)
    bodies = [p for p in (tmp_path / "c" / "bodies").rglob("*") if p.is_file()]
    robots = hashlib.sha256(site.routes["/robots.txt"].body).hexdigest()
    assert sorted(p.name for p in bodies) == sorted([sha, robots])
    assert not list((tmp_path / "c").rglob("*.tmp"))
    bodies[0].write_bytes(b"corrupted")  # a damaged body is never served: fetched again
    with Fetcher(tmp_path / "c", offline=True) as f, pytest.raises(ReportError):
        f.get(a)
    with Fetcher(tmp_path / "c", **FAST) as f:
        assert f.get(a).data == b"same body"


def test_cache_entries_survive_a_reload(tmp_path):
    cache = Cache(tmp_path)
    entry = cache.store("http://x.test/a", b"body", {"final_url": "http://x.test/a", "etag": '"e"'})
    assert Cache(tmp_path).lookup("http://x.test/a") == entry
    assert Cache(tmp_path).body(entry) == b"body"
    assert Cache(tmp_path).lookup("http://x.test/other") is None


# -- discovery and page triage -------------------------------------------------------------------------


def test_follow_collects_report_links_over_next_pages(site, fetcher):
    site.add(
        "/list/index.html",
        index_page(
            [
                ("/r/a.html", "平潭综合实验区2019年政府信息公开工作年度报告", ""),
                (
                    "/r/b.html",
                    "平潭综合实验区2020年政府信息公开工作...",
                    "平潭综合实验区2020年政府信息公开工作年度报告",
                ),
                ("/notice.html", "关于开展政务公开工作的通知", ""),
            ],
            "index_1.html",
        ),
    )
    site.add(
        "/list/index_1.html",
        index_page(
            [
                ("/r/c.html", "2018年政府信息公开年报", ""),
                ("/r/a.html", "平潭综合实验区2019年政府信息公开工作年度报告", ""),
            ],
            "index_2.html",
        ),
    )
    site.add("/list/index_2.html", index_page([("/r/d.html", "2017年度報告", "")], None))
    found = fetcher.discover(site.url("/list/index.html"), max_pages=2)
    assert found.links == [site.url(p) for p in ("/r/a.html", "/r/b.html", "/r/c.html")]
    assert found.pages == [site.url("/list/index.html"), site.url("/list/index_1.html")]
    assert site.count("/list/index_2.html") == 0
    assert fetcher.discover(site.url("/list/index.html"), max_pages=5).links[-1] == site.url("/r/d.html")


def test_follow_reads_a_javascript_pager():
    page = """<html><body><a href="./202101/t1.html">2020年年度报告</a>
    <script>createPageHTML(3, 0, "index", "html");</script></body></html>""".encode()
    links, following = find_links(page, "http://gov.test/zfxxgknb/index.html")
    assert links == ["http://gov.test/zfxxgknb/202101/t1.html"]
    assert following == "http://gov.test/zfxxgknb/index_1.html"
    assert find_links(page.replace(b"3, 0", b"3, 2"), "http://gov.test/zfxxgknb/index_2.html")[1] is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (PDF_ONLY.encode(), "pdf-only-page"),
        (JS_PAGE.encode(), "javascript-page"),
        (utf8_page(8), None),  # a real report page
        (utf8_page(8).replace(b"</body>", b'<a href="/f/report.pdf">PDF</a></body>'), None),  # ... with its PDF
        (SEED.read_bytes(), None),  # not HTML at all
        (b"<html><body><p>" + "站点地图".encode() * 50 + b"</p></body></html>", None),
    ],
)
def test_classify_page(body, reason):
    problem = classify_page(body, "http://gov.test/a.html")
    assert (problem.reason if problem else None) == reason


# -- sources.load: the one route by which `disclosure parse/audit/trend` read files and URLs -------------


def test_load_reads_files_and_fetches_urls(site, tmp_path):
    loaded = load(str(SEED), None, 20 * 1024 * 1024)
    assert loaded.error is None and loaded.data == SEED.read_bytes() and loaded.meta == {}
    url = site.add("/gbk.html", gbk_page())
    with FetchOptions(cache_dir=str(tmp_path), delay=0).fetcher() as fetcher:
        loaded = load(url, fetcher, 20 * 1024 * 1024)
        assert loaded.data == gbk_page()
        assert set(loaded.meta) == {"url", "final_url", "status", "content_type", "fetched_at", "sha256", "from_cache"}
        for bad, reason in (
            (site.add("/pdf.html", PDF_ONLY), "pdf-only-page"),
            (site.add("/app.html", JS_PAGE), "javascript-page"),
            (site.url("/nothing"), "http-404"),
            ("ftp://gov.test/a.html", "not-http"),
            (str(tmp_path / "absent.html"), "unreadable"),
        ):
            with pytest.raises(ReportError) as err:
                parse_loaded(load(bad, fetcher, 20 * 1024 * 1024))
            assert err.value.reason == reason
    with FetchOptions(cache_dir=str(tmp_path / "other"), delay=0, max_bytes=1000).fetcher() as small:
        error = load(url, small, 1000).error
    assert error is not None and error.reason == "too-large"


# -- the fetch command ---------------------------------------------------------------------------------


def _cli():
    import click

    from disclosure_cli.cli_data import batch, export, fetch

    return click.Group(commands=[fetch, batch, export])


def test_fetch_command_then_cached_then_offline(site, tmp_path: Path):
    ok = site.add("/gbk.html", gbk_page())
    args = ["fetch", ok, site.url("/missing.html"), "--cache", str(tmp_path), "--delay", "0", "--retries", "0"]
    first = CliRunner().invoke(_cli(), args)
    assert first.exit_code == 2
    assert first.stdout.startswith("fetched") and ok in first.stdout
    assert "missing.html: HTTP 404 Not Found" in first.stderr and "Traceback" not in first.stderr
    again = CliRunner().invoke(_cli(), ["fetch", ok, "--cache", str(tmp_path), "--offline", "-o", "jsonl"])
    assert again.exit_code == 0 and '"from_cache": true' in again.stdout and again.stderr == ""


def test_fetch_command_follow(site, tmp_path):
    site.add(
        "/list/index.html", index_page([("/r/a.html", "2019年年度报告", ""), ("/r/p.html", "2020年年报", "")], None)
    )
    site.add("/r/a.html", utf8_page(9))
    site.add("/r/p.html", PDF_ONLY)
    result = CliRunner().invoke(
        _cli(), ["fetch", "--follow", site.url("/list/index.html"), "--cache", str(tmp_path), "--delay", "0"]
    )
    assert result.exit_code == 2
    assert site.url("/r/a.html") in result.stdout
    assert "2 report links on 1 page(s)" in result.stderr
    # the page only links a PDF: --follow fetches it, and it is not on the site
    assert "no tables on the page; following 1 attachment(s)" in result.stderr
    assert f"{site.url('/files/2020report.pdf')}: HTTP 404 Not Found" in result.stderr


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\0" * 60


def test_fetch_follow_takes_a_report_pages_attachments_and_says_where_they_came_from(site, tmp_path):
    attachments = """<html><head><meta charset="utf-8"><title>某局2021年政府信息公开工作年度报告</title></head>
<body><h1>某局2021年政府信息公开工作年度报告</h1><p>附件：<a href="/files/r.pdf">年度报告.pdf</a>
<a href="r.docx?v=2">年度报告.docx</a> <a href="/files/r.pdf#page=2">同上</a> <a href="/files/fake.doc">旧版</a>
<a href="/about.html">关于我们</a></p></body></html>"""
    site.add("/list/index.html", index_page([("/r/p.html", "2021年年度报告", ""), ("/r/a.html", "年报", "")], None))
    site.add("/r/p.html", attachments)
    site.add("/r/a.html", utf8_page(9, "2021"))  # tables in the page: its links are not followed
    site.add("/files/r.pdf", PDF, headers={"Content-Type": "application/pdf"})
    site.add("/r/r.docx", DOCX)
    site.add("/files/fake.doc", "<html><body>请登录后下载</body></html>", headers={"Content-Type": "text/html"})
    args = ["fetch", "--follow", site.url("/list/index.html"), "--cache", str(tmp_path), "--delay", "0"]
    result = CliRunner().invoke(_cli(), [*args, "-o", "jsonl"])
    assert result.exit_code == 2  # the .doc link gave a login page
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    fetched = {r["url"]: r.get("from_page") for r in rows if "error" not in r}
    page = site.url("/r/p.html")
    assert fetched == {site.url("/files/r.pdf"): page, site.url("/r/r.docx?v=2"): page, site.url("/r/a.html"): None}
    error = next(r for r in rows if "error" in r)
    assert (error["url"], error["error"]) == (site.url("/files/fake.doc"), "not-an-attachment")
    assert site.count("/files/r.pdf") == 1 and site.count("/about.html") == 0
    text = CliRunner().invoke(_cli(), [*args, "--offline"])
    assert f"{site.url('/files/r.pdf')}  (from {page})" in text.stdout
    assert "cached " in text.stdout


def test_without_follow_a_pdf_only_page_is_still_refused(site, tmp_path):
    url = site.add("/r/p.html", PDF_ONLY)
    result = CliRunner().invoke(_cli(), ["fetch", url, "--cache", str(tmp_path), "--delay", "0"])
    assert result.exit_code == 2 and "only links a PDF" in result.stderr
    assert site.count("/files/2020report.pdf") == 0


def test_attachment_links_only_on_a_page_without_tables():
    from disclosure_cli.fetch import attachment_links

    page = '<html><body><p>附件</p><a href="a.PDF">a</a><iframe src="/v/b.docx"></iframe></body></html>'.encode()
    assert attachment_links(page, "http://gov.test/r/x.html") == ["http://gov.test/r/a.PDF", "http://gov.test/v/b.docx"]
    assert attachment_links(utf8_page(9).replace(b"</body>", b'<a href="a.pdf">pdf</a></body>'), "http://g/") == []


def test_a_picture_or_attachment_fetch_keeps_only_that_kind(site, fetcher):
    from disclosure_cli.readers import is_image

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    assert is_image(fetcher.get_picture(site.add("/t.png", png)).data)
    with pytest.raises(ReportError) as err:
        fetcher.get_picture(site.add("/t.html", utf8_page(9)))
    assert err.value.reason == "not-a-picture"
    with pytest.raises(ReportError) as err:
        fetcher.get(site.add("/u.png", png))  # a page fetch still refuses a picture
    assert err.value.reason == "binary"
    assert fetcher.get_attachment(site.add("/r.pdf", PDF)).data == PDF


def test_a_refused_connection_is_a_fetch_failure(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(tmp_path, ignore_robots=True, **FAST) as f, pytest.raises(ReportError) as err:
        f.get(f"http://127.0.0.1:{port}/report.html")
    assert err.value.reason == "fetch-failed" and "\n" not in err.value.message


_TEXT = st.text(alphabet="平潭区政府信息公开工作年度报告報年通知关于首页 0123456789", max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, st.booleans()), max_size=8))
def test_find_links_keeps_exactly_the_report_titles_in_order(links):
    """Property: a link is collected iff its text or title reads like an annual report title."""
    anchors = "".join(
        f'<a href="/p/{i}.html"{" title=" + repr(t) if as_title else ""}>{"" if as_title else t}</a>'
        for i, (t, as_title) in enumerate(links)
    )
    found, _ = find_links(f"<html><body>{anchors}</body></html>".encode(), "http://gov.test/list/")
    titles = [t if as_title else "".join(t.split()) for t, as_title in links]  # visible text: spaces dropped
    expected = [
        f"http://gov.test/p/{i}.html" for i, t in enumerate(titles) if re.search("年度报告|年度報告|年报|年報", t)
    ]
    assert found == expected


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2000), st.text(min_size=1, max_size=30))
def test_cache_round_trip(tmp_path_factory, body, path):
    cache = Cache(tmp_path_factory.mktemp("c"))
    url = "http://gov.test/" + path
    entry = cache.store(url, body, {"final_url": url})
    assert cache.body(cache.lookup(url)) == body and entry["sha256"] == hashlib.sha256(body).hexdigest()


def test_a_site_that_is_down_serves_the_cached_copy_marked_stale(site, tmp_path):
    url = site.add("/r.html", utf8_page(7))
    with Fetcher(tmp_path, max_age=0, **FAST) as f:
        f.get(url)
        site.add("/r.html", b"", fail_first=99, fail_status=503)
        page = f.get(url)
        assert page.data == utf8_page(7) and page.meta["from_cache"] and "503" in page.meta["stale"]
        site.add("/r.html", status=404)  # gone is gone: reported, not papered over
        with pytest.raises(ReportError, match="404"):
            f.get(url)
        site.add("/robots.txt", b"", delay=0.6)  # robots.txt unreachable now: yesterday's copy still rules
        site.add("/r.html", b"", fail_first=99, fail_status=503)
        with Fetcher(tmp_path, max_age=0, **FAST) as g:
            assert g.get(url).meta["stale"]


def test_robots_txt_is_fetched_once_however_many_threads_ask(site, fetcher):
    urls = [site.add(f"/p{i}.html", b"x") for i in range(6)]
    threads = [threading.Thread(target=fetcher.get, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert site.count("/robots.txt") == 1 and fetcher.requests == 7
