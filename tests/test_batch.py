"""``hypecheck batch`` on this machine: worker processes, CSV output, partitioned files, bad records."""

from __future__ import annotations

import csv
import io
import json

import pytest
from batch_records import write_records
from conftest import run_cli
from spacy.language import Language

import hypecheck
from hypecheck.batching import CSV_COLUMNS, chunks, run_batch

BROKEN_ID = {0: None, 1: "no-text", 2: None}  # the broken lines batch_records writes: not JSON, no text, not UTF-8


def _lines(result) -> list[dict]:
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_two_worker_processes_match_one_in_order(tmp_path):
    source = write_records(tmp_path / "in.jsonl", 400, long_every=60)
    one = run_cli("batch", str(source), "--batch-size", "16")
    two = run_cli("batch", str(source), "--batch-size", "16", "--jobs", "2")
    assert one.stdout == two.stdout
    rows = _lines(two)
    assert len(rows) == 400
    assert [r["id"] for r in rows] == [BROKEN_ID[n % 3] if n % 97 == 50 else f"r{n}" for n in range(400)]
    broken = [rows[n] for n in range(400) if n % 97 == 50]
    assert all(r["error"] and r["findings"] == [] for r in broken)
    assert sum(bool(r["findings"]) for r in rows) > 200
    assert b"4 of 400 records could not be read" in two.stderr


def test_csv_has_one_row_per_finding_and_one_for_a_record_without(tmp_path):
    source = write_records(tmp_path / "in.jsonl", 120)
    records = {r["id"]: r for r in _lines(run_cli("batch", str(source)))}
    result = run_cli("batch", str(source), "--format", "csv", "--jobs", "2", "--batch-size", "8")
    assert result.returncode == 0, result.stderr.decode()
    table = list(csv.reader(io.StringIO(result.stdout.decode())))
    assert tuple(table[0]) == CSV_COLUMNS
    texts = {
        json.loads(line).get("id"): json.loads(line).get("text")
        for line in source.read_text("utf-8", "replace").splitlines()
        if line.startswith('{"id": "r')
    }
    seen: dict[str, list[list[str]]] = {}
    for row in table[1:]:
        seen.setdefault(row[0], []).append(row)
    for record_id, record in records.items():
        rows = seen[record_id or ""]
        if not record["findings"]:
            assert all(r[1:8] == [""] * 7 for r in rows)
            continue
        assert [(r[2], int(r[6]), int(r[7])) for r in rows] == [
            (f["rule"], f["start"], f["end"]) for f in record["findings"]
        ]
        assert all(texts[record_id][int(r[6]) : int(r[7])] == r[5] and r[8] == record["tier"] for r in rows)
    errors = [r for r in table[1:] if r[9]]
    assert len(errors) == 1 and errors[0][0] == "" and "not UTF-8" in errors[0][9]  # record 50, the only broken one
    assert run_cli("batch", str(source), "--format", "csv").stdout == result.stdout


def test_output_dir_holds_the_same_lines_in_numbered_parts(tmp_path):
    source = write_records(tmp_path / "in.jsonl", 60)
    whole = run_cli("batch", str(source))
    result = run_cli("batch", str(source), "--output-dir", str(tmp_path / "out"), "--batch-size", "25", "-J", "2")
    assert result.returncode == 0 and result.stdout == b""
    parts = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in parts] == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    assert b"".join(p.read_bytes() for p in parts) == whole.stdout


def test_jobs_with_dask_is_a_usage_error(tmp_path):
    source = write_records(tmp_path / "in.jsonl", 3)
    result = run_cli("batch", str(source), "--jobs", "2", "--dask", "local:2")
    assert result.returncode == 2 and b"give one of them" in result.stderr


def test_chunks_close_on_records_or_characters():
    records = [("x" * 40, {"id": n}) for n in range(10)]
    assert [len(c) for c in chunks(records, 4)] == [4, 4, 2]
    assert [len(c) for c in chunks(records, 4, chars=100)] == [3, 3, 3, 1]


@Language.component("test_fails_on_marker")
def _fails_on_marker(doc):
    if "MARKER-FAIL" in doc.text:
        raise RuntimeError("this record breaks the pipeline")
    return doc


@pytest.fixture()
def failing_nlp() -> Language:
    nlp = hypecheck.load(model=False)
    nlp.add_pipe("test_fails_on_marker", first=True)
    return nlp


def test_a_record_the_pipeline_fails_on_costs_only_that_record(failing_nlp, tmp_path):
    rows = [{"id": n, "text": "MARKER-FAIL treats acne" if n == 3 else "Exosomes treat acne."} for n in range(8)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = io.StringIO()
    summary = run_batch(failing_nlp, str(source), out, jurisdictions=("us",), batch_size=4)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == list(range(8))
    assert "internal error: RuntimeError" in results[3]["error"] and results[3]["findings"] == []
    assert all(r["findings"] and "error" not in r for n, r in enumerate(results) if n != 3)
    assert (summary.records, summary.errors) == (8, 1)


def test_a_record_suppression_needs_a_reason_and_stays_visible(tmp_path):
    records = [
        {"id": "a", "text": "Each vial holds 10 billion exosomes.", "suppress": "ignore[dose] reason: lab certificate"},
        {"id": "b", "text": "Each vial holds 10 billion exosomes.", "suppress": {"rules": ["dose"]}},
        {"id": "c", "text": "Each vial holds 10 billion exosomes."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    rows = {r["id"]: r for r in _lines(run_cli("batch", str(source)))}
    assert rows["a"]["findings"] and all(f["suppression"]["reason"] == "lab certificate" for f in rows["a"]["findings"])
    assert not any("suppression" in f for f in rows["b"]["findings"]) and rows["b"]["suppression_notices"]
    assert rows["c"]["findings"] and "suppression_notices" not in rows["c"]
    only_a = tmp_path / "a.jsonl"
    only_a.write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    assert run_cli("batch", str(only_a), "--fail-on", "low").returncode == 0  # suppressed findings do not fail
    assert run_cli("batch", str(source), "--fail-on", "low").returncode == 1
    table = list(csv.DictReader(io.StringIO(run_cli("batch", str(source), "--format", "csv").stdout.decode())))
    assert {row["suppressed"] for row in table if row["id"] == "a"} == {"lab certificate"}
