"""Texts longer than one spaCy Doc may be: check them piece by piece, as one Doc.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters, error E088),
and a long text's working memory grows with the piece the components see at
once.  A text over :data:`PIECE` characters is cut at paragraph breaks (else line
breaks, sentence ends, spaces, and as a last resort anywhere), each piece goes
through the pipeline on its own, and the processed pieces are joined back into
one Doc with :meth:`Doc.from_docs`, which shifts every span and span attribute by
the piece's offset: ``doc.text`` is the input and offsets slice it exactly.
The indexes of look-alike tokens (``doc.user_data[FOLDED]``) are shifted the same way.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .components.tokenizer import FOLDED

PIECE = 100_000  # characters; well under nlp.max_length
_BREAKS = (re.compile(r"\n[ \t\r\f\v]*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"')\]]*\s"), re.compile(r"\s"))


def cut_points(text: str, piece: int = PIECE) -> list[int]:
    """Offsets where ``text`` is cut: each piece at most ``piece`` characters, ending after whitespace."""
    cuts: list[int] = []
    start = 0
    while len(text) - start > piece:
        cut = _cut(text, start + piece // 2, start + piece)
        cuts.append(cut)
        start = cut
    return cuts


def _cut(text: str, low: int, high: int) -> int:
    for pattern in _BREAKS:
        last = None
        for last in pattern.finditer(text, low, high):  # noqa: B007 - the last match is wanted
            pass
        if last is not None:
            end = last.end()
            while end < high and text[end].isspace():  # keep a run of blank lines in one piece
                end += 1
            return end
    return high


def pieces(text: str, piece: int = PIECE) -> list[str]:
    """``text`` cut at :func:`cut_points` (``[text]`` when it is short)."""
    bounds = [0, *cut_points(text, piece), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def join(docs: list[Doc]) -> Doc:
    """One Doc from processed pieces; spans, sentence starts, span attributes and folded tokens kept."""
    if len(docs) == 1:
        return docs[0]
    folded: list[int] = []
    offset = 0
    for doc in docs:  # token indexes are the piece's: shift them, drop the per-piece caches
        folded.extend(i + offset for i in doc.user_data.get(FOLDED, ()))
        offset += len(doc)
        for key in [k for k in doc.user_data if not (isinstance(k, tuple) and k[:1] == ("._.",))]:
            del doc.user_data[key]
    joined = Doc.from_docs(docs, ensure_whitespace=False)
    if folded:
        joined.user_data[FOLDED] = folded
    return joined


def process(nlp: Language, text: str) -> Doc:
    """``nlp(text)`` for a text of any length."""
    if not isinstance(text, str):
        raise TypeError(f"hypecheck checks text (str), not {type(text).__name__}; decode bytes first")
    if len(text) <= PIECE:
        return nlp(text)
    return join(list(nlp.pipe(pieces(text))))


def pipe(nlp: Language, records: Iterable[tuple[str, Any]], **kwargs: Any) -> Iterator[tuple[Doc, Any]]:
    """``nlp.pipe(records, as_tuples=True, **kwargs)`` for texts of any length, in input order."""

    def cut() -> Iterator[tuple[str, tuple[Any, bool]]]:
        for text, context in records:
            parts = pieces(text)
            for n, part in enumerate(parts, 1):
                yield part, (context, n == len(parts))

    pending: list[Doc] = []
    for doc, (context, last) in nlp.pipe(cut(), as_tuples=True, **kwargs):
        pending.append(doc)
        if last:
            yield join(pending), context
            pending = []
