"""Suppression with a reason: accepted findings stay in the output, marked, and stop failing the run."""

from __future__ import annotations

import json

from conftest import run_cli

import hypecheck
from hypecheck.suppress import apply_record

COPY = (
    "Each vial holds 10 billion exosomes. hypecheck: ignore[dose.active-count] reason: lab certificate linked below\n"
    "\n"
    "<!-- hypecheck: ignore[disease] reason: quoting the warning letter we received -->\n"
    "\n"
    "Our serum treats acne.\n"
    "hypecheck: disable[regulatory, safety] reason: the regulator's own wording, quoted in full\n"
    "The label said FDA-approved exosomes with no side effects.\n"
    "hypecheck: enable\n"
)


def _findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


def test_every_marker_form_suppresses_with_its_reason_and_the_run_passes():
    result = run_cli("check", "-", "--format", "json", stdin=COPY)
    findings = _findings(result)
    assert result.returncode == 0, result.stderr
    assert {f["category"] for f in findings} >= {"dose", "disease", "regulatory", "safety"}
    reasons = {f["category"]: f["suppression"]["reason"] for f in findings}
    assert reasons["dose"] == "lab certificate linked below"
    assert reasons["disease"] == "quoting the warning letter we received"
    assert reasons["regulatory"] == reasons["safety"] == "the regulator's own wording, quoted in full"
    assert all(f["suppression"]["kind"] == "inSource" for f in findings)


def test_the_same_claims_without_markers_fail():
    plain = (
        "Each vial holds 10 billion exosomes.\nOur serum treats acne.\n"
        "The label said FDA-approved exosomes with no side effects.\n"
    )
    result = run_cli("check", "-", "--format", "json", stdin=plain)
    assert result.returncode == 1 and all("suppression" not in f for f in _findings(result))


def test_a_marker_without_a_reason_suppresses_nothing_and_is_reported():
    text = "Our serum treats acne. hypecheck: ignore[disease]\n"
    result = run_cli("check", "-", "--format", "json", stdin=text)
    assert result.returncode == 1
    assert "suppression" not in _findings(result)[0]
    notices = json.loads(result.stdout)["suppression_notices"]
    assert notices[0]["line"] == 1 and "give a reason" in notices[0]["message"]
    assert b"<stdin>:1: suppression ignored: give a reason" in result.stderr


def test_a_category_prefix_covers_its_rules_but_not_others_and_typos_are_reported():
    text = (
        "hypecheck: ignore[dose] reason: certificate on file\n"
        "Our serum treats acne with 10 billion exosomes.\n"
        "It cures eczema. hypecheck: ignore[disease.treats-conditon] reason: typo in the id\n"
    )
    result = run_cli("check", "-", "--format", "json", stdin=text)
    by_category = {f["category"]: f for f in _findings(result)}
    assert "suppression" in by_category["dose"] and "suppression" not in by_category["disease"]
    assert result.returncode == 1
    assert b"disease.treats-conditon matches no loaded rule" in result.stderr


def test_html_comment_covers_the_next_element_only(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>FDA-approved exosomes.</p>"
        "<!-- hypecheck: ignore[regulatory] reason: the approval letter is linked below -->"
        "<p>Our stem cells are FDA approved.</p></body></html>",
        encoding="utf-8",
    )
    findings = _findings(run_cli("check", str(page), "--format", "json"))
    regulatory = [f for f in findings if f["category"] == "regulatory"]
    assert len(regulatory) == 2
    assert "suppression" not in regulatory[0] and regulatory[1]["suppression"]["reason"].startswith("the approval")


def test_text_output_lists_suppressed_findings_with_the_reason():
    result = run_cli("check", "-", stdin=COPY)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0
    assert "suppressed  \u201c10 billion exosomes\u201d  [dose.active-count]  reason: lab certificate" in out


def test_per_record_field_for_batch(nlp):
    report = hypecheck.check("Our serum treats acne with 10 billion exosomes.", nlp=nlp)
    marked, notices = apply_record(report, "dose reason: certificate in the listing", known=["dose.active-count"])
    assert notices == []
    assert {f.category: f.suppression and f.suppression["kind"] for f in marked.findings} == {
        "disease": None,
        "dose": "external",
    }
    same, _ = apply_record(report, [{"rules": ["dose"], "reason": "certificate"}])
    assert [f.suppression is not None for f in same.findings] == [f.suppression is not None for f in marked.findings]
    unmarked, notices = apply_record(report, "ignore[dose]")
    assert all(f.suppression is None for f in unmarked.findings) and "give a reason" in notices[0].message
