"""The spaCy components: context decisions, dose parsing, use in another pipeline, the API."""

from __future__ import annotations

import pytest
import spacy

import hypecheck


def categories(nlp, text: str) -> set[str]:
    return {f.category for f in hypecheck.check(text, nlp=nlp).findings}


@pytest.mark.parametrize(
    "text",
    [
        "This serum does not treat acne.",
        "There are no FDA-approved exosome products.",
        "This product is not intended to diagnose, treat, cure or prevent any disease.",
        "There is no evidence that these products can treat or cure hair loss.",
        "Rigorous clinical trials of exosome serums have not been conducted.",
    ],
)
def test_negated_and_disclaimer_claims_are_not_reported(nlp, text):
    assert categories(nlp, text) == set()


def test_disclaimer_never_cancels_other_sentences(nlp):
    text = "Our serum heals eczema. Not intended to diagnose, treat, cure or prevent any disease."
    assert categories(nlp, text) == {"disease"}


def test_hedged_claim_is_kept_with_lower_confidence(nlp):
    plain = hypecheck.check("Exosomes treat hair loss.", nlp=nlp).findings[0]
    hedged = hypecheck.check("Exosomes may help with hair loss.", nlp=nlp).findings[0]
    assert hedged.category == "disease" and "hedged" in hedged.context
    assert hedged.confidence < plain.confidence


def test_question_is_hidden_by_default_and_marked_when_shown(nlp):
    assert hypecheck.check("Can exosomes cure hair loss?", nlp=nlp).findings == []
    finding = hypecheck.check("Can exosomes cure hair loss?", nlp=nlp, min_confidence=0).findings[0]
    assert "question" in finding.context


def test_reported_claims_hidden_by_default_but_available(nlp):
    text = "Some clinics claim that exosomes cure hair loss."
    assert hypecheck.check(text, nlp=nlp).findings == []
    shown = hypecheck.check(text, nlp=nlp, min_confidence=0).findings
    assert shown and "reported" in shown[0].context


@pytest.mark.parametrize(
    "text",
    [
        "Each vial holds 10 billion exosomes.",
        "Contains 10B exosomes.",
        "With 10,000,000,000 particles of pure exosome.",
        "Concentration: 1 x 10^10 EVs per mL.",
        "Up to 10^9/mL extracellular vesicles.",
        "Over 2 trillion nanovesicles in every bottle.",
        "Formulated with 5% exosome.",
        "2,000 ppm growth factors.",
        "Has 3x more exosomes than the leading brand.",
        "The highest concentration of exosomes on the market.",
    ],
)
def test_dose_forms(nlp, text):
    assert "dose" in categories(nlp, text)


@pytest.mark.parametrize(
    "text", ["Each box holds 5 vials of 5 ml.", "Exosomes are 30-150 nm across.", "Sessions cost $3,000 to $15,000."]
)
def test_not_doses(nlp, text):
    assert "dose" not in categories(nlp, text)


def test_lines_and_bullets_are_separate_sentences(nlp):
    assert categories(nlp, "Ask us about exosomes\n20 billion happy customers since 2019") == set()
    assert categories(nlp, "Exosome serum \u2022 10 billion exosomes \u2022 no side effects") == {"dose", "safety"}
    doc = nlp("Booster\nTreats acne\n\n  Calms \u2714 Soothes")
    assert [s.text.strip() for s in doc.sents] == ["Booster", "Treats acne", "Calms \u2714", "Soothes"]


def test_components_work_in_someone_elses_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("hypecheck_claims", config={"select": ["disease"]})
    nlp.add_pipe("hypecheck_context")
    doc = nlp("It treats psoriasis. It stimulates collagen.")
    assert [s.label_.split(".")[0] for s in doc.spans["hypecheck"]] == ["disease"]


def test_check_api_and_jurisdiction_filter(nlp):
    report = hypecheck.check("Our FDA approved serum treats rosacea.", jurisdictions=["uk"], nlp=nlp)
    data = report.to_dict()
    assert data["jurisdictions"] == ["uk"]
    assert data["counts"]["disease"] == 1 and data["counts"]["regulatory"] == 1
    for finding, typed in zip(data["findings"], report.findings, strict=True):
        notes = [data["notes"][note_id] for note_id in finding["notes"]]
        assert {n["jurisdiction"] for n in notes if n["kind"] == "regulatory"} == {"uk"}
        assert [n["id"] for n in typed.notes] == finding["notes"]  # the Python API keeps the note dicts
    numbers = [s["n"] for s in report.verdict.sources]
    assert numbers == list(range(1, len(numbers) + 1)) and sorted(map(int, data["sources"])) == numbers
    assert len({s.get("url") or s["title"] for s in report.verdict.sources}) == len(numbers)


def test_unknown_jurisdiction_is_an_error(nlp):
    with pytest.raises(ValueError, match=r"(?i)unknown jurisdiction"):
        hypecheck.check("text", jurisdictions="mars", nlp=nlp)


def test_verdict_tiers(nlp):
    assert hypecheck.check("A gentle daily moisturiser.", nlp=nlp).verdict.tier == "A"
    heavy = "It treats hair loss, cures eczema and regenerates cells. 100% safe with no side effects."
    assert hypecheck.check(heavy, nlp=nlp).verdict.tier == "D"


def test_list_rules(nlp):
    rules = hypecheck.list_rules(nlp)
    assert all({"id", "category", "severity", "message", "suggestion"} <= set(r) for r in rules)


def test_pipeline_round_trips_through_disk(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    doc = loaded("It treats acne.")
    assert [s.label_ for s in doc.spans["hypecheck"]] == ["disease.treats-condition"]


@pytest.mark.parametrize(
    "text", ["92% of users saw firmer skin.", "Ninety-two percent of our patients saw thicker hair."]
)
def test_result_statistics_in_digits_or_words(nlp, text):
    assert "evidence" in categories(nlp, text)


def test_context_cue_with_star_matches_inflections(tmp_path):
    from hypecheck._paths import rules_dir
    from hypecheck.pipeline import build_nlp

    pack = tmp_path / "pack"
    pack.mkdir()
    text = (rules_dir() / "context.yml").read_text(encoding="utf-8")
    text = text.replace("reported:", "reported:\n  - insinuate* that", 1)
    (pack / "context.yml").write_text(text, encoding="utf-8")
    nlp = build_nlp([pack])
    shown = hypecheck.check("The ads insinuated that exosomes cure acne.", nlp=nlp, min_confidence=0).findings
    assert "reported" in shown[0].context


@pytest.mark.parametrize("text", ["IT HASN\u2019T BEEN APPROVED BY THE FDA.", "It ISN'T FDA approved."])
def test_negation_in_capitals_with_contractions(nlp, text):
    assert categories(nlp, text) == set()


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Our facial heals acne scars.", "heals acne scars"),
        ("The booster stimulates collagen production overnight.", "stimulates collagen production"),
    ],
)
def test_a_quote_holds_the_whole_phrase_of_its_last_part(nlp, text, quote):
    assert quote in [f.text for f in hypecheck.check(text, nlp=nlp).findings]
