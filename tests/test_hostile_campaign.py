"""The hostile-input campaign through the command line: malformed rule packs and settings files.

Every kind is refused the way a user meets it: ``hypecheck check`` in a subprocess
exits 2 within its timeout, prints one error naming the file (and the rule and
line where there is one), and never a traceback.  tests/test_hostile_yaml.py and
tests/test_rule_loading.py hold the loader-level checks of the same classes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from conftest import SPARKLE_RULE, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hypecheck

GOOD = SPARKLE_RULE
MATCH = "  - all: [$actives, [sparkle, sparkles, sparkling]]\n"
LAUGHS = "".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)
DEEP = "[" * 5000 + "]" * 5000

# kind -> (rule file content, a fragment the error must hold, the line it must name: None no line, 0 any line)
RULE_FILES: dict[str, tuple[str | bytes, str, int | None]] = {
    "billion laughs": (GOOD + LAUGHS, "aliases expand", 0),
    "python object tag": (
        GOOD.replace("severity: low", "severity: !!python/object/apply:os.system [id]"),
        "malformed YAML",
        3,
    ),
    "deep nesting": (GOOD + "extra: " + DEEP + "\n", "", None),
    "huge file": (GOOD + "# pad\n" * 400_000, "larger than", None),
    "non-UTF-8": (GOOD.encode() + b"message2: \xff\xfe\n", "cannot read", None),
    "NUL byte": (GOOD.replace("Plain serum.", "Plain\x00serum."), "", None),
    "unknown key": (GOOD + "colour: red\n", "unknown key 'colour'", 12),
    "boolean keys": (GOOD + "on: push\nyes: 1\n", "unknown key", None),
    "empty file": ("", "", None),
    "a list where the rule belongs": ("- id: hype.sparkle\n- category: hype\n", "", None),
    "a string where match belongs": (
        GOOD.replace(MATCH, "  sparkle everything\n").replace("match:\n", "match:"),
        "match",
        None,
    ),
    "wrong type": (GOOD.replace("severity: low", "severity: [low]"), "severity", 3),
    "bad enum": (GOOD.replace("severity: low", "severity: extreme"), "extreme", 3),
    "bad regex in a token pattern": (
        GOOD.replace(MATCH, '  - pattern: [{TEXT: {REGEX: "spar(kle"}}]\n'),
        "bad token pattern",
        8,
    ),
    "bad token pattern": (
        GOOD.replace(MATCH, "  - phrases: [sparkle]\n  - pattern: [{LOWER: sparkle, BOGUS: 1}]\n"),
        "token pattern",
        9,
    ),
    "match-everything pattern": (GOOD.replace(MATCH, '  - pattern: [{OP: "*"}]\n'), "matches anywhere", 8),
    "two documents": (GOOD + "---\nid: hype.other\n", "", None),
    "unclosed quote": (GOOD.replace("message: Sparkle", 'message: "Sparkle'), "malformed YAML", None),
    "tab indentation": (GOOD.replace(MATCH, "\t- all: [sparkle]\n"), "malformed YAML", 8),
    "unknown note": (GOOD.replace("us.ftc-act-deceptive-advertising", "us.made-up"), "us.made-up", None),
    "id not the file name": (GOOD.replace("id: hype.sparkle", "id: hype.glitter"), "glitter", None),
    "number id": (GOOD.replace("id: hype.sparkle", "id: 12"), "", None),
}

# kind -> (.hypecheck.yml content, a fragment the error must hold, the line it must name: None no line)
SETTINGS: dict[str, tuple[str | bytes, str, int | None]] = {
    "python object tag": ("select: !!python/object/apply:os.system [id]\n", "malformed YAML", 1),
    "deep nesting": ("select: " + DEEP + "\n", "", None),
    "huge file": ("select: [disease]\n" + "# pad\n" * 400_000, "larger than", None),
    "non-UTF-8": (b"select: [disease]\n# \xff\xfe\n", "cannot read", None),
    "unknown key": ("select: [disease]\ncolour: red\n", "unknown setting", 2),
    "a list where the map belongs": ("- select\n- disease\n", "", None),
    "wrong type": ("select: [disease]\nmin_confidence: high\n", "min_confidence", 2),
    "bad choice": ("fail_on: sometimes\n", "needs one of", 1),
    "missing rule pack": ("select: [disease]\nrules: [no/such/folder]\n", "no such rule pack", 2),
    "unclosed bracket": ("select: [disease\nfail_on: high\n", "malformed YAML", None),
}


def refused(result, name: str, fragment: str, line: int | None) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, (result.returncode, err[-2000:])
    assert "Traceback" not in err and "Error:" not in err.replace("RuleFileError", ""), err[-2000:]
    assert name in err and fragment in err, err[-2000:]
    if line is not None:
        assert re.search(rf"{re.escape(name)}:{line or '[0-9]+'}\b", err), err
    assert result.stdout == b""
    return err


@pytest.mark.parametrize("kind", list(RULE_FILES))
def test_malformed_rule_file_is_refused_through_the_cli(tmp_path, kind):
    text, fragment, line = RULE_FILES[kind]
    rule = tmp_path / "pack" / "hype" / "sparkle.yml"
    rule.parent.mkdir(parents=True)
    rule.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = run_cli("check", "--rules", str(tmp_path / "pack"), "-", stdin="Exosomes treat acne.")
    err = refused(result, "sparkle.yml", fragment, line)
    if line is not None:
        assert "hype.sparkle" in err  # the rule, not only the file


@pytest.mark.parametrize("kind", list(SETTINGS))
def test_malformed_settings_file_is_refused_through_the_cli(tmp_path, kind):
    text, fragment, line = SETTINGS[kind]
    (tmp_path / ".hypecheck.yml").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = run_cli("check", "-", stdin="Exosomes treat acne.", cwd=tmp_path)
    refused(result, ".hypecheck.yml", fragment, line)


def test_dangling_symlink_and_folder_named_like_a_rule_are_skipped(tmp_path):
    pack = tmp_path / "pack" / "hype"
    pack.mkdir(parents=True)
    (pack / "sparkle.yml").write_text(GOOD, encoding="utf-8")
    (pack / "gone.yml").symlink_to(tmp_path / "nowhere.yml")
    (pack / "folder.yml").mkdir()
    result = run_cli("check", "--rules", str(tmp_path / "pack"), "-", stdin="Exosomes sparkle in your skin.")
    assert b"Traceback" not in result.stderr
    assert result.returncode == 1 and b"hype.sparkle" in result.stdout, result.stderr.decode()


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from campaign import GRAMMAR, MAX_RUN, render  # noqa: E402 - the grammar bench/campaign.py runs at scale

PLANS = st.lists(
    st.tuples(st.integers(0, len(GRAMMAR) - 2), st.integers(0, 1 << 16), st.integers(1, MAX_RUN)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=PLANS.map(render))
def test_claim_laden_hostile_text_never_crashes_and_offsets_slice_it(nlp, text):
    report = hypecheck.check(text, nlp=nlp)
    assert all(text[f.start : f.end] == f.text for f in report.findings)
    assert report.text_length == len(text)


def test_lone_surrogate_from_json_is_checked(nlp):
    text = "Exosomes treat acne \ud800 overnight. Exosomes treat acne\ud800, 10 billion exosomes."
    findings = hypecheck.check(text, nlp=nlp).findings
    assert findings and all(text[f.start : f.end] == f.text for f in findings)
    assert "treat acne" in [f.text for f in findings]


def test_lookalike_spelling_is_shown_as_a_signal():
    text = "Our serum is \u0441linic\u0430lly pr\u043even. It is clinically proven."
    result = run_cli("check", "--format", "json", "-", stdin=text)
    findings = json.loads(result.stdout)["findings"]
    flagged = {f["text"]: "look-alike" in f["context"] for f in findings}
    assert flagged == {"\u0441linic\u0430lly pr\u043even": True, "clinically proven": False}
    assert {f["category"] for f in findings} == {"evidence"}
