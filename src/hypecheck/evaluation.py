"""Score the checker on a labelled JSONL corpus (``id``, ``text``, ``labels``)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from spacy.language import Language

from .constants import SCORED_CATEGORIES
from .report import build_report

SCORED = SCORED_CATEGORIES


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(gold: list[dict[str, Any]], predicted: dict[str, set[str]]) -> dict[str, Any]:
    """Per-category precision/recall/F1, macro F1 and the false-alarm rate on unlabelled snippets."""
    tally = {c: Counter() for c in SCORED}
    clean = alarms = 0
    errors: dict[str, list[tuple[str, str, str]]] = {c: [] for c in SCORED}
    for row in gold:
        want, got = set(row.get("labels", [])), predicted.get(str(row["id"]), set())
        if not want:
            clean += 1
            alarms += bool(got & set(SCORED))
        for c in SCORED:
            key = "tp" if c in want and c in got else "fn" if c in want else "fp" if c in got else "tn"
            tally[c][key] += 1
            if key in {"fn", "fp"}:
                errors[c].append((key, str(row["id"]), row["text"]))
    table = {}
    for c, t in tally.items():
        p, r, f = _f1(t["tp"], t["fp"], t["fn"])
        table[c] = {"precision": p, "recall": r, "f1": f, "support": t["tp"] + t["fn"]}
    macro = sum(v["f1"] for v in table.values()) / len(table)
    return {"categories": table, "macro_f1": macro, "false_alarm_rate": alarms / clean if clean else 0.0,
            "snippets": len(gold), "errors": errors}


def evaluate_corpus(nlp: Language, path: str, *, errors: int = 0) -> str:
    """Run the pipeline over a labelled corpus and return a printable table."""
    with open(path, encoding="utf-8") as handle:
        gold = [json.loads(line) for line in handle if line.strip()]
    predicted = {}
    for row, doc in zip(gold, nlp.pipe(row["text"] for row in gold), strict=True):
        report = build_report(doc, nlp, ("us",))
        predicted[str(row["id"])] = {f.category for f in report.findings}
    result = score(gold, predicted)
    lines = [f"{'category':<12} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for c, v in result["categories"].items():
        lines.append(f"{c:<12} {v['precision']:>9.3f} {v['recall']:>7.3f} {v['f1']:>6.3f} {v['support']:>8}")
    lines.append(f"macro F1 {result['macro_f1']:.3f}; false alarms on unlabelled snippets "
                 f"{result['false_alarm_rate']:.1%}; {result['snippets']} snippets")
    for c, items in result["errors"].items():
        for kind, rid, text in items[:errors]:
            lines.append(f"  {kind.upper()} {c:<10} {rid}: {text[:140]}")
    return "\n".join(lines)
