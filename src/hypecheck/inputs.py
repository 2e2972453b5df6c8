"""Reading what users give the CLI: files, folders, standard input; refusing binary."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .errors import InputError

MAX_BYTES = 5_000_000
TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".text", ".markdown", ""}
# Walking a folder: only files that say they are text (not LICENSE, Makefile, .git/...).
FOLDER_SUFFIXES = TEXT_SUFFIXES - {""}


def decode(data: bytes, name: str) -> str:
    """UTF-8 text from bytes, or a polite :class:`InputError` for binary or oversized input."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: {len(data):,} bytes is more than the {MAX_BYTES:,}-byte limit; split it up")
    if b"\x00" in data:
        raise InputError(f"{name}: looks binary (contains NUL bytes); give hypecheck text or HTML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from exc


def prepare(text: str, *, as_html: bool | None = None) -> str:
    """Extract readable text when the input is (or is said to be) HTML."""
    from .htmltext import extract, looks_like_html

    if as_html or (as_html is None and looks_like_html(text)):
        extracted, lost = extract(text)
        if lost:
            print(f"hypecheck: {lost}", file=sys.stderr)
        return extracted
    return text


def fetch_text(url: str, *, as_html: bool | None = None) -> str:
    """A public web page's readable text, fetched with the web page's safety limits.

    ``HYPECHECK_FETCH_ALLOW_LOOPBACK=1`` lifts the loopback block (for tests only).
    """
    from .webapp.fetch import FetchError, fetch

    try:
        page = fetch(url, allow_loopback=os.environ.get("HYPECHECK_FETCH_ALLOW_LOOPBACK") == "1")
    except FetchError as exc:
        raise InputError(f"{url}: {exc}") from exc
    return prepare(page.text, as_html=page.is_html if as_html is None else as_html)


def iter_sources(
    source: str, *, as_html: bool | None = None, on_error: Callable[[str, InputError], None] | None = None
) -> Iterator[tuple[str, str]]:
    """Yield ``(name, text)`` for stdin (``-``), a web address, a file, or every text file under a folder.

    A folder is walked without its hidden folders and files (``.git/``) and only
    files with a text extension are read; a file that cannot be read is passed to
    ``on_error`` (when given) and the walk goes on.
    """
    if source == "-":
        yield "<stdin>", prepare(decode(sys.stdin.buffer.read(), "<stdin>"), as_html=as_html)
        return
    if source.lower().startswith(("http://", "https://")):
        yield source, fetch_text(source, as_html=as_html)
        return
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file or folder")
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*")
            if p.suffix.lower() in FOLDER_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and p.is_file()
        )
        if not files:
            raise InputError(f"{source}: no .txt, .md or .html files in this folder")
    else:
        files = [path]
    for file in files:
        try:
            data = file.read_bytes()
            text = prepare(decode(data, str(file)), as_html=as_html)
        except (OSError, InputError) as exc:
            error = exc if isinstance(exc, InputError) else InputError(f"{file}: cannot read ({exc.strerror or exc})")
            if on_error is None or not path.is_dir():
                raise error from exc
            on_error(str(file), error)
            continue
        yield str(file), text


class Source(NamedTuple):
    """One input to check: its name, the text checked, and what the user wrote (``raw``; HTML before extraction)."""

    name: str
    text: str
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
            found = [str(p) for p in sorted(root.rglob("*"))
                     if p.suffix.lower() in FOLDER_SUFFIXES and not _hidden(p, root) and p.is_file()]
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


def read_source(name: str, *, as_html: bool | None = None) -> Source:
    """Read one input named by :func:`expand`; raises :class:`InputError` when it cannot be read."""
    if name == "-":
        raw = decode(sys.stdin.buffer.read(), "<stdin>")
        return Source("<stdin>", prepare(raw, as_html=as_html), raw)
    if name.lower().startswith(("http://", "https://")):
        text = fetch_text(name, as_html=as_html)
        return Source(name, text, text)
    try:
        raw = decode(Path(name).read_bytes(), name)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    return Source(name, prepare(raw, as_html=as_html), raw)
