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
Runs after ``hypecheck_context``; feature ids are memoised per word and word pair, and a sentence
is scored only where a head can change something (a finding to doubt, a category it may raise).
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc, Span

from .. import cache
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
    return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(x, -30), 30)))  # np.clip, without its wrapper


_MEMO_LIMIT = 200_000  # memoised words and word pairs before the tables start afresh


class _FeatureIds:
    """crc32 feature ids of words (with their stems), word pairs and rule features, memoised.

    Words are keyed by their ``LOWER`` hash; the tables are bounded (cleared at ``_MEMO_LIMIT``).
    """

    def __init__(self, bits: int):
        self.mask = (1 << bits) - 1
        self.words: dict[int, tuple[int, ...]] = {}
        self.pairs: dict[tuple[int, int], int] = {}
        self.labels: dict[tuple[str, tuple[str, ...]], list[int]] = {}

    def _id(self, feature: str) -> int:
        return zlib.crc32(feature.encode("utf-8")) & self.mask

    def sentence(self, lowers: list[int], strings: StringStore) -> list[int]:
        """Ids of ``text_features`` over the non-space words of one sentence (in any order)."""
        words, pairs = self.words, self.pairs
        if len(words) > _MEMO_LIMIT or len(pairs) > _MEMO_LIMIT:
            words.clear()
            pairs.clear()
        row: list[int] = []
        previous = None
        for h in lowers:
            entry = words.get(h)
            if entry is None:
                word = strings[h]
                if word.isspace():
                    entry = ()
                elif len(word) > 5:
                    entry = (self._id(f"w={word}"), self._id(f"s={word[:5]}"))
                else:
                    entry = (self._id(f"w={word}"),)
                words[h] = entry
            if not entry:
                continue
            row += entry
            if previous is not None:
                pair = pairs.get((previous, h))
                if pair is None:
                    pair = pairs[previous, h] = self._id(f"b={strings[previous]}_{strings[h]}")
                row.append(pair)
            previous = h
        return row

    def rules(self, spans: list[Span]) -> list[int]:
        """Ids of ``rule_features`` of one sentence's spans."""
        if not spans:
            return self.labels.get(("", ())) or self.labels.setdefault(("", ()), [self._id("r=none")])
        row = []
        for span in spans:
            key = (span.label_, span._.hypecheck_context)
            ids = self.labels.get(key)
            if ids is None:
                ids = self.labels[key] = [self._id(f) for f in rule_features([span])]
            row += ids
        return row


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
        raised = []
        for start, end, in_sentence, p_confirm, p_raise in self.sentence_scores(doc, spans):
            self._doubt(in_sentence, p_confirm)
            raised += self._raise(doc, start, end, in_sentence, p_raise)
        if raised:
            doc.spans[self.spans_key] = sorted([*spans, *raised], key=lambda s: (s.start, s.end, s.label_))
        return doc

    def sentence_scores(
        self, doc: Doc, spans: list[Span]
    ) -> Iterator[tuple[int, int, list[Span], dict[int, float], dict[int, float]]]:
        """Per sentence that either head can change: its bounds, its spans and the probabilities
        ``{category index: p}`` of the confirm and raise columns that matter there.

        The same numbers as ``heads.scores`` on ``hash_features(text_features(...) + rule_features(...))``
        (the same sorted ids, summed in the same order), with feature ids memoised per word and word
        pair, and only the columns whose threshold can be crossed: a confirm column whose ``keep`` is
        0 never doubts, a raise column above 1 never raises.
        """
        starts = sentence_starts(doc)
        by_sentence: dict[int, list[Span]] = {}
        for span in spans:
            by_sentence.setdefault(sentence_index(span.start, starts), []).append(span)
        confirm_cols, raise_cols = self._columns
        lowers = doc.to_array(LOWER).tolist()
        ids = self._ids
        scored, rows = [], []
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(doc)
            in_sentence = by_sentence.get(k, [])
            categories = {s.label_.split(".", 1)[0] for s in in_sentence}
            confirm = [i for i, c in enumerate(confirm_cols) if SCORED_CATEGORIES[c] in categories]
            raise_ = [i for i, c in enumerate(raise_cols) if SCORED_CATEGORIES[c] not in categories]
            if not confirm and not raise_:
                continue
            row = ids.sentence(lowers[start:end], doc.vocab.strings)
            if not row:
                continue
            row += ids.rules(in_sentence)
            rows.append(sorted(set(row)))  # the ids np.unique gives, in its order
            scored.append((start, end, in_sentence, confirm, raise_))
        if not scored:
            return
        probabilities = self._probabilities(rows)
        offset = len(confirm_cols)
        for (start, end, in_sentence, confirm, raise_), p in zip(scored, probabilities, strict=True):
            yield (
                start,
                end,
                in_sentence,
                {confirm_cols[i]: p[i] for i in confirm},
                {raise_cols[i]: p[offset + i] for i in raise_},
            )

    def _probabilities(self, rows: list[list[int]], chunk: int = 64) -> list[list[float]]:
        """The sigmoid of each row's summed weights plus bias, exactly as one ``sum(axis=0)`` per row.

        Rows are padded with the id of an all-zero weight row and summed along the padded axis, which
        adds each row's weights in order like a per-row sum (and adding zeros changes no sum); rows of
        similar length share a chunk so the padding stays small.
        """
        weights, bias = self._weights
        zero = len(weights) - 1
        out: list[list[float]] = [[] for _ in rows]
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        for at in range(0, len(order), chunk):
            part = order[at : at + chunk]
            width = len(rows[part[-1]])
            ids = np.array([rows[i] + [zero] * (width - len(rows[i])) for i in part], dtype=np.int64)
            sums = np.add.reduce(weights.take(ids, axis=0), axis=1)
            for i, p in zip(part, _sigmoid(sums + bias).tolist(), strict=True):
                out[i] = p
        return out

    @cached_property
    def _ids(self) -> _FeatureIds:
        return _FeatureIds(self.heads.bits)

    @cached_property
    def _columns(self) -> tuple[list[int], list[int]]:
        """The confirm and raise columns that can change a finding."""
        heads = self.heads
        confirm = [k for k in range(len(SCORED_CATEGORIES)) if heads.keep[k] > 0]
        raise_ = [k for k, c in enumerate(SCORED_CATEGORIES) if c in self.categories and heads.raise_at[k] <= 1]
        return confirm, raise_

    @cached_property
    def _weights(self) -> tuple[np.ndarray, np.ndarray]:
        """The columns of ``_columns`` side by side (confirm, then raise) and an all-zero last row,
        and their biases."""
        heads = self.heads
        confirm, raise_ = self._columns
        # Column by column into one array (np.hstack of fancy-indexed columns costs several times more).
        weights = np.zeros((len(heads.confirm) + 1, len(confirm) + len(raise_)), dtype=heads.confirm.dtype)
        for j, (source, k) in enumerate([(heads.confirm, k) for k in confirm] + [(heads.raise_, k) for k in raise_]):
            weights[:-1, j] = source[:, k]
        return weights, np.concatenate([heads.confirm_bias[confirm], heads.raise_bias[raise_]])

    def _doubt(self, spans: list[Span], p_confirm: dict[int, float]) -> None:
        for span in spans:
            category = span.label_.split(".", 1)[0]
            if category not in SCORED_CATEGORIES:
                continue
            k = SCORED_CATEGORIES.index(category)
            if k in p_confirm and p_confirm[k] < self.heads.keep[k]:
                span._.hypecheck_context = (*span._.hypecheck_context, DOUBT_FLAG)
                base = span._.hypecheck_confidence or 0.85
                span._.hypecheck_confidence = round(base * DOUBT_FACTOR, 2)

    def _raise(self, doc: Doc, start: int, end: int, spans: list[Span], p_raise: dict[int, float]) -> list[Span]:
        out = []
        for k, p in p_raise.items():
            category = SCORED_CATEGORIES[k]
            threshold = self.heads.raise_at[k]
            if p < threshold:
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
            strength = float((p - threshold) / max(1e-6, 1 - threshold))
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


_LOADED: dict[str, LinearHeads] = {}  # cache key -> heads, so the voice and model components share one load


def load_heads(folder: Path) -> LinearHeads | None:
    """``LinearHeads.load(folder)`` (``None`` without ``meta.json``), once per process and through the
    disk cache: unpickling float32 arrays is ~3x faster than inflating the compressed float16
    ``model.npz`` (the same numbers either way).  The key covers the model's files and this package's
    modules, so a change to either reloads it."""
    if not (folder / "meta.json").is_file():
        return None
    key = cache.fingerprint([folder, Path(__file__).resolve().parent], "model")
    heads = _LOADED.get(key) or cache.load(key)
    if not isinstance(heads, LinearHeads):
        heads = LinearHeads.load(folder)
        cache.store(key, heads)
    _LOADED[key] = heads
    return heads


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
    heads = load_heads(folder)
    return ClaimModel(
        nlp, heads, spans_key=spans_key, claims_component=claims_component, context_component=context_component
    )
