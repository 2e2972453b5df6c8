"""Every rule is tested by its own examples; every rule has examples and notes."""

from __future__ import annotations

import pytest

from hypecheck.ruleset import load_ruleset
from hypecheck.ruletest import rule_failures

RULESET = load_ruleset()
RULES = sorted(RULESET.rules.values(), key=lambda r: r.id)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(nlp, rule):
    failures = rule_failures(nlp, rule)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_examples_both_ways(rule):
    assert len(rule.flag_examples) >= 2, f"{rule.id} needs at least two 'flag' examples"
    assert len(rule.pass_examples) >= 2, f"{rule.id} needs at least two 'pass' examples"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_cites_regulatory_and_evidence_notes(rule):
    kinds = {RULESET.notes[n]["kind"] for n in rule.notes}
    assert kinds == {"regulatory", "evidence"}, f"{rule.id} must name at least one regulatory and one evidence note"


def test_every_category_has_rules():
    categories = {r.category for r in RULES}
    assert categories >= {"disease", "drug_like", "dose", "regulatory", "evidence", "safety", "hype", "provenance"}


def test_every_jurisdiction_covers_every_category():
    covered = {
        (n["jurisdiction"], c) for n in RULESET.notes.values() if n["kind"] == "regulatory" for c in n["applies_to"]
    }
    for code in ("us", "eu", "uk", "in", "kr", "jp", "ca", "au"):
        for category in ("disease", "drug_like", "dose", "regulatory", "evidence", "safety", "hype"):
            assert (code, category) in covered, f"no {code} regulatory note applies to {category}"


def test_notes_have_sources():
    for note in RULESET.notes.values():
        if note["kind"] == "regulatory":
            assert note["url"].startswith("http"), note["id"]
        else:
            assert note["sources"] and all(s["reference"] for s in note["sources"]), note["id"]
