"""``hypecheck_lines``: a line break or a bullet also ends a sentence.

Listings, menus and tick lists rarely end their lines with a full stop, so the
sentencizer alone would run "Treats acne" and "10 billion exosomes" on the next
line into one sentence, and a rule could pair words from different items.
Whitespace and bullet tokens are found with array calls, so the cost is per
line, not per word.
"""

from __future__ import annotations

import numpy
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

from .claim_matcher import member  # numpy.isin's first call imports numpy.ma (~50 ms of cold start)

# Not "|": in a table row the cells belong together ("Exosome count | 8 billion/mL").
BULLETS = ("•", "●", "▪", "■", "◆", "◇", "○", "◦", "‣", "⁃", "✔", "✓", "✅", "☑", "★", "☆", "➤", "►", "▶", "✨", "❖")
_BULLET_HASHES = numpy.array(sorted(hash_string(b) for b in BULLETS), dtype="uint64")


class LineBreaks:
    """Start a new sentence after whitespace that holds a newline, and after each bullet."""

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) < 2:
            return doc
        spaces = doc.to_array("IS_SPACE").nonzero()[0].tolist()
        breaks = [i for i in spaces if "\n" in doc[i].text]
        breaks += member(doc.to_array("ORTH"), _BULLET_HASHES).nonzero()[0].tolist()
        starts = [i + 1 for i in breaks if i + 1 < len(doc)]
        if starts:
            # One array write: setting token.is_sent_start re-scans the doc on every call.
            marks = doc.to_array(["SENT_START"]).reshape(-1, 1)
            marks[starts, 0] = 1
            doc.from_array(["SENT_START"], marks)
        return doc


@Language.factory("hypecheck_lines")
def make_line_breaks(nlp: Language, name: str) -> LineBreaks:
    """spaCy factory; add it after the sentencizer."""
    return LineBreaks()
