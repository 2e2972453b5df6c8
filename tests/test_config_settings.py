"""One settings file for every command: .hypecheck.yml or [tool.hypecheck] in pyproject.toml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

from conftest import ROOT, run_cli, sparkle_rule

from hypecheck.config import APPLIES, KEYS


def _team(tmp_path, settings: str, *, broken_example: bool = False):
    (tmp_path / "team" / "hype").mkdir(parents=True)
    example = "Exosomes sparkle." if broken_example else "A light gel."
    rule = sparkle_rule(severity="medium", passes=f"A sparkling water., Plain serum., {example}")
    (tmp_path / "team" / "hype" / "sparkle.yml").write_text(rule, encoding="utf-8")
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "ad.txt").write_text("Our exosomes sparkle. It treats acne.\n", encoding="utf-8")
    (tmp_path / ".hypecheck.yml").write_text(settings, encoding="utf-8")
    return tmp_path / "copy"


def test_rules_as_a_string_reach_check_and_rules_test(tmp_path):
    copy = _team(tmp_path, "rules: team\nselect: hype\n", broken_example=True)
    report = json.loads(run_cli("check", "ad.txt", "--format", "json", cwd=copy).stdout)
    assert [f["rule"] for f in report["findings"]] == ["hype.sparkle"]
    tested = run_cli("rules", "test", cwd=copy)
    assert tested.returncode == 1 and b"False positive against hype.sparkle: 'Exosomes sparkle.'" in tested.stdout


def test_batch_takes_fail_on_from_the_settings(tmp_path):
    copy = _team(tmp_path, "fail_on: medium\n")
    (copy / "in.jsonl").write_text(json.dumps({"id": 1, "text": "It treats acne."}) + "\n", encoding="utf-8")
    assert run_cli("batch", "in.jsonl", cwd=copy).returncode == 1
    assert run_cli("batch", "in.jsonl", "--fail-on", "never", cwd=copy).returncode == 0


def test_evaluate_takes_the_selection_from_the_settings(tmp_path):
    copy = _team(tmp_path, "rules: [team]\nbuiltin: false\n")
    gold = copy / "gold.jsonl"
    gold.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in [
                {"id": "a", "text": "Our exosomes sparkle.", "labels": ["hype"]},
                {"id": "b", "text": "It treats acne.", "labels": ["disease"]},
            ]
        ),
        encoding="utf-8",
    )
    result = json.loads(run_cli("evaluate", "gold.jsonl", "--format", "json", cwd=copy).stdout)
    assert result["categories"]["hype"]["tp"] == 1 and result["categories"]["disease"]["fn"] == 1


def test_pyproject_table_works_and_its_errors_name_file_and_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.hypecheck]\nselect = "hype"\nfail-on = "high"\n', encoding="utf-8"
    )
    (tmp_path / "ad.txt").write_text("A revolutionary serum that treats acne.\n", encoding="utf-8")
    result = run_cli("check", "ad.txt", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0 and [f["category"] for f in json.loads(result.stdout)["findings"]] == ["hype"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.hypecheck]\nselect = ["hype"]\nfail-on = "sometimes"\n', encoding="utf-8"
    )
    broken = run_cli("check", "ad.txt", cwd=tmp_path)
    assert broken.returncode == 2
    assert b"pyproject.toml:3: tool.hypecheck.fail-on: needs one of low, medium, high, never" in broken.stderr


def test_yaml_errors_name_file_line_and_key(tmp_path):
    (tmp_path / ".hypecheck.yml").write_text("select: [hype]\nmin_confidence: 2\n", encoding="utf-8")
    result = run_cli("rules", "list", cwd=tmp_path)
    assert result.returncode == 2 and b".hypecheck.yml:2: min_confidence: needs a number from 0 to 1" in result.stderr


def test_serve_uses_the_settings_rules(tmp_path):
    copy = _team(tmp_path, "rules: team\nselect: [hype]\n")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "hypecheck", "serve", "--port", "0"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = server.stdout.readline().decode("utf-8")
        url = line.split(" serving on ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url + "api/rules", timeout=60) as response:
            rules = json.load(response)
        ids = {r["id"] for r in (rules["rules"] if isinstance(rules, dict) else rules)}
        assert "hype.sparkle" in ids and not any(i.startswith("disease.") for i in ids)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_setting_is_documented_with_the_commands_it_reaches():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| setting | check | batch |", 1)[1].split("\n\n", 1)[0]
    assert set(APPLIES) == KEYS
    for key in KEYS:
        assert f"\n{key}:" in readme and f"`{key}`" in table, key
