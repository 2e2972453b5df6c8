"""Detect pasted HTML and extract its readable text.

Used by the web page, the JSON API and the CLI: marketing copy is often pasted
straight from a page source or a CMS, and claims must be checked on the words a
reader sees, not on the markup.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["html_to_text", "looks_like_html"]

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
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    )
)
_MAX_BLANK = re.compile(r"\n{3,}")
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
    Returns ``""`` when there is no readable text at all.
    """
    root = _parse(html)
    if root is None:
        return ""
    text = _trafilatura_text(copy.deepcopy(root))
    if not text:
        text = _visible_text(root)
    return text.strip()


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
