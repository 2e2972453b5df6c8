"""The terminal rendering of a report, like a linter's: one line per finding, then the verdict.

``explain`` adds, under each finding, why it overreaches, what to say instead and
its notes for the report's jurisdictions.  Colour only when asked (the CLI asks
on a TTY without ``NO_COLOR``); URLs are never broken across lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import click

from ..constants import JURISDICTIONS
from ..htmltext import LineIndex
from ..report import Finding, Report

SEVERITY_COLOUR = {"high": "red", "medium": "yellow", "low": "cyan"}
TIER_COLOUR = {"A": "green", "B": "green", "C": "yellow", "D": "red"}
WIDTH = 96
INDENT = "    "


def _wrap(text: str, indent: str = INDENT) -> list[str]:
    """Wrapped at spaces only: a URL (or any long word) stays whole on its line."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def render_text(name: str, report: Report, *, explain: bool = False, colour: bool = False) -> str:
    """One line per finding (``name:line:col  severity  category  “quote”  rule``), then the verdict."""
    style: Callable[..., str] = click.style if colour else (lambda text, **_: text)
    out: list[str] = []
    lines = LineIndex(report.input.text) if report.input is not None and report.findings else None
    explained: set[str] = set()
    for f in report.findings:
        out.append(_finding_line(name, f, lines, style))
        if explain and f.rule in explained:
            out.append(f"{INDENT}(explained above under {f.rule})")
        elif explain:
            out += _explanation(f)
            explained.add(f.rule)
    out += _verdict(report, explain, style)
    return "\n".join(out)


def _finding_line(name: str, f: Finding, lines: LineIndex | None, style: Callable[..., str]) -> str:
    if f.location is not None:
        line, col = f.location.line, f.location.column
    elif lines is not None:
        line, col = lines.line_col(f.start)
    else:
        line, col = 1, f.start + 1
    severity = style(f"{f.severity:<6}", fg=SEVERITY_COLOUR[f.severity])
    flags = f"  ({', '.join(f.context)})" if f.context else ""
    quote = " ".join(f.text.split())
    where = style(f"{name}:{line}:{col}", bold=True)
    return f"{where}  {severity}  {f.category:<10}  \u201c{quote}\u201d  {f.rule}{flags}"


def _explanation(f: Finding) -> list[str]:
    out = _wrap("Why: " + f.message) + _wrap("Instead: " + f.suggestion)
    for note in f.notes:
        out += _wrap(_note_line(note))
    return out


def _note_line(note: dict[str, Any]) -> str:
    unconfirmed = "" if note.get("confirmed", True) else " (citation unconfirmed)"
    refs = "".join(f"[{n}]" for n in note.get("refs", ()))
    if note["kind"] == "regulatory":
        where = JURISDICTIONS.get(note["jurisdiction"], note["jurisdiction"].upper())
        return f"{where}: {note['instrument']} {refs}{unconfirmed}"
    return f"Evidence: {note['topic']} {refs}{unconfirmed}"


def _verdict(report: Report, explain: bool, style: Callable[..., str]) -> list[str]:
    v = report.verdict
    counts = ", ".join(f"{c} {n}" for c, n in report.counts.items() if n)
    found = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}"
    head = style(f"Verdict: tier {v.tier}", fg=TIER_COLOUR.get(v.tier), bold=True)
    out = [
        "" if report.findings else "no overreaching claims found",
        f"{head} \u2014 {v.label} ({v.score}/{v.maximum})",
        f"  {found}" + (f": {counts}" if counts else ""),
    ]
    out += _wrap(v.meaning, "  ")
    if not explain:
        if report.findings:
            out.append("Run with --explain (-v) for why each claim overreaches, what to say instead, and its notes.")
        return out
    for d in v.dimensions:
        out.append(f"  {d['name']:<22} {d['score']:>2}/{d['max']}  {d['reason']}")
    if report.findings:
        out.append("  What to do instead:")
        for tip in v.instead:
            out += _wrap("- " + tip)
    if v.sources:
        out.append("  Sources:")
        for s in v.sources:
            out += _wrap(f"[{s['n']}] {s['title']}" + (f" {s['url']}" if s.get("url") else ""))
    return out
