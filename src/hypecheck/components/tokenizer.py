"""``hypecheck.bounded_tokenizer.v1``: spaCy's tokenizer with linear cost on any input.

spaCy peels prefixes and suffixes off a space-free chunk one at a time, and every
step searches and copies the rest of the chunk, so a chunk that splits into many
tokens ("!!!!..." or a row of emoji or ``&&&&``) costs time quadratic in its
length: 8,000 ``!`` take seconds.  This wrapper leaves ordinary text to spaCy
untouched; a space-free run longer than :data:`LONG_RUN` characters is first cut
into pieces of at most :data:`PIECE` characters (at a change between letters or
digits and other characters where there is one), spaCy tokenizes the cut text in
one call, and the Doc is rebuilt from the words and spaces with the cuts taken
out again, so ``doc.text`` is the input and every offset slices it exactly (the text is also kept in
``doc.user_data[TEXT]``, which costs nothing where ``doc.text`` walks every token).

It also sees through look-alike spellings, for matching only: a token that is not
plain ASCII gets a ``NORM`` with NFKC applied (full-width ``Ｔｒｅａｔｓ`` is
``treats``), zero-width and soft-hyphen characters removed, and, in a word that
mixes Latin letters with Cyrillic or Greek look-alikes (``сlinicаlly`` with
Cyrillic с and а), those letters folded to Latin.  The token's text and offsets
stay the user's; the claim matcher matches such tokens by ``NORM``.  The indexes
of the tokens concerned are in ``doc.user_data[FOLDED]``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy
from spacy.attrs import IS_ASCII, NORM
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

LONG_RUN = 100  # a URL or a long compound stays whole up to here
PIECE = 32  # each piece costs at most PIECE**2 regex steps
_RUN = re.compile(f"\\S{{{LONG_RUN + 1},}}")
FOLDED = "hypecheck_folded"  # doc.user_data key: indexes of tokens whose NORM was folded
TEXT = "hypecheck_text"  # doc.user_data key: the text the doc was made of (doc.text walks every token)

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"))
# Cyrillic and Greek letters that look like Latin ones (lower and upper case).
_CONFUSABLE = str.maketrans(
    "аеорсухіјѕԁһԛԝӏɡАВЕКМНОРСТХУІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιρνκυ",
    "aeopcyxijsdhqwlgABEKMHOPCTXYIJSABEZHIKMNOPTYXaoipvku",
)
_LOOKALIKES = frozenset("аеорсухіјѕԁһԛԝӏɡАВЕКМНОРСТХУІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιρνκυ")
_LATIN = re.compile("[A-Za-z]")


def fold(word: str) -> str:
    """The lower-case spelling ``word`` imitates (``word.lower()`` for honest words)."""
    folded = unicodedata.normalize("NFKC", word).translate(_INVISIBLE)
    if _LATIN.search(folded) and not _LOOKALIKES.isdisjoint(folded):
        folded = folded.translate(_CONFUSABLE)
    return folded.lower()


def fold_norms(doc: Doc) -> Doc:
    """Give each look-alike token its folded ``NORM``; record which in ``doc.user_data[FOLDED]``."""
    if not len(doc):
        return doc
    folded = []
    for i in (doc.to_array(IS_ASCII) == 0).nonzero()[0].tolist():
        token = doc[i]
        norm = fold(token.text)
        if norm != token.lower_ and norm.strip():
            token.norm_ = norm
            folded.append(i)
    if folded:
        doc.user_data[FOLDED] = folded
    return doc


def text_of(doc: Doc) -> str:
    """``doc.text``, from the tokenizer's copy when it has one (``doc.text`` walks every token)."""
    text = stored_text(doc)
    return doc.text if text is None else text


def stored_text(doc: Doc) -> str | None:
    """The text the tokenizer made ``doc`` of, if it kept it and it still fits the doc."""
    text = doc.user_data.get(TEXT)
    return text if isinstance(text, str) and len(text) == text_length(doc) else None


def text_length(doc: Doc) -> int:
    """``len(doc.text)`` without walking the tokens."""
    return doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0


def cut_points(text: str) -> list[int]:
    """Offsets inside long space-free runs where a piece ends (sorted, never at a run's edge)."""
    cuts: list[int] = []
    for run in _RUN.finditer(text):
        pos, end = run.start(), run.end()
        while end - pos > PIECE:
            cut = _best_cut(text, pos + PIECE // 2, pos + PIECE)
            cuts.append(cut)
            pos = cut
    return cuts


def _best_cut(text: str, low: int, high: int) -> int:
    """The last offset in ``(low, high]`` between a letter or digit and another character, else ``high``."""
    for i in range(high, low, -1):
        if text[i - 1].isalnum() != text[i].isalnum():
            return i
    return high


SURROGATE = re.compile("[\ud800-\udfff]")


class BoundedTokenizer:
    """Wraps a spaCy ``Tokenizer``; everything but ``__call__`` and ``pipe`` is passed through."""

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        if not text.isascii():  # a lone surrogate (JSON can carry one) crashes spaCy's string store
            text = SURROGATE.sub("\ufffd", text)  # one character for one: offsets stay exact
        cuts = cut_points(text) if len(text) > LONG_RUN else []
        if not cuts:
            doc = self.tokenizer(text)
            doc.user_data[TEXT] = text
            return doc if text.isascii() else fold_norms(doc)
        pieces, prev = [], 0
        for cut in cuts:
            pieces.append(text[prev:cut])
            prev = cut
        pieces.append(text[prev:])
        cut_doc = self.tokenizer(" ".join(pieces))
        # The token that ends where a cut space was inserted loses that space.
        ends = {cut + n for n, cut in enumerate(cuts)}  # the inserted spaces, in cut-text offsets
        words, spaces = [], []
        for token in cut_doc:
            words.append(token.text)
            spaces.append(bool(token.whitespace_) and token.idx + len(token.text) not in ends)
        doc = Doc(self.tokenizer.vocab, words=words, spaces=spaces)
        doc.from_array([NORM], numpy.asarray(cut_doc.to_array([NORM]), dtype="uint64").reshape(-1, 1))
        doc.user_data[TEXT] = text
        return doc if text.isascii() else fold_norms(doc)

    def renew(self) -> None:
        """Swap in a spaCy tokenizer with the same settings and empty caches.

        Tokenizing thousands of distinct strings (compiling rule phrases) fills spaCy's
        caches for good, and its ``_flush_cache`` leaves them slow; a new one is not.
        """
        old = self.tokenizer
        self.tokenizer = type(old)(
            old.vocab,
            rules=old.rules,
            prefix_search=old.prefix_search,
            suffix_search=old.suffix_search,
            infix_finditer=old.infix_finditer,
            token_match=old.token_match,
            url_match=old.url_match,
            faster_heuristics=old.faster_heuristics,
        )

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        if name == "tokenizer":  # not set yet (unpickling)
            raise AttributeError(name)
        return getattr(self.tokenizer, name)

    def __reduce__(self) -> Any:
        return (BoundedTokenizer, (self.tokenizer,))


@registry.tokenizers("hypecheck.bounded_tokenizer.v1")
def create_bounded_tokenizer() -> Any:
    """For a config: ``[nlp.tokenizer] @tokenizers = "hypecheck.bounded_tokenizer.v1"``."""
    default = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language) -> BoundedTokenizer:
        return BoundedTokenizer(default(nlp))

    return make


def bound(nlp: Language) -> Language:
    """Give ``nlp`` the bounded tokenizer (idempotent)."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp
