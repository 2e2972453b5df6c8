"""The context component: disclaimers by their extent, the describing voice of a text, reported cues."""

from __future__ import annotations

import pytest

import hypecheck


def recontext(nlp, text: str, claims: list[str]):
    """Run the context component on ``text`` with ``claims`` (substrings) as the only claim spans."""
    doc = nlp(text)
    spans = []
    for claim in claims:
        start = text.index(claim)
        span = doc.char_span(start, start + len(claim), label="test.claim")
        assert span is not None, claim
        spans.append(span)
    doc.spans["hypecheck"] = spans
    return nlp.get_pipe("hypecheck_context")(doc)


def texts(doc, key: str = "hypecheck") -> list[str]:
    return [span.text for span in doc.spans[key]]


def categories(nlp, text: str, **options) -> set[str]:
    return {f.category for f in hypecheck.check(text, nlp=nlp, **options).findings}


def flags_of(nlp, text: str) -> set[str]:
    return {flag for f in hypecheck.check(text, nlp=nlp, min_confidence=0).findings for flag in f.context}


# Disclaimers -------------------------------------------------------------------------------------


def test_disclaimer_drops_only_the_claims_inside_it(nlp):
    text = "Cures eczema in 3 days (this product is not intended to diagnose, treat, cure or prevent any disease)."
    doc = recontext(nlp, text, ["Cures eczema", "cure or prevent any disease"])
    assert texts(doc) == ["Cures eczema"]
    assert texts(doc, "hypecheck_suppressed") == ["cure or prevent any disease"]
    assert doc.spans["hypecheck_suppressed"][0]._.hypecheck_context == ("disclaimer",)


def test_disclaimer_in_brackets_ends_at_its_closing_bracket(nlp):
    text = "A light gel (not intended to treat any disease) that heals rosacea overnight."
    doc = recontext(nlp, text, ["treat any disease", "heals rosacea"])
    assert texts(doc) == ["heals rosacea"]


def test_disclaimer_runs_to_the_end_of_its_sentence_unless_a_bracket_closes_it(nlp):
    text = "Soothes the skin; not intended to diagnose, treat or cure acne [or any other condition]. Heals acne."
    doc = recontext(nlp, text, ["Soothes the skin", "cure acne", "Heals acne"])
    assert texts(doc) == ["Soothes the skin", "Heals acne"]
    doc = recontext(nlp, "Soothes the skin (not intended to treat or cure acne, heals acne.", ["Soothes", "heals acne"])
    assert texts(doc) == ["Soothes"]


def test_disease_claim_before_a_disclaimer_in_its_sentence_is_reported(nlp):
    text = "Cures eczema in 3 days (this product is not intended to diagnose, treat, cure or prevent any disease)."
    assert [f.text for f in hypecheck.check(text, nlp=nlp).findings if f.category == "disease"] == ["Cures eczema"]


def test_claim_before_a_disclaimer_in_its_sentence_is_still_reported(nlp):
    text = "Clinically proven to firm skin in a week (not intended to diagnose, treat, cure or prevent any disease)."
    assert "evidence" in categories(nlp, text)


def test_a_disclaimer_alone_is_not_a_claim(nlp):
    text = "These statements have not been evaluated by the FDA. Not intended to diagnose, treat or cure any disease."
    assert categories(nlp, text) == set()


# The describing voice of a text ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Conclusions: topical exosomes increased collagen production in the treated skin.",
        "In this study, the vesicles stimulated fibroblasts to make more collagen.",
        "Volunteers were randomly assigned to a serum that stimulates collagen production or to a placebo.",
        "The agency found that the serum was promoted to regenerate damaged skin cells.",
        "According to the company, the cream stimulates collagen production in the dermis.",
        "The data show that the vesicles stimulated collagen production in aged skin.",
        "These results point to growth factors that regenerate damaged tissue in both animals and humans.",
        "The Federal Trade Commission said the clinic's injections were sold to regenerate damaged cartilage.",
        "Health officials found that the spa's facial was meant to stimulate collagen production.",
    ],
)
def test_text_in_a_describing_voice_is_hidden_by_default_and_marked(nlp, text):
    assert categories(nlp, text) == set()
    assert "described" in flags_of(nlp, text)


def test_seller_voice_keeps_the_claims_of_a_describing_text(nlp):
    assert "drug_like" in categories(nlp, "In this study, our serum stimulated collagen production.")
    assert "drug_like" in categories(nlp, "The data show that our serum stimulates collagen production.")
    assert "drug_like" in categories(nlp, "Stimulates collagen production, as in this study. Book now!")


def test_seller_word_inside_a_describing_cue_is_part_of_that_cue(nlp):
    text = "Your website states that the serum stimulates collagen production and repairs skin cells."
    assert categories(nlp, text) == set()
    text = "Your product page shows the serum stimulates collagen production."
    assert "described" in flags_of(nlp, text)


def test_heading_cue_counts_only_where_it_opens_a_sentence(nlp):
    assert "described" in flags_of(nlp, "Background: growth factors stimulate collagen production.")
    assert "drug_like" in categories(nlp, "Great background: growth factors stimulate collagen production.")


def test_plain_claims_are_not_described(nlp):
    text = "Stimulates collagen production and repairs damaged skin cells."
    assert "drug_like" in categories(nlp, text)
    assert "described" not in flags_of(nlp, text)


# Sentence cues -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Some spas advertise the drip as a cure for arthritis.",
        "The injections are supposed to regenerate damaged tissue.",
        "Fans of the treatment hope that it repairs damaged skin cells.",
        "The therapy is experimental and repairs damaged cartilage, its makers say.",
        "The needles prick the skin in an attempt to stimulate collagen production.",
        "The plasma is then painted on to ostensibly regenerate damaged skin cells.",
        "The drip has been presented as a cure for arthritis, with little data behind it.",
        "The doctor settled charges that his injections could cure Parkinson's disease.",
        "Treatment of rosacea with vesicles is still in its infancy.",
        "FDA approval would be based on evidence of efficacy, such as faster healing, and of safety.",
    ],
)
def test_described_or_distanced_claims_are_hidden_by_default(nlp, text):
    assert categories(nlp, text) == set()
    assert categories(nlp, text, min_confidence=0)


def test_a_body_that_declines_a_use_negates_the_claims_after_it(nlp):
    text = "The society does not endorse exosomes for any use, including to regenerate damaged tissue or cure acne."
    assert categories(nlp, text, min_confidence=0) == set()
    assert "disease" in categories(nlp, "We endorse exosomes for any use, including to cure acne.")


def test_a_break_word_inside_a_negation_cue_keeps_the_negation(nlp):
    assert categories(nlp, "The serum has not yet received FDA approval.") == set()


def test_a_capability_negation_reaches_the_purposes_chained_after_it_in_its_clause(nlp):
    text = "A plain gel is unable to travel through the outer layer of skin to stimulate collagen production."
    doc = recontext(nlp, text, ["stimulate collagen production"])
    assert texts(doc) == []
    assert texts(doc, "hypecheck_suppressed") == ["stimulate collagen production"]


def test_a_capability_negation_stops_at_its_clause(nlp):
    text = "Creams are unable to get far, but our booster will stimulate collagen production."
    doc = recontext(nlp, text, ["stimulate collagen production"])
    assert texts(doc) == ["stimulate collagen production"]


# Questions and weak reporting cues ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Want to regrow thick hair in three months? Book a scalp session.",
        "Tired of waiting for a serum that regrows hair?",
        "- Looking for a serum that stimulates collagen production?",
    ],
)
def test_a_question_that_opens_as_a_sales_pitch_is_a_claim(nlp, text):
    assert categories(nlp, text)
    assert "question" not in flags_of(nlp, text)


def test_a_plain_question_is_still_a_question(nlp):
    text = "Does the serum stimulate collagen production?"
    assert categories(nlp, text) == set()
    assert "question" in flags_of(nlp, text)


def test_a_weak_reporting_cue_reports_only_outside_the_seller_voice(nlp):
    text = "The booster is said to stimulate collagen production."
    assert categories(nlp, text) == set()
    assert "reported" in flags_of(nlp, text)
    text = "Our booster is said to stimulate collagen production."
    assert "drug_like" in categories(nlp, text)
    assert "reported" not in flags_of(nlp, text)


def test_the_approval_rule_is_reported_only_outside_the_seller_voice(nlp):
    text = "Vesicle products intended to treat disease require FDA approval."
    assert categories(nlp, text) == set()
    text = "Our vesicle drip does not require FDA approval, so you can book today."
    assert "regulatory" in categories(nlp, text)


def test_a_seller_rebutting_the_hype_still_makes_the_claim(nlp):
    assert "evidence" in categories(nlp, "Salmon DNA isn't just hype, it's backed by science.")
    assert categories(nlp, "The hype around exosomes says they regenerate skin cells.") == set()


def test_promise_a_treatment_has_shown_is_a_hedged_claim(nlp):
    text = "Vesicle therapy has shown promise in treating lupus and arthritis."
    assert "disease" in categories(nlp, text)
    assert "hedged" in flags_of(nlp, text)


# Negation between a claim's parts ------------------------------------------------------------------


def test_a_negated_verb_between_a_claims_parts_negates_it(nlp):
    assert categories(nlp, "Psoriasis cannot be cured by any serum.") == set()
    assert categories(nlp, "Psoriasis can be cured with our serum.") == {"disease"}


def test_a_negation_that_is_the_claims_own_word_still_flags(nlp):
    # "never came back" is how the claim is worded; it must not negate itself
    assert categories(nlp, "Her rosacea never came back after the course.") == {"disease"}
