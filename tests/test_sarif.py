"""SARIF output validates against the official 2.1.0 schema and carries what code scanning needs."""

from __future__ import annotations

import json
from urllib.parse import unquote

import jsonschema
import pytest
from conftest import ROOT, run_cli, write_tree

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
AWKWARD = {
    "with space.md": "Our serum treats acne.\n",
    "hash#tag.txt": "Each vial holds 10 billion exosomes.\n",
    "per%cent.md": "A revolutionary serum.\n",
    "ünïcödé/크림.txt": "It stimulates collagen production.\n",
    "nested dir/[brackets] & more.html": "<html><body><p>FDA-approved exosomes for every skin.</p></body></html>",
    "accepted.md": "<!-- hypecheck: ignore[dose] reason: lab certificate linked below -->\n"
    "Each vial holds 10 billion exosomes.\n",
    "broken.txt": b"\x00\x01 not text",
}


def _errors(sarif: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(sarif)]


@pytest.fixture(scope="module")
def folder_sarif(tmp_path_factory):
    root = tmp_path_factory.mktemp("awkward")
    write_tree(root / "site", AWKWARD)
    result = run_cli("check", "site", "--format", "sarif", "-o", "out.sarif", cwd=root)
    return result, json.loads((root / "out.sarif").read_text(encoding="utf-8")), root


def test_folder_of_awkward_names_validates_against_the_official_schema(folder_sarif):
    result, sarif, _root = folder_sarif
    assert result.returncode == 3, result.stderr  # one unreadable file; the others checked
    assert _errors(sarif) == []


def test_uris_are_relative_percent_encoded_and_resolve_to_the_files(folder_sarif):
    _result, sarif, root = folder_sarif
    run = sarif["runs"][0]
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {loc["uriBaseId"] for loc in locations} == {"SRCROOT"}
    uris = {loc["uri"] for loc in locations}
    assert not any(c in uri for uri in uris for c in " #[]&")
    assert {unquote(u) for u in uris} >= {
        "site/with space.md",
        "site/hash#tag.txt",
        "site/per%cent.md",
        "site/ünïcödé/크림.txt",
        "site/nested dir/[brackets] & more.html",
    }
    assert all((root / unquote(u)).is_file() for u in uris)


def test_rules_results_and_fingerprints(folder_sarif):
    _result, sarif, _root = folder_sarif
    driver = sarif["runs"][0]["tool"]["driver"]
    for result in sarif["runs"][0]["results"]:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "Instead:" in rule["help"]["text"] and "**Instead:**" in rule["help"]["markdown"]
        assert rule["helpUri"].startswith("https://")
        assert len(result["partialFingerprints"]["hypecheck/v1"]) == 20


def test_invocation_reports_exit_code_unreadable_file_and_suppression(folder_sarif):
    _result, sarif, _root = folder_sarif
    run = sarif["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["exitCode"] == 3 and invocation["executionSuccessful"] is False
    [unreadable] = invocation["toolExecutionNotifications"]
    assert "binary" in unreadable["message"]["text"]
    assert unquote(unreadable["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == "site/broken.txt"
    accepted = [
        r for r in run["results"] if "accepted.md" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    ]
    assert [r["ruleId"] for r in accepted] == ["dose.active-count"]
    assert accepted[0]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "lab certificate linked below",
            "properties": {"rules": ["dose"], "line": 1},
        }
    ]


def test_standard_input_is_a_placeholder_artifact_not_a_uri_like_stdin():
    result = run_cli("check", "-", "--format", "sarif", stdin="Our serum treats acne.")
    sarif = json.loads(result.stdout)
    assert result.returncode == 1 and _errors(sarif) == []
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "stdin" and "standard input" in location["description"]["text"]
    assert "<stdin>" not in result.stdout.decode("utf-8")
    assert sarif["runs"][0]["invocations"][0] == {
        "executionSuccessful": True,
        "exitCode": 1,
        "exitCodeDescription": "findings at or above --fail-on",
        "toolExecutionNotifications": [],
        "toolConfigurationNotifications": [],
    }


def test_the_schema_check_catches_what_the_old_output_got_wrong():
    """The validation above can fail: raw paths and '<stdin>' as URIs are format errors."""
    broken = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [
                    {"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]}
                    for uri in ("<stdin>", "a dir/page #1.md")
                ],
            }
        ],
    }
    assert len(_errors(broken)) == 2
