"""Every JSON output validates against the published report schema (hypecheck/schemas/report.schema.json)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from importlib import resources
from typing import Any

import jsonschema
import pytest
from conftest import EXAMPLES, WEB_AD, run_cli

import hypecheck
from hypecheck.webapp import BackgroundServer, create_app
from hypecheck.webapp.service import load_engine

SCHEMA = json.loads(resources.files("hypecheck.schemas").joinpath("report.schema.json").read_text("utf-8"))
PAGE = EXAMPLES / "html" / "clinic-ad.html"


def validate(instance: Any, definition: str = "Report") -> None:
    schema = {**SCHEMA, "$ref": f"#/$defs/{definition}"}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)


def test_the_schema_is_valid_and_names_every_category_and_jurisdiction():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$defs"]["Category"]["enum"] == list(hypecheck.CATEGORIES)
    assert SCHEMA["$defs"]["Jurisdiction"]["enum"] == list(hypecheck.JURISDICTIONS)


def test_the_schema_rejects_an_old_report():
    old = {**json.loads(run_cli("check", "-", "--format", "json", stdin=WEB_AD).stdout), "schema_version": 1}
    with pytest.raises(jsonschema.ValidationError):
        validate(old)


@pytest.mark.parametrize("args", [("-",), ("-", "-j", "uk", "--max-findings", "2"), (str(PAGE),)])
def test_check_json_single(args: tuple[str, ...]):
    result = run_cli("check", *args, "--format", "json", stdin=WEB_AD)
    assert result.returncode == 1, result.stderr.decode()
    validate(json.loads(result.stdout))


def test_check_json_folder(tmp_path):
    (tmp_path / "ad.txt").write_text(WEB_AD, encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe not utf-8")
    documents = json.loads(run_cli("check", str(tmp_path), "--format", "json").stdout)
    assert len(documents) == 3 and any("error" in d for d in documents)
    validate(documents, "Documents")


@pytest.mark.parametrize("notes", [False, True])
def test_batch_lines(tmp_path, notes: bool):
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate([WEB_AD, "Apply daily."])) + "{broken\n",
        encoding="utf-8",
    )
    result = run_cli("batch", str(source), *(["--notes"] if notes else []))
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(lines) == 3 and ("notes" in lines[0]) is notes
    for line in lines:
        validate(line, "BatchRecord")


@pytest.fixture(scope="module")
def server():
    app = create_app({"HYPECHECK_ENGINE": load_engine()})
    with BackgroundServer(app, threads=2) as running:
        yield running.url


def _post(url: str, body: bytes, content_type: str) -> Any:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


@pytest.mark.parametrize(
    "payload",
    [
        {"text": WEB_AD},
        {"text": PAGE.read_text(encoding="utf-8"), "max_findings": 3},
        {"text": WEB_AD, "jurisdictions": ["all"], "format": "text"},
    ],
)
def test_api_check_over_http(server: str, payload: dict[str, Any]):
    report = _post(server + "/api/check", json.dumps(payload).encode(), "application/json")
    assert report["findings"]
    validate(report)


def test_api_check_matches_the_openapi_document(server: str):
    with urllib.request.urlopen(server + "/api/openapi.json", timeout=30) as response:
        doc = json.loads(response.read())
    report = _post(server + "/api/check", json.dumps({"text": WEB_AD}).encode(), "application/json")
    jsonschema.Draft202012Validator({"$ref": "#/components/schemas/Report", "components": doc["components"]}).validate(
        report
    )


def test_export_json_over_http(server: str):
    form = urllib.parse.urlencode({"text": WEB_AD, "format": "text", "j": "us"}).encode()
    validate(_post(server + "/export.json", form, "application/x-www-form-urlencoded"))


def test_check_json_with_suppressions_and_a_baseline(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "Our serum treats hair loss.\n"
        "Each vial holds 10 billion exosomes. hypecheck: ignore[dose] reason: lab certificate linked below\n"
        "It is clinically proven. hypecheck: ignore[evidence]\n",
        encoding="utf-8",
    )
    baseline = tmp_path / "baseline.json"
    run_cli("check", str(page), "--write-baseline", str(baseline))
    page.write_text(page.read_text(encoding="utf-8") + "It regrows hair.\n", encoding="utf-8")
    result = run_cli("check", str(page), "--baseline", str(baseline), "--format", "json")
    report = json.loads(result.stdout)
    validate(report)
    assert report["suppression_notices"] and any("suppression" in f for f in report["findings"])
    assert {f["baseline"] for f in report["findings"]} >= {"new", "unchanged"}
