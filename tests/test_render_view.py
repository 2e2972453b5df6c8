"""The reader's view of a Report (hypecheck.render.view), built from real checks."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES
from spacy.language import Language

import hypecheck
from hypecheck.render.markdown import md_escape
from hypecheck.render.view import SHOWN_EVIDENCE, ReportView, build_view, segments_of

LONG_AD = (EXAMPLES / "reader" / "clinic-ad-500").read_text("utf-8")


@pytest.fixture(scope="module")
def view(nlp: Language) -> ReportView:
    return build_view(hypecheck.check(LONG_AD, jurisdictions="us", nlp=nlp), LONG_AD)


def test_one_highlight_per_claimed_span_with_all_its_categories(nlp: Language) -> None:
    text = "Our serum regrows thinning hair in weeks."
    report = hypecheck.check(text, jurisdictions="us", nlp=nlp)
    assert {f.category for f in report.findings} >= {"disease", "drug_like"}  # two overlapping findings
    view = build_view(report, text)
    assert len(view.marks) == 1
    mark = view.marks[0]
    assert text[mark.start : mark.end] == "regrows thinning hair"
    assert mark.categories[:2] == ["disease", "drug_like"]  # most severe first, both listed
    assert len(mark.claims) == len(report.findings)
    assert [s.text for s in view.segments if s.mark and s.last] == ["regrows thinning hair"]  # one label, at the end


def test_segments_join_back_into_the_text(view: ReportView) -> None:
    assert "".join(s.text for s in view.segments) == LONG_AD
    assert any(s.gap for s in view.segments)  # blank lines are paragraph gaps
    for mark in view.marks:
        pieces = [s for s in view.segments if s.mark is mark]
        assert [s.last for s in pieces].count(True) == 1 and pieces[-1].last
    ends = [m.end for m in view.marks]
    assert all(a.end <= b.start for a, b in zip(view.marks, view.marks[1:], strict=False)), ends  # never nested


def test_segments_of_text_without_findings() -> None:
    assert [s.text for s in segments_of("abc", [])] == ["abc"]
    assert segments_of("", []) == []


def test_notes_limited_to_the_chosen_market(view: ReportView) -> None:
    for group in view.groups:
        assert [j.code for j in group.regulatory] in (["us"], [])
        assert all(len(j.notes) <= 2 for j in group.regulatory)
        assert len(group.evidence) <= SHOWN_EVIDENCE
        assert group.shown_notes <= 3
        assert all(n.data["kind"] == "evidence" for n in group.more)


def test_sources_are_only_those_the_shown_notes_cite(view: ReportView) -> None:
    cited = {r for g in view.groups for j in g.regulatory for n in j.notes for r in n.refs}
    cited |= {r for g in view.groups for n in g.evidence for r in n.refs}
    assert {s["n"] for s in view.sources} == cited == set(range(1, len(view.sources) + 1))
    assert len(view.sources) < len(view.report.verdict.sources)


def test_a_note_is_given_in_full_once(view: ReportView) -> None:
    seen: set[str] = set()
    for group in view.groups:
        for note in [n for j in group.regulatory for n in j.notes] + group.evidence:
            assert note.repeat == (note.data["id"] in seen)
            seen.add(note.data["id"])
    assert any(g.repeats for g in view.groups)


def test_dimensions_count_points_lost(view: ReportView) -> None:
    for dim, raw in zip(view.dimensions, view.report.verdict.dimensions, strict=True):
        assert dim.lost == raw["max"] - raw["score"]
        assert dim.level == ("none" if not dim.lost else "serious" if dim.lost * 2 >= dim.maximum else "some")


def test_clean_text_has_no_marks_and_full_marks(nlp: Language) -> None:
    text = "A light gel that helps skin look smoother."
    view = build_view(hypecheck.check(text, nlp=nlp), text)
    assert view.marks == [] and view.groups == [] and view.sources == []
    assert all(d.level == "none" for d in view.dimensions)


def test_md_escape() -> None:
    assert md_escape("a <b> *c* [d](e)") == r"a \<b\> \*c\* \[d\](e)"


def test_tier_wording_judges_claims_not_the_product(nlp: Language) -> None:
    config = nlp.get_pipe("hypecheck_claims").ruleset.verdict
    for tier in config["tiers"]:
        text = " ".join([tier["label"], tier["meaning"]]).lower()
        assert not re.search(r"\b(will|won't|deliver|guarantee)", text), tier["tier"]  # no forecast of the product
        assert "claim" in text or "wording" in text or "phrase" in text, tier["tier"]
