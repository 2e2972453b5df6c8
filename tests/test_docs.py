"""The README stays true: its commands exist and its example rule works."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml
from conftest import ROOT, run_cli

from hypecheck.config import KEYS
from hypecheck.pipeline import build_nlp
from hypecheck.ruleset import load_ruleset
from hypecheck.ruletest import rule_failures

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_setup_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "bash dev.sh serve" in first_block and "bash dev.sh test" in first_block
    assert "bash dev.sh test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_documented_command_exists():
    commands = set()
    shell = "\n".join(block.split("```", 1)[0] for block in README.split("```sh")[1:])
    for line in re.findall(r"^(?:cat \S+ \| )?hypecheck ([a-z]+(?: [a-z]+)?)", shell, flags=re.M):
        words = line.split()
        commands.add(tuple(words[:2]) if words[0] == "rules" and len(words) > 1 else (words[0],))
    assert ("check",) in commands and ("batch",) in commands and ("rules", "test") in commands
    for command in sorted(commands):
        result = run_cli(*command, "--help")
        assert result.returncode == 0, f"hypecheck {' '.join(command)} --help failed"


def test_the_example_rule_in_the_readme_loads_and_passes_its_examples(tmp_path):
    block = README.split("## Writing a rule", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    rule = yaml.safe_load(block)
    category, name = rule["id"].split(".")
    (tmp_path / category).mkdir()
    (tmp_path / category / f"{name}.yml").write_text(block, encoding="utf-8")
    ruleset = load_ruleset([tmp_path], builtin=False)
    assert rule["id"] in ruleset.rules
    nlp = build_nlp([tmp_path], builtin=False)
    assert rule_failures(nlp, ruleset.rules[rule["id"]]) == []


def test_the_generated_references_are_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "generate.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_rules_list_markdown_is_the_rule_reference(tmp_path):
    result = run_cli("rules", "list", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in load_ruleset([], builtin=True).rules:
        assert f"### `{rule}`" in result.stdout.decode("utf-8")


def test_every_setting_is_documented():
    for key in KEYS:
        assert f"`{key}" in README or f"{key}:" in README, f"setting {key} is not in the README"
