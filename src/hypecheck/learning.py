"""Train the learned layer and measure the checker across source-site folds.

``hypecheck train CORPUS...`` runs the rules over a labelled corpus, fits the
two heads of :mod:`hypecheck.components.claim_model` (logistic regression,
full-batch Adam with L2, numpy only) and picks each category's thresholds on
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

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean, pstdev
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .components.claim_model import HASH_BITS, LinearHeads, hash_features, rule_features, text_features
from .constants import SCORED_CATEGORIES
from .corpus import DEFAULT_FOLDS, Snippet
from .evaluation import score
from .report import build_report

K = len(SCORED_CATEGORIES)
KEEP_GRID = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
RAISE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
# A false alarm on a clean page costs a user more than a missed claim: weigh the rate twice.
FALSE_ALARM_WEIGHT = 2.0


@dataclass
class Features:
    """One corpus run through the rules: feature ids per snippet, what fired, the gold labels."""

    ids: list[np.ndarray]
    fired: np.ndarray  # (n, K) a visible rule finding of the category
    gold: np.ndarray  # (n, K)
    folds: np.ndarray  # (n,)


def featurize(
    nlp: Language, snippets: Sequence[Snippet], *, bits: int = HASH_BITS, folds: int = DEFAULT_FOLDS
) -> Features:
    """Run the rules-only pipeline over each snippet (the model, if present, is disabled)."""
    disabled = [name for name in ("hypecheck_model",) if name in nlp.pipe_names]
    ids, fired = [], np.zeros((len(snippets), K), dtype=bool)
    with nlp.select_pipes(disable=disabled):
        for i, doc in enumerate(nlp.pipe(s.text for s in snippets)):
            spans = list(doc.spans.get("hypecheck", ()))
            words = [t.lower_ for t in doc if not t.is_space]
            ids.append(hash_features(text_features(words) + rule_features(spans), bits))
            for category in _visible_categories(doc, nlp):
                fired[i, SCORED_CATEGORIES.index(category)] = True
    gold = np.array([[c in s.labels for c in SCORED_CATEGORIES] for s in snippets], dtype=bool).reshape(-1, K)
    return Features(ids, fired, gold, np.array([s.fold(folds) for s in snippets]))


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
        confirm, confirm_bias, raise_, raise_bias, keep=np.zeros(K), raise_at=np.full(K, 1.01), bits=bits
    )


def _probabilities(heads: LinearHeads, data: Features, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [heads.scores(data.ids[i]) for i in rows]
    return np.array([p for p, _ in pairs]).reshape(-1, K), np.array([q for _, q in pairs]).reshape(-1, K)


def _decide(
    fired: np.ndarray, p_confirm: np.ndarray, p_raise: np.ndarray, keep: np.ndarray, raise_at: np.ndarray
) -> np.ndarray:
    return (fired & (p_confirm >= keep)) | (~fired & (p_raise >= raise_at))


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
    p_confirm, p_raise = np.zeros((n, K)), np.zeros((n, K))
    for k in range(folds):
        held = np.flatnonzero(data.folds == k)
        if not len(held):
            continue
        heads = fit_heads(data, np.flatnonzero(data.folds != k), bits=bits)
        p_confirm[held], p_raise[held] = _probabilities(heads, data, held)
    keep, raise_at = choose_thresholds(data.gold, data.fired, p_confirm, p_raise)
    heads = fit_heads(data, np.arange(n), bits=bits)
    heads.keep, heads.raise_at = keep, raise_at
    heads.meta = {"snippets": n, "labelled": int(data.gold.any(axis=1).sum()), "folds": folds}
    return heads


def cross_validate(nlp: Language, snippets: Sequence[Snippet], *, folds: int = DEFAULT_FOLDS) -> dict[str, Any]:
    """Per held-out fold: rules alone and rules + a model trained on the other folds (thresholds by inner CV)."""
    data = featurize(nlp, snippets, folds=folds)
    rows_by_fold = []
    for k in range(folds):
        held = np.flatnonzero(data.folds == k)
        train_rows = np.flatnonzero(data.folds != k)
        inner = Features(
            [data.ids[i] for i in train_rows], data.fired[train_rows], data.gold[train_rows], data.folds[train_rows]
        )
        heads = train(inner, folds=folds)
        p_confirm, p_raise = _probabilities(heads, data, held)
        gold_rows = [_row(snippets[i]) for i in held]
        rules = _as_sets(data.fired[held], held, snippets)
        model = _as_sets(_decide(data.fired[held], p_confirm, p_raise, heads.keep, heads.raise_at), held, snippets)
        rows_by_fold.append(
            {
                "fold": k,
                "snippets": len(held),
                "rules": _figures(score(gold_rows, rules)),
                "rules+model": _figures(score(gold_rows, model)),
            }
        )
    return {"folds": rows_by_fold, "summary": _summary(rows_by_fold)}


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    """A score without its error lists (they quote the corpus)."""
    return {k: v for k, v in result.items() if k != "errors"}


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
        }
    return out


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
    return "\n".join(lines)
