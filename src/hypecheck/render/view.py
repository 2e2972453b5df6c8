"""What a person reads of a :class:`~hypecheck.report.Report`: the view the page, the
HTML report and the Markdown export all render.

- One highlight per claimed span: findings whose spans overlap merge into one
  :class:`Mark` that lists all their categories.
- Findings of the same rule form one :class:`Group`, so their notes show once.
- Per group, the notes that matter: the report's regulatory notes for each chosen
  jurisdiction (the most specific first, at most two each, as the report ranks
  them) and the most relevant evidence note; the other evidence notes go under
  ``more``.
- The sources list holds only the sources cited by the notes shown, numbered in
  the order they are first cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..constants import CAVEAT
from ..report import Finding, Report
from ..ruleset import CATEGORIES, JURISDICTIONS, SEVERITY_RANK

# Category names short enough for a label after every highlight (the full names are in the legend).
SHORT_LABELS = {
    "disease": "Disease",
    "drug_like": "Drug-like",
    "dose": "Dose",
    "regulatory": "Regulatory",
    "evidence": "Proof",
    "safety": "Safety",
    "hype": "Hype",
    "provenance": "Human-derived",
}
SHOWN_EVIDENCE = 1  # evidence notes shown per finding; the rest go under "more"
SHOWN_REFERENCES = 2  # an evidence note's studies cited in the sources list


@dataclass(frozen=True)
class Note:
    """A regulatory or evidence note as shown; ``refs`` are its numbers in the view's sources."""

    data: dict[str, Any]
    refs: tuple[int, ...] = ()
    repeat: bool = False  # already shown for an earlier finding: renderers may give its title only

    @property
    def unconfirmed(self) -> bool:
        return not self.data.get("confirmed", True)


@dataclass
class Claim:
    """One finding in the text; ``mark`` is the number of the highlight it belongs to."""

    finding: Finding
    mark: int
    group: int
    label: str


@dataclass
class Mark:
    """One highlight: a run of text claimed by one or more overlapping findings."""

    n: int
    start: int
    end: int
    claims: list[Claim] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        """Categories of the claims, most severe first."""
        ranked = sorted(self.claims, key=lambda c: -SEVERITY_RANK[c.finding.severity])
        return list(dict.fromkeys(c.finding.category for c in ranked))

    @property
    def labels(self) -> list[str]:
        return [CATEGORIES.get(c, c) for c in self.categories]

    @property
    def short_labels(self) -> list[str]:
        return [SHORT_LABELS.get(c, c) for c in self.categories]

    @property
    def severity(self) -> str:
        return max((c.finding.severity for c in self.claims), key=SEVERITY_RANK.__getitem__)


@dataclass(frozen=True)
class Segment:
    """A run of text: inside a highlight (``last`` marks its end), plain, or a paragraph ``gap``."""

    text: str
    mark: Mark | None = None
    last: bool = False
    gap: bool = False


_GAP = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class JurisdictionNotes:
    code: str
    name: str
    notes: list[Note]


@dataclass
class Group:
    """The findings of one rule: one message, one suggestion, notes shown once."""

    n: int
    rule: str
    category: str
    label: str
    severity: str
    message: str
    suggestion: str
    claims: list[Claim] = field(default_factory=list)
    regulatory: list[JurisdictionNotes] = field(default_factory=list)
    evidence: list[Note] = field(default_factory=list)
    more: list[Note] = field(default_factory=list)

    @property
    def shown_notes(self) -> int:
        return sum(len(j.notes) for j in self.regulatory) + len(self.evidence)

    @property
    def repeats(self) -> list[tuple[str, Note]]:
        """Notes already given in full for an earlier group, with a short label each."""
        return [(j.code.upper(), n) for j in self.regulatory for n in j.notes if n.repeat] + [
            ("Evidence", n) for n in self.evidence if n.repeat
        ]


@dataclass(frozen=True)
class Dimension:
    """A verdict dimension read the right way round: the points its claims cost, out of ``maximum``."""

    id: str
    name: str
    lost: int
    maximum: int
    reason: str

    @property
    def level(self) -> str:
        """``none``, ``some`` or ``serious``: the cost in a word, never a bare score."""
        if not self.lost:
            return "none"
        return "serious" if self.lost * 2 >= self.maximum else "some"


@dataclass
class ReportView:
    """Everything a renderer needs for one checked text."""

    report: Report
    text: str
    source: str | None
    url: str | None
    marks: list[Mark]
    segments: list[Segment]
    groups: list[Group]
    dimensions: list[Dimension]
    sources: list[dict[str, Any]]
    jurisdictions: list[tuple[str, str]]
    counts: list[tuple[str, str, int]]

    @property
    def verdict(self) -> Any:
        return self.report.verdict

    @property
    def total(self) -> int:
        return len(self.report.findings)

    @property
    def caveat(self) -> str:
        """What the reading can and cannot tell (:data:`hypecheck.constants.CAVEAT`)."""
        return CAVEAT

    @property
    def jurisdiction_names(self) -> list[str]:
        return [name for _, name in self.jurisdictions]


class _Sources:
    """Numbers the sources of the notes shown, de-duplicated by URL (or reference)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}
        self._shown: set[str] = set()

    def _add(self, key: str, entry: dict[str, Any]) -> int:
        if key not in self._index:
            self.items.append({"n": len(self.items) + 1, **entry})
            self._index[key] = len(self.items)
        return self._index[key]

    def cite(self, note: dict[str, Any]) -> Note:
        repeat = note["id"] in self._shown
        self._shown.add(note["id"])
        if note["kind"] == "regulatory":
            title = f"{note.get('authority', '')}: {note.get('instrument', '')}".strip(": ")
            ref = self._add(note["url"], {"kind": "regulatory", "title": title, "url": note["url"]})
            return Note(note, (ref,), repeat)
        refs = tuple(
            self._add(
                src.get("url") or src["reference"],
                {"kind": "evidence", "title": src["reference"], "url": src.get("url")},
            )
            for src in note.get("sources", ())[:SHOWN_REFERENCES]
        )
        return Note(note, refs, repeat)


def marks_of(findings: Sequence[Finding], text_length: int) -> list[Mark]:
    """Merge overlapping findings into highlights (a chain of overlaps is one highlight);
    each highlight's ``claims`` are filled by :func:`build_view`."""
    marks: list[Mark] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        start, end = (max(0, min(text_length, x)) for x in (f.start, f.end))
        if end <= start:
            continue
        if marks and start < marks[-1].end:
            marks[-1].end = max(marks[-1].end, end)
        else:
            marks.append(Mark(n=len(marks) + 1, start=start, end=end))
    return marks


def _mark_at(marks: Sequence[Mark], finding: Finding) -> Mark | None:
    return next((m for m in marks if m.start <= finding.start < m.end), None)


def segments_of(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """Split *text* into plain runs, highlights and paragraph gaps (blank lines, kept
    verbatim so the pieces join back into *text*); a highlight's last piece is ``last``."""
    out: list[Segment] = []
    at = 0
    for mark in [*marks, None]:
        start, end = (mark.start, mark.end) if mark else (len(text), len(text))
        out += _pieces(text[at:start], None)
        out += _pieces(text[start:end], mark)
        at = end
    return out


def _pieces(text: str, mark: Mark | None) -> list[Segment]:
    out: list[Segment] = []
    at = 0
    for gap in [*_GAP.finditer(text), None]:
        start, end = (gap.start(), gap.end()) if gap else (len(text), len(text))
        if start > at:
            out.append(Segment(text[at:start], mark))
        if gap:
            out.append(Segment(gap.group(), gap=True))
        at = end
    if mark and out:
        last = max(i for i, seg in enumerate(out) if not seg.gap)
        out[last] = Segment(out[last].text, mark, last=True)
    return out


_WORD = re.compile(r"[a-z]{4,}")
_COMMON = frozenset({"exosome", "what", "doe", "skin", "product", "that", "with", "from", "your", "evidence"})


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") for w in _WORD.findall(text.lower())} - _COMMON


def _relevance(note: dict[str, Any], quotes: set[str]) -> int:
    """How many of the quotes' words the note's topic shares (``Do exosomes regrow hair?``)."""
    return len(_words(f"{note.get('topic', '')} {note['id'].replace('-', ' ')}") & quotes)


def _notes(group: Group, finding: Finding, codes: Sequence[str], sources: _Sources) -> None:
    by_code: dict[str, list[Note]] = {code: [] for code in codes}
    evidence: list[dict[str, Any]] = []
    for note in finding.notes:
        if note["kind"] == "evidence":
            evidence.append(note)
        elif note.get("jurisdiction") in by_code:
            by_code[note["jurisdiction"]].append(sources.cite(note))
    group.regulatory = [JurisdictionNotes(c, JURISDICTIONS.get(c, c.upper()), n) for c, n in by_code.items() if n]
    # The report ranks the notes (the rule's own first); among them, the one on the quotes' subject leads.
    quotes = set().union(*(_words(c.finding.text) for c in group.claims))
    evidence.sort(key=lambda n: -_relevance(n, quotes))
    group.evidence = [sources.cite(n) for n in evidence[:SHOWN_EVIDENCE]]
    group.more = [Note(n) for n in evidence[SHOWN_EVIDENCE:]]


def build_view(report: Report, text: str, *, source: str | None = None, url: str | None = None) -> ReportView:
    """The view of *report* on the *text* it was made from."""
    marks = marks_of(report.findings, len(text))
    sources = _Sources()
    groups: dict[str, Group] = {}
    for f in report.findings:
        group = groups.get(f.rule)
        if group is None:
            group = groups[f.rule] = Group(
                n=len(groups) + 1,
                rule=f.rule,
                category=f.category,
                label=CATEGORIES.get(f.category, f.category),
                severity=f.severity,
                message=f.message,
                suggestion=f.suggestion,
            )
        mark = _mark_at(marks, f)
        claim = Claim(f, mark.n if mark else 0, group.n, group.label)
        group.claims.append(claim)
        if mark:
            mark.claims.append(claim)
    for group in groups.values():  # notes once every claim of the rule is known; sources numbered in this order
        _notes(group, group.claims[0].finding, report.jurisdictions, sources)
    return ReportView(
        report=report,
        text=text,
        source=source,
        url=url,
        marks=marks,
        segments=segments_of(text, marks),
        groups=list(groups.values()),
        dimensions=[_dimension(d) for d in report.verdict.dimensions],
        sources=sources.items,
        jurisdictions=[(c, JURISDICTIONS.get(c, c.upper())) for c in report.jurisdictions],
        counts=[(c, label, report.counts.get(c, 0)) for c, label in CATEGORIES.items()],
    )


def _dimension(d: dict[str, Any]) -> Dimension:
    return Dimension(d["id"], d["name"], d["max"] - d["score"], d["max"], d["reason"])
