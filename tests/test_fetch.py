"""The URL fetcher: SSRF defences, redirects, limits (hypecheck.fetch).

All traffic goes to a local http.server on 127.0.0.1; addresses such as
169.254.169.254 are only ever checked, never contacted.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from hypecheck import fetch as fetch_mod
from hypecheck.fetch import FetchError, address_allowed, check_address, fetch

PAGE = (
    b"<!doctype html><html><head><title>GlowLab</title></head><body><main>"
    b"<h1>Exosome serum</h1><p>Clinically proven to regenerate skin cells and treats hair loss."
    b"</p></main></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    hosts: ClassVar[list[str]] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).hosts.append(self.headers.get("Host", ""))
        path = self.path
        if path == "/page.html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif path == "/plain":
            self._send(200, b"It treats eczema.", "text/plain")
        elif path == "/latin1":
            self._send(200, "<p>Crème régénérante</p><p>Sérum</p>".encode("latin-1"), "text/html; charset=iso-8859-1")
        elif path == "/json":
            self._send(200, b'{"claim": "treats hair loss"}', "application/json")
        elif path == "/image":
            self._send(200, b"\x89PNG\r\n\x1a\n", "image/png")
        elif path == "/notype":
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")
        elif path == "/big":
            self._send(200, b"<p>" + b"a" * 300_000 + b"</p>", "text/html")
        elif path == "/big-stream":  # no Content-Length: must be cut off while streaming
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"b" * 10_000 + b"</p>")
            except OSError:
                pass
        elif path == "/gzip":
            self._send(200, gzip.compress(PAGE), "text/html", Content_Encoding="gzip")
        elif path == "/gzip-bomb":
            self._send(200, gzip.compress(b"<p>" + b"z" * 5_000_000), "text/html", Content_Encoding="gzip")
        elif path == "/redirect-local":
            self._send(302, b"", "text/html", Location="/page.html")
        elif path == "/redirect-metadata":
            self._send(302, b"", "text/html", Location="http://169.254.169.254/latest/meta-data/")
        elif path == "/redirect-private-name":
            self._send(301, b"", "text/html", Location="http://intranet.test/admin")
        elif path == "/redirect-ftp":
            self._send(302, b"", "text/html", Location="ftp://127.0.0.1/x")
        elif path.startswith("/loop"):
            n = int(path[5:] or 0)
            self._send(302, b"", "text/html", Location=f"/loop{n + 1}")
        elif path == "/slow":
            time.sleep(2)
            self._send(200, PAGE, "text/html")
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"x" * 10)
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        else:
            self._send(404, b"<p>not found</p>", "text/html")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the fetcher hangs up early on purpose (size limits, timeouts)


@pytest.fixture(scope="module")
def local_server() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every address the fetcher opens a socket to."""
    seen: list[tuple[str, int]] = []
    real = fetch_mod._open_socket

    def recording(ip: str, port: int, timeout: float) -> socket.socket:
        seen.append((ip, port))
        return real(ip, port, timeout)

    monkeypatch.setattr(fetch_mod, "_open_socket", recording)
    return seen


def _fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Answer the fetcher's DNS lookups from *table*; returns the names looked up."""
    asked: list[str] = []

    def lookup(host: str, port: int) -> list[str]:
        asked.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "not found")
        return list(table[host])

    monkeypatch.setattr(fetch_mod, "_lookup", lookup)
    return asked


# --- the address check, directly (no traffic) -------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "169.254.169.254",
        "192.168.1.1",
        "172.16.5.4",
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "0.0.0.0",
        "::",
        "100.64.0.1",  # shared address space (CGNAT)
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "fe80::1",  # link-local
        "fe80::1%eth0",
        "fc00::1",  # unique local
        "fd12:3456::1",
        "ff02::1",  # multicast
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:a9fe:a9fe::1",  # 6to4 wrapping 169.254.169.254
        "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
        "2001:db8::1",  # documentation
        "not-an-address",
        "",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not address_allowed(address)
    with pytest.raises(FetchError, match="private, local or reserved"):
        check_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address)
    check_address(address)


def test_loopback_hook_lifts_only_loopback() -> None:
    assert address_allowed("127.0.0.1", allow_loopback=True)
    assert address_allowed("::1", allow_loopback=True)
    assert address_allowed("::ffff:127.0.0.1", allow_loopback=True)
    for address in ("10.0.0.1", "169.254.169.254", "192.168.1.1", "0.0.0.0", "fe80::1", "::"):
        assert not address_allowed(address, allow_loopback=True), address


# --- real fetches from the local server --------------------------------------------------------


def test_fetches_local_page_with_loopback_hook(local_server: str) -> None:
    page = fetch(local_server + "/page.html", allow_loopback=True)
    assert page.is_html
    assert page.content_type == "text/html"
    assert "regenerate skin cells" in page.text
    assert page.url == local_server + "/page.html"


def test_loopback_refused_by_default(local_server: str, connections: list[Any]) -> None:
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch(local_server + "/page.html")
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch("http://localhost:9/")
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch("http://[::1]:9/")
    assert connections == []


def test_redirect_to_metadata_address_refused_without_connecting(
    local_server: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch(local_server + "/redirect-metadata", allow_loopback=True)
    assert connections, "the first hop should have been fetched"
    assert all(ip == "127.0.0.1" for ip, _ in connections)


def test_redirect_to_name_resolving_to_private_address_refused(
    local_server: str, connections: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _fake_dns(monkeypatch, {"intranet.test": ["10.1.2.3"]})
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch(local_server + "/redirect-private-name", allow_loopback=True)
    assert asked == ["intranet.test"]
    assert all(ip == "127.0.0.1" for ip, _ in connections)


def test_relative_redirect_is_followed(local_server: str) -> None:
    page = fetch(local_server + "/redirect-local", allow_loopback=True)
    assert page.url == local_server + "/page.html"
    assert "treats hair loss" in page.text


def test_redirect_to_other_scheme_refused(local_server: str) -> None:
    with pytest.raises(FetchError, match="Only http"):
        fetch(local_server + "/redirect-ftp", allow_loopback=True)


def test_too_many_redirects(local_server: str, connections: list[Any]) -> None:
    with pytest.raises(FetchError, match="Too many redirects"):
        fetch(local_server + "/loop", allow_loopback=True, max_redirects=3)
    assert len(connections) == 4


def test_name_with_any_private_address_refused(monkeypatch: pytest.MonkeyPatch, connections: list[Any]) -> None:
    _fake_dns(monkeypatch, {"mixed.test": ["93.184.216.34", "10.0.0.7"], "meta.test": ["169.254.169.254"]})
    for url in ("http://mixed.test/", "https://meta.test/"):
        with pytest.raises(FetchError, match="private, local or reserved"):
            fetch(url)
    assert connections == []


def test_connects_to_the_checked_address_only_once_resolved(
    local_server: str, monkeypatch: pytest.MonkeyPatch, connections: list[tuple[str, int]]
) -> None:
    """DNS is asked once per hop and the socket goes to that answer (no rebinding window)."""
    port = int(local_server.rsplit(":", 1)[1])
    asked = _fake_dns(monkeypatch, {"shop.test": ["127.0.0.1"]})
    _Handler.hosts.clear()
    page = fetch(f"http://shop.test:{port}/page.html", allow_loopback=True)
    assert "regenerate skin cells" in page.text
    assert asked == ["shop.test"]
    assert connections == [("127.0.0.1", port)]
    assert _Handler.hosts == [f"shop.test:{port}"]


def test_unresolvable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {})
    with pytest.raises(FetchError, match="Could not find"):
        fetch("http://no-such-host.test/")


@pytest.mark.parametrize("path", ["/json", "/image", "/notype"])
def test_non_html_content_type_refused(local_server: str, path: str) -> None:
    with pytest.raises(FetchError, match="not a web page"):
        fetch(local_server + path, allow_loopback=True)


def test_plain_text_accepted(local_server: str) -> None:
    page = fetch(local_server + "/plain", allow_loopback=True)
    assert not page.is_html
    assert page.text == "It treats eczema."


def test_declared_charset_is_used(local_server: str) -> None:
    page = fetch(local_server + "/latin1", allow_loopback=True)
    assert "Crème régénérante" in page.text


@pytest.mark.parametrize("path", ["/big", "/big-stream", "/gzip-bomb"])
def test_oversize_refused(local_server: str, path: str) -> None:
    with pytest.raises(FetchError, match="larger than"):
        fetch(local_server + path, allow_loopback=True, max_bytes=100_000)


def test_gzip_body_is_decoded(local_server: str) -> None:
    page = fetch(local_server + "/gzip", allow_loopback=True)
    assert "treats hair loss" in page.text


def test_http_error_status(local_server: str) -> None:
    with pytest.raises(FetchError, match="404"):
        fetch(local_server + "/missing", allow_loopback=True)


def test_timeout_while_waiting(local_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="too long"):
        fetch(local_server + "/slow", allow_loopback=True, timeout=0.5)
    assert time.monotonic() - started < 1.8


def test_overall_deadline_beats_a_drip_feed(local_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="too long"):
        fetch(local_server + "/drip", allow_loopback=True, timeout=0.8)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file.html",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "example.com/page",
        "//example.com/page",
    ],
)
def test_non_http_scheme_refused(url: str, connections: list[Any]) -> None:
    with pytest.raises(FetchError, match="Only http"):
        fetch(url)
    assert connections == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter a web address"),
        ("http://", "no host"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://example.com:99999/", "not a valid"),
        ("http://exa mple.com/", "spaces"),
        ("http://example.com/" + "a" * 3000, "too long"),
    ],
)
def test_malformed_urls_refused(url: str, message: str, connections: list[Any]) -> None:
    with pytest.raises(FetchError, match=message):
        fetch(url)
    assert connections == []


@pytest.fixture
def drip_server() -> Iterator[Any]:
    """A raw TCP server on loopback that answers with ``prefix`` and then one byte every 0.1 s for 5 s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    state: dict[str, bytes] = {"prefix": b""}

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    conn.recv(65536)  # the request, or a TLS ClientHello
                    conn.sendall(state["prefix"])
                    for _ in range(50):
                        if stop.is_set():
                            break
                        conn.sendall(b"a")
                        time.sleep(0.1)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield state, listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(3)
        listener.close()


@pytest.mark.parametrize(
    ("scheme", "prefix"),
    [
        ("http", b""),  # the status line itself drips
        ("http", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: "),  # one header drips
        ("https", b"\x16\x03\x03\x40\x00"),  # a TLS handshake record announced, then dripped
    ],
)
def test_overall_deadline_covers_status_headers_and_handshake(drip_server: Any, scheme: str, prefix: bytes) -> None:
    state, port = drip_server
    state["prefix"] = prefix
    started = time.monotonic()
    with pytest.raises(FetchError, match="too long"):
        fetch(f"{scheme}://127.0.0.1:{port}/", allow_loopback=True, timeout=0.8)
    assert time.monotonic() - started < 2.5


def test_deadline_watchdog_leaves_no_thread_behind(local_server: str) -> None:
    for _ in range(5):
        fetch(local_server + "/page.html", allow_loopback=True)
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    for timer in timers:
        timer.join(2)  # a cancelled timer ends at once
    assert not any(t.is_alive() for t in timers)
