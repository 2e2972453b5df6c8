"""Score the checker on a labelled JSONL corpus (``id``, ``text``, ``labels``).

Scoring is per snippet and per category, as ``score.py`` beside the shared
corpora does: a category counts as predicted for a snippet when at least one
finding of it is reported.  The macro F1 averages only the categories with gold
examples in the corpus (the others are named as excluded, never counted as a
perfect 1.0); the false-alarm rate is the share of unlabelled snippets with any
finding.  A malformed line costs only that line; duplicate ids (the later lines
are left out) and unknown labels (dropped) are reported with their line numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from spacy.language import Language

from .constants import SCORED_CATEGORIES
from .errors import InputError
from .report import build_report
from .ruleset import CATEGORIES

SCORED = SCORED_CATEGORIES


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _problem(line: int, problem: str, rid: Any = None) -> dict[str, Any]:
    return {"line": line, "id": rid, "problem": problem}


def _row(n: int, line: str, first_line: dict[str, int], problems: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One gold row, or None (with its problem recorded) when the line cannot be scored."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        problems.append(_problem(n, f"not JSON ({exc.msg}); line left out"))
        return None
    if not isinstance(row, dict):
        problems.append(_problem(n, "not a JSON object; line left out"))
        return None
    rid, text, labels = row.get("id"), row.get("text"), row.get("labels", [])
    if not isinstance(rid, (str, int)) or isinstance(rid, bool) or str(rid) == "":
        problems.append(_problem(n, 'needs an "id" (string or number); line left out'))
        return None
    rid = str(rid)
    if not isinstance(text, str):
        problems.append(_problem(n, 'needs a "text" string; line left out', rid))
        return None
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        problems.append(_problem(n, '"labels" must be a list of category names; line left out', rid))
        return None
    if rid in first_line:
        problems.append(_problem(n, f"duplicate id (first on line {first_line[rid]}); line left out", rid))
        return None
    first_line[rid] = n
    unknown = [label for label in labels if label not in CATEGORIES]
    if unknown:
        problems.append(
            _problem(n, f"unknown label {', '.join(map(repr, unknown))} dropped; known: {', '.join(CATEGORIES)}", rid)
        )
    return {**row, "id": rid, "labels": [label for label in labels if label in CATEGORIES]}


def read_gold(path: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(rows, problems)`` of a labelled JSONL corpus; every problem carries its line number."""
    rows: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    row = _row(n, line, first_line, problems)
                    if row is not None:
                        rows.append(row)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return rows, problems


def score(gold: list[dict[str, Any]], predicted: dict[str, set[str]]) -> dict[str, Any]:
    """Per-category precision/recall/F1, macro F1 over categories with gold examples, false-alarm rate."""
    tally: dict[str, Counter[str]] = {c: Counter() for c in SCORED}
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
        table[c] = {
            "precision": p,
            "recall": r,
            "f1": f,
            "support": t["tp"] + t["fn"],
            "tp": t["tp"],
            "fp": t["fp"],
            "fn": t["fn"],
        }
    scored = [c for c in SCORED if table[c]["support"]]
    micro = _f1(*(sum(t[k] for t in tally.values()) for k in ("tp", "fp", "fn")))[2]
    return {
        "snippets": len(gold),
        "macro_f1": sum(table[c]["f1"] for c in scored) / len(scored) if scored else 0.0,
        "macro_categories": scored,
        "excluded_from_macro": [c for c in SCORED if c not in scored],
        "micro_f1": micro,
        "false_alarm_rate": alarms / clean if clean else 0.0,
        "clean_snippets": clean,
        "categories": table,
        "errors": errors,
    }


def evaluate(
    nlp: Language, path: str, *, jurisdictions: tuple[str, ...] = ("us",), min_confidence: float | None = None
) -> dict[str, Any]:
    """Run the pipeline over a labelled corpus: :func:`score`'s result plus the corpus ``problems``."""
    gold, problems = read_gold(path)
    predicted = {}
    for row, doc in zip(gold, nlp.pipe(row["text"] for row in gold), strict=True):
        report = build_report(doc, nlp, jurisdictions, min_confidence=min_confidence)
        predicted[row["id"]] = {f.category for f in report.findings}
    return {**score(gold, predicted), "problems": problems}


def to_json(result: dict[str, Any], *, errors: int = 0) -> dict[str, Any]:
    """The JSON view: every figure, the problems, and up to ``errors`` misses and false alarms per category."""
    view = {k: v for k, v in result.items() if k != "errors"}
    if errors:
        view["errors"] = {
            c: [
                {"kind": "missed" if kind == "fn" else "false alarm", "id": rid, "text": text}
                for kind, rid, text in items[:errors]
            ]
            for c, items in result["errors"].items()
        }
    return view


def format_text(result: dict[str, Any], *, errors: int = 0) -> str:
    """A printable table (figures comparable with ``score.py``'s)."""
    lines = [f"{'category':<12} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for c, v in result["categories"].items():
        lines.append(f"{c:<12} {v['precision']:>9.3f} {v['recall']:>7.3f} {v['f1']:>6.3f} {v['support']:>8}")
    excluded = result["excluded_from_macro"]
    lines.append(
        f"macro F1 {result['macro_f1']:.3f} over {len(result['macro_categories'])} categories"
        + (f" (no gold examples, left out: {', '.join(excluded)})" if excluded else "")
        + f"; micro F1 {result['micro_f1']:.3f}; false alarms on unlabelled snippets "
        f"{result['false_alarm_rate']:.1%}; {result['snippets']} snippets"
    )
    for p in result["problems"]:
        lines.append(f"  line {p['line']}: " + (f"id {p['id']}: " if p["id"] is not None else "") + p["problem"])
    for c, items in result["errors"].items():
        for kind, rid, text in items[:errors]:
            lines.append(f"  {kind.upper()} {c:<10} {rid}: {text[:140]}")
    return "\n".join(lines)
