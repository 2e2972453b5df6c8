"""evaluate on a team's own labelled listings: figures to trust, problems named by line."""

from __future__ import annotations

import json

from conftest import run_cli

ROWS = [
    {"id": "a", "text": "Our serum treats acne.", "labels": ["disease"]},
    {"id": "b", "text": "Each vial holds 10 billion exosomes.", "labels": ["dose"]},
    {"id": "c", "text": "A light daily gel.", "labels": []},
    {"id": "d", "text": "Skin looks smoother.", "labels": []},
]


def _gold(tmp_path, extra_lines=()):
    lines = [json.dumps(r) for r in ROWS] + list(extra_lines)
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_output_averages_only_categories_with_gold_examples(tmp_path):
    result = run_cli("evaluate", str(_gold(tmp_path)), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["macro_categories"] == ["disease", "dose"]
    assert set(data["excluded_from_macro"]) == {"drug_like", "regulatory", "evidence", "safety", "hype"}
    assert data["macro_f1"] == 1.0 and data["false_alarm_rate"] == 0.0 and data["snippets"] == 4
    assert data["categories"]["disease"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 1,
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    assert data["problems"] == []


def test_malformed_lines_duplicates_and_unknown_labels_are_reported_by_line(tmp_path):
    extra = [
        "{not json",
        json.dumps({"id": "a", "text": "It cures eczema.", "labels": ["disease"]}),
        json.dumps({"id": "e", "text": "It heals psoriasis.", "labels": ["disease", "miracle"]}),
        json.dumps({"text": "no id"}),
        json.dumps(["a", "list"]),
    ]
    result = run_cli("evaluate", str(_gold(tmp_path, extra)), "--format", "json")
    data = json.loads(result.stdout)
    problems = {p["line"]: p for p in data["problems"]}
    assert sorted(problems) == [5, 6, 7, 8, 9]
    assert "not JSON" in problems[5]["problem"]
    assert problems[6]["id"] == "a" and "duplicate id (first on line 1)" in problems[6]["problem"]
    assert "unknown label 'miracle' dropped" in problems[7]["problem"]
    assert 'needs an "id"' in problems[8]["problem"] and "not a JSON object" in problems[9]["problem"]
    assert data["snippets"] == 5  # the four rows and "e"; the bad lines cost only themselves
    assert b"5 problem(s)" in result.stderr


def test_text_output_names_the_excluded_categories_and_problems(tmp_path):
    out = run_cli("evaluate", str(_gold(tmp_path, ["{oops"]))).stdout.decode("utf-8")
    assert (
        "macro F1 1.000 over 2 categories (no gold examples, left out: drug_like, regulatory, evidence, "
        "safety, hype)" in out
    )
    assert "line 5: not JSON" in out


def test_selection_options_match_check(tmp_path):
    gold = _gold(tmp_path)
    data = json.loads(run_cli("evaluate", str(gold), "--format", "json", "--select", "dose").stdout)
    assert data["categories"]["disease"]["fn"] == 1 and data["categories"]["dose"]["tp"] == 1
    hedged = tmp_path / "hedged.jsonl"
    hedged.write_text(
        json.dumps({"id": "q", "text": "Some clinics claim exosomes treat acne.", "labels": []}) + "\n",
        encoding="utf-8",
    )
    default = json.loads(run_cli("evaluate", str(hedged), "--format", "json").stdout)
    everything = json.loads(run_cli("evaluate", str(hedged), "--format", "json", "--min-confidence", "0").stdout)
    assert default["false_alarm_rate"] == 0.0 and everything["false_alarm_rate"] == 1.0
