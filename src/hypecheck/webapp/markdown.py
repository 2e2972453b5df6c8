"""Markdown export of a report: verdict, findings with quotes and notes, sources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .present import build_view

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


def report_markdown(
    report: Mapping[str, Any], categories: Mapping[str, str], jurisdictions: Mapping[str, str]
) -> str:
    """Render *report* (an API answer, with ``text``) as a Markdown document."""
    view = build_view(report, categories, jurisdictions)
    verdict = view["verdict"]
    out: list[str] = ["# hypecheck report", ""]
    out.append(
        f"hypecheck {md_escape(report.get('hypecheck_version', ''))}, rule set "
        f"{md_escape(report.get('ruleset_version', ''))}. Jurisdictions: "
        f"{md_escape(', '.join(view['jurisdiction_names']) or 'all')}. "
        f"Text length: {int(report.get('text_length', 0)):,} characters."
    )
    url = (report.get("input") or {}).get("url")
    if url:
        out.append(f"Source page: {_link(url, url)}")
    out += ["", "## Verdict", ""]
    if verdict:
        out.append(f"**Tier {md_escape(verdict.get('tier', '?'))}: {md_escape(verdict.get('label', ''))}**")
        out.append("")
        for key in ("meaning", "summary"):
            if verdict.get(key):
                out += [md_escape(verdict[key]), ""]
        dims = verdict.get("dimensions") or []
        if dims:
            out += ["| Dimension | Score | Reason |", "| --- | --- | --- |"]
            for d in dims:
                out.append(
                    f"| {md_escape(d.get('name', d.get('id', '')))} | "
                    f"{md_escape(d.get('score', ''))}/{md_escape(d.get('max', ''))} | "
                    f"{md_escape(d.get('reason', ''))} |"
                )
            out.append("")
    out += ["## Claims by category", ""]
    for row in view["summary"]:
        if row["count"]:
            out.append(f"- {md_escape(row['label'])}: {row['count']}")
    if not view["total"]:
        out.append("No overreaching claims were found.")
    out += ["", "## Findings", ""]
    for group in view["groups"]:
        out += _group_md(group)
    if view["sources"]:
        out += ["## Sources", ""]
        for s in view["sources"]:
            out.append(f"{int(s.get('n', 0))}. {_link(s.get('title'), s.get('url'))}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _group_md(f: Mapping[str, Any]) -> list[str]:
    """One rule's findings: heading, every quote, message, suggestion and notes."""
    places = len(f["findings"])
    where = f", {places} places" if places > 1 else ""
    out = [f"### {f['n']}. {md_escape(f['label'])} ({md_escape(f.get('severity', ''))}{where})", ""]
    for finding in f["findings"]:
        context = ", ".join(str(c) for c in finding.get("context") or [])
        note = f" *({md_escape(context)})*" if context else ""
        out.append(f"> {finding['n']}. “{md_escape(finding.get('text', ''))}”{note}")
        sentence = finding.get("sentence")
        if sentence and sentence != finding.get("text"):
            out.append(f"> in: {md_escape(sentence)}")
        out.append(">")
    out[-1] = ""
    if f.get("message"):
        out += [md_escape(f["message"]), ""]
    if f.get("suggestion"):
        out += [f"*Suggestion:* {md_escape(f['suggestion'])}", ""]
    for group in f["regulatory"]:
        out.append(f"**Regulation — {md_escape(group['name'])}**")
        out.append("")
        for note in group["notes"]:
            ref = f" [{int(note['source'])}]" if note.get("source") else ""
            head = " — ".join(
                md_escape(note[k]) for k in ("authority", "instrument", "title") if note.get(k)
            )
            out.append(f"- {head}: {md_escape(note.get('summary', ''))}{ref}{_unconfirmed(note)}")
        out.append("")
    if f["evidence"]:
        out += ["**Evidence**", ""]
        for note in f["evidence"]:
            ref = f" [{int(note['source'])}]" if note.get("source") else ""
            grade = f" (evidence grade: {md_escape(note['grade'])})" if note.get("grade") else ""
            out.append(
                f"- {md_escape(note.get('topic', ''))}: {md_escape(note.get('summary', ''))}"
                f"{grade}{ref}{_unconfirmed(note)}"
            )
            for src in note.get("sources") or []:
                out.append(f"  - {_link(src.get('reference'), src.get('url'))}")
        out.append("")
    return out


def _unconfirmed(note: Mapping[str, Any]) -> str:
    return "" if note.get("confirmed", True) else " *(not yet confirmed against the primary text)*"
