"""Turn a report dict into what the templates and the Markdown export need."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}


@dataclass
class Segment:
    """A run of the checked text covered by the same set of findings."""

    text: str
    findings: list[int] = field(default_factory=list)  # indices covering this run
    starts: list[int] = field(default_factory=list)  # indices whose claim starts here
    category: str | None = None  # the category shown (most severe covering finding)

    @property
    def finding_ids(self) -> str:
        """Space-separated finding numbers (1-based), for ``data-findings``."""
        return " ".join(str(i + 1) for i in self.findings)


def segments(text: str, findings: list[Mapping[str, Any]]) -> list[Segment]:
    """Split *text* at every finding boundary; each piece lists the findings covering it.

    Overlapping and nested findings are handled: a piece covered by several
    findings lists all of them and takes the category of the most severe one.
    Offsets outside the text are clamped; empty findings are ignored.
    """
    n = len(text)
    spans: list[tuple[int, int, int]] = []
    for i, f in enumerate(findings):
        start = max(0, min(n, int(f.get("start", 0))))
        end = max(0, min(n, int(f.get("end", 0))))
        if end > start:
            spans.append((start, end, i))
    bounds = sorted({0, n, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for start, end, i in spans:
        opening.setdefault(start, []).append(i)
        closing.setdefault(end, []).append(i)
    active: list[int] = []
    out: list[Segment] = []
    for a, b in itertools.pairwise(bounds):
        for i in closing.get(a, ()):
            active.remove(i)
        starts = sorted(opening.get(a, ()))
        active.extend(starts)
        covering = sorted(active)
        seg = Segment(text=text[a:b], findings=covering, starts=starts)
        if covering:
            top = max(covering, key=lambda i: (_rank(findings[i]), -i))
            seg.category = str(findings[top].get("category", ""))
        out.append(seg)
    return out


def _rank(finding: Mapping[str, Any]) -> int:
    return SEVERITY_RANK.get(str(finding.get("severity", "")).lower(), 0)


def group_notes(
    notes: list[Mapping[str, Any]], jurisdictions: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Split a finding's notes into regulatory groups (by jurisdiction), evidence, other."""
    groups: dict[str, dict[str, Any]] = {}
    evidence: list[Mapping[str, Any]] = []
    other: list[Mapping[str, Any]] = []
    order = list(jurisdictions)
    for note in notes:
        kind = note.get("kind")
        if kind == "regulatory":
            code = str(note.get("jurisdiction") or "")
            group = groups.setdefault(
                code,
                {"code": code, "name": jurisdictions.get(code, code.upper() or "General"), "notes": []},
            )
            group["notes"].append(note)
        elif kind == "evidence":
            evidence.append(note)
        else:
            other.append(note)
    ordered = sorted(
        groups.values(),
        key=lambda g: order.index(g["code"]) if g["code"] in order else len(order),
    )
    return ordered, evidence, other


def _group_key(f: Mapping[str, Any]) -> tuple[Any, ...]:
    note_ids = tuple(str(n.get("id", "")) for n in f.get("notes") or [])
    return (f.get("rule"), f.get("category"), f.get("message"), f.get("suggestion"), note_ids)


def build_view(
    report: Mapping[str, Any], categories: Mapping[str, str], jurisdictions: Mapping[str, str]
) -> dict[str, Any]:
    """Everything the results template renders, derived from *report*.

    Findings of the same rule (same message, suggestion and notes) are grouped so
    that their notes are rendered once, however often the claim occurs.
    """
    text = str(report.get("text", ""))
    findings_in = list(report.get("findings") or [])
    findings: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for i, f in enumerate(findings_in):
        category = str(f.get("category", ""))
        key = _group_key(f)
        group = by_key.get(key)
        if group is None:
            notes = list(f.get("notes") or [])
            regulatory, evidence, other = group_notes(notes, jurisdictions)
            group = {
                "n": len(groups) + 1,
                "rule": f.get("rule"),
                "category": category,
                "label": categories.get(category, category.replace("_", " ").capitalize()),
                "severity": f.get("severity"),
                "message": f.get("message"),
                "suggestion": f.get("suggestion"),
                "regulatory": regulatory,
                "evidence": evidence,
                "other_notes": other,
                "note_count": len(notes),
                "findings": [],
            }
            by_key[key] = group
            groups.append(group)
        finding = {**f, "n": i + 1, "label": group["label"], "group": group["n"]}
        group["findings"].append(finding)
        findings.append(finding)
    counts = report.get("counts") or {}
    summary = [
        {"id": cid, "label": label, "count": int(counts.get(cid, 0))}
        for cid, label in categories.items()
    ]
    summary += [
        {"id": cid, "label": cid, "count": int(c)}
        for cid, c in counts.items()
        if cid not in categories
    ]
    return {
        "findings": findings,
        "groups": groups,
        "segments": segments(text, findings_in),
        "summary": summary,
        "total": len(findings),
        "verdict": report.get("verdict") or {},
        "sources": list((report.get("verdict") or {}).get("sources") or []),
        "jurisdiction_names": [jurisdictions.get(j, j) for j in report.get("jurisdictions") or []],
    }
