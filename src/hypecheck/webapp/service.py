"""Input validation and the shared check pipeline behind the page and the API."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..htmltext import extract, looks_like_html
from . import fetch as fetching

FORMATS = ("auto", "text", "html")


class InputError(errors.InputError):
    """Unusable input; ``status`` is the HTTP status, ``str(error)`` the message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Engine:
    """The loaded pipeline plus what the page needs to describe it."""

    nlp: Any
    version: str
    jurisdictions: dict[str, str]
    categories: dict[str, str]
    rules: list[dict[str, Any]]
    lock: threading.Lock | None = None

    def check(self, text: str, jurisdictions: list[str] | None) -> dict[str, Any]:
        """Run the checker and return the report dict."""
        import hypecheck

        if self.lock is None:
            return hypecheck.check(text, jurisdictions=jurisdictions, nlp=self.nlp).to_dict()
        with self.lock:
            return hypecheck.check(text, jurisdictions=jurisdictions, nlp=self.nlp).to_dict()


def load_engine(*, serialize: bool = True) -> Engine:
    """Build the spaCy pipeline once.  ``serialize`` runs checks one at a time."""
    import hypecheck

    nlp = hypecheck.load()
    return Engine(
        nlp=nlp,
        version=str(hypecheck.__version__),
        jurisdictions=dict(hypecheck.JURISDICTIONS),
        categories=dict(hypecheck.CATEGORIES),
        # "file" is a server path: not for the public API.
        rules=[{k: v for k, v in r.items() if k != "file"} for r in hypecheck.list_rules(nlp)],
        lock=threading.Lock() if serialize else None,
    )


@dataclass(frozen=True)
class Settings:
    """The ``HYPECHECK_*`` configuration the checks depend on."""

    max_chars: int
    allow_fetch: bool
    fetch_max_bytes: int
    fetch_timeout: float
    fetch_allow_loopback: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            max_chars=int(config["HYPECHECK_MAX_CHARS"]),
            allow_fetch=bool(config["HYPECHECK_ALLOW_FETCH"]),
            fetch_max_bytes=int(config["HYPECHECK_FETCH_MAX_BYTES"]),
            fetch_timeout=float(config["HYPECHECK_FETCH_TIMEOUT"]),
            fetch_allow_loopback=bool(config["HYPECHECK_FETCH_ALLOW_LOOPBACK"]),
        )


@dataclass
class Prepared:
    """The text that will actually be checked, and where it came from."""

    text: str
    kind: str  # "text", "html" or "url"
    url: str | None = None
    notices: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """The ``input`` member of an API answer."""
        return {"kind": self.kind, "url": self.url, "notices": list(self.notices)}


def parse_jurisdictions(value: Any, known: Mapping[str, str]) -> list[str] | None:
    """Validate a list of jurisdiction codes; ``None`` means all of them."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError('"jurisdictions" must be a list of codes such as ["us", "eu"].')
    codes: list[str] = []
    for raw in value:
        code = raw.strip().lower()
        if code not in known:
            allowed = ", ".join(known)
            raise InputError(f"Unknown jurisdiction {raw!r}; use some of: {allowed}.")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise InputError("Choose at least one jurisdiction.")
    return codes


def _check_text_value(text: str, what: str) -> None:
    if "\x00" in text:
        raise InputError(f"The {what} contains binary data (NUL bytes); send plain text or HTML.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"The {what} is not valid Unicode text.") from exc


def prepare(
    *,
    text: str | None,
    url: str | None,
    fmt: str,
    settings: Settings,
) -> Prepared:
    """Turn raw input (pasted text/HTML or a URL) into the text to check."""
    if fmt not in FORMATS:
        raise InputError(f'"format" must be one of: {", ".join(FORMATS)}.')
    url = (url or "").strip() or None
    if url is not None and text and text.strip():
        raise InputError("Send either text or a web address, not both.")
    if url is not None:
        prepared = _prepare_url(url, fmt, settings)
    else:
        if text is None or not text.strip():
            raise InputError("Paste some marketing copy to check.")
        _check_text_value(text, "text")
        prepared = _prepare_text(text, fmt)
    if len(prepared.text) > settings.max_chars:
        raise InputError(
            f"The text is {len(prepared.text):,} characters long; the limit is "
            f"{settings.max_chars:,}. Check it in parts.",
            status=413,
        )
    return prepared


def _prepare_text(text: str, fmt: str) -> Prepared:
    if fmt == "text" or (fmt == "auto" and not looks_like_html(text)):
        return Prepared(text=text, kind="text")
    extracted, lost = extract(text)
    if extracted:
        return Prepared(text=extracted, kind="html", notices=[lost or "Checked the readable text of the HTML."])
    return Prepared(
        text=text,
        kind="text",
        notices=["No readable text was found in the HTML, so it was checked as plain text."],
    )


def _prepare_url(url: str, fmt: str, settings: Settings) -> Prepared:
    if not settings.allow_fetch:
        raise InputError("Checking web addresses is turned off on this server.", status=422)
    try:
        page = fetching.fetch(
            url,
            max_bytes=settings.fetch_max_bytes,
            timeout=settings.fetch_timeout,
            allow_loopback=settings.fetch_allow_loopback,
        )
    except fetching.FetchError as exc:
        raise InputError(str(exc), status=422) from exc
    as_html = fmt == "html" or (fmt == "auto" and page.is_html)
    text, lost = extract(page.text) if as_html else (page.text.strip(), None)
    if not text:
        raise InputError("That page has no readable text to check.", status=422)
    return Prepared(
        text=text,
        kind="url",
        url=page.url,
        notices=[f"Checked the readable text of {page.url}.", *([lost] if lost else [])],
    )


def run_check(
    engine: Engine, prepared: Prepared, jurisdictions: list[str] | None
) -> dict[str, Any]:
    """Check prepared input; the report dict plus ``text`` and ``input``."""
    report = dict(engine.check(prepared.text, jurisdictions))
    report["text"] = prepared.text
    report["input"] = prepared.describe()
    return report
