"""Human-readable rendering of a report for the terminal."""

from __future__ import annotations

import textwrap
from collections import defaultdict

import click

from .report import Report
from .ruleset import CATEGORIES, JURISDICTIONS

SEVERITY_COLOUR = {"high": "red", "medium": "yellow", "low": "cyan"}
TIER_COLOUR = {"A": "green", "B": "green", "C": "yellow", "D": "red"}


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def render_text(name: str, text: str, report: Report, *, notes: bool = True) -> str:
    """A report as a terminal reader wants it: each claim, why, what instead, notes, verdict."""
    out = [click.style(name, bold=True)]
    if not report.findings:
        out.append("  no overreaching claims found")
    for f in report.findings:
        line, col = _line_col(text, f.start)
        flags = f" ({', '.join(f.context)})" if f.context else ""
        head = f"  {line}:{col}  {click.style(f.severity.upper(), fg=SEVERITY_COLOUR[f.severity])}  "
        out.append(head + f"{CATEGORIES[f.category]}  \u201c{f.text}\u201d  [{f.rule}]{flags}")
        out.append(_wrap("Why: " + f.message, "      "))
        out.append(_wrap("Instead: " + f.suggestion, "      "))
        if notes:
            by_jurisdiction = defaultdict(list)
            for note in f.notes:
                if note["kind"] == "regulatory":
                    unconfirmed = "" if note.get("confirmed", True) else " (citation unconfirmed)"
                    cite = f"{note['instrument']} [{note['source']}]{unconfirmed}"
                    by_jurisdiction[note["jurisdiction"]].append(cite)
            for code, items in by_jurisdiction.items():
                out.append(_wrap(f"{JURISDICTIONS[code]}: " + "; ".join(items), "      "))
            evidence = [f"{n['topic']} [{', '.join(map(str, n['refs']))}]"
                        + ("" if n.get("confirmed", True) else " (unconfirmed)")
                        for n in f.notes if n["kind"] == "evidence"]
            if evidence:
                out.append(_wrap("Evidence: " + "; ".join(evidence), "      "))
    out.append(_render_verdict(report))
    return "\n".join(out)


def _render_verdict(report: Report) -> str:
    v = report.verdict.to_dict()
    counts = ", ".join(f"{CATEGORIES[c]}: {n}" for c, n in report.counts.items() if n) or "none"
    lines = [
        "",
        "  " + click.style(f"Verdict: tier {v['tier']}", fg=TIER_COLOUR[v["tier"]], bold=True)
        + f" \u2014 {v['label']} ({v['score']}/{v['max']})",
        _wrap(v["meaning"], "    "),
        f"    Findings: {counts}",
    ]
    for d in v["dimensions"]:
        lines.append(f"    {d['name']:<22} {d['score']:>2}/{d['max']}  {d['reason']}")
    if report.findings:
        lines.append("    What to do instead:")
        lines += [_wrap("- " + tip, "      ") for tip in v["instead"]]
    if v["sources"]:
        lines.append("    Sources:")
        for s in v["sources"]:
            lines.append(_wrap(f"[{s['n']}] {s['title']}" + (f" {s['url']}" if s.get("url") else ""), "      "))
    return "\n".join(lines)
