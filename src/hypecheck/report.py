"""Findings and reports: the one result type every output renders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import __version__
from .components.sentences import sentence_of
from .ruleset import CATEGORIES, JURISDICTIONS, SEVERITY_RANK, Rule, RuleSet
from .verdict import Verdict, score

SCHEMA_VERSION = 1
# Reported claims ("some clinics claim ...") score 0.51 and fall below this; hedged ones stay.
DEFAULT_MIN_CONFIDENCE = 0.55
PER_JURISDICTION = 2
EVIDENCE_NOTES = 3


@dataclass(frozen=True)
class Finding:
    """One overreaching claim: where it is, which rule, why, and what to say instead."""

    rule: str
    category: str
    severity: str
    confidence: float
    start: int
    end: int
    text: str
    sentence: str
    message: str
    suggestion: str
    context: tuple[str, ...] = ()
    notes: tuple[dict[str, Any], ...] = ()
    # Set by hypecheck.suppress when a reviewed marker accepts this finding: rules, reason, line, kind.
    suppression: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "confidence": self.confidence,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentence": self.sentence,
            "context": list(self.context),
            "message": self.message,
            "suggestion": self.suggestion,
            "notes": list(self.notes),
        }
        if self.suppression is not None:  # only on suppressed findings, so existing output is unchanged
            data["suppression"] = dict(self.suppression)
        return data


@dataclass
class Report:
    """All findings for one text, counts per category and the verdict."""

    findings: list[Finding]
    verdict: Verdict
    jurisdictions: tuple[str, ...]
    ruleset_version: str
    text_length: int
    counts: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        tally = Counter(f.category for f in self.findings)
        self.counts = {c: tally.get(c, 0) for c in CATEGORIES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "hypecheck_version": __version__,
            "ruleset_version": self.ruleset_version,
            "jurisdictions": list(self.jurisdictions),
            "text_length": self.text_length,
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
            "verdict": self.verdict.to_dict(),
        }


def parse_jurisdictions(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"us,eu"`` or ``["us", "eu"]`` -> ``("us", "eu")``; None or "all" -> every code."""
    if value is None:
        return tuple(JURISDICTIONS)
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    if not codes or codes == ("all",):
        return tuple(JURISDICTIONS)
    unknown = [c for c in codes if c not in JURISDICTIONS]
    if unknown:
        raise ValueError(f"unknown jurisdiction {', '.join(unknown)}; choose from {', '.join(JURISDICTIONS)}")
    return codes


class NoteIndex:
    """Which notes a rule carries: those it names, plus those written for its whole category."""

    def __init__(self, ruleset: RuleSet):
        self.notes = ruleset.notes
        self.by_category: dict[str, list[str]] = {c: [] for c in CATEGORIES}
        self._chosen: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        # The most specific notes first: those written for fewer categories.
        for note_id, note in sorted(ruleset.notes.items(), key=lambda kv: (len(kv[1]["applies_to"]), kv[0])):
            for category in note["applies_to"]:
                self.by_category[category].append(note_id)

    def for_rule(self, rule: Rule, jurisdictions: tuple[str, ...]) -> list[dict[str, Any]]:
        """The rule's own notes first, then its category's: per jurisdiction at most
        ``PER_JURISDICTION`` regulatory notes, and at most ``EVIDENCE_NOTES`` evidence notes."""
        key = (rule.id, jurisdictions)
        if key not in self._chosen:
            self._chosen[key] = self._choose(rule, jurisdictions)
        return self._chosen[key]

    def _choose(self, rule: Rule, jurisdictions: tuple[str, ...]) -> list[dict[str, Any]]:
        ids = list(dict.fromkeys([*rule.notes, *self.by_category.get(rule.category, ())]))
        regulatory: dict[str, list[dict[str, Any]]] = {code: [] for code in jurisdictions}
        evidence: list[dict[str, Any]] = []
        for note_id in ids:
            note = self.notes[note_id]
            if note["kind"] == "evidence":
                if len(evidence) < EVIDENCE_NOTES:
                    evidence.append(note)
            elif len(regulatory.get(note["jurisdiction"], (None,) * PER_JURISDICTION)) < PER_JURISDICTION:
                regulatory[note["jurisdiction"]].append(note)
        return [n for code in jurisdictions for n in regulatory[code]] + evidence


def _note_view(note: dict[str, Any], numbers: list[int]) -> dict[str, Any]:
    keys = ("kind", "id", "jurisdiction", "authority", "instrument", "title", "topic", "summary", "url",
            "grade", "grade_reason", "sources", "confirmed", "checked", "verification")
    view = {k: note[k] for k in keys if k in note}
    view["summary"] = " ".join(view["summary"].split())
    view["source"] = numbers[0] if numbers else None
    view["refs"] = numbers
    return view


class SourceList:
    """Numbered, de-duplicated list of every source the findings cite."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def add(self, key: str, entry: dict[str, Any]) -> int:
        if key not in self._index:
            self.items.append({"n": len(self.items) + 1, **entry})
            self._index[key] = len(self.items)
        return self._index[key]

    def number(self, note: dict[str, Any]) -> list[int]:
        if note["kind"] == "regulatory":
            title = f"{note['authority']}: {note['instrument']}"
            return [self.add(note["url"], {"kind": "regulatory", "title": title, "url": note["url"]})]
        return [
            self.add(src.get("url") or src["reference"], {"kind": "evidence", "title": src["reference"],
                                                          "url": src.get("url")})
            for src in note["sources"]
        ]


def build_report(
    doc: Doc,
    nlp: Language,
    jurisdictions: tuple[str, ...],
    *,
    min_confidence: float | None = None,
    spans_key: str = "hypecheck",
) -> Report:
    """Turn the claim spans of a processed ``doc`` into a :class:`Report`.

    Spans below ``min_confidence`` (default ``DEFAULT_MIN_CONFIDENCE``: reported
    claims and questions) are left out.
    """
    if min_confidence is None:
        min_confidence = DEFAULT_MIN_CONFIDENCE
    claims = nlp.get_pipe("hypecheck_claims")
    ruleset: RuleSet = claims.ruleset
    index = _note_index(claims)
    sources = SourceList()
    views: dict[str, dict[str, Any]] = {}
    findings = []
    spans = [s for s in doc.spans.get(spans_key, ()) if (s._.hypecheck_confidence or 1.0) >= min_confidence]
    for span in _visible(spans, ruleset):
        rule = ruleset.rules[span.label_]
        notes = []
        for note in index.for_rule(rule, jurisdictions):
            if note["id"] not in views:
                views[note["id"]] = _note_view(note, sources.number(note))
            notes.append(views[note["id"]])
        findings.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                confidence=span._.hypecheck_confidence or rule.confidence,
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                sentence=sentence_of(doc, span.start).text.strip(),
                message=rule.message,
                suggestion=rule.suggestion,
                context=tuple(span._.hypecheck_context),
                notes=tuple(notes),
            )
        )
    return Report(
        findings=findings,
        verdict=score(findings, sources.items, jurisdictions, ruleset.verdict),
        jurisdictions=jurisdictions,
        ruleset_version=f"{ruleset.name} {ruleset.version}",
        text_length=doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0,  # doc.text is O(n)
    )


def _note_index(claims: Any) -> NoteIndex:
    index = getattr(claims, "_note_index", None)
    if index is None:
        index = claims._note_index = NoteIndex(claims.ruleset)
    return index


def _visible(spans: Iterable[Span], ruleset: RuleSet) -> list[Span]:
    """Drop a span when a finding of the same category and at least its severity covers it.

    One sweep in start order: a kept span that ends before a span starts can cover
    neither it nor any later one, so it leaves the active list.
    """
    kept: list[Span] = []
    open_by_category: dict[str, list[tuple[Span, int]]] = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        rule = ruleset.rules[span.label_]
        rank = SEVERITY_RANK[rule.severity]
        active = [(k, r) for k, r in open_by_category.get(rule.category, ()) if k.end > span.start]
        if not any(k.end >= span.end and r >= rank for k, r in active):
            kept.append(span)
            active.append((span, rank))
        open_by_category[rule.category] = active
    return kept
