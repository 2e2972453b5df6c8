"""Train the learned layer and measure the checker across source-site folds.

``hypecheck train CORPUS...`` runs the rules over a labelled corpus, fits the
two heads of :mod:`hypecheck.components.claim_model` and the voice head of
:mod:`hypecheck.components.voice` (logistic regression, full-batch Adam with L2,
numpy only) and picks each category's thresholds, then the voice threshold, on
out-of-fold predictions over site folds, so they are chosen on text the
weights did not see.

``hypecheck crossval CORPUS...`` is the accuracy figure: for each fold of
sites it trains on the other folds and scores the held one, rules alone and
rules with the model, and prints the mean and spread.  Rules themselves are
not refitted per fold, so a fold whose text the rules were tuned on is not a
first-contact figure for the rules; say which folds were held out of rule
work when you publish one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import mean, pstdev
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .components.claim_model import HASH_BITS, LinearHeads, hash_features, rule_features, text_features
from .components.context import CONFIDENCE_FACTOR, mark_described
from .components.voice import NEVER, VoiceHead, may_judge, voice_features, voice_tokens
from .constants import DEFAULT_MIN_CONFIDENCE, MODEL_PIPE, SCORED_CATEGORIES, VOICE_PIPE
from .corpus import DEFAULT_FOLDS, Snippet
from .evaluation import score
from .report import build_report

K = len(SCORED_CATEGORIES)
KEEP_GRID = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
RAISE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
VOICE_GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, NEVER)
# The voice head learns a paper's or a regulator's register against a seller's and a forum's; journalism,
# which repeats sellers' claims (and those are labelled), is left out of its training.
VOICE_KINDS = frozenset({"science", "regulator"})
OTHER_KINDS = frozenset({"marketing", "compliant", "forum"})
# Its L2 penalty: lighter than the claim heads', chosen by site-fold cross-validation on dev + real.
VOICE_L2 = 1e-4
# A false alarm on a clean page costs a user more than a missed claim: weigh the rate twice.
FALSE_ALARM_WEIGHT = 2.0


@dataclass
class Features:
    """One corpus run through the rules: feature ids per snippet, what fired, the gold labels."""

    ids: list[np.ndarray]
    fired: np.ndarray  # (n, K) a visible rule finding of the category
    gold: np.ndarray  # (n, K)
    folds: np.ndarray  # (n,)
    voice_ids: list[np.ndarray] | None = None  # whole-text voice features per snippet
    kinds: np.ndarray | None = None  # (n,) the snippet's kind of text
    fired_described: np.ndarray | None = None  # (n, K) what stays visible once every finding is "described"
    judged: np.ndarray | None = None  # (n,) the voice head may judge the text (components.voice.may_judge)

    def take(self, rows: np.ndarray) -> Features:
        """The features of some rows only."""

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[rows]

        voice_ids = None if self.voice_ids is None else [self.voice_ids[i] for i in rows]
        return Features(
            [self.ids[i] for i in rows],
            self.fired[rows],
            self.gold[rows],
            self.folds[rows],
            voice_ids,
            pick(self.kinds),
            pick(self.fired_described),
            pick(self.judged),
        )


def featurize(
    nlp: Language, snippets: Sequence[Snippet], *, bits: int = HASH_BITS, folds: int = DEFAULT_FOLDS
) -> Features:
    """Run the rules-only pipeline over each snippet (the learned layer, if present, is disabled)."""
    disabled = [name for name in (VOICE_PIPE, MODEL_PIPE) if name in nlp.pipe_names]
    n = len(snippets)
    ids, voice_ids = [], []
    fired, fired_described = np.zeros((n, K), dtype=bool), np.zeros((n, K), dtype=bool)
    judged = np.zeros(n, dtype=bool)
    context: Any = nlp.get_pipe("hypecheck_context") if "hypecheck_context" in nlp.pipe_names else None
    with nlp.select_pipes(disable=disabled):
        for i, doc in enumerate(nlp.pipe(s.text for s in snippets)):
            spans = list(doc.spans.get("hypecheck", ()))
            tokens = [t.text for t in doc if not t.is_space]
            ids.append(hash_features(text_features([t.lower() for t in tokens]) + rule_features(spans), bits))
            read = voice_tokens(doc)
            voice_ids.append(hash_features(voice_features(read), bits))
            judged[i] = may_judge(doc, read, context)
            fired[i] = _visible(doc, nlp)
            for span in spans:
                mark_described(span)
            fired_described[i] = _visible(doc, nlp)
    gold = np.array([[c in s.labels for c in SCORED_CATEGORIES] for s in snippets], dtype=bool).reshape(-1, K)
    kinds = np.array([s.kind for s in snippets], dtype=object)
    folds_of = np.array([s.fold(folds) for s in snippets])
    return Features(ids, fired, gold, folds_of, voice_ids, kinds, fired_described, judged)


def _visible(doc: Doc, nlp: Language) -> np.ndarray:
    """(K,) whether a finding of each category is in the default report."""
    shown = _visible_categories(doc, nlp)
    return np.array([c in shown for c in SCORED_CATEGORIES], dtype=bool)


def _visible_categories(doc: Doc, nlp: Language) -> set[str]:
    return {f.category for f in build_report(doc, nlp, ("us",)).findings} & set(SCORED_CATEGORIES)


def _fit(
    ids: list[np.ndarray],
    targets: np.ndarray,
    mask: np.ndarray,
    *,
    bits: int,
    l2: float = 3e-4,
    steps: int = 200,
    lr: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression per column of ``targets``; rows where ``mask`` is false do not count.

    Works on the features that occur (sorted, summed with ``reduceat``), then scatters
    them into the full hashed weight table.
    """
    n, width = len(ids), targets.shape[1]
    w = np.zeros((1 << bits, width), dtype=np.float32)
    b = np.zeros(width, dtype=np.float32)
    lengths = np.array([len(x) for x in ids])
    if not n or not lengths.sum():
        return w, b
    rows = np.repeat(np.arange(n), lengths)
    features, cols = np.unique(np.concatenate(ids), return_inverse=True)
    row_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    order = np.argsort(cols, kind="stable")
    col_starts = np.flatnonzero(np.diff(np.concatenate([[-1], cols[order]])))
    small = np.zeros((len(features), width), dtype=np.float32)
    y, weight = targets.astype(np.float32), mask.astype(np.float32)
    # Rare positives count more, up to 4x.
    pos = (y * weight).sum(axis=0)
    neg = ((1 - y) * weight).sum(axis=0)
    pos_weight = np.clip(np.sqrt(neg / np.maximum(pos, 1)), 1, 4).astype(np.float32)
    weight = weight * np.where(y > 0, pos_weight, 1.0)
    weight /= np.maximum(weight.sum(axis=0), 1)
    m = [np.zeros_like(small), np.zeros_like(b)]
    v = [np.zeros_like(small), np.zeros_like(b)]
    for t in range(1, steps + 1):
        logits = np.add.reduceat(small[cols], row_starts) + b
        g = (1 / (1 + np.exp(-np.clip(logits, -30, 30))) - y) * weight
        grad = np.add.reduceat(g[rows[order]], col_starts) + l2 * small
        for k, (param, gradient) in enumerate(((small, grad), (b, g.sum(axis=0)))):
            m[k] = 0.9 * m[k] + 0.1 * gradient
            v[k] = 0.999 * v[k] + 0.001 * gradient * gradient
            param -= lr * (m[k] / (1 - 0.9**t)) / (np.sqrt(v[k] / (1 - 0.999**t)) + 1e-8)
    w[features] = small
    return w, b


def fit_heads(data: Features, rows: np.ndarray, *, bits: int = HASH_BITS) -> LinearHeads:
    """Both heads on the given rows, thresholds left at neutral values."""
    ids = [data.ids[i] for i in rows]
    confirm, confirm_bias = _fit(ids, data.gold[rows], data.fired[rows], bits=bits)
    raise_, raise_bias = _fit(ids, data.gold[rows], np.ones_like(data.gold[rows]), bits=bits)
    return LinearHeads(
        confirm,
        confirm_bias,
        raise_,
        raise_bias,
        keep=np.zeros(K),
        raise_at=np.full(K, 1.01),
        bits=bits,
        voice=fit_voice(data, rows, bits=bits),
    )


def fit_voice(data: Features, rows: np.ndarray, *, bits: int = HASH_BITS) -> VoiceHead | None:
    """The voice head on the given rows (threshold: never), or ``None`` without voice features or examples."""
    if data.voice_ids is None or data.kinds is None:
        return None
    kinds = data.kinds[rows]
    target = np.isin(kinds, list(VOICE_KINDS))
    mask = target | np.isin(kinds, list(OTHER_KINDS))
    if not target.any() or target[mask].all():
        return None
    weights, bias = _fit([data.voice_ids[i] for i in rows], target[:, None], mask[:, None], bits=bits, l2=VOICE_L2)
    return VoiceHead(weights[:, 0], float(bias[0]), NEVER, bits)


def _probabilities(heads: LinearHeads, data: Features, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [heads.scores(data.ids[i]) for i in rows]
    return np.array([p for p, _ in pairs]).reshape(-1, K), np.array([q for _, q in pairs]).reshape(-1, K)


def _voice_probabilities(voice: VoiceHead | None, data: Features, rows: np.ndarray) -> np.ndarray:
    if voice is None or data.voice_ids is None:
        return np.zeros(len(rows))
    return np.array([voice.probability_of(data.voice_ids[i]) for i in rows])


def _decide(
    fired: np.ndarray, p_confirm: np.ndarray, p_raise: np.ndarray, keep: np.ndarray, raise_at: np.ndarray
) -> np.ndarray:
    return (fired & (p_confirm >= keep)) | (~fired & (p_raise >= raise_at))


# A model finding's confidence runs from 0.55 at its raise threshold to 0.95 at p = 1: the share of that
# range it must reach to stay over the default minimum once "described" takes 0.6 of it.
_DESCRIBED_RAISE_SHARE = (DEFAULT_MIN_CONFIDENCE / CONFIDENCE_FACTOR["described"] - 0.55) / 0.4


@dataclass
class Scores:
    """Out-of-fold (or held-out) probabilities of the three heads for some rows."""

    confirm: np.ndarray  # (n, K)
    raise_: np.ndarray  # (n, K)
    voice: np.ndarray  # (n,)


def _decide_voiced(data: Features, p: Scores, keep: np.ndarray, raise_at: np.ndarray, voice_at: float) -> np.ndarray:
    """:func:`_decide`, where the voice head calls a text it may judge a paper's or a regulator's: then only
    what stays over the default minimum confidence once "described" is visible."""
    plain = _decide(data.fired, p.confirm, p.raise_, keep, raise_at)
    if data.fired_described is None or data.judged is None or voice_at > 1:
        return plain
    voiced = (p.voice >= voice_at) & data.judged
    strong_raise = p.raise_ >= raise_at + _DESCRIBED_RAISE_SHARE * (1 - raise_at)
    described = (data.fired_described & (p.confirm >= keep)) | (~data.fired & strong_raise)
    return np.where(voiced[:, None], described, plain)


def _objective(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro F1 minus the false-alarm rate on clean snippets (both matter equally to users)."""
    f1s = []
    for k in range(K):
        tp = int((gold[:, k] & predicted[:, k]).sum())
        fp = int((~gold[:, k] & predicted[:, k]).sum())
        fn = int((gold[:, k] & ~predicted[:, k]).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
    clean = ~gold.any(axis=1)
    alarms = predicted[clean].any(axis=1).mean() if clean.any() else 0.0
    return float(np.mean(f1s) - FALSE_ALARM_WEIGHT * alarms)


def choose_thresholds(
    gold: np.ndarray, fired: np.ndarray, p_confirm: np.ndarray, p_raise: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-category ``keep`` and ``raise`` thresholds, two rounds of coordinate search on the objective."""
    keep, raise_at = np.zeros(K), np.full(K, 1.01)
    for _ in range(2):
        for k in range(K):
            for grid, vector in ((KEEP_GRID, keep), (RAISE_GRID, raise_at)):
                best, best_value = vector[k], -1e9
                for value in grid:
                    vector[k] = value
                    got = _objective(gold, _decide(fired, p_confirm, p_raise, keep, raise_at))
                    if got > best_value + 1e-9:
                        best, best_value = value, got
                vector[k] = best
    return keep, raise_at


def train(data: Features, *, bits: int = HASH_BITS, folds: int = DEFAULT_FOLDS) -> LinearHeads:
    """Weights on all rows; thresholds from out-of-fold probabilities over site folds."""
    n = len(data.ids)
    p_confirm, p_raise, p_voice = np.zeros((n, K)), np.zeros((n, K)), np.zeros(n)
    for k in range(folds):
        held = np.flatnonzero(data.folds == k)
        if not len(held):
            continue
        heads = fit_heads(data, np.flatnonzero(data.folds != k), bits=bits)
        p_confirm[held], p_raise[held] = _probabilities(heads, data, held)
        p_voice[held] = _voice_probabilities(heads.voice, data, held)
    keep, raise_at = choose_thresholds(data.gold, data.fired, p_confirm, p_raise)
    heads = fit_heads(data, np.arange(n), bits=bits)
    heads.keep, heads.raise_at = keep, raise_at
    if heads.voice is not None:
        heads.voice.at = choose_voice_threshold(data, Scores(p_confirm, p_raise, p_voice), keep, raise_at)
    heads.meta = {"snippets": n, "labelled": int(data.gold.any(axis=1).sum()), "folds": folds}
    return heads


def choose_voice_threshold(data: Features, p: Scores, keep: np.ndarray, raise_at: np.ndarray) -> float:
    """The voice threshold of :data:`VOICE_GRID` that scores best on the objective (ties: the stricter)."""
    best, best_value = NEVER, -1e9
    for value in sorted(VOICE_GRID, reverse=True):
        got = _objective(data.gold, _decide_voiced(data, p, keep, raise_at, value))
        if got > best_value + 1e-9:
            best, best_value = value, got
    return best


def cross_validate(nlp: Language, snippets: Sequence[Snippet], *, folds: int = DEFAULT_FOLDS) -> dict[str, Any]:
    """Per held-out fold: rules alone and rules + a model trained on the other folds (thresholds by inner CV)."""
    data = featurize(nlp, snippets, folds=folds)
    rows_by_fold = []
    for k in range(folds):
        held = np.flatnonzero(data.folds == k)
        train_rows = np.flatnonzero(data.folds != k)
        heads = train(data.take(train_rows), folds=folds)
        p = Scores(*_probabilities(heads, data, held), _voice_probabilities(heads.voice, data, held))
        voice_at = heads.voice.at if heads.voice is not None else NEVER
        gold_rows = [_row(snippets[i]) for i in held]
        model = _decide_voiced(data.take(held), p, heads.keep, heads.raise_at, voice_at)
        rows_by_fold.append(
            {
                "fold": k,
                "snippets": len(held),
                "voice_at": voice_at,
                "rules": _figures(score(gold_rows, _as_sets(data.fired[held], held, snippets)), data, held),
                "rules+model": _figures(score(gold_rows, _as_sets(model, held, snippets)), data, held, model),
            }
        )
    return {"folds": rows_by_fold, "summary": _summary(rows_by_fold)}


def _figures(
    result: dict[str, Any], data: Features, rows: np.ndarray, predicted: np.ndarray | None = None
) -> dict[str, Any]:
    """A score without its error lists (they quote the corpus), with false alarms by kind of text."""
    predicted = data.fired[rows] if predicted is None else predicted
    clean = ~data.gold[rows].any(axis=1)
    alarms = predicted.any(axis=1) & clean
    kinds = data.kinds[rows] if data.kinds is not None else np.full(len(rows), "", dtype=object)
    by_kind = {str(kind): [int(alarms[kinds == kind].sum()), int(clean[kinds == kind].sum())] for kind in set(kinds)}
    return {k: v for k, v in result.items() if k != "errors"} | {"false_alarms_by_kind": by_kind}


def _row(s: Snippet) -> dict[str, Any]:
    return {"id": s.id, "text": s.text, "labels": sorted(s.labels), "kind": s.kind}


def _as_sets(predicted: np.ndarray, rows: np.ndarray, snippets: Sequence[Snippet]) -> dict[str, set[str]]:
    return {snippets[i].id: {c for k, c in enumerate(SCORED_CATEGORIES) if predicted[j, k]} for j, i in enumerate(rows)}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for system in ("rules", "rules+model"):
        macro = [r[system]["macro_f1"] for r in rows]
        alarms = [r[system]["false_alarm_rate"] for r in rows]
        out[system] = {
            "macro_f1_mean": mean(macro),
            "macro_f1_sd": pstdev(macro),
            "false_alarm_mean": mean(alarms),
            "false_alarm_sd": pstdev(alarms),
            "recall": {c: mean(r[system]["categories"][c]["recall"] for r in rows) for c in SCORED_CATEGORIES},
            "false_alarms_by_kind": _sum_by_kind(r[system]["false_alarms_by_kind"] for r in rows),
        }
    return out


def _sum_by_kind(tables: Iterable[dict[str, list[int]]]) -> dict[str, list[int]]:
    """``[false alarms, clean snippets]`` per kind, added up over folds."""
    total: dict[str, list[int]] = {}
    for table in tables:
        for kind, (alarms, clean) in table.items():
            got = total.setdefault(kind, [0, 0])
            got[0] += alarms
            got[1] += clean
    return dict(sorted(total.items()))


def format_crossval(result: dict[str, Any]) -> str:
    """A printable table of :func:`cross_validate`'s result."""
    lines = [f"{'fold':<5} {'snippets':>8} {'rules F1':>9} {'FA':>6} {'+model F1':>10} {'FA':>6}"]
    for r in result["folds"]:
        a, b = r["rules"], r["rules+model"]
        lines.append(
            f"{r['fold']:<5} {r['snippets']:>8} {a['macro_f1']:>9.3f} {a['false_alarm_rate']:>6.1%} "
            f"{b['macro_f1']:>10.3f} {b['false_alarm_rate']:>6.1%}"
        )
    for system, s in result["summary"].items():
        recall = " ".join(f"{c} {v:.2f}" for c, v in s["recall"].items())
        lines.append(
            f"{system}: macro F1 {s['macro_f1_mean']:.3f} ± {s['macro_f1_sd']:.3f}, false alarms "
            f"{s['false_alarm_mean']:.1%} ± {s['false_alarm_sd']:.1%}; recall {recall}"
        )
        by_kind = ", ".join(f"{kind or '?'} {a}/{c}" for kind, (a, c) in s["false_alarms_by_kind"].items() if c)
        lines.append(f"  false alarms by kind: {by_kind}")
    return "\n".join(lines)
