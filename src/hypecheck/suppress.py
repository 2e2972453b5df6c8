"""Suppressions with a reason: a reviewer accepts a finding in the text itself.

Markers, in text, Markdown or HTML (the HTML comment form works in all three)::

    Each vial holds 10 billion exosomes.  hypecheck: ignore[dose.active-count] reason: lab certificate linked below
    <!-- hypecheck: ignore[dose] reason: assay method on the label -->      (alone: covers the next line)
    hypecheck: disable[dose, regulatory] reason: quoted from the regulator's letter
    ...
    hypecheck: enable

``ignore`` covers the line it is on, or, alone on its line, the next non-blank
line; ``disable`` covers every line up to the next ``enable`` (or the end).
The rules are ids or dotted prefixes (``dose`` covers ``dose.*``).  In HTML,
whose checked text is extracted from the markup, a finding is covered when its
quote appears in the readable text of the covered lines.

A marker without a reason, without rules, or naming no loaded rule suppresses
nothing and is reported as a :class:`Notice`: the claim keeps failing the run
until someone writes down why it is acceptable, which is the record a
compliance reviewer needs.  Suppressed findings stay in the report, marked with
their ``suppression``; they do not count for the exit status.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .report import Finding, Report

_MARKER = re.compile(r"hypecheck:[ \t]*(?P<verb>ignore|disable|enable)\b(?P<rest>[^\n]*)", re.IGNORECASE)
_RULES = re.compile(r"^[ \t]*\[(?P<rules>[^\]\n]*)\]")
_REASON = re.compile(r"\breason:[ \t]*(?P<reason>.*)$", re.IGNORECASE)
_COMMENT_END = re.compile(r"[ \t]*(?:-->|\*/)[ \t]*$")
_LEADER = re.compile(r"^[\s#/*>-]*(?:<!--)?[\s]*$")  # only a comment opener before the marker
_TAG = re.compile(r"<[^<>]*>")
_BLOCK = re.compile(
    r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|td|th|tr|table|section|article|header|footer|main|aside|"
    r"blockquote|pre|dd|dt|dl|figure|figcaption|nav|form|body|html|title)|br)\b[^<>]*>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Notice:
    """A problem with a suppression marker (1-based ``line`` in the source, 0 for a record field)."""

    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        """As a report's ``suppression_notices`` entry lists it."""
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Suppression:
    """One effective marker: which rules, why, where, and the source range it covers."""

    rules: tuple[str, ...]
    reason: str
    line: int
    start: int = 0
    end: int = 0
    kind: str = "inSource"  # SARIF: "inSource" (a marker in the text) or "external" (a record field)

    def covers(self, rule_id: str) -> bool:
        return any(rule_id == p or rule_id.startswith(p + ".") for p in self.rules)

    def record(self) -> dict[str, Any]:
        """What a suppressed finding carries (``Finding.suppression``)."""
        return {"rules": list(self.rules), "reason": self.reason, "line": self.line, "kind": self.kind}


def _split_rules(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.strip().lower() for r in re.split(r"[,\s]+", value) if r.strip()))


def _clause(rest: str) -> tuple[tuple[str, ...] | None, str]:
    """``[rules] reason: why -->`` -> (rules or None, reason)."""
    rest = _COMMENT_END.sub("", re.split(r"-->|\*/", rest, maxsplit=1)[0])
    found = _RULES.match(rest)
    rules = _split_rules(found["rules"]) if found else None
    reason = _REASON.search(rest[found.end() :] if found else rest)
    return rules, (reason["reason"].strip() if reason else "")


def _check(rules: tuple[str, ...] | None, reason: str, line: int, known: Iterable[str] | None) -> str | None:
    """Why a marker cannot take effect, or None."""
    if not rules:
        return "name the rules it accepts, e.g. ignore[dose.active-count]"
    if not reason:
        return "give a reason, e.g. 'reason: lab certificate linked below'"
    if known is not None:
        ids = list(known)
        unknown = [p for p in rules if not any(i == p or i.startswith(p + ".") for i in ids)]
        if unknown:
            return f"{', '.join(unknown)} matches no loaded rule"
    return None


def parse(
    source: str, *, known: Iterable[str] | None = None, markup: bool = False
) -> tuple[list[Suppression], list[Notice]]:
    """Every marker in ``source``: the effective suppressions and the notices for broken ones.

    ``markup``: ``source`` is HTML, so an ``ignore`` covers the element it sits in
    (when it has text there) or else the next element, not a line.
    """
    known = list(known) if known is not None else None
    starts = [0, *(m.end() for m in re.finditer("\n", source))]
    suppressions: list[Suppression] = []
    notices: list[Notice] = []
    open_block: tuple[Suppression, int] | None = None
    for found in _MARKER.finditer(source):
        line = source.count("\n", 0, found.start()) + 1
        verb = found["verb"].lower()
        if verb == "enable":
            if open_block is None:
                notices.append(Notice(line, "hypecheck: enable without an open hypecheck: disable[...]"))
            else:
                block, _ = open_block
                suppressions.append(replace(block, end=found.start()))
                open_block = None
            continue
        rules, reason = _clause(found["rest"])
        problem = _check(rules, reason, line, known)
        if problem:
            notices.append(Notice(line, f"suppression ignored: {problem}"))
            continue
        assert rules is not None
        if verb == "disable":
            if open_block is not None:
                notices.append(Notice(line, "hypecheck: disable inside another disable block; close it first"))
                continue
            open_block = (Suppression(rules, reason, line, start=found.end()), line)
            continue
        if markup:
            line_start, line_end = _element(source, found.start(), found.end())
            suppressions.append(Suppression(rules, reason, line, start=line_start, end=line_end))
            continue
        line_start = starts[line - 1]
        line_end = starts[line] if line < len(starts) else len(source)
        if _LEADER.match(source[line_start : found.start()]):  # alone on its line: covers the next non-blank one
            following = line
            while following < len(starts) and not source[starts[following] : _end(starts, following, source)].strip():
                following += 1
            if following < len(starts):
                line_start, line_end = starts[following], _end(starts, following, source)
        suppressions.append(Suppression(rules, reason, line, start=line_start, end=line_end))
    if open_block is not None:
        block, _ = open_block
        suppressions.append(replace(block, end=len(source)))
    return suppressions, notices


def _element(source: str, begin: int, end: int) -> tuple[int, int]:
    """The range of the HTML element around a marker at ``begin:end``, or of the next one."""
    start = max((m.end() for m in _BLOCK.finditer(source, 0, begin)), default=0)
    for block in _BLOCK.finditer(source, end):
        if _readable(source[start : block.start()]):
            return start, block.start()
    return start, len(source)


def _end(starts: list[int], index: int, source: str) -> int:
    return starts[index + 1] if index + 1 < len(starts) else len(source)


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _readable(markup: str) -> str:
    return _normal(html.unescape(_TAG.sub(" ", markup)))


def apply(
    report: Report, text: str, source: str | None = None, *, known: Iterable[str] | None = None
) -> tuple[Report, list[Notice]]:
    """Mark the findings of ``report`` (on checked ``text``) that markers in ``source`` accept.

    ``source`` is what the user wrote (default: ``text``); when it differs (HTML),
    a finding is covered when its quote is in the readable text of a covered range.
    """
    source = text if source is None else source
    same = source == text
    suppressions, notices = parse(source, known=known, markup=not same)
    if not suppressions:
        return report, notices
    readable = {} if same else {s: _readable(source[s.start : s.end]) for s in suppressions}
    used: set[Suppression] = set()
    findings = []
    for finding in report.findings:
        for s in suppressions:
            inside = s.start <= finding.start < s.end if same else _normal(finding.text) in readable[s]
            if inside and s.covers(finding.rule):
                finding = replace(finding, suppression=s.record())
                used.add(s)
                break
        findings.append(finding)
    notices += [
        Notice(s.line, f"unused suppression: no {', '.join(s.rules)} finding on the lines it covers")
        for s in suppressions
        if s not in used
    ]
    return replace(report, findings=findings), sorted(notices, key=lambda n: n.line)


def apply_record(report: Report, field: Any, *, known: Iterable[str] | None = None) -> tuple[Report, list[Notice]]:
    """Suppress findings of a whole batch record from its ``suppress`` field (JSONL key or CSV column).

    ``field``: ``"dose.active-count reason: lab certificate"`` (``ignore[...]`` also
    accepted), ``{"rules": [...] or "a,b", "reason": "..."}``, or a list of these.
    Problems come back as notices with line 0.
    """
    items = field if isinstance(field, list) else [field]
    suppressions: list[Suppression] = []
    notices: list[Notice] = []
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, Mapping):
            raw = item.get("rules")
            rules = _split_rules(",".join(raw) if isinstance(raw, list) else str(raw or "")) or None
            reason = str(item.get("reason") or "").strip()
        elif isinstance(item, str):
            body = re.sub(r"^\s*(?:hypecheck:\s*)?ignore\b", "", item, flags=re.IGNORECASE)
            bracket = _RULES.match(body)
            head, _, reason = (body[bracket.end() :] if bracket else body).partition("reason:")
            rules = _split_rules(bracket["rules"] if bracket else head) or None
            reason = reason.strip()
        else:
            notices.append(Notice(0, f"suppress field: expected text or an object, not {type(item).__name__}"))
            continue
        problem = _check(rules, reason, 0, known)
        if problem:
            notices.append(Notice(0, f"suppression ignored: {problem}"))
        else:
            suppressions.append(Suppression(tuple(rules or ()), reason, 0, kind="external"))
    findings: list[Finding] = []
    for finding in report.findings:
        match = next((s for s in suppressions if s.covers(finding.rule)), None)
        findings.append(replace(finding, suppression=match.record()) if match else finding)
    return replace(report, findings=findings), notices


def active(report: Report) -> list[Finding]:
    """The findings no suppression accepts: the ones that count for the exit status."""
    return [f for f in report.findings if f.suppression is None]
