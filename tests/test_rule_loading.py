"""Malformed rule packs stop with an error naming the file, the rule and the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SPARKLE_MATCH, sparkle_rule

from hypecheck.errors import RuleFileError
from hypecheck.pipeline import build_nlp
from hypecheck.ruleset import load_ruleset

GOOD = sparkle_rule(match=SPARKLE_MATCH + "\n    within: 3")


def with_match(match: str) -> str:
    """GOOD with its match block replaced."""
    return GOOD.replace("  - all: [$actives, [sparkle, sparkles, sparkling]]\n    within: 3\n", match)


def write_rule(tmp_path: Path, text: str, name: str = "sparkle.yml", category: str = "hype") -> Path:
    folder = tmp_path / "pack" / category
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return tmp_path / "pack"


def load_error(pack: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_ruleset([pack])
    return info.value


def test_user_pack_adds_a_rule_that_matches(tmp_path):
    nlp = build_nlp([write_rule(tmp_path, GOOD)])
    doc = nlp("Our exosomes sparkle all day.")
    labels = [s.label_ for s in doc.spans["hypecheck"]]
    assert "hype.sparkle" in labels


def test_malformed_yaml_names_file_rule_and_line(tmp_path):
    broken = GOOD.replace("severity: low", "severity: [low")
    error = load_error(write_rule(tmp_path, broken))
    assert "sparkle.yml" in str(error) and error.rule == "hype.sparkle"
    assert error.line is not None and error.line >= 3


def test_unknown_key_is_rejected_with_allowed_keys(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD + "colour: red\n"))
    assert "colour" in str(error) and "allowed keys" in str(error)
    assert error.rule == "hype.sparkle" and error.line == 13


def test_missing_field_is_named(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD.replace("severity: low\n", "")))
    assert "severity" in str(error) and error.rule == "hype.sparkle"


def test_bad_enum_value(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD.replace("severity: low", "severity: extreme")))
    assert "extreme" in str(error) and error.line == 3


def test_unknown_term_list(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD.replace("$actives", "$no_such_list")))
    assert "$no_such_list" in str(error) and error.rule == "hype.sparkle"


def test_unknown_note(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD.replace("us.ftc-act-deceptive-advertising", "us.made-up")))
    assert "us.made-up" in str(error)


def test_id_must_match_file_name(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD, name="glitter.yml"))
    assert "glitter.yml" in str(error) and "sparkle" in str(error)


def test_bare_no_gets_a_quoting_hint(tmp_path):
    error = load_error(write_rule(tmp_path, GOOD.replace("[sparkle, sparkles, sparkling]", "[no, sparkle]")))
    assert "quotes" in str(error)


def test_bad_token_pattern(tmp_path):
    text = with_match("  - pattern: [{LOWERR: sparkle}]\n")
    with pytest.raises(RuleFileError) as info:
        build_nlp([write_rule(tmp_path, text)])
    assert "token pattern" in str(info.value) and info.value.rule == "hype.sparkle"


def test_yaml_cannot_execute_code(tmp_path):
    evil = GOOD.replace("severity: low", "severity: !!python/object/apply:os.system ['echo pwned']")
    error = load_error(write_rule(tmp_path, evil))
    assert "malformed YAML" in str(error)


def test_duplicate_rule_id(tmp_path):
    pack = write_rule(tmp_path, GOOD)
    (pack / "hype" / "copy").mkdir()
    (pack / "hype" / "copy" / "sparkle.yml").write_text(GOOD, encoding="utf-8")
    assert "duplicate" in str(load_error(pack))


def test_editing_a_rule_invalidates_the_compiled_cache(tmp_path):
    pack = write_rule(tmp_path, GOOD)
    doc = build_nlp([pack])("Our exosomes sparkle.")
    assert [s.label_ for s in doc.spans["hypecheck"]] == ["hype.sparkle"]
    rule = pack / "hype" / "sparkle.yml"
    rule.write_text(GOOD.replace("[sparkle, sparkles, sparkling]", "[glitter, glitters, sparkly]"), encoding="utf-8")
    os.utime(rule, ns=(rule.stat().st_atime_ns, rule.stat().st_mtime_ns + 10_000_000))
    doc = build_nlp([pack])("Our exosomes sparkle. Our exosomes glitter.")
    assert [s.text for s in doc.spans["hypecheck"]] == ["exosomes glitter"]


def test_token_pattern_rule_matches_and_honours_unless(tmp_path):
    text = with_match('  - pattern: [{LOWER: "atp"}, {LOWER: "production"}]\nunless: [in mice]\n')
    nlp = build_nlp([write_rule(tmp_path, text)], builtin=False)
    found = nlp("Boosts ATP production. In mice, it boosted ATP production.")
    assert [(s.label_, s.text) for s in found.spans["hypecheck"]] == [("hype.sparkle", "ATP production")]


def test_within_can_be_set_per_gap(tmp_path):
    text = with_match("  - all: [$actives, [sparkle, sparkles], [tonight]]\n    within: [0, 4]\n")
    nlp = build_nlp([write_rule(tmp_path, text)], builtin=False)
    doc = nlp("Exosomes sparkle all over tonight. Exosomes really sparkle tonight.")
    hits = [s.text for s in doc.spans["hypecheck"]]
    assert hits == ["Exosomes sparkle all over tonight"]


def test_within_list_needs_one_gap_per_pair(tmp_path):
    text = GOOD.replace("    within: 3\n", "    within: [1, 2]\n")
    error = load_error(write_rule(tmp_path, text))
    assert "one gap per pair" in str(error) and error.rule == "hype.sparkle"


def test_number_detector_in_a_user_rule(tmp_path):
    text = GOOD.replace("[sparkle, sparkles, sparkling]]", "$number, [sparkles]]")
    text = text.replace(
        "flag: [Exosomes sparkle in your skin., Our stem cell sparkles.]",
        "flag: [Exosomes with 150+ sparkles., Stem cells and five sparkles.]",
    )
    text = text.replace("    within: 3\n", "    within: 4\n")
    pack = write_rule(tmp_path, text)
    nlp = build_nlp([pack], builtin=False)
    doc = nlp("Exosomes with 150+ sparkles. Exosomes with sparkles.")
    assert [s.text for s in doc.spans["hypecheck"]] == ["Exosomes with 150+ sparkles"]


def test_unquoted_hash_in_an_example_is_reported(tmp_path):
    items = "  flag:\n    - Exosomes sparkle in your skin.\n    - Voted the #1 serum where stem cells sparkle."
    text = GOOD.replace("  flag: [Exosomes sparkle in your skin., Our stem cell sparkles.]", items)
    error = load_error(write_rule(tmp_path, text))
    assert "quotes" in str(error) and error.line == 13
