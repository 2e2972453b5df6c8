"""``hypecheck batch``: stream JSONL or CSV records through ``nlp.pipe``, in input order."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from spacy.language import Language

from .errors import InputError
from .longtext import pipe
from .report import build_report
from .ruleset import SEVERITY_RANK

Record = tuple[str, dict[str, Any]]
MAX_TEXT = 5_000_000  # characters per record, as for one file given to ``check``


def read_records(path: str) -> Iterator[Record]:
    """Yield ``(text, meta)``; a bad record yields empty text and ``meta["error"]``.

    Bytes are decoded line by line (JSONL) or row by row (CSV), so a record that is
    not UTF-8 costs only that record.  On standard input a CSV is told from JSON
    Lines by its first line.
    """
    handle = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    try:
        first = handle.readline()
        if path.lower().endswith(".csv") or (path == "-" and _looks_like_csv(first)):
            yield from _csv_records(_chain(first, handle), path)
        else:
            yield from _jsonl_records(_chain(first, handle))
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _chain(first: bytes, rest: IO[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _looks_like_csv(first: bytes) -> bool:
    head = first.decode("utf-8-sig", "replace").strip()
    return bool(head) and not head.startswith("{") and {"id", "text"} <= {c.strip().strip('"') for c in head.split(",")}


def _checked(record_id: Any, text: Any, where: str) -> Record:
    if record_id is None:
        return "", {"id": None, "error": f"{where}: no id"}
    if not isinstance(text, str):
        return "", {"id": record_id, "error": f"{where}: no text string"}
    if len(text) > MAX_TEXT:
        return "", {"id": record_id, "error": f"{where}: text longer than {MAX_TEXT:,} characters"}
    if _SURROGATE.search(text):
        return "", {"id": record_id, "error": f"{where}: not UTF-8 text (or a lone surrogate escape)"}
    return text, {"id": record_id}


_SURROGATE = re.compile("[\ud800-\udfff]")


def _jsonl_records(lines: Iterable[bytes]) -> Iterator[Record]:
    for n, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield "", {"id": None, "error": f"line {n}: not UTF-8 (byte {exc.start + 1})"}
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            problem = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield "", {"id": None, "error": f"line {n}: not JSON ({problem})"}
            continue
        if not isinstance(row, dict):
            yield "", {"id": None, "error": f"line {n}: not a JSON object"}
            continue
        yield _checked(row.get("id"), row.get("text"), f"line {n}")


def _csv_records(lines: Iterable[bytes], path: str) -> Iterator[Record]:
    # Undecodable bytes become lone surrogates, which _checked turns into that row's error.
    text = (raw.decode("utf-8-sig" if n == 0 else "utf-8", "surrogateescape") for n, raw in enumerate(lines))
    csv.field_size_limit(max(csv.field_size_limit(), MAX_TEXT * 2))
    reader = csv.DictReader(text)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise InputError(f"{path}: cannot read the CSV header ({exc})") from exc
    if not fieldnames or not {"id", "text"} <= set(fieldnames):
        raise InputError(f"{path}: a CSV needs the columns 'id' and 'text' (found: {fieldnames})")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield "", {"id": None, "error": f"row ending on line {reader.line_num}: not CSV ({exc})"}
            continue
        yield _checked(row.get("id"), row.get("text"), f"row {reader.line_num}")


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
    for doc, meta in pipe(nlp, records, batch_size=batch_size, n_process=jobs):
        row: dict[str, Any] = {"id": meta["id"]}
        summary.records += 1
        if "error" in meta:
            summary.errors += 1
            row["error"] = meta["error"]
            row["findings"] = []
        else:
            report = build_report(doc, nlp, jurisdictions, min_confidence=min_confidence)
            data = report.to_dict(notes=notes, sentences=False)  # notes and sources tables only with --notes
            row.update((key, data[key]) for key in ("findings", "notes", "sources") if key in data)
            row["tier"] = report.verdict.tier
            summary.worst = max([summary.worst, *(SEVERITY_RANK[f.severity] for f in report.findings)])
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return summary
