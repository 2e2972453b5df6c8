"""Detect pasted HTML and extract its readable text.

Used by the web page, the JSON API and the CLI: marketing copy is often pasted
straight from a page source or a CMS, and claims must be checked on the words a
reader sees, not on the markup.
"""

from __future__ import annotations

import bisect
import copy
import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["LOST_NOTICE", "LineIndex", "SourceMap", "extract", "html_to_text", "looks_like_html", "source_map"]

_TAG_NAMES = (
    "html|head|body|title|meta|link|div|span|p|br|hr|h[1-6]|ul|ol|li|dl|dt|dd|a|img|"
    "section|article|main|header|footer|nav|aside|table|thead|tbody|tr|td|th|strong|em|"
    "b|i|u|small|sup|sub|blockquote|figure|figcaption|picture|source|script|style|"
    "noscript|form|button|label|input|select|option|textarea|iframe|svg|template"
)
_STRONG = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.IGNORECASE)
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[a-z]{2,8}|#\d{2,6}|#x[0-9a-f]{2,6});", re.IGNORECASE)

# Elements whose content a reader never sees.
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_BLOCKS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)
_MAX_BLANK = re.compile(r"\n{3,}")
# A rough second reading of the markup, to notice when the parser swallowed text
# (an unclosed <svg>, <noscript> or <math><style> in pasted copy, or nesting deeper
# than the parser follows).
_HIDING_OPENER = re.compile(r"<!--|<(script|style|noscript|template|svg|iframe|object|head)\b[^<>]*>", re.I)
_ANY_TAG = re.compile(r"<[!/?]?([a-zA-Z][a-zA-Z0-9-]*)?[^<>]*>")
_WORD = re.compile(r"\w+")
KEPT_SHARE = 0.5  # the parsed text of a document must keep this share of the rough reading's words
KEPT_SHARE_FRAGMENT = 0.8  # pasted copy that is not a whole document: hardly anything may go
LOST_NOTICE = (
    "The HTML looked broken (most of its text would have been hidden by an unclosed element), "
    "so every tag was stripped and all of the text was checked."
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def looks_like_html(text: str) -> bool:
    """Guess whether *text* is HTML markup rather than plain prose.

    True for documents (doctype, ``<html>``, ``<body>``) and for fragments with at
    least two known tags, or one known tag plus an entity.  Prose that merely
    contains ``<`` (``"pH < 5"``, ``"<3"``) stays plain text.
    """
    sample = text[:200_000]
    if _STRONG.search(sample):
        return True
    tags = 0
    for _ in _TAG.finditer(sample):
        tags += 1
        if tags >= 2:
            return True
    return tags == 1 and _ENTITY.search(sample) is not None


def html_to_text(html: str) -> str:
    """Return the readable text of *html* (main content first, then a fallback).

    Scripts, styles, templates and other invisible elements are removed first.
    trafilatura then extracts the main content; when it finds nothing (short
    fragments, unusual pages) the visible text of the whole document is used.
    Returns ``""`` when there is no readable text at all.  See :func:`extract`
    for markup the parser would mostly hide.
    """
    return extract(html)[0]


def extract(html: str) -> tuple[str, str | None]:
    """:func:`html_to_text` plus a notice when the markup was too broken to trust.

    When the parsed document keeps less than ``KEPT_SHARE`` of the words a plain
    tag-stripping reading finds (``KEPT_SHARE_FRAGMENT`` for pasted fragments),
    an element was left open and swallowed the rest (or the nesting was too
    deep): then the stripped reading is checked instead, and the notice says so.
    Nothing a reader could see is lost that way.
    """
    root = _parse(html)
    rough = _rough_text(html)
    rough_words = len(_WORD.findall(rough))
    if root is None:
        return (rough, LOST_NOTICE) if rough_words else ("", None)
    visible = _visible_text(copy.deepcopy(root))
    share = KEPT_SHARE if _STRONG.search(html[:200_000]) else KEPT_SHARE_FRAGMENT
    if rough_words >= 3 and len(_WORD.findall(visible)) < share * rough_words:
        return rough, LOST_NOTICE
    text = _trafilatura_text(copy.deepcopy(root))
    if not text:
        text = visible
    return text.strip(), None


def _past_hidden(html: str, lower: str, opener: re.Match[str], unclosed: set[str]) -> int | None:
    """Where the closed invisible element (or comment) that ``opener`` starts ends; None if it is unclosed.

    ``lower`` is the lower-cased markup; a kind of opener whose closer is missing once
    is remembered in ``unclosed`` and never searched for again (so callers stay linear).
    """
    name = (opener.group(1) or "!--").lower()
    if name in unclosed:
        return None
    end = lower.find("-->" if name == "!--" else "</" + name, opener.end())
    if end < 0:
        unclosed.add(name)
        return None
    close = lower.find(">", end)
    return len(html) if close < 0 else close + 1


def _rough_text(html: str) -> str:
    """The text between tags, without closed scripts, styles, comments and the like.

    Linear in the input: each kind of opener is searched for its closer at most
    once without success (after that, every later one is unclosed too).
    """
    lower = html.lower()
    kept: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    for opener in _HIDING_OPENER.finditer(html):
        if opener.start() < pos:
            continue
        after = _past_hidden(html, lower, opener, unclosed)
        if after is not None:
            kept.append(html[pos : opener.start()])
            pos = after
    kept.append(html[pos:])

    def tag(match: re.Match[str]) -> str:
        name = (match.group(1) or "").lower()
        return "\n" if name in _BLOCKS else ""

    return _tidy(html_lib.unescape(_ANY_TAG.sub(tag, "".join(kept))))


def _parse(html: str) -> Any:
    """An lxml document for *html* without invisible elements, or ``None``."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for bad in list(root.iter(*_INVISIBLE)):
        bad.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    return root


def _trafilatura_text(tree: Any) -> str:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - trafilatura is a declared dependency
        return ""
    try:
        result = trafilatura.extract(
            tree,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=False,
        )
    except Exception:  # third-party parser: fall back to the lxml walk
        return ""
    return _tidy(result or "")


def _visible_text(root: Any) -> str:
    """Visible text of a cleaned lxml tree, with block elements on their own lines."""
    parts: list[str] = []
    _walk(root, parts)
    return _tidy("".join(parts))


def _walk(element: Any, parts: list[str]) -> None:
    tag = element.tag
    block = isinstance(tag, str) and tag.lower() in _BLOCKS
    if block:
        parts.append("\n")
    if element.text:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _MAX_BLANK.sub("\n\n", "\n".join(lines)).strip()


# --- where the extracted text sits in the HTML source ---------------------------------

_TEXT_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class SourceMap:
    """Offsets in the extracted text mapped to offsets in the original HTML, word by word.

    Extraction keeps the page's words (trafilatura may drop boilerplate, rarely
    reorder), so each word of the text is matched to the same word in the markup's
    visible text, in order.  Words that cannot be matched map to nothing.
    """

    html: str
    text_starts: tuple[int, ...]  # extracted-text offset of each matched word, ascending
    text_ends: tuple[int, ...]
    html_starts: tuple[int, ...]  # offset of the same word in ``html``
    exact: tuple[bool, ...]  # the word is spelled alike in both (no entity), so inner offsets carry over

    def to_html(self, offset: int, *, end: bool = False) -> int | None:
        """The HTML offset of text offset *offset* (``end``: of the character before it)."""
        probe = offset - 1 if end else offset
        i = bisect.bisect_right(self.text_starts, probe) - 1
        if i < 0 or probe >= self.text_ends[i]:
            return None
        inner = probe - self.text_starts[i] if self.exact[i] else 0
        return self.html_starts[i] + inner + (1 if end else 0)


class LineIndex:
    """1-based line and column (in code points) of offsets in one text, by bisection."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def source_map(html: str, text: str) -> SourceMap:
    """Align the words of *text* (extracted from *html*) with the words of the markup."""
    words = _source_words(html)
    positions: dict[str, list[int]] = {}
    for n, (word, _, _) in enumerate(words):
        positions.setdefault(word, []).append(n)
    starts: list[int] = []
    ends: list[int] = []
    at: list[int] = []
    exact: list[bool] = []
    j = 0
    for match in _TEXT_WORD.finditer(text):
        found = positions.get(match.group())
        if not found:
            continue
        i = bisect.bisect_left(found, j)  # the next occurrence after the last match, else the first one
        k = found[i] if i < len(found) else found[0]
        starts.append(match.start())
        ends.append(match.end())
        at.append(words[k][1])
        exact.append(words[k][2])
        j = k + 1
    return SourceMap(html, tuple(starts), tuple(ends), tuple(at), tuple(exact))


def _source_words(html: str) -> list[tuple[str, int, bool]]:
    """``(word, offset, exact)`` for each whitespace-separated word of the markup's text.

    Text inside tags, comments and closed invisible elements is skipped (linear, as
    in :func:`_rough_text`); entities are decoded, so ``&amp;`` matches ``&``.
    """
    lower = html.lower()
    words: list[tuple[str, int, bool]] = []
    pos = 0
    unclosed: set[str] = set()
    hiding = {m.start(): m for m in _HIDING_OPENER.finditer(html)}
    for tag in _ANY_TAG.finditer(html):
        if tag.start() < pos:
            continue
        _add_words(html, pos, tag.start(), words)
        pos = tag.end()
        opener = hiding.get(tag.start())
        after = None if opener is None else _past_hidden(html, lower, opener, unclosed)
        if after is not None:
            pos = after
    _add_words(html, pos, len(html), words)
    return words


def _add_words(html: str, start: int, end: int, words: list[tuple[str, int, bool]]) -> None:
    for match in _TEXT_WORD.finditer(html, start, end):
        raw = match.group()
        if "&" not in raw:
            words.append((raw, match.start(), True))
            continue
        for part in html_lib.unescape(raw).replace("\u00a0", " ").split():
            words.append((part, match.start(), False))
