"""``hypecheck batch``: every record of a JSON Lines or CSV file, here, in worker processes or on Dask."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..checking import ExitStatus
from ..constants import SEVERITY_RANK
from .shared import (
    checking_options,
    fail_on_option,
    load_pipeline,
    model_choice,
    select_prefixes,
)

if TYPE_CHECKING:
    from ..batching import Engine, Output, PipelineSpec


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default="-")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, writable=True),
    help="Write part-00000.jsonl (or .csv) and on, one file per chunk in input order, instead of -o.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one object per record; csv: one row per finding (a record without any: one empty row).",
)
@click.option("--notes/--no-notes", default=False, show_default=True, help="Include notes in each finding.")
@checking_options
@click.option(
    "--batch-size",
    default=256,
    show_default=True,
    type=click.IntRange(1),
    help="Records per chunk handed to a worker (fewer when their texts pass 100,000 characters).",
)
@click.option(
    "--jobs",
    "-J",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes on this machine, each building the pipeline once.",
)
@click.option(
    "--dask",
    "scheduler",
    metavar="SCHEDULER",
    help="Run on a Dask cluster: its scheduler (tcp://host:8786) or local:N for N local workers "
    "(pip install 'hypecheck[dask]').",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a TTY).")
@fail_on_option("never", "Exit 1 when any record has a finding at or above this severity.")
def batch(
    input_path: str,
    output: str,
    output_dir: str | None,
    fmt: str,
    notes: bool,
    jurisdiction: tuple[str, ...],
    rule_packs: tuple[str, ...],
    no_builtin: bool,
    select: str,
    min_confidence: float | None,
    batch_size: int,
    jobs: int,
    scheduler: str | None,
    progress: bool | None,
    fail_on: str,
) -> None:
    """Check every record of a .jsonl (id, text) or .csv (columns id, text) file; JSON Lines or CSV out.

    A record that cannot be read gets an "error" line in its place; the order is kept.
    """
    from ..batching import Output, run_batch

    if scheduler and jobs > 1:
        raise click.UsageError("--jobs runs on this machine, --dask on a cluster: give one of them")
    nlp = load_pipeline(rule_packs, no_builtin, select)
    spec = _pipeline_spec(rule_packs, no_builtin, select)
    options: dict[str, Any] = {
        "jurisdictions": jurisdiction,
        "notes": notes,
        "min_confidence": min_confidence,
        "fmt": fmt,
    }
    with _dask_engine(scheduler, spec, Output(**options)) as engine:
        try:
            out_file = click.open_file(output, "w", encoding="utf-8") if output_dir is None else nullcontext(None)
            with out_file as out:
                summary = run_batch(
                    nlp,
                    input_path,
                    out,
                    **options,
                    batch_size=batch_size,
                    jobs=jobs,
                    spec=spec,
                    engine=engine,
                    output_dir=output_dir,
                    progress=progress,
                )
        except BrokenPipeError:
            raise
        except OSError as exc:  # unwritable output, the input vanished or the disk filled up mid-run
            raise click.FileError(exc.filename or output, hint=exc.strerror or str(exc)) from exc
    if summary.errors:
        click.echo(
            f'hypecheck: {summary.errors} of {summary.records} records could not be read; see their "error" lines',
            err=True,
        )
    failed = summary.worst and summary.worst >= SEVERITY_RANK.get(fail_on, 99)
    sys.exit(ExitStatus.FINDINGS if failed else ExitStatus.CLEAN)


@contextmanager
def _dask_engine(scheduler: str | None, spec: PipelineSpec, output: Output) -> Iterator[Engine | None]:
    """The engine that runs chunks on the ``--dask`` cluster (None without one); disconnects on the way out."""
    if not scheduler:
        yield None
        return
    from ..distributed import connect, dask_engine, disconnect

    client = connect(scheduler)
    try:
        yield dask_engine(client, spec, output)
    finally:
        disconnect(client)


def _pipeline_spec(rule_packs: tuple[str, ...], no_builtin: bool, select: str) -> PipelineSpec:
    """What a worker process or a Dask worker needs to build the same pipeline.

    Paths are made absolute: a Dask worker resolves them from its own folder.
    """
    from ..batching import PipelineSpec

    model = model_choice()
    return PipelineSpec(
        tuple(str(Path(p).resolve()) for p in rule_packs),
        not no_builtin,
        tuple(select_prefixes(select)),
        str(Path(model).resolve()) if isinstance(model, str) else model,
    )
