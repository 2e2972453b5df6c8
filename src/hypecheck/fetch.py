"""Fetch one web page for checking, defensively (no SSRF, bounded size and time).

Rules: http/https only; no credentials in the URL; every host is resolved and
*every* resolved address must be public (not loopback, private, link-local,
multicast, reserved, unspecified, shared/CGNAT, ...); the connection goes to
the exact address that was checked (no second DNS lookup, so no DNS-rebinding
window); redirects are followed by hand and each hop is checked the same way;
the body is streamed and cut off at ``max_bytes``; one overall deadline; only
HTML or plain-text responses are accepted.
"""

from __future__ import annotations

import codecs
import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .constants import FETCH_MAX_BYTES, FETCH_TIMEOUT
from .errors import HypecheckError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "FetchError",
    "FetchResult",
    "address_allowed",
    "check_address",
    "fetch",
]

DEFAULT_MAX_BYTES = FETCH_MAX_BYTES
DEFAULT_TIMEOUT = FETCH_TIMEOUT
MAX_REDIRECTS = 5
MAX_URL_LENGTH = 2048
USER_AGENT = "hypecheck (claim checker; +https://github.com/) python-http.client"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = _HTML_TYPES | {"text/plain"}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(HypecheckError):
    """A page could not be fetched; ``str(error)`` is a message for the user."""


@dataclass(frozen=True)
class FetchResult:
    """A fetched page: the final URL (after redirects), its media type and text."""

    url: str
    content_type: str
    text: str

    @property
    def is_html(self) -> bool:
        """Whether the page was served as HTML."""
        return self.content_type in _HTML_TYPES


def address_allowed(address: str | IPAddress, *, allow_loopback: bool = False) -> bool:
    """Whether connecting to *address* is acceptable (a public unicast address).

    ``allow_loopback`` lifts the block for loopback addresses only; it exists
    for tests that fetch from a local server.
    """
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_allowed(embedded, allow_loopback=allow_loopback)
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels to (mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def check_address(address: str | IPAddress, *, allow_loopback: bool = False) -> None:
    """Raise :class:`FetchError` unless :func:`address_allowed` accepts *address*."""
    if not address_allowed(address, allow_loopback=allow_loopback):
        raise FetchError("That address points to a private, local or reserved network, which cannot be fetched.")


def fetch(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
    allow_loopback: bool = False,
) -> FetchResult:
    """Fetch *url* and return its decoded text; raise :class:`FetchError` on any problem.

    *timeout* bounds the whole fetch (all redirects included), *max_bytes* the
    body size.
    """
    deadline = time.monotonic() + timeout
    current = url.strip()
    for _hop in range(max_redirects + 1):
        target = _parse(current)
        status, location, content_type, body = _request(
            target, deadline=deadline, max_bytes=max_bytes, allow_loopback=allow_loopback
        )
        if status in _REDIRECTS and location:
            current = urljoin(current, location)
            continue
        return _result(current, status, content_type, body)
    raise FetchError(f"Too many redirects (more than {max_redirects}).")


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str


def _parse(url: str) -> _Target:
    if len(url) > MAX_URL_LENGTH:
        raise FetchError("That web address is too long.")
    if not url:
        raise FetchError("Enter a web address starting with http:// or https://.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("That is not a valid web address.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("Only http:// and https:// addresses can be checked.")
    if parts.username is not None or parts.password is not None:
        raise FetchError("Web addresses with a user name or password are not accepted.")
    host = parts.hostname
    if not host:
        raise FetchError("That web address has no host name.")
    if any(ch.isspace() or ord(ch) < 0x21 for ch in url):
        raise FetchError("That web address contains spaces or control characters.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """Resolve *host*, require every address to be allowed, return the first one."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(literal, allow_loopback=allow_loopback)
        return str(literal)
    try:
        addresses = _lookup(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Could not find the site {host!r}.") from exc
    if not addresses:
        raise FetchError(f"Could not find the site {host!r}.")
    for address in addresses:
        check_address(address, allow_loopback=allow_loopback)
    return addresses[0]


def _lookup(host: str, port: int) -> list[str]:
    """All addresses DNS gives for *host* (patched in tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _open_socket(ip: str, port: int, timeout: float | None) -> socket.socket:
    """Open a TCP connection to the already-checked literal *ip* (no second DNS lookup)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((ip, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP connection to a fixed, pre-checked IP; Host header stays the name."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self.raw: socket.socket | None = None  # what the deadline watchdog shuts down

    def connect(self) -> None:
        self.sock = self.raw = _open_socket(self._ip, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS connection to a fixed, pre-checked IP; certificate checked for the name."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._ip = ip
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        sock = _open_socket(self._ip, self.port, self.timeout)
        try:
            wrapped = self._tls.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
            self.raw = wrapped  # before the handshake, so a dripped handshake is cut off too
            wrapped.do_handshake()
            self.sock = wrapped
        except BaseException:
            sock.close()
            raise


class _Watchdog:
    """Shuts the connection's socket down at the deadline, whatever phase it is in.

    Socket timeouts bound each wait, not their sum: a server that sends one byte of
    its status line, headers or TLS handshake every half second never trips them.
    The shutdown wakes the blocked read; the lock keeps it from touching a socket
    that was already closed (its descriptor could belong to another connection).
    """

    def __init__(self, conn: _PinnedHTTP | _PinnedHTTPS, deadline: float) -> None:
        self.conn = conn
        self.fired = False
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def _fire(self) -> None:
        with self._lock:
            if self._done or self.conn.raw is None:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # already closed by the peer
                socket.socket.shutdown(self.conn.raw, socket.SHUT_RDWR)  # the descriptor, not the TLS layer

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("The site took too long to answer.")
    return left


def _request(
    target: _Target, *, deadline: float, max_bytes: int, allow_loopback: bool
) -> tuple[int, str | None, str, bytes]:
    ip = _resolve(target.host, target.port, allow_loopback=allow_loopback)
    cls = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    conn = cls(target.host, target.port, ip, _remaining(deadline))
    watchdog = _Watchdog(conn, deadline)
    try:
        with watchdog:
            result = _exchange(conn, target, deadline, max_bytes)
        if watchdog.fired:  # the body may look complete but was cut off
            raise FetchError("The site took too long to answer.")
        return result
    except FetchError:
        if watchdog.fired:  # cut off mid-headers: what arrived is not worth judging
            raise FetchError("The site took too long to answer.") from None
        raise
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if watchdog.fired or isinstance(exc, TimeoutError):
            raise FetchError("The site took too long to answer.") from exc
        if isinstance(exc, ssl.SSLError):
            raise FetchError(f"Secure connection to {target.host!r} failed ({exc.reason}).") from exc
        if isinstance(exc, http.client.HTTPException):
            raise FetchError(f"The site {target.host!r} sent an invalid response.") from exc
        raise FetchError(f"Could not connect to {target.host!r}.") from exc
    finally:
        conn.close()


def _exchange(
    conn: _PinnedHTTP | _PinnedHTTPS, target: _Target, deadline: float, max_bytes: int
) -> tuple[int, str | None, str, bytes]:
    conn.request(
        "GET",
        target.path,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
            "Accept-Encoding": "identity",
        },
    )
    response = conn.getresponse()
    status = response.status
    if status in _REDIRECTS:
        return status, response.getheader("Location"), "", b""
    content_type = response.getheader("Content-Type", "")
    if 200 <= status < 300:
        _check_type(content_type)
        body = _read_body(response, conn, deadline, max_bytes)
    else:
        body = b""
    return status, None, content_type, body


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _check_type(content_type: str) -> None:
    media = _media_type(content_type)
    if media not in _TEXT_TYPES:
        shown = media or "no content type"
        raise FetchError(f"That address returned {shown}, not a web page; only HTML and plain text can be checked.")


def _too_big(max_bytes: int) -> FetchError:
    return FetchError(f"That page is larger than the {max_bytes // 1_000_000 or 1} MB limit.")


def _read_body(
    response: http.client.HTTPResponse,
    conn: http.client.HTTPConnection,
    deadline: float,
    max_bytes: int,
) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_big(max_bytes)
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"The site sent its page in an unsupported encoding ({encoding}).")
    inflater = None if encoding == "identity" else zlib.decompressobj(zlib.MAX_WBITS | 32)
    chunks: list[bytes] = []
    size = 0
    while True:
        if conn.sock is not None:
            conn.sock.settimeout(_remaining(deadline))
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, max_bytes + 1 - size)
            except zlib.error as exc:
                raise FetchError("The site sent a corrupt compressed page.") from exc
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(max_bytes)
        chunks.append(chunk)
        _remaining(deadline)
    return b"".join(chunks)


def _result(url: str, status: int, content_type: str, body: bytes) -> FetchResult:
    if status in _REDIRECTS:
        raise FetchError("The site redirected without saying where to.")
    if not 200 <= status < 300:
        raise FetchError(f"The site answered with HTTP status {status}.")
    media = _media_type(content_type)
    text = _decode(body, content_type, html=media in _HTML_TYPES).replace("\x00", "")
    return FetchResult(url=url, content_type=media, text=text)


def _decode(body: bytes, content_type: str, *, html: bool) -> str:
    charset = None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.I)
    if match:
        charset = match.group(1)
    elif body.startswith(codecs.BOM_UTF8):
        charset = "utf-8-sig"
    elif html:
        meta = _META_CHARSET.search(body[:4096])
        if meta:
            charset = meta.group(1).decode("ascii", "replace")
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        codec = "utf-8"
    return body.decode(codec, errors="replace")
