"""Claims spelled with look-alike letters are found, with offsets into the original text."""

from __future__ import annotations

import pytest

import hypecheck
from hypecheck.components.tokenizer import FOLDED, fold


@pytest.mark.parametrize(
    ("text", "category", "claim"),
    [
        ("Our serum is \u0441linic\u0430lly pr\u043even.", "evidence", "\u0441linic\u0430lly pr\u043even"),
        (
            "\uff34\uff52\uff45\uff41\uff54\uff53 \uff41\uff43\uff4e\uff45 in days.",
            "disease",
            "\uff34\uff52\uff45\uff41\uff54\uff53 \uff41\uff43\uff4e\uff45",
        ),
        ("It tr\u200beats ac\u00adne overnight.", "disease", "tr\u200beats ac\u00adne"),
        ("\u0415xosomes tr\u0435at hair loss.", "disease", "tr\u0435at hair loss"),
        ("Clinic\u0430lly proven" + "!" * 500, "evidence", "Clinic\u0430lly proven"),
    ],
)
def test_lookalike_claims_are_found(nlp, text, category, claim):
    findings = hypecheck.check(text, nlp=nlp).findings
    assert (category, claim) in [(f.category, f.text) for f in findings]
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_honest_words_keep_their_spelling(nlp):
    assert fold("cr\u00e8me") == "cr\u00e8me"
    assert fold("\u041c\u043e\u0441\u043a\u0432\u0430") == "\u043c\u043e\u0441\u043a\u0432\u0430"  # all Cyrillic
    doc = nlp("Cr\u00e8me from \u041c\u043e\u0441\u043a\u0432\u0430 for dry skin.")
    assert FOLDED not in doc.user_data
    assert hypecheck.check("Cr\u00e8me from \u041c\u043e\u0441\u043a\u0432\u0430.", nlp=nlp).findings == []


def test_only_matches_through_a_folded_token_are_added(nlp):
    text = "Exosomes treat acne. \u0421linic\u0430lly tested."
    doc = nlp(text)
    assert [doc[i].text for i in doc.user_data[FOLDED]] == ["\u0421linic\u0430lly"]
    assert [f.text for f in hypecheck.check(text, nlp=nlp).findings] == ["treat acne"]
