"""``hypecheck batch``: JSONL or CSV records checked in chunks, in one process or several, in input order.

Records are read lazily and cut into chunks (``batch_size`` records, or fewer when
their texts pass :data:`CHUNK_CHARS`).  A chunk is plain data, ``(text, meta)``
pairs, and so is what comes back: one rendered output line per record.  The
engines that run chunks (this process, a pool of worker processes, a Dask
cluster in :mod:`hypecheck.distributed`) each build the pipeline once per process
from a :class:`PipelineSpec` and never send spaCy ``Doc`` objects anywhere.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import multiprocessing
import re
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from spacy.language import Language

from . import __version__
from .constants import CLAIMS_PIPE, SCORED_CATEGORIES, SEVERITY_RANK
from .errors import HypecheckError, InputError
from .longtext import pipe
from .report import build_report, parse_jurisdictions
from .suppress import apply_record

Record = tuple[str, dict[str, Any]]
Line = tuple[str, int, bool]  # rendered output for one record, its worst severity rank, whether it was unreadable
MAX_TEXT = 5_000_000  # characters per record, as for one file given to ``check``
CHUNK_CHARS = 100_000  # a chunk closes at this many characters of text (about a second), so long records spread
FORMATS = ("jsonl", "csv")
T = TypeVar("T")
R = TypeVar("R")
CSV_COLUMNS = (
    "id",
    "category",
    "rule",
    "severity",
    "confidence",
    "quote",
    "start",
    "end",
    "tier",
    "error",
    "suppressed",
)


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


def checked(record_id: Any, text: Any, where: str, suppress: Any = None) -> Record:
    """``(text, {"id": ...})`` for a usable record, else empty text and ``meta["error"]`` saying why.

    ``suppress`` is the record's reviewed suppression (its ``suppress`` field or column), kept in the meta.
    """
    if record_id is None:
        return "", {"id": None, "error": f"{where}: no id"}
    if not isinstance(text, str):
        return "", {"id": record_id, "error": f"{where}: no text string"}
    if len(text) > MAX_TEXT:
        return "", {"id": record_id, "error": f"{where}: text longer than {MAX_TEXT:,} characters"}
    if _SURROGATE.search(text):
        return "", {"id": record_id, "error": f"{where}: not UTF-8 text (or a lone surrogate escape)"}
    return text, {"id": record_id, **({"suppress": suppress} if suppress not in (None, "") else {})}


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
        yield checked(row.get("id"), row.get("text"), f"line {n}", row.get("suppress"))


def _csv_records(lines: Iterable[bytes], path: str) -> Iterator[Record]:
    # Undecodable bytes become lone surrogates, which checked() turns into that row's error.
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
        yield checked(row.get("id"), row.get("text"), f"row {reader.line_num}", row.get("suppress"))


def chunks(records: Iterable[Record], size: int, chars: int = CHUNK_CHARS) -> Iterator[list[Record]]:
    """Consecutive lists of at most ``size`` records, closed early once their texts reach ``chars``."""
    chunk: list[Record] = []
    total = 0
    for record in records:
        chunk.append(record)
        total += len(record[0])
        if len(chunk) >= size or total >= chars:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


@dataclass(frozen=True)
class PipelineSpec:
    """How to build the pipeline, as plain data a worker process or a Dask worker can receive.

    Extra rule packs and a ``model`` folder are paths: on a cluster they must exist
    at the same place on every worker.
    """

    rules: tuple[str, ...] = ()
    builtin: bool = True
    select: tuple[str, ...] = ()
    model: bool | str = True

    def build(self) -> Language:
        """The pipeline this spec describes."""
        from . import load

        return load(self.rules, builtin=self.builtin, select=self.select, model=self.model)


@dataclass(frozen=True)
class Output:
    """What each record's result holds and how it is written."""

    jurisdictions: tuple[str, ...] = field(default_factory=lambda: parse_jurisdictions(None))
    notes: bool = False
    min_confidence: float | None = None
    fmt: str = "jsonl"
    version: str = __version__  # the client's; a worker with another version refuses the work

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"format {self.fmt!r}: choose from {', '.join(FORMATS)}")

    def header(self) -> str:
        """What goes before the first record: the CSV header row, nothing for JSON Lines."""
        return _csv_line(CSV_COLUMNS) if self.fmt == "csv" else ""


_PIPELINES: dict[PipelineSpec, tuple[Language, threading.Lock]] = {}
_BUILDING = threading.Lock()


def pipeline(spec: PipelineSpec) -> tuple[Language, threading.Lock]:
    """This process's pipeline for ``spec``, built on first use, and the lock that serialises its use."""
    with _BUILDING:
        if spec not in _PIPELINES:
            _PIPELINES[spec] = (spec.build(), threading.Lock())
        return _PIPELINES[spec]


def same_version(output: Output) -> None:
    """Refuse work from a client running another hypecheck: its results would differ."""
    if output.version != __version__:
        raise HypecheckError(
            f"this worker runs hypecheck {__version__}, the client {output.version}: "
            "install the same version everywhere"
        )


def check_chunk(spec: PipelineSpec, output: Output, records: list[Record]) -> list[Line]:
    """Check one chunk with this process's pipeline for ``spec``: the task every worker runs."""
    same_version(output)
    nlp, lock = pipeline(spec)
    with lock:
        return render(rows(nlp, output, records), output)


def rows(nlp: Language, output: Output, records: list[Record], batch_size: int = 64) -> list[dict[str, Any]]:
    """One result object per record, in order; a record the pipeline fails on gets an ``error`` instead."""
    try:
        return [_row(nlp, output, doc, meta) for doc, meta in pipe(nlp, records, batch_size=batch_size)]
    except Exception:  # find the record at fault: one at a time, each failure costing only its record
        return [_row_alone(nlp, output, record) for record in records]


def _row_alone(nlp: Language, output: Output, record: Record) -> dict[str, Any]:
    try:
        return next(_row(nlp, output, doc, meta) for doc, meta in pipe(nlp, [record]))
    except Exception as exc:
        meta = {"id": record[1].get("id"), "error": f"internal error: {type(exc).__name__}: {exc}"}
        return _row(nlp, output, None, meta)


def _row(nlp: Language, output: Output, doc: Any, meta: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"id": meta["id"]}
    if "error" in meta:
        row["error"] = meta["error"]
        row["findings"] = []
        return row
    report = build_report(doc, nlp, output.jurisdictions, min_confidence=output.min_confidence)
    if "suppress" in meta:
        report, notices = apply_record(report, meta["suppress"], known=_rule_ids(nlp))
        if notices:
            row["suppression_notices"] = [n.to_dict() for n in notices]
    data = report.to_dict(notes=output.notes, sentences=False)  # notes and sources tables only with --notes
    row.update((key, data[key]) for key in ("findings", "notes", "sources") if key in data)
    row["tier"] = report.verdict.tier
    return row


@functools.lru_cache(maxsize=8)  # once per pipeline, not per record
def _rule_ids(nlp: Language) -> list[str]:
    """Every rule id a record's suppression may name: the loaded rules and the learned categories."""
    claims: Any = nlp.get_pipe(CLAIMS_PIPE)
    return [r.id for r in claims.rules] + [f"{c}.learned" for c in SCORED_CATEGORIES]


def render(results: list[dict[str, Any]], output: Output) -> list[Line]:
    """Each result as its output text (a JSON line, or CSV rows), worst severity rank and error flag."""
    lines = []
    for row in results:
        worst = max((SEVERITY_RANK[f["severity"]] for f in row["findings"] if "suppression" not in f), default=0)
        text = _csv_rows(row) if output.fmt == "csv" else json.dumps(row, ensure_ascii=False) + "\n"
        lines.append((text, worst, "error" in row))
    return lines


def _csv_rows(row: dict[str, Any]) -> str:
    """One CSV row per finding; a record without findings (or unreadable) is one row with them empty."""
    record_id = "" if row["id"] is None else row["id"]
    tail = [row.get("tier", ""), row.get("error", "")]
    if not row["findings"]:
        return _csv_line([record_id, *[""] * 7, *tail, ""])
    return "".join(
        _csv_line(
            [
                record_id,
                f["category"],
                f["rule"],
                f["severity"],
                f["confidence"],
                f["text"],
                f["start"],
                f["end"],
                *tail,
                f.get("suppression", {}).get("reason", ""),
            ]
        )
        for f in row["findings"]
    )


def _csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


@dataclass
class BatchSummary:
    """What a batch run saw: records written, records that could not be read, worst severity found."""

    records: int = 0
    errors: int = 0
    worst: int = 0


Engine = Callable[[Iterator[list[Record]]], Iterator[list[Line]]]


def in_process(nlp: Language, output: Output, batch_size: int) -> Engine:
    """Chunks checked here, one after another."""

    def run(work: Iterator[list[Record]]) -> Iterator[list[Line]]:
        for chunk in work:
            yield render(rows(nlp, output, chunk, batch_size), output)

    return run


def process_pool(spec: PipelineSpec, output: Output, jobs: int, nlp: Language | None = None) -> Engine:
    """Chunks checked by ``jobs`` worker processes, each building the pipeline once; results in input order.

    On platforms that fork, ``nlp`` (built from ``spec``) is inherited by the workers
    instead of being built again.  At most two chunks per worker are in flight.
    """

    def run(work: Iterator[list[Record]]) -> Iterator[list[Line]]:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        if nlp is not None and context.get_start_method() == "fork":
            _PIPELINES.setdefault(spec, (nlp, threading.Lock()))
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=pipeline, initargs=(spec,)) as pool:
            yield from ordered(lambda chunk: pool.submit(check_chunk, spec, output, chunk), work, 2 * jobs)

    return run


def ordered(submit: Callable[[T], Future[R]], work: Iterable[T], window: int) -> Iterator[R]:
    """Results of ``submit(chunk)`` futures in input order, with at most ``window`` chunks in flight."""
    pending: deque[Future[R]] = deque()
    for chunk in work:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run_batch(
    nlp: Language,
    path: str,
    out: IO[str] | None,
    *,
    jurisdictions: tuple[str, ...],
    notes: bool = False,
    min_confidence: float | None = None,
    fmt: str = "jsonl",
    batch_size: int = 256,
    jobs: int = 1,
    spec: PipelineSpec | None = None,
    engine: Engine | None = None,
    output_dir: str | Path | None = None,
    progress: bool | None = None,
) -> BatchSummary:
    """Check every record of ``path``; write its result to ``out`` in input order, or to ``output_dir``.

    ``jobs > 1`` needs ``spec``, how ``nlp`` was built, so that worker processes can
    build the same pipeline.  ``engine`` runs the chunks elsewhere (see
    :func:`hypecheck.distributed.dask_engine`).  With ``output_dir`` each chunk goes
    to its own file, ``part-00000.jsonl`` and on, numbered in input order.
    """
    output = Output(jurisdictions=jurisdictions, notes=notes, min_confidence=min_confidence, fmt=fmt)
    if engine is None and jobs > 1:
        if spec is None:
            raise ValueError("jobs > 1 needs spec: how the worker processes build the pipeline")
        engine = process_pool(spec, output, jobs, nlp)
    engine = engine or in_process(nlp, output, batch_size)
    records: Iterable[Record] = read_records(path)
    if progress or (progress is None and sys.stderr.isatty()):
        from tqdm import tqdm

        records = tqdm(records, unit=" records", file=sys.stderr)
    summary = BatchSummary()
    if output_dir is None and out is not None:
        out.write(output.header())
    for n, lines in enumerate(engine(chunks(records, batch_size))):
        if output_dir is not None:
            _write_part(Path(output_dir), n, output, lines)
        for text, worst, error in lines:
            if out is not None and output_dir is None:
                out.write(text)
            summary.records += 1
            summary.errors += error
            summary.worst = max(summary.worst, worst)
    return summary


def _write_part(folder: Path, n: int, output: Output, lines: list[Line]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"part-{n:05d}.{output.fmt}"
    temporary = part.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        handle.write(output.header())
        handle.writelines(text for text, _, _ in lines)
    temporary.replace(part)  # a part file exists only once it is complete
