"""The one place input is prepared, for every front end: text, HTML, files, folders, web addresses.

The CLI and the web wing both call :func:`prepare_text` / :func:`prepare_url`, so
the same HTML is extracted the same way with the same notices everywhere.
"""

from __future__ import annotations

import glob
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .constants import FETCH_MAX_BYTES, FETCH_TIMEOUT, MAX_INPUT_BYTES
from .errors import InputError
from .htmltext import SourceMap, extract, looks_like_html, source_map

MAX_BYTES = MAX_INPUT_BYTES
FORMATS = ("auto", "text", "html")
TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".text", ".markdown", ""}
# Walking a folder: only files that say they are text (not LICENSE, Makefile, .git/...).
FOLDER_SUFFIXES = TEXT_SUFFIXES - {""}
NO_TEXT = "the HTML has no readable text to check"


@dataclass
class Prepared:
    """The text that will be checked, where it came from, and what the reader should know.

    ``html`` is the original markup when the text was extracted from HTML; finding
    offsets index into ``text``, and :meth:`source_map` leads back to ``html``.
    """

    text: str
    kind: str = "text"  # "text", "html" or "url"
    url: str | None = None
    notices: list[str] = field(default_factory=list)
    html: str | None = None
    _map: SourceMap | None = field(default=None, repr=False, compare=False)

    def source_map(self) -> SourceMap | None:
        """Word alignment of ``text`` with ``html`` (built on first use), or None for plain text."""
        if self.html is None:
            return None
        if self._map is None:
            self._map = source_map(self.html, self.text)
        return self._map

    def describe(self) -> dict[str, Any]:
        """The report's ``input`` member."""
        return {
            "kind": self.kind,
            "url": self.url,
            "notices": list(self.notices),
            "offsets": "extracted_text" if self.html is not None else "input",
        }


def decode(data: bytes, name: str) -> str:
    """UTF-8 text from bytes, or a polite :class:`InputError` for binary or oversized input."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: {len(data):,} bytes is more than the {MAX_BYTES:,}-byte limit; split it up", 413)
    if b"\x00" in data:
        raise InputError(f"{name}: looks binary (contains NUL bytes); give hypecheck text or HTML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from exc


def check_text_value(text: str, what: str = "text") -> None:
    """Refuse text that is binary (NUL bytes) or not encodable Unicode (lone surrogates)."""
    if "\x00" in text:
        raise InputError(f"The {what} contains binary data (NUL bytes); send plain text or HTML.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"The {what} is not valid Unicode text.") from exc


def prepare_text(text: str, fmt: str = "auto", *, name: str = "the input") -> Prepared:
    """Pasted or read text: extracted when it is (or ``fmt`` says it is) HTML.

    HTML whose extraction yields no readable text is refused (:class:`InputError`,
    status 422), never checked as if it were clean.
    """
    if fmt not in FORMATS:
        raise InputError(f'"format" must be one of: {", ".join(FORMATS)}.')
    if fmt == "text" or (fmt == "auto" and not looks_like_html(text)):
        return Prepared(text=text)
    extracted, lost = extract(text)
    if not extracted:
        raise InputError(f"{name}: {NO_TEXT}", 422)
    return Prepared(text=extracted, kind="html", notices=[lost] if lost else [], html=text)


def prepare(text: str, *, as_html: bool | None = None) -> str:
    """Only the text to check (the 0.1 call; :func:`prepare_text` also gives kind, notices and the markup)."""
    return prepare_text(text, "auto" if as_html is None else "html" if as_html else "text").text


def prepare_url(
    url: str,
    fmt: str = "auto",
    *,
    max_bytes: int = FETCH_MAX_BYTES,
    timeout: float = FETCH_TIMEOUT,
    allow_loopback: bool = False,
) -> Prepared:
    """A public web page fetched with the fetcher's safety limits, then prepared as text or HTML."""
    from .fetch import FetchError, fetch

    if fmt not in FORMATS:
        raise InputError(f'"format" must be one of: {", ".join(FORMATS)}.')
    try:
        page = fetch(url, max_bytes=max_bytes, timeout=timeout, allow_loopback=allow_loopback)
    except FetchError as exc:
        raise InputError(f"{url}: {exc}", 422) from exc
    as_html = fmt == "html" or (fmt == "auto" and page.is_html)
    prepared = prepare_text(page.text, "html" if as_html else "text", name=page.url)
    if not prepared.text.strip():
        raise InputError(f"{page.url}: the page has no readable text to check", 422)
    prepared.kind, prepared.url = "url", page.url
    return prepared


class Source(NamedTuple):
    """One input to check: its name, the prepared input, and what the user wrote (``raw``; HTML before extraction)."""

    name: str
    prepared: Prepared
    raw: str


GLOB_CHARACTERS = frozenset("*?[")


def _hidden(path: Path, root: Path | None = None) -> bool:
    parts = path.relative_to(root).parts if root is not None else path.parts
    return any(part.startswith(".") and part not in {".", ".."} for part in parts)


def _until_glob(parts: tuple[str, ...]) -> list[str]:
    literal = []
    for part in parts:
        if GLOB_CHARACTERS & set(part):
            break
        literal.append(part)
    return literal


def expand(paths: Iterable[str]) -> Iterator[tuple[str, str | None]]:
    """``(name, problem)`` for every input named by ``paths``: ``-``, web addresses, files, folders, globs.

    Folders and globs pick the text files under them (``.txt``, ``.md``, ``.html``, ...)
    and skip hidden files and folders; a file named outright is always read.  A path
    that names nothing yields its problem instead of a name.  Each file comes once.
    """
    seen: set[str] = set()
    for given in paths:
        if given == "-" or given.lower().startswith(("http://", "https://")):
            found = [given]
        elif Path(given).is_dir():
            root = Path(given)
            found = [
                str(p)
                for p in sorted(root.rglob("*"))
                if p.suffix.lower() in FOLDER_SUFFIXES and not _hidden(p, root) and p.is_file()
            ]
            if not found:
                yield given, f"{given}: no .txt, .md or .html files in this folder"
                continue
        elif Path(given).exists():
            found = [given]
        elif GLOB_CHARACTERS & set(given):
            found = []
            literal = Path(*_until_glob(Path(given).parts))  # a hidden folder named in the pattern is kept
            for match in sorted(glob.glob(given, recursive=True)):
                path = Path(match)
                hidden = _hidden(path, literal) if path.is_relative_to(literal) else _hidden(path)
                if path.is_dir() and not hidden:
                    found += [p for p, _ in expand([match])]
                elif path.suffix.lower() in FOLDER_SUFFIXES and not hidden and path.is_file():
                    found.append(match)
            if not found:
                yield given, f"{given}: no .txt, .md or .html files match"
                continue
        else:
            yield given, f"{given}: no such file or folder"
            continue
        for name in found:
            key = name if name == "-" or "://" in name else str(Path(name).resolve())
            if key not in seen:
                seen.add(key)
                yield name, None


def read_source(name: str, *, fmt: str = "auto", allow_loopback: bool = False) -> Source:
    """Read and prepare one input named by :func:`expand`; raises :class:`InputError` when it cannot be read."""
    if name == "-":
        raw = decode(sys.stdin.buffer.read(), "<stdin>")
        return Source("<stdin>", prepare_text(raw, fmt, name="<stdin>"), raw)
    if name.lower().startswith(("http://", "https://")):
        prepared = prepare_url(name, fmt, allow_loopback=allow_loopback)
        return Source(name, prepared, prepared.html or prepared.text)
    try:
        raw = decode(Path(name).read_bytes(), name)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    return Source(name, prepare_text(raw, fmt, name=name), raw)
