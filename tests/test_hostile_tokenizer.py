"""Runs of punctuation, emoji or entities cost the tokenizer linear work, with exact offsets."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hypecheck
from hypecheck.components.tokenizer import LONG_RUN, BoundedTokenizer, cut_points

RUNS = ["!", "\U0001f9ea", "&", "(", ")", "?!", "\u2728\u2705", "&amp;", "a.", "-", "\u200b", "x!", "\u0301"]


def _scanned(text: str, bounded: bool) -> tuple[int, int]:
    """Characters spaCy's suffix search scans for ``text``, and the number of tokens."""
    nlp = spacy.blank("en")
    inner = nlp.tokenizer
    seen = [0]
    search = inner.suffix_search

    def counting(string: str):
        seen[0] += len(string)
        return search(string)

    inner.suffix_search = counting  # also empties the tokenizer's cache
    tokenizer = BoundedTokenizer(inner) if bounded else inner
    doc = tokenizer(text)
    assert doc.text == text
    return seen[0], len(doc)


@pytest.mark.parametrize("run", ["!", "\U0001f9ea", "&", "(", "\u2728\u2705"])
def test_tokenizer_work_is_linear_in_run_length(run):
    work = {}
    for n in (1000, 4000):
        text = "Exosomes treat acne" + "".join(random.Random(n).choice([run, run * 2]) for _ in range(n))
        scanned, _ = _scanned(text, bounded=True)
        work[n] = scanned / len(text)
        assert work[n] < 40  # characters scanned per input character
    assert work[4000] < 1.5 * work[1000]
    # spaCy alone scans each run again for every token it peels off.
    assert _scanned("Exosomes treat acne" + run * 4000, bounded=False)[0] > 500 * 4000


def test_ordinary_text_is_tokenized_as_before():
    raw = spacy.blank("en")
    text = (Path(__file__).parent / "data" / "clinic_page.txt").read_text("utf-8")
    text += " See https://example.com/products/exosome-serum?utm_source=newsletter&utm_medium=email#top now."
    bounded = BoundedTokenizer(spacy.blank("en").tokenizer)
    assert [(t.text, t.whitespace_, t.norm_) for t in bounded(text)] == [
        (t.text, t.whitespace_, t.norm_) for t in raw(text)
    ]
    assert cut_points("x" * LONG_RUN) == []


def test_claim_before_a_punctuation_run_is_still_found(nlp):
    for run in ("!", "\U0001f9ea", "?!", " &amp;"):
        text = "Exosomes treat acne" + run * 8000
        report = hypecheck.check(text, nlp=nlp)
        assert [f.category for f in report.findings] == ["disease"]
        assert report.text_length == len(text)


def test_html_with_many_entities_is_checked(nlp):
    from hypecheck.inputs import prepare

    text = prepare("<p>Exosomes treat acne " + "&amp;" * 19000 + "</p>")
    assert text.count("&") == 19000
    assert [f.category for f in hypecheck.check(text, nlp=nlp).findings] == ["disease"]


RUN = st.builds(lambda r, n: r * n, st.sampled_from(RUNS), st.integers(1, 400))
HOSTILE = st.lists(
    st.one_of(
        RUN, st.sampled_from(["Exosomes treat acne", "clinically proven", "\n", " ", "  ", "\t"]), st.text(max_size=30)
    ),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_offsets_slice_hostile_input_exactly(nlp, text):
    doc = nlp.make_doc(text)
    assert doc.text == text
    report = hypecheck.check(text, nlp=nlp)
    for finding in report.findings:
        assert text[finding.start : finding.end] == finding.text
