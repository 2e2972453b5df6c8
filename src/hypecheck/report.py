"""Findings and reports: the one result type every output renders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import __version__
from .components.sentences import sentence_of
from .components.tokenizer import FOLDED, text_length, text_of
from .constants import CATEGORIES, CLAIMS_PIPE, DEFAULT_MIN_CONFIDENCE, JURISDICTIONS, SEVERITY_RANK, SPANS_KEY
from .errors import InputError
from .htmltext import LineIndex
from .ruleset import Rule, RuleSet
from .verdict import Verdict, score

if TYPE_CHECKING:
    from .inputs import Prepared

# 2: notes and sources once per report, in tables keyed by id; findings name their notes;
#    "more" counts findings left out; "input" and per-finding "location".
SCHEMA_VERSION = 2
PER_JURISDICTION = 2
EVIDENCE_NOTES = 3


@dataclass(frozen=True)
class Location:
    """Where a finding's quote is in the user's input (for HTML: in the markup), 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_dict(self) -> dict[str, int]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line, "end_column": self.end_column}


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
    location: Location | None = None
    # Set by hypecheck.suppress when a reviewed marker accepts this finding: rules, reason, line, kind.
    suppression: dict[str, Any] | None = None

    def to_dict(self, *, notes: bool = True, sentence: bool = True) -> dict[str, Any]:
        """The finding as JSON; ``notes`` are note ids (the report's ``notes`` table holds them)."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "confidence": self.confidence,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }
        if sentence:
            data["sentence"] = self.sentence
        data.update(context=list(self.context), message=self.message, suggestion=self.suggestion)
        if notes:
            data["notes"] = [n["id"] for n in self.notes]
        if self.location is not None:
            data["location"] = self.location.to_dict()
        if self.suppression is not None:  # only on suppressed findings, so existing output is unchanged
            data["suppression"] = dict(self.suppression)
        return data


@dataclass
class Report:
    """All findings for one text, counts per category and the verdict.

    ``input`` is the prepared input the findings index into (None when the
    report was built from a bare Doc, as ``batch`` does).
    """

    findings: list[Finding]
    verdict: Verdict
    jurisdictions: tuple[str, ...]
    ruleset_version: str
    text_length: int
    input: Prepared | None = None
    counts: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        tally = Counter(f.category for f in self.findings)
        self.counts = {c: tally.get(c, 0) for c in CATEGORIES}

    def to_dict(
        self, *, max_findings: int | None = None, notes: bool = True, sentences: bool = True, text: bool = False
    ) -> dict[str, Any]:
        """The JSON report (``schema_version`` 2, see ``schemas/report.schema.json``).

        Notes and sources appear once, in the ``notes`` and ``sources`` tables, and only
        those the listed findings cite.  ``max_findings`` lists at most that many
        findings (``more`` counts the rest; counts and verdict cover all); ``notes=False``
        leaves notes out altogether; ``text`` adds the checked text.
        """
        shown = self.findings if not max_findings else self.findings[:max_findings]
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "hypecheck_version": __version__,
            "ruleset_version": self.ruleset_version,
            "jurisdictions": list(self.jurisdictions),
            "text_length": self.text_length,
        }
        if self.input is not None:
            data["input"] = self.input.describe()
            if text:
                data["text"] = self.input.text
        verdict = self.verdict.to_dict()
        verdict.pop("sources", None)  # the report's "sources" table
        data.update(
            counts=self.counts,
            findings=[f.to_dict(notes=notes, sentence=sentences) for f in shown],
            more=len(self.findings) - len(shown),
            verdict=verdict,
        )
        if notes:
            table: dict[str, dict[str, Any]] = {}
            for finding in shown:
                for note in finding.notes:
                    if note["id"] not in table:
                        table[note["id"]] = _json_note(note)
            cited = {n for note in table.values() for n in note.get("refs", ())}
            data["notes"] = table
            data["sources"] = {str(s["n"]): s for s in self.verdict.sources if s["n"] in cited}
        return data


def parse_jurisdictions(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """The one reading of jurisdiction codes, for the CLI, the settings file and the API.

    ``"us,eu"`` or ``["us", "eu"]`` -> ``("us", "eu")``; None or ``"all"`` -> every
    code.  Unknown codes, non-string items and an explicitly empty choice are an
    :class:`InputError` (a ``ValueError``).
    """
    if value is None:
        return tuple(JURISDICTIONS)
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, (dict, bytes)) or not all(isinstance(i, str) for i in items):
        raise InputError('"jurisdictions" must be a list of codes such as ["us", "eu"].')
    codes = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    if not codes:
        raise InputError("Choose at least one jurisdiction (or all).")
    if "all" in codes:
        return tuple(JURISDICTIONS)
    unknown = [c for c in codes if c not in JURISDICTIONS]
    if unknown:
        raise InputError(f"Unknown jurisdiction {unknown[0]!r}; choose from: {', '.join(JURISDICTIONS)} (or all).")
    return codes


class NoteIndex:
    """Which notes a rule carries: those it names, plus those written for its whole category."""

    def __init__(self, ruleset: RuleSet):
        self.notes = ruleset.notes
        self.by_category: dict[str, list[str]] = {c: [] for c in CATEGORIES}
        self._chosen: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        self._templates: dict[str, dict[str, Any]] = {}
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

    def view(self, note: dict[str, Any], numbers: list[int]) -> dict[str, Any]:
        """The note as a report shows it, with ``numbers`` into the report's sources."""
        template = self._templates.get(note["id"])
        if template is None:
            template = self._templates[note["id"]] = _note_template(note)
        return {**template, "source": numbers[0] if numbers else None, "refs": numbers}

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


def _note_template(note: dict[str, Any]) -> dict[str, Any]:
    """The fields of a note a report shows, its summary on one line (the same for every report)."""
    keys = (
        "kind",
        "id",
        "jurisdiction",
        "authority",
        "instrument",
        "title",
        "topic",
        "summary",
        "url",
        "grade",
        "grade_reason",
        "sources",
        "confirmed",
        "checked",
        "verification",
    )
    view = {k: note[k] for k in keys if k in note}
    view["summary"] = " ".join(view["summary"].split())
    return view


# In the JSON a note's references are its ``refs`` into the sources table; the research record
# behind a note (``verification``) stays in the rule pack (``hypecheck rules notes``).
_JSON_NOTE_OMITS = frozenset({"sources", "source", "verification"})


def _json_note(note: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in note.items() if k not in _JSON_NOTE_OMITS}


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
            self.add(
                src.get("url") or src["reference"],
                {"kind": "evidence", "title": src["reference"], "url": src.get("url")},
            )
            for src in note["sources"]
        ]


def build_report(
    doc: Doc,
    nlp: Language,
    jurisdictions: tuple[str, ...],
    *,
    min_confidence: float | None = None,
    spans_key: str = SPANS_KEY,
    prepared: Prepared | None = None,
) -> Report:
    """Turn the claim spans of a processed ``doc`` into a :class:`Report`: the one place a Report is made.

    Spans below ``min_confidence`` (default ``DEFAULT_MIN_CONFIDENCE``: reported
    claims and questions) are left out.  With ``prepared`` (the input ``doc`` was
    made from) each finding gets its :class:`Location` in the user's input.
    """
    if min_confidence is None:
        min_confidence = DEFAULT_MIN_CONFIDENCE
    claims: Any = nlp.get_pipe(CLAIMS_PIPE)  # the ClaimMatcher
    ruleset: RuleSet = claims.ruleset
    index = _note_index(claims)
    sources = SourceList()
    views: dict[str, dict[str, Any]] = {}
    notes_of: dict[str, tuple[dict[str, Any], ...]] = {}  # per rule, for this report
    sentences: dict[int, str] = {}  # per sentence start
    findings = []
    spans = [s for s in doc.spans.get(spans_key, ()) if (s._.hypecheck_confidence or 1.0) >= min_confidence]
    visible = _visible(spans, ruleset)
    locate = _locator(prepared) if prepared is not None and visible else None
    folded = set(doc.user_data.get(FOLDED, ()))  # tokens spelled with look-alike letters (mixed scripts)
    doc_text = text_of(doc) if visible else ""
    for span in visible:
        lookalike = ("look-alike",) if folded and folded.intersection(range(span.start, span.end)) else ()
        rule = ruleset.rules[span.label_]
        notes = notes_of.get(rule.id)
        if notes is None:
            for note in index.for_rule(rule, jurisdictions):
                if note["id"] not in views:  # numbered in the order findings first cite them
                    views[note["id"]] = index.view(note, sources.number(note))
            notes = notes_of[rule.id] = tuple(views[n["id"]] for n in index.for_rule(rule, jurisdictions))
        sentence = sentence_of(doc, span.start)
        if sentence.start not in sentences:
            sentences[sentence.start] = doc_text[sentence.start_char : sentence.end_char].strip()
        findings.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                confidence=span._.hypecheck_confidence or rule.confidence,
                start=span.start_char,
                end=span.end_char,
                # The user's own characters (the tokenizer replaced lone surrogates one for one).
                text=(prepared.text if prepared is not None else doc_text)[span.start_char : span.end_char],
                sentence=sentences[sentence.start],
                message=rule.message,
                suggestion=rule.suggestion,
                context=(*span._.hypecheck_context, *lookalike),
                notes=notes,
                location=locate(span.start_char, span.end_char) if locate else None,
            )
        )
    return Report(
        findings=findings,
        verdict=score(findings, sources.items, jurisdictions, ruleset.verdict),
        jurisdictions=jurisdictions,
        ruleset_version=f"{ruleset.name} {ruleset.version}",
        text_length=text_length(doc),
        input=prepared,
    )


def _locator(prepared: Prepared) -> Any:
    """``(start, end) -> Location | None`` in the user's input: the HTML source, or the text itself."""
    mapping = prepared.source_map()
    if mapping is None:
        lines = LineIndex(prepared.text)
        return lambda start, end: Location(*lines.line_col(start), *lines.line_col(end))
    html_lines = LineIndex(mapping.html)

    def locate(start: int, end: int) -> Location | None:
        first, last = mapping.to_html(start), mapping.to_html(end, end=True)
        if first is None or last is None or last < first:
            return None
        return Location(*html_lines.line_col(first), *html_lines.line_col(last))

    return locate


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
