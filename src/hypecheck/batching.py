"""``hypecheck batch``: stream JSONL or CSV records through ``nlp.pipe``, in input order."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from spacy.language import Language

from .errors import InputError
from .report import build_report
from .ruleset import SEVERITY_RANK

Record = tuple[str, dict[str, Any]]
MAX_TEXT = 1_000_000


def read_records(path: str) -> Iterator[Record]:
    """Yield ``(text, meta)``; a bad record yields empty text and ``meta["error"]``."""
    handle = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    try:
        if path.lower().endswith(".csv"):
            yield from _csv_records(handle, path)
        else:
            yield from _jsonl_records(handle)
    finally:
        if handle is not sys.stdin:
            handle.close()


def _checked(record_id: Any, text: Any, where: str) -> Record:
    if record_id is None:
        return "", {"id": None, "error": f"{where}: no id"}
    if not isinstance(text, str):
        return "", {"id": record_id, "error": f"{where}: no text string"}
    if len(text) > MAX_TEXT:
        return "", {"id": record_id, "error": f"{where}: text longer than {MAX_TEXT:,} characters"}
    return text, {"id": record_id}


def _jsonl_records(handle: IO[str]) -> Iterator[Record]:
    for n, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield "", {"id": None, "error": f"line {n}: not JSON ({exc.msg})"}
            continue
        if not isinstance(row, dict):
            yield "", {"id": None, "error": f"line {n}: not a JSON object"}
            continue
        yield _checked(row.get("id"), row.get("text"), f"line {n}")


def _csv_records(handle: IO[str], path: str) -> Iterator[Record]:
    reader = csv.DictReader(handle)
    if not reader.fieldnames or not {"id", "text"} <= set(reader.fieldnames):
        raise InputError(f"{path}: a CSV needs the columns 'id' and 'text' (found: {reader.fieldnames})")
    for n, row in enumerate(reader, 2):
        yield _checked(row.get("id"), row.get("text"), f"row {n}")


def _finding_view(finding: Any, notes: bool) -> dict[str, Any]:
    data = finding.to_dict()
    data.pop("sentence")
    if not notes:
        data.pop("notes")
    return data


@dataclass
class BatchSummary:
    """What a batch run saw: records written, records that could not be read, worst severity found."""

    records: int = 0
    errors: int = 0
    worst: int = 0


def run_batch(
    nlp: Language,
    path: str,
    out: IO[str],
    *,
    jurisdictions: tuple[str, ...],
    notes: bool = False,
    min_confidence: float | None = None,
    batch_size: int = 256,
    jobs: int = 1,
    progress: bool | None = None,
) -> BatchSummary:
    """Write one JSON object per input record, in input order."""
    summary = BatchSummary()
    records = read_records(path)
    if progress or (progress is None and sys.stderr.isatty()):
        from tqdm import tqdm

        records = tqdm(records, unit=" records", file=sys.stderr)
    for doc, meta in nlp.pipe(records, as_tuples=True, batch_size=batch_size, n_process=jobs):
        row: dict[str, Any] = {"id": meta["id"]}
        summary.records += 1
        if "error" in meta:
            summary.errors += 1
            row["error"] = meta["error"]
            row["findings"] = []
        else:
            report = build_report(doc, nlp, jurisdictions, min_confidence=min_confidence)
            row["findings"] = [_finding_view(f, notes) for f in report.findings]
            row["tier"] = report.verdict.tier
            summary.worst = max([summary.worst, *(SEVERITY_RANK[f.severity] for f in report.findings)])
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return summary
