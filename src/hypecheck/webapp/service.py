"""The web wing's engine and settings; input is prepared by :mod:`hypecheck.inputs`, as for the CLI."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..constants import FETCH_MAX_BYTES, FETCH_TIMEOUT
from ..errors import InputError
from ..inputs import FORMATS, Prepared, check_text_value, prepare_text, prepare_url
from ..report import Report, parse_jurisdictions

__all__ = [
    "FORMATS",
    "Engine",
    "InputError",
    "Prepared",
    "Settings",
    "load_engine",
    "parse_jurisdictions",
    "prepare",
    "run_check",
]


@dataclass
class Engine:
    """The loaded pipeline plus what the page needs to describe it."""

    nlp: Any
    version: str
    jurisdictions: dict[str, str]
    categories: dict[str, str]
    rules: list[dict[str, Any]]
    lock: threading.Lock | None = None

    def check(self, prepared: Prepared, jurisdictions: tuple[str, ...] | None) -> Report:
        """Run the checker on prepared input."""
        import hypecheck

        if self.lock is None:
            return hypecheck.check(prepared, jurisdictions=jurisdictions, nlp=self.nlp)
        with self.lock:
            return hypecheck.check(prepared, jurisdictions=jurisdictions, nlp=self.nlp)


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
    fetch_max_bytes: int = FETCH_MAX_BYTES
    fetch_timeout: float = FETCH_TIMEOUT
    fetch_allow_loopback: bool = False  # tests only; not among the app's defaults

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            max_chars=int(config["HYPECHECK_MAX_CHARS"]),
            allow_fetch=bool(config["HYPECHECK_ALLOW_FETCH"]),
            fetch_max_bytes=int(config.get("HYPECHECK_FETCH_MAX_BYTES", FETCH_MAX_BYTES)),
            fetch_timeout=float(config.get("HYPECHECK_FETCH_TIMEOUT", FETCH_TIMEOUT)),
            fetch_allow_loopback=bool(config.get("HYPECHECK_FETCH_ALLOW_LOOPBACK", False)),
        )


def prepare(*, text: str | None, url: str | None, fmt: str, settings: Settings) -> Prepared:
    """Pasted text/HTML or a web address -> the text to check, with the server's limits."""
    if fmt not in FORMATS:
        raise InputError(f'"format" must be one of: {", ".join(FORMATS)}.')
    url = (url or "").strip() or None
    if url is not None and text and text.strip():
        raise InputError("Send either text or a web address, not both.")
    if url is not None:
        if not settings.allow_fetch:
            raise InputError("Checking web addresses is turned off on this server.", status=422)
        prepared = prepare_url(
            url,
            fmt,
            max_bytes=settings.fetch_max_bytes,
            timeout=settings.fetch_timeout,
            allow_loopback=settings.fetch_allow_loopback,
        )
    else:
        if text is None or not text.strip():
            raise InputError("Paste some marketing copy to check.")
        check_text_value(text)
        prepared = prepare_text(text, fmt, name="The pasted text")
    if len(prepared.text) > settings.max_chars:
        raise InputError(
            f"The text is {len(prepared.text):,} characters long; the limit is "
            f"{settings.max_chars:,}. Check it in parts.",
            status=413,
        )
    return prepared


def run_check(engine: Engine, prepared: Prepared, jurisdictions: tuple[str, ...] | None) -> Report:
    """Check prepared input; the Report carries the input (``report.input``)."""
    return engine.check(prepared, jurisdictions)
