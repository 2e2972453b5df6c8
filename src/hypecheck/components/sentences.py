"""Cheap sentence lookups shared by the components.

``doc.sents`` and ``span.sent`` re-check the whole doc for sentence boundaries on
every call (a Python-level pass over all tokens); one ``to_array`` call per doc,
cached in ``doc.user_data``, answers the same questions in C.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span

_KEY = "hypecheck_sentence_starts"


def sentence_starts(doc: Doc) -> list[int]:
    """Token index of each sentence start (``[0]`` when nothing set boundaries)."""
    starts = doc.user_data.get(_KEY)
    if starts is None:
        marks = doc.to_array("SENT_START") if len(doc) else []
        starts = [i for i in (marks == 1).nonzero()[0].tolist()] if len(doc) else [0]
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        doc.user_data[_KEY] = starts
    return starts


def sentence_index(i: int, starts: list[int]) -> int:
    """Which sentence token ``i`` is in."""
    return bisect_right(starts, i) - 1


def sentence_of(doc: Doc, i: int) -> Span:
    """The sentence holding token ``i``."""
    starts = sentence_starts(doc)
    k = sentence_index(i, starts)
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[starts[k] : end]
