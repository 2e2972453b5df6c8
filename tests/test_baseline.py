"""Baselines: adopt hypecheck on an existing site, then fail only on new claims."""

from __future__ import annotations

import json

from conftest import run_cli

PAGE = "# Exosome serum\n\nOur serum treats acne.\n\nEach vial holds 10 billion exosomes.\n\nA light daily gel.\n"


def _site(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "serum.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pages" / "about.md").write_text("We are a clinic in town. It cures eczema.\n", encoding="utf-8")
    adopt = run_cli("check", "pages", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert adopt.returncode == 0 and b"wrote 3 finding(s) of 2 file(s)" in adopt.stderr
    return tmp_path


def test_baseline_records_fingerprints_not_offsets(tmp_path):
    site = _site(tmp_path)
    data = json.loads((site / "baseline.json").read_text(encoding="utf-8"))
    assert data["hypecheck_baseline"] == 1
    assert {(e["source"], e["rule"]) for e in data["findings"]} == {
        ("pages/serum.md", "disease.treats-condition"),
        ("pages/serum.md", "dose.active-count"),
        ("pages/about.md", "disease.treats-condition"),
    }
    assert all(set(e) == {"source", "rule", "text", "fingerprint"} for e in data["findings"])


def test_unrelated_edits_and_moved_lines_keep_the_baseline_green(tmp_path):
    site = _site(tmp_path)
    moved = (
        "# Exosome serum, now with a longer title\n\nNew intro paragraph about texture.\n\n"
        "Each vial holds 10 billion exosomes.\n\nA light daily gel.\n\nOur serum treats acne.\n"
    )
    (site / "pages" / "serum.md").write_text(moved, encoding="utf-8")
    result = run_cli("check", "pages", "--baseline", "baseline.json", cwd=site)
    assert result.returncode == 0, result.stdout
    assert b"0 new, 3 unchanged, 0 fixed since" in result.stderr
    assert b"2 finding(s) in the baseline not shown" in result.stdout  # serum.md; about.md has 1
    assert b"treats acne" not in result.stdout


def test_a_new_claim_fails_and_a_removed_one_is_reported_fixed(tmp_path):
    site = _site(tmp_path)
    (site / "pages" / "serum.md").write_text(
        PAGE.replace("Our serum treats acne.", "Our serum treats acne. Our serum treats acne."), encoding="utf-8"
    )
    (site / "pages" / "about.md").write_text("We are a clinic in town.\n", encoding="utf-8")
    result = run_cli("check", "pages", "--baseline", "baseline.json", "--format", "json", cwd=site)
    assert result.returncode == 1
    assert b"1 new, 2 unchanged, 1 fixed since" in result.stderr
    assert b"fixed: pages/about.md disease.treats-condition" in result.stderr
    serum = next(r for r in json.loads(result.stdout) if r["source"].endswith("serum.md"))
    assert sorted(f["baseline"] for f in serum["findings"]) == ["new", "unchanged", "unchanged"]


def test_checking_a_subset_does_not_report_the_rest_as_fixed(tmp_path):
    site = _site(tmp_path)
    result = run_cli("check", "pages/about.md", "--baseline", "baseline.json", "--format", "sarif", cwd=site)
    assert result.returncode == 0 and b"0 new, 1 unchanged, 0 fixed since" in result.stderr
    run = json.loads(result.stdout)["runs"][0]
    assert [r["baselineState"] for r in run["results"]] == ["unchanged"]
    assert run["invocations"][0]["properties"]["baseline"] == {"new": 0, "unchanged": 1, "fixed": 0}


def test_a_broken_baseline_is_an_input_error(tmp_path):
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    result = run_cli("check", "-", "--baseline", "b.json", stdin="Our serum treats acne.", cwd=tmp_path)
    assert result.returncode == 2 and b"b.json:1: the baseline is not JSON" in result.stderr
