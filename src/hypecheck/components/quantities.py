"""Quantity detectors for dose claims: counts, concentrations and multipliers.

Each detector is a regular expression over the text, mapped onto token spans.
Rules use them as elements (``$count``, ``$percent``, ``$multiplier`` or any of
them as ``$quantity``) next to a term list of actives, so "10 billion exosomes",
"1 x 10^10 EVs/mL", "5% exosome" and "50 times more growth factors" all parse.
``$number`` is any number at all ("150+", "3.5", "five"), for rules that need one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc, Span

from .tokenizer import stored_text

_NUM = r"\d+(?:[.,]\d+)*"
_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a hundred|several|multiple|many|a few)"
)
_AMOUNT = rf"(?:{_NUM}|{_WORD})"
_RANGE = rf"(?:{_AMOUNT}\s*(?:-|–|to)\s*)?{_AMOUNT}"
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"

_NOT_MONEY = r"(?<![$€£¥₹])(?<![$€£¥₹] )"  # "$3.5 billion" is money, not a count
COUNT = re.compile(
    "|".join(
        (
            rf"{_NOT_MONEY}\b{_RANGE}[\s-]*(?:billion|trillion|million|bn|mln)s?\b",
            r"\b(?:billions|trillions|millions|hundreds of millions)\b",
            rf"\b{_NUM}\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*|e)?\s*[-−]?\s*\d+",
            rf"\b10\s*(?:\^|\*\*)\s*\d+|\b10[{_SUPERSCRIPT}]+",
            r"\b\d+(?:\.\d+)?e\+?\d{1,2}\b",
            r"\b\d{1,3}(?:,\d{3}){2,}\b|\b\d{7,}\b",
        )
    ),
    re.IGNORECASE,
)
COUNT_LETTER = re.compile(rf"{_NOT_MONEY}\b\d+(?:\.\d+)?\s?[BT]\b")
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
PERCENT = re.compile(
    rf"\b{_NUM}\s*(?:%|percent\b|per cent\b|ppm\b|ppb\b|(?:mg|µg|μg|ug|mcg|ng)\s*/\s*(?:ml|g)\b)"
    rf"|\b{_WORD}(?:[-\s]{_UNITS})?\s+(?:percent|per cent)\b",
    re.IGNORECASE,
)
MULTIPLIER = re.compile(
    rf"(?:\b{_RANGE}\s*(?:x|×|-fold|fold|times)|\btwice|\bdouble|\btriple|\bquadruple)"
    r"(?=\s+(?:more|higher|greater|stronger|richer|the|as|that|potent|concentrat|increase|amount|number))",
    re.IGNORECASE,
)

NUMBER = re.compile(rf"(?:\b{_NUM}\+?|\b{_WORD}\b)", re.IGNORECASE)

# Cheap tests that must pass before the detector's full patterns are tried.
TRIGGERS: dict[str, re.Pattern[str]] = {
    "$count": re.compile(r"\d|illion", re.IGNORECASE),
    "$percent": re.compile(r"\d|percent|per cent", re.IGNORECASE),
    "$multiplier": re.compile(r"\d|twice|double|triple|quadruple|times|fold", re.IGNORECASE),
    "$number": re.compile(
        r"\d|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|several|many", re.IGNORECASE
    ),
}
DETECTOR_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "$count": (COUNT, COUNT_LETTER),
    "$percent": (PERCENT,),
    "$multiplier": (MULTIPLIER,),
    "$number": (NUMBER,),
}


def detect(doc: Doc, wanted: frozenset[str], regions: Iterable[Span] = ()) -> Iterator[tuple[str, int, int]]:
    """Yield ``(detector, start_token, end_token)`` for each quantity in ``regions`` (default: all of ``doc``)."""
    text = stored_text(doc)  # slicing it beats Span.text, which walks the span's tokens
    for region in regions or (doc[:],):
        part = region.text if text is None else text[region.start_char : region.end_char]
        yield from _detect_in(doc, wanted, part, region.start_char)


def _detect_in(doc: Doc, wanted: frozenset[str], text: str, offset: int) -> Iterator[tuple[str, int, int]]:
    for name, patterns in DETECTOR_PATTERNS.items():
        in_quantity = "$quantity" in wanted and name != "$number"
        if (name not in wanted and not in_quantity) or not TRIGGERS[name].search(text):
            continue
        for pattern in patterns:
            for found in pattern.finditer(text):
                span = doc.char_span(offset + found.start(), offset + found.end(), alignment_mode="expand")
                if span is None:
                    continue
                if name in wanted:
                    yield name, span.start, span.end
                if in_quantity:
                    yield "$quantity", span.start, span.end
