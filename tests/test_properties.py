"""Arbitrary text never crashes the checker, and every offset slices the input exactly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hypecheck

CLAIMS = st.sampled_from(
    [
        "treats hair loss",
        "10 billion exosomes",
        "stimulates collagen production",
        "no side effects",
        "FDA-approved",
        "clinically proven",
        "miracle",
        "\u05e2\u05d1\u05e8\u05d9\u05ea",
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
        "\U0001f9ea\u2728",
        "\u202e\u202d",
        "\x00\x07\x1b",
        "\r\n\t",
        "  ",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), CLAIMS), max_size=25).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_offsets_slice_input_exactly(nlp, text):
    report = hypecheck.check(text, nlp=nlp)
    for finding in report.findings:
        assert text[finding.start : finding.end] == finding.text
    assert sum(report.counts.values()) == len(report.findings)


def test_empty_and_huge_inputs(nlp):
    assert hypecheck.check("", nlp=nlp).findings == []
    big = "Exosomes treat hair loss. A gentle serum. " * 5000
    report = hypecheck.check(big, nlp=nlp)
    assert len(report.findings) == 5000
    assert all(big[f.start : f.end] == f.text for f in report.findings[:50])
