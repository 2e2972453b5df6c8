"""``hypecheck_voice``: is the text written in a scientific paper's or a regulator's voice?

A learned whole-text head, P(paper or official-guidance register), over hashed
lower-cased words and a few shapes of that register: citations ("et al", a
bracketed reference number or year), statistics ("p <", "n =", "±", a number
with a unit), passive past ("were incubated"), model organisms and cell
cultures, the density of abstract nouns, gene-like symbols and Greek letters,
and how many words of a paper's or a guidance page's vocabulary occur.  It is
trained by ``hypecheck train`` on the ``kind`` of each snippet (science and
regulator against marketing, compliant and forum copy; journalism, which
repeats claims that are labelled, is left out) and its threshold is chosen on
out-of-fold predictions over source sites (:mod:`hypecheck.learning`).

Where the probability reaches the threshold, the text has at least
:data:`MIN_TOKENS` words and none is in the seller's voice
(``hypecheck_context``'s ``seller`` cues), every finding gets the
``described`` flag and its confidence factor, as the context component's own
cue-based judgement gives it (so it falls under the default minimum), and the
learned layer's model findings get it too.  Runs after ``hypecheck_context`` and
before ``hypecheck_model``, on the first :data:`READ_TOKENS` words of a text;
without a trained head (``voice.npz`` beside the learned layer's weights) it
does nothing.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .claim_model import HASH_BITS, default_model_dir, load_heads
from .context import DESCRIBED_KEY, mark_described

VOICE_FILE = "voice.npz"
NEVER = 1.01  # a threshold no probability reaches
# The head reads a text's opening words only: a bounded cost per text, well past the longest training
# snippet (75 tokens); a paper's abstract or a letter's opening carries its register.
READ_TOKENS = 200
# A register shows in a sentence, not in a heading or a spec line: shorter texts are never judged.
MIN_TOKENS = 12


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


UNITS = _vocabulary(
    "mg g kg ml µl μl µg μg ng nm µm μm mm mmol µmol nmol h hr hrs min iu mg/ml ng/ml µg/ml μg/ml mg/kg"
)
GREEK = frozenset("αβγδκλμτωΑΒΓΔΚ")
ORGANISMS = _vocabulary(
    "mice mouse murine rat rats rabbit rabbits porcine zebrafish vitro vivo fibroblasts keratinocytes cultured "
    "explants knockout xenograft"
)
GUIDANCE = _vocabulary(
    "should must consumers patients agency regulation regulations regulated regulatory section § cfr enforcement "
    "violation violations act guidance authorities authority licensed license unlicensed compliance comply "
    "jurisdiction statute pursuant federal commission"
)
PAPER = _vocabulary(
    "study studies trial trials participants subjects cohort randomized randomised placebo significantly "
    "significant analysis assessed evaluated measured observed demonstrated investigated compared versus vs group "
    "groups baseline outcome outcomes efficacy expression levels secretion proliferation migration derived "
    "isolated characterized treated incubated concentration concentrations dose-dependent respectively however "
    "moreover furthermore thus therefore whereas herein review literature authors researchers data results "
    "findings evidence"
)
NOMINAL_ENDINGS = ("tion", "sion", "ity", "ment", "ance", "ence", "ism", "osis")
_CITATION = re.compile(r"\d{1,3}(?:[,\u2013-]\d{1,3})*|(?:19|20)\d\d")
_P_VALUE = re.compile(r"p[<=≤]0?\.\d+")
_SYMBOL = re.compile(r"[A-Za-z]*[A-Z][A-Za-z]*-?\d+[a-z]?|[a-z]?[A-Z]{2,}[a-z]?s?")


def voice_tokens(doc: Doc) -> list[str]:
    """The words the head reads: the first :data:`READ_TOKENS` tokens of a text that are not spaces."""
    if not len(doc):
        return []
    # Array calls instead of a Token object per token (the same texts: a token's text is its ORTH).
    words = (doc.to_array("IS_SPACE") == 0).nonzero()[0][:READ_TOKENS]
    strings = doc.vocab.strings
    return [strings[h] for h in doc.to_array("ORTH")[words].tolist()]


def may_judge(doc: Doc, tokens: Sequence[str], context: object | None) -> bool:
    """Whether the head may call a text a paper's or a regulator's: it has :data:`MIN_TOKENS` words, and
    none in the seller's voice (the ``seller_voice`` judgement of ``context``, the context component)."""
    seller = getattr(context, "seller_voice", None)
    return len(tokens) >= MIN_TOKENS and not (seller and seller(doc))


def voice_features(tokens: Sequence[str]) -> list[str]:
    """Lower-cased words of a whole text and the shapes of a paper's or a regulator's register."""
    words = [t.lower() for t in tokens]
    present = set(words)
    pairs = list(itertools.pairwise(words))
    shapes = {
        "et_al": any(a == "et" and b.startswith("al") for a, b in pairs),
        "cite": any(a in "([" and _CITATION.fullmatch(b) for a, b in pairs),
        "p_value": any(a == "p" and b in ("<", "=", "≤") for a, b in pairs) or any(map(_P_VALUE.fullmatch, words)),
        "n_count": any(a == "n" and b == "=" for a, b in pairs),
        "unit": any(a.replace(".", "").replace(",", "").isdigit() and b in UNITS for a, b in pairs),
        "stat": "±" in present or {"95", "ci"} <= present,
        "passive": any(a in ("was", "were") and b.endswith(("ed", "en")) for a, b in pairs),
        "organism": bool(present & ORGANISMS),
        "greek": bool(GREEK.intersection("".join(words))),
        "symbol": any(_SYMBOL.fullmatch(t) for t in tokens if len(t) > 2 and not (t.isupper() and t.isalpha())),
        "acronym": any(len(t) > 1 and t.isalpha() and t.isupper() for t in tokens),
        "we": bool(present & {"we", "our"}),
        "you": bool(present & {"you", "your"}),
        "percent": "%" in present,
        "exclaim": "!" in present,
    }
    feats = [f"w={w}" for w in words] + [f"v={name}" for name, on in shapes.items() if on]
    nominal = sum(w.endswith(NOMINAL_ENDINGS) for w in words)
    digits = sum(w.replace(".", "").isdigit() for w in words)
    feats += [
        f"v=guidance{min(len(present & GUIDANCE), 3)}",
        f"v=paper{min(len(present & PAPER), 4)}",
        f"v=nominal{min(3, 10 * nominal // max(1, len(words)))}",
        f"v=digits{min(digits, 3)}",
        f"v=len{min(len(words) // 15, 5)}",
    ]
    return feats


@dataclass
class VoiceHead:
    """Weights of the voice head and its threshold on P(paper or regulator voice)."""

    weights: np.ndarray  # (2**bits,)
    bias: float
    at: float = NEVER
    bits: int = HASH_BITS

    def probability(self, tokens: Sequence[str]) -> float:
        """P(the text is in a paper's or a regulator's voice).  Plain Python on one short text: numpy's
        per-call cost on a few dozen ids is larger than the sum itself."""
        mask = (1 << self.bits) - 1
        ids = {zlib.crc32(f.encode("utf-8")) & mask for f in voice_features(tokens)}  # as hash_features
        return _sigmoid(sum(self._table[i] for i in ids) + self.bias)

    def probability_of(self, ids: np.ndarray) -> float:
        """:meth:`probability` from hashed :func:`voice_features` ids (:func:`hash_features`)."""
        return _sigmoid(float(self.weights[ids].sum()) + self.bias)

    @functools.cached_property
    def _table(self) -> list[float]:
        return self.weights.tolist()

    def save(self, folder: str | Path) -> None:
        meta = json.dumps({"bias": round(float(self.bias), 6), "at": round(float(self.at), 3), "bits": self.bits})
        np.savez_compressed(Path(folder) / VOICE_FILE, weights=self.weights.astype(np.float16), meta=meta)

    @classmethod
    def load(cls, folder: str | Path) -> VoiceHead | None:
        """The head saved in ``folder``, or ``None`` where there is none."""
        path = Path(folder) / VOICE_FILE
        if not path.is_file():
            return None
        with np.load(path) as arrays:
            meta = json.loads(str(arrays["meta"]))
            return cls(arrays["weights"].astype(np.float32), meta["bias"], meta["at"], int(meta["bits"]))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, x))))


class VoiceJudge:
    """Marks every finding of a text in a paper's or a regulator's voice ``described``."""

    def __init__(
        self,
        nlp: Language,
        head: VoiceHead | None,
        *,
        spans_key: str = "hypecheck",
        context_component: str = "hypecheck_context",
    ):
        self.nlp = nlp
        self.head = head
        self.spans_key = spans_key
        self.context_component = context_component

    def __call__(self, doc: Doc) -> Doc:
        if self.head is None or self.head.at > 1 or not len(doc) or doc.user_data.get(DESCRIBED_KEY):
            return doc
        if self.describes(doc):
            doc.user_data[DESCRIBED_KEY] = True
            for span in doc.spans.get(self.spans_key, ()):
                mark_described(span)
        return doc

    def describes(self, doc: Doc) -> bool:
        """The head reaches its threshold on a text it may judge (:func:`may_judge`)."""
        if self.head is None:
            return False
        context = self.nlp.get_pipe(self.context_component) if self.context_component in self.nlp.pipe_names else None
        # the cheap test first: most copy has a word in the seller's voice (then the words are not read)
        seller = getattr(context, "seller_voice", None)
        if seller and seller(doc):
            return False
        tokens = voice_tokens(doc)
        return may_judge(doc, tokens, context) and self.head.probability(tokens) >= self.head.at


@Language.factory(
    "hypecheck_voice",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"model": None, "spans_key": "hypecheck", "context_component": "hypecheck_context"},
)
def make_voice(nlp: Language, name: str, model: str | None, spans_key: str, context_component: str) -> VoiceJudge:
    """spaCy factory: ``model`` is the learned layer's folder (default: the shipped one)."""
    folder = Path(model) if model else default_model_dir()
    heads = load_heads(folder)  # the learned layer's load, shared with hypecheck_model
    head = heads.voice if heads is not None else VoiceHead.load(folder)
    return VoiceJudge(nlp, head, spans_key=spans_key, context_component=context_component)
