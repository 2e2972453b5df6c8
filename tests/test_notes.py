"""Notes a journalist can quote: every confirmed note carries its check record, and none overstates the law."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hypecheck.errors import RuleFileError
from hypecheck.ruleset import load_ruleset

NOTES = load_ruleset().notes

CHECK = {
    "url": "https://example.org/primary-text",
    "version": "consolidated 2024-01-01",
    "checked": "2026-12-01",
    "pinpoints": [{"claim": "first sentence", "passage": "Art. 1(1)"}],
}

NOTE = """\
id: us.test-note
kind: regulatory
jurisdiction: us
authority: Test authority
instrument: Test Act, section 1
title: A test note
summary: A rule that says what the test rule requires, in one sentence.
url: https://example.org/primary-text
checked: 2026-12-01
confirmed: {confirmed}
applies_to: [regulatory]
{verification}"""


def verification_yaml(record: dict | None) -> str:
    if record is None:
        return ""
    lines = ["verification:"]
    for key, value in record.items():
        if key == "pinpoints":
            lines.append("  pinpoints:")
            lines += [f'    - {{claim: {p["claim"]}, passage: "{p["passage"]}"}}' for p in value]
        else:
            lines.append(f'  {key}: "{value}"')
    return "\n".join(lines) + "\n"


def load_note(tmp_path: Path, confirmed: bool, record: dict | None):
    folder = tmp_path / "pack" / "notes"
    folder.mkdir(parents=True)
    text = NOTE.format(confirmed=str(confirmed).lower(), verification=verification_yaml(record))
    (folder / "test-note.yml").write_text(text, encoding="utf-8")
    return load_ruleset([tmp_path / "pack"], builtin=False).notes["us.test-note"]


# --- the schema enforces the check record -------------------------------------------------------


def test_confirmed_note_with_check_record_loads(tmp_path):
    note = load_note(tmp_path, True, CHECK)
    assert note["verification"]["pinpoints"][0]["passage"] == "Art. 1(1)"


def test_unconfirmed_note_needs_no_check_record(tmp_path):
    assert load_note(tmp_path, False, None)["confirmed"] is False


@pytest.mark.parametrize("missing", ["url", "checked", "pinpoints"])
def test_confirmed_note_without_part_of_check_record_is_refused(tmp_path, missing):
    record = {k: v for k, v in CHECK.items() if k != missing}
    with pytest.raises(RuleFileError, match=missing):
        load_note(tmp_path, True, record)


def test_confirmed_note_without_check_record_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="verification"):
        load_note(tmp_path, True, None)


def test_confirmed_note_with_no_pinpoint_is_refused(tmp_path):
    with pytest.raises(RuleFileError):
        load_note(tmp_path, True, {**CHECK, "pinpoints": []})


def test_unknown_key_in_check_record_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="unknown key"):
        load_note(tmp_path, False, {"checked": "2026-12-01", "verified_by": "someone"})


# --- the built-in notes -------------------------------------------------------------------------


@pytest.mark.parametrize("note_id", sorted(NOTES))
def test_every_note_has_a_check_record(note_id):
    note = NOTES[note_id]
    record = note.get("verification")
    assert record, f"{note_id}: no verification record"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["checked"])
    if note["confirmed"]:
        assert record.get("url") and record.get("pinpoints"), f"{note_id}: confirmed without url and pinpoints"
    else:
        assert record.get("unconfirmed"), f"{note_id}: unconfirmed notes say what could not be checked"


# Style rule (CONTRIBUTING, "Adding a note"): a note says what the rule requires and what regulators have
# done; it states no conclusion about a class of products as settled law. These phrasings did so.
ABSOLUTE_LEGAL = [
    r"\bis a criminal offence\b",
    r"\bcannot lawfully\b",
    r"\bbreaches these rules\b",
    r"\bis legally a drug\b",
    r"\bis therefore not a lawful\b",
    r"\bwhich this article forbids\b",
    r"\bare prohibited claims\b",
    r"\bis a drug claim\b",
]
OVERGENERAL = [
    r"\ball (?:the )?(?:human )?trials\b",
    r"\bthe human trials that report benefits\b",
    r"\bevery (?:study|trial)\b",
]


@pytest.mark.parametrize("note_id", sorted(NOTES))
def test_no_absolute_legal_conclusion(note_id):
    text = " ".join(NOTES[note_id]["summary"].split())
    for pattern in ABSOLUTE_LEGAL + OVERGENERAL:
        assert not re.search(pattern, text, re.I), f"{note_id}: {pattern!r} in summary"


@pytest.mark.parametrize("note_id", sorted(n for n in NOTES if NOTES[n]["kind"] == "evidence"))
def test_evidence_grade_explained_in_one_line(note_id):
    note = NOTES[note_id]
    reason = note.get("grade_reason", "")
    assert reason.startswith(note["grade"] + ":"), f"{note_id}: grade_reason must start with the grade"
    assert "\n" not in reason and len(reason) <= 240


def test_issue_13_corrections_stay_made():
    au = NOTES["au.tg-act-restricted-prohibited-representations"]
    assert "42DL(1)(a)" not in au["instrument"] and "(12)" in au["instrument"]
    uk = NOTES["uk.human-medicines-regulations-advertising"]
    assert "/made/" not in uk["url"] and "2020" in uk["instrument"]
    eu = NOTES["eu.ucpd-blacklist-cure-approval"]
    assert "covers cosmetics" not in eu["summary"] and "2021" in eu["instrument"]
    penetration = " ".join(NOTES["evidence.topical-penetration"]["summary"].split())
    assert "twice daily" in penetration
