"""``hypecheck_model``: a learned layer beside the rules.

A small linear model over hashed features of each sentence (lower-cased words,
word pairs, five-letter stems) and of what the rules found there (rule ids,
categories, context flags).  It has two heads, one weight column per category
in each:

* **confirm** — trained only where a rule of the category fired: how likely
  the gold label agrees.  A rule finding whose probability falls below the
  category's ``keep`` threshold keeps its place but gets the ``doubted`` flag
  and half its confidence, which puts it under the report's default minimum
  (shown with ``--min-confidence 0``).
* **raise** — trained on every snippet: how likely the sentence makes a claim
  of the category.  Where no rule of the category fired and the probability
  reaches the category's ``raise`` threshold, the sentence becomes a *model
  finding* (rule id ``<category>.learned``, flag ``model``), with the
  category's message, suggestion and notes; negation and disclaimer cues of
  ``hypecheck_context`` still apply to it.

The weights are plain numpy arrays (``model.npz`` + ``meta.json``) shipped in
the package; ``hypecheck train`` refits them from a labelled corpus and picks
the thresholds by cross-validation over source sites (:mod:`hypecheck.learning`).
Runs after ``hypecheck_context``; costs one pass over the tokens of each doc.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..constants import SCORED_CATEGORIES
from ..ruleset import Rule
from .context import CONFIDENCE_FACTOR, DESCRIBED_KEY
from .sentences import sentence_index, sentence_starts

if TYPE_CHECKING:
    from .voice import VoiceHead

HASH_BITS = 17
MODEL_FLAG = "model"
DOUBT_FLAG = "doubted"
DOUBT_FACTOR = 0.5


def text_features(words: Sequence[str]) -> list[str]:
    """Lower-cased words, word pairs and five-letter stems of one sentence."""
    feats = [f"w={w}" for w in words]
    feats += [f"s={w[:5]}" for w in words if len(w) > 5]
    feats += [f"b={a}_{b}" for a, b in itertools.pairwise(words)]
    return feats


def rule_features(spans: Iterable[Span]) -> list[str]:
    """What the rules said about a sentence: categories, rule ids and context flags."""
    feats = []
    for span in spans:
        category = span.label_.split(".", 1)[0]
        feats += [f"r={category}", f"rr={span.label_}"]
        feats += [f"rc={category}_{flag}" for flag in span._.hypecheck_context]
    return feats or ["r=none"]


def hash_features(feats: Iterable[str], bits: int = HASH_BITS) -> np.ndarray:
    """Stable feature ids (crc32, so the same across processes and machines)."""
    mask = (1 << bits) - 1
    return np.unique(np.fromiter((zlib.crc32(f.encode("utf-8")) & mask for f in feats), dtype=np.int64))


@dataclass
class LinearHeads:
    """Weights of the two heads and their thresholds, per category."""

    confirm: np.ndarray  # (2**bits, K)
    confirm_bias: np.ndarray  # (K,)
    raise_: np.ndarray
    raise_bias: np.ndarray
    keep: np.ndarray  # (K,) thresholds on confirm
    raise_at: np.ndarray  # (K,) thresholds on raise (> 1: never)
    bits: int = HASH_BITS
    meta: dict | None = None
    voice: VoiceHead | None = None  # the voice head (components/voice.py), saved beside these weights

    def scores(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(p_confirm, p_raise)`` for one row of hashed feature ids."""
        return (
            _sigmoid(self.confirm[ids].sum(axis=0) + self.confirm_bias),
            _sigmoid(self.raise_[ids].sum(axis=0) + self.raise_bias),
        )

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / "model.npz",
            confirm=self.confirm.astype(np.float16),
            confirm_bias=self.confirm_bias,
            raise_=self.raise_.astype(np.float16),
            raise_bias=self.raise_bias,
        )
        meta = dict(
            self.meta or {},
            bits=self.bits,
            categories=list(SCORED_CATEGORIES),
            keep=self.keep.round(3).tolist(),
            raise_at=self.raise_at.round(3).tolist(),
        )
        (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        if self.voice is not None:
            self.voice.save(folder)

    @classmethod
    def load(cls, folder: str | Path) -> LinearHeads:
        from .voice import VoiceHead  # here: voice.py builds on this module

        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("categories") != list(SCORED_CATEGORIES):
            raise ValueError(f"{folder}: model categories {meta.get('categories')} differ from {SCORED_CATEGORIES}")
        with np.load(folder / "model.npz") as arrays:
            return cls(
                confirm=arrays["confirm"].astype(np.float32),
                confirm_bias=arrays["confirm_bias"],
                raise_=arrays["raise_"].astype(np.float32),
                raise_bias=arrays["raise_bias"],
                keep=np.array(meta["keep"]),
                raise_at=np.array(meta["raise_at"]),
                bits=int(meta["bits"]),
                meta=meta,
                voice=VoiceHead.load(folder),
            )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def default_model_dir() -> Path:
    """The model shipped in the package."""
    return Path(__file__).resolve().parent.parent / "models" / "claims"


class ClaimModel:
    """Adjusts rule findings and raises model findings, sentence by sentence."""

    def __init__(
        self,
        nlp: Language,
        heads: LinearHeads | None,
        *,
        spans_key: str = "hypecheck",
        claims_component: str = "hypecheck_claims",
        context_component: str = "hypecheck_context",
    ):
        self.nlp = nlp
        self.heads = heads
        self.spans_key = spans_key
        self.context_component = context_component
        rules = nlp.get_pipe(claims_component).ruleset.rules
        self.categories = install_learned_rules(rules) if heads is not None else frozenset()

    def __call__(self, doc: Doc) -> Doc:
        if self.heads is None or not len(doc):
            return doc
        spans = list(doc.spans.get(self.spans_key, ()))
        starts = sentence_starts(doc)
        by_sentence: dict[int, list[Span]] = {}
        for span in spans:
            by_sentence.setdefault(sentence_index(span.start, starts), []).append(span)
        raised = []
        words = [t.lower_ for t in doc]
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(doc)
            in_sentence = by_sentence.get(k, [])
            sentence_words = [w for w in words[start:end] if not w.isspace()]
            if not sentence_words:
                continue
            ids = hash_features(text_features(sentence_words) + rule_features(in_sentence), self.heads.bits)
            p_confirm, p_raise = self.heads.scores(ids)
            self._doubt(in_sentence, p_confirm)
            raised += self._raise(doc, start, end, in_sentence, p_raise)
        if raised:
            doc.spans[self.spans_key] = sorted([*spans, *raised], key=lambda s: (s.start, s.end, s.label_))
        return doc

    def _doubt(self, spans: list[Span], p_confirm: np.ndarray) -> None:
        for span in spans:
            category = span.label_.split(".", 1)[0]
            if category not in SCORED_CATEGORIES:
                continue
            k = SCORED_CATEGORIES.index(category)
            if p_confirm[k] < self.heads.keep[k]:
                span._.hypecheck_context = (*span._.hypecheck_context, DOUBT_FLAG)
                base = span._.hypecheck_confidence or 0.85
                span._.hypecheck_confidence = round(base * DOUBT_FACTOR, 2)

    def _raise(self, doc: Doc, start: int, end: int, spans: list[Span], p_raise: np.ndarray) -> list[Span]:
        fired = {s.label_.split(".", 1)[0] for s in spans}
        out = []
        for k, category in enumerate(SCORED_CATEGORIES):
            threshold = self.heads.raise_at[k]
            if category in fired or category not in self.categories or p_raise[k] < threshold:
                continue
            lo, hi = start, end
            while hi > lo and (doc[hi - 1].is_space or doc[hi - 1].is_punct):
                hi -= 1
            while lo < hi and doc[lo].is_space:
                lo += 1
            if lo == hi:
                continue
            span = Span(doc, lo, hi, label=f"{category}.learned")
            span._.hypecheck_context = (MODEL_FLAG,)
            strength = float((p_raise[k] - threshold) / max(1e-6, 1 - threshold))
            span._.hypecheck_confidence = round(0.55 + 0.4 * strength, 2)
            if self._context_allows(doc, span):
                out.append(span)
        return out

    @staticmethod
    def _described(doc: Doc, context: object) -> bool:
        """The context component's whole-text voice judgement, computed once per doc."""
        if DESCRIBED_KEY not in doc.user_data:
            judge = getattr(context, "describing_voice", None)
            doc.user_data[DESCRIBED_KEY] = bool(judge and judge(doc))
        return doc.user_data[DESCRIBED_KEY]

    def _context_allows(self, doc: Doc, span: Span) -> bool:
        """Context cues weigh on a model finding as on a rule's; any negation or disclaimer in its
        sentence drops it (the finding is the whole sentence, so "before the claim" means nothing)."""
        if self.context_component not in self.nlp.pipe_names:
            return True
        context = self.nlp.get_pipe(self.context_component)
        sent = doc[span.start : span.end]
        cues = context._cues(sent)
        if any(cues.get(kind) for kind in ("negation", "negation_scope", "negation_after", "disclaimer")):
            return False
        flags = [f for f in context.flags(span, sent, cues) if f not in ("negated", "disclaimer")]
        if self._described(doc, context):
            flags.append("described")
        span._.hypecheck_context = (MODEL_FLAG, *flags)
        factor = 1.0
        for flag in flags:
            factor *= CONFIDENCE_FACTOR.get(flag, 1.0)
        span._.hypecheck_confidence = round(span._.hypecheck_confidence * factor, 2)
        return True


# The built-in rule whose message, suggestion and notes a model finding of each category borrows.
TEMPLATE_RULES = {
    "disease": "disease.treats-condition",
    "drug_like": "drug_like.cell-regeneration",
    "dose": "dose.active-count",
    "regulatory": "regulatory.official-approval",
    "evidence": "evidence.clinically-proven",
    "safety": "safety.absolute-safety",
    "hype": "hype.miracle-language",
}


def install_learned_rules(rules: dict[str, Rule]) -> frozenset[str]:
    """Add ``<category>.learned`` rules (low severity, no patterns) modelled on each category's main rule.

    Only categories the loaded rules cover get one (so ``--select disease`` raises no model dose
    findings); returns those categories.
    """
    covered = set()
    for category, template_id in TEMPLATE_RULES.items():
        learned_id = f"{category}.learned"
        if learned_id in rules:
            covered.add(category)
            continue
        template = rules.get(template_id) or next((r for r in rules.values() if r.category == category), None)
        if template is None:
            continue
        covered.add(category)
        rules[learned_id] = replace(
            template,
            id=learned_id,
            severity="low",
            confidence=0.6,
            alternatives=(),
            unless=(),
            flag_examples=(),
            pass_examples=(),
            path="<learned model>",
            line=0,
        )
    return frozenset(covered)


@Language.factory(
    "hypecheck_model",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={
        "model": None,
        "spans_key": "hypecheck",
        "claims_component": "hypecheck_claims",
        "context_component": "hypecheck_context",
    },
)
def make_claim_model(
    nlp: Language, name: str, model: str | None, spans_key: str, claims_component: str, context_component: str
) -> ClaimModel:
    """spaCy factory: ``model`` is a folder with ``model.npz`` + ``meta.json`` (default: the shipped one)."""
    folder = Path(model) if model else default_model_dir()
    heads = LinearHeads.load(folder) if (folder / "meta.json").is_file() else None
    return ClaimModel(
        nlp, heads, spans_key=spans_key, claims_component=claims_component, context_component=context_component
    )
