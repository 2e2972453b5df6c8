"""The Markdown report: verdict, each claim with why and what instead, the law of the
chosen markets, one evidence note per finding, and only the sources those cite."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .. import __version__
from .view import Group, ReportView

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: Any) -> str:
    """Escape Markdown/HTML-significant characters in untrusted text, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _link(title: Any, url: Any) -> str:
    title_md = md_escape(title or url or "")
    url_s = str(url or "")
    if url_s.startswith(("https://", "http://")) and not re.search(r"[\s<>()]", url_s):
        return f"[{title_md}](<{url_s}>)"
    return title_md


def _refs(refs: Sequence[int]) -> str:
    return f" [{', '.join(map(str, refs))}]" if refs else ""


def markdown(view: ReportView, *, level: int = 1) -> str:
    """One checked text as a Markdown document (``level`` 2 nests it under a heading)."""
    h = "#" * level
    report, verdict = view.report, view.verdict
    where = view.url or view.source
    out = [f"{h} hypecheck report" + (f": {md_escape(where)}" if where else ""), ""]
    out.append(
        f"hypecheck {md_escape(__version__)}, rule set {md_escape(report.ruleset_version)}. "
        f"Law shown for: {md_escape(', '.join(view.jurisdiction_names))}. "
        f"Text length: {report.text_length:,} characters."
    )
    out += [
        "",
        f"{h}# Verdict",
        "",
        f"**Tier {md_escape(verdict.tier)}: {md_escape(verdict.label)}**",
        "",
        md_escape(verdict.meaning),
        "",
    ]
    flagged = ", ".join(f"{md_escape(label)} {count}" for _, label, count in view.counts if count)
    out += [f"{view.total} claim(s) flagged: {flagged}." if view.total else "No overreaching claims were found.", ""]
    out += [f"_{md_escape(view.caveat)}_", ""]
    out += ["| Dimension | Points lost | Why |", "| --- | --- | --- |"]
    for d in view.dimensions:
        lost = f"−{d.lost} of {d.maximum}" if d.lost else "nothing flagged"
        out.append(f"| {md_escape(d.name)} | {lost} | {md_escape(d.reason)} |")
    out.append("")
    if view.total:
        out += ["**What works better**", ""] + [f"- {md_escape(tip)}" for tip in verdict.instead] + [""]
    if view.groups:
        out += [f"{h}# Findings", ""]
        for group in view.groups:
            out += _group(group, h)
    if view.sources:
        out += [f"{h}# Sources", ""]
        out += [f"{s['n']}. {_link(s['title'], s['url'])}" for s in view.sources]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _group(g: Group, h: str) -> list[str]:
    """One rule's claims: every quote, why, what instead, its notes."""
    out = [f"{h}## {g.n}. {md_escape(g.label)} ({g.severity})", ""]
    for c in g.claims:
        context = f" *({md_escape(', '.join(c.finding.context))})*" if c.finding.context else ""
        out.append(f"- {c.mark}. “{md_escape(c.finding.text)}”{context}")
    out += ["", md_escape(g.message), "", f"*Say instead:* {md_escape(g.suggestion)}", ""]
    for jn in g.regulatory:
        for n in jn.notes:
            if n.repeat:
                continue
            d = n.data
            head = " — ".join(md_escape(d[k]) for k in ("authority", "instrument") if d.get(k))
            out.append(f"- **{jn.code.upper()}** {head}: {md_escape(d['summary'])}{_refs(n.refs)}{_unconfirmed(n)}")
    for n in (n for n in g.evidence if not n.repeat):
        d = n.data
        grade = f" (evidence: {md_escape(d['grade'])})" if d.get("grade") else ""
        out.append(
            f"- **Evidence** {md_escape(d['topic'])}{grade}: {md_escape(d['summary'])}{_refs(n.refs)}{_unconfirmed(n)}"
        )
    if g.repeats:
        cited = "; ".join(f"{label} {_refs(n.refs).strip()}" for label, n in g.repeats)
        out.append(f"- Also, as given above: {cited}.")
    out.append("")
    return out


def _unconfirmed(note: Any) -> str:
    return " *(not yet confirmed against the primary text)*" if note.unconfirmed else ""


def document(views: Sequence[ReportView]) -> str:
    """Every checked text in one Markdown document."""
    if len(views) == 1:
        return markdown(views[0])
    return "# hypecheck report\n\n" + "\n".join(markdown(v, level=2) for v in views)
