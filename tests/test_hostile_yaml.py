"""Hostile rule packs and settings files are refused with file and line, and never hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SPARKLE_RULE, run_cli, write_tree

from hypecheck.config import command_defaults
from hypecheck.errors import RuleFileError
from hypecheck.ruleset import MAX_ALIAS_EXPANSION, load_ruleset, read_yaml

GOOD = SPARKLE_RULE
LAUGHS = "".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)


def pack(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return write_tree(tmp_path / "pack", files)


def refused(tmp_path: Path, files: dict[str, str | bytes]) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([pack(tmp_path, files)])
    return caught.value


def test_billion_laughs_rule_file_is_refused_with_its_line(tmp_path):
    error = refused(tmp_path, {"hype/sparkle.yml": GOOD + LAUGHS})
    assert "aliases expand" in error.problem and error.path.endswith("sparkle.yml")
    assert error.rule == "hype.sparkle" and error.line and error.line > 10


@pytest.mark.parametrize("name", ["terms/laughs.yml", "notes/laughs.yml", "context.yml", "verdict.yml"])
def test_billion_laughs_in_any_pack_file(tmp_path, name):
    error = refused(tmp_path, {name: LAUGHS})
    assert "aliases expand" in error.problem and error.path.endswith(Path(name).name)


def test_billion_laughs_settings_file(tmp_path):
    settings = tmp_path / ".hypecheck.yml"
    settings.write_text("select: [disease]\n" + LAUGHS, encoding="utf-8")
    with pytest.raises(RuleFileError, match="aliases expand"):
        command_defaults(settings)
    result = run_cli("check", "-", stdin="Exosomes treat acne.", cwd=tmp_path)
    assert result.returncode == 2 and b".hypecheck.yml" in result.stderr and b"aliases" in result.stderr


def test_alias_loop_and_modest_aliases(tmp_path):
    loop = tmp_path / "loop.yml"
    loop.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="loop"):
        read_yaml(loop)
    fine = tmp_path / "fine.yml"
    fine.write_text("x: &x {k: [1, 2]}\ny: *x\nz:\n  <<: *x\n  j: 3\n", encoding="utf-8")
    assert read_yaml(fine)[0] == {"x": {"k": [1, 2]}, "y": {"k": [1, 2]}, "z": {"k": [1, 2], "j": 3}}
    wide = tmp_path / "wide.yml"
    wide.write_text("a: &a [" + ", ".join(["w"] * 100) + "]\nb: [" + ", ".join(["*a"] * 99) + "]\n")
    assert MAX_ALIAS_EXPANSION >= 99 * 100 and len(read_yaml(wide)[0]["b"]) == 99


MALFORMED = {
    "tab indentation": "id: hype.sparkle\nmatch:\n\t- x\n",
    "python tag": "id: hype.sparkle\nx: !!python/object/apply:os.system [echo hi]\n",
    "deep nesting": "id: hype.sparkle\nx: " + "[" * 5000 + "]" * 5000 + "\n",
    "unclosed quote": 'id: hype.sparkle\nmessage: "never closed\n',
    "two documents": "id: hype.sparkle\n---\nid: hype.other\n",
    "not a mapping": "- a list\n- not a rule\n",
    "wrong types": GOOD.replace("severity: low", "severity: [low]"),
    "boolean keys": GOOD + "on: push\njobs: {}\n",
    "number id": GOOD.replace("id: hype.sparkle", "id: 12"),
    "empty file": "",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_rule_files_are_refused_with_file(tmp_path, kind):
    error = refused(tmp_path, {"hype/sparkle.yml": MALFORMED[kind]})
    assert error.path.endswith("sparkle.yml")


def test_non_utf8_and_huge_rule_files(tmp_path):
    error = refused(tmp_path, {"hype/sparkle.yml": GOOD.encode() + b"\xff\xfe\n"})
    assert "cannot read" in error.problem
    error = refused(tmp_path / "b", {"hype/sparkle.yml": GOOD + "# pad\n" * 400_000})
    assert "larger than" in error.problem


def test_unknown_boolean_key_names_the_keys(tmp_path):
    error = refused(tmp_path, {"hype/sparkle.yml": GOOD + "on: push\nyes: 1\n"})
    assert "unknown key" in error.problem and "True" in error.problem


def test_match_everything_pattern_is_refused(tmp_path):
    text = GOOD.replace("  - all: [$actives, [sparkle, sparkles, sparkling]]\n", '  - pattern: [{OP: "*"}]\n')
    error = refused(tmp_path, {"hype/sparkle.yml": text})
    assert "matches anywhere" in error.problem and error.line == 8
    text = GOOD.replace("  - all: [$actives, [sparkle, sparkles, sparkling]]\n", "  - pattern: [{}, {}]\n")
    assert "matches anywhere" in refused(tmp_path / "b", {"hype/sparkle.yml": text}).problem


def test_bad_token_pattern_names_its_line(tmp_path):
    from hypecheck.pipeline import build_nlp

    text = GOOD.replace(
        "  - all: [$actives, [sparkle, sparkles, sparkling]]\n",
        "  - phrases: [sparkle]\n  - pattern: [{LOWER: sparkle, BOGUS: 1}]\n",
    )
    with pytest.raises(RuleFileError) as caught:
        build_nlp([pack(tmp_path, {"hype/sparkle.yml": text})])
    assert caught.value.line == 9


def test_top_level_rule_file_is_not_ignored(tmp_path):
    error = refused(tmp_path, {"sparkle.yml": GOOD})
    assert "belongs in a folder" in error.problem


def test_hidden_folders_in_a_pack_are_skipped(tmp_path):
    root = pack(tmp_path, {"hype/sparkle.yml": GOOD, ".github/workflows/ci.yml": "on: push\njobs: {a: 1}\n"})
    assert "hype.sparkle" in load_ruleset([root]).rules


@pytest.mark.parametrize("text", ["rules: 5\n", "select: {a: 1}\n", "builtin: maybe\n", "[1, 2]\n", "fail_on: 3\n"])
def test_settings_with_wrong_types_are_refused(tmp_path, text):
    settings = tmp_path / ".hypecheck.yml"
    settings.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        command_defaults(settings)
    assert caught.value.path.endswith(".hypecheck.yml")
