"""Reading what users give the CLI: files, folders, standard input; refusing binary."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

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
