"""``hypecheck check``: files, folders, globs, web addresses or standard input, one report each."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..constants import DEFAULT_MAX_FINDINGS
from .shared import (
    checking_options,
    fail_on_option,
    load_pipeline,
)


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "markdown", "html"]),
    default="text",
    show_default=True,
    help="text for people, json (the report contract), sarif (code-scanning tools), "
    "or a report to hand on: markdown or html (the page's printable report).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Write the report to this file (default: standard output).",
)
@fail_on_option("low", "Exit 1 when a finding at or above this severity is found.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Fail only on findings not in this baseline file; report the ones fixed since.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Record today's findings in this baseline file (exit 0 unless an input cannot be read).",
)
@checking_options
@click.option("--html/--no-html", "as_html", default=None, help="Treat input as HTML (default: detect).")
@click.option("--explain", "-v", is_flag=True, help="Text: add why, what instead and the notes under each finding.")
@click.option(
    "--max-findings",
    type=click.IntRange(0),
    default=DEFAULT_MAX_FINDINGS,
    show_default=True,
    help='JSON: list at most this many findings per report ("more" counts the rest); 0 for all.',
)
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str,
    fail_on: str,
    baseline: str | None,
    write_baseline: str | None,
    jurisdiction: tuple[str, ...],
    rule_packs: tuple[str, ...],
    no_builtin: bool,
    select: str,
    min_confidence: float | None,
    as_html: bool | None,
    explain: bool,
    max_findings: int,
) -> None:
    """Check files, folders, globs ('pages/**/*.md'), web addresses, or standard input (-, the default).

    Exit 0 clean, 1 findings at or above --fail-on (suppressed and baselined ones
    do not count), 2 usage error or nothing readable, 3 some inputs could not be
    read (the others were checked and reported).
    """
    from .. import baseline as baselines
    from ..checking import collect, exit_status, open_output, render, report_baseline

    names = list(paths) or ["-"]
    accepted = baselines.load(baseline) if baseline and not write_baseline else None  # a broken one stops early
    nlp = load_pipeline(rule_packs, no_builtin, select)
    run = collect(nlp, names, jurisdiction=jurisdiction, min_confidence=min_confidence, as_html=as_html)
    comparison = None
    if write_baseline:
        count = baselines.write(write_baseline, run.checked)
        click.echo(f"hypecheck: wrote {count} finding(s) of {len(run.checked)} file(s) to {write_baseline}", err=True)
    elif accepted is not None:
        comparison = baselines.compare(accepted, run.checked)
        report_baseline(str(baseline), comparison)
    status = exit_status(run, comparison, fail_on, wrote_baseline=bool(write_baseline))
    if not (write_baseline and fmt == "text" and output == "-"):  # adopting: the summary line is enough
        with open_output(output) as out:
            render(
                fmt,
                run,
                out,
                nlp=nlp,
                comparison=comparison,
                status=status,
                single=_one_input(names),
                explain=explain,
                max_findings=max_findings,
            )
    if run.unreadable:
        click.echo(f"hypecheck: {len(run.unreadable)} input(s) could not be checked", err=True)
    sys.exit(status)


def _one_input(names: list[str]) -> bool:
    """Whether ``names`` is one input (stdin, a web address or a file): one report, not a list."""
    return len(names) == 1 and (names[0] == "-" or "://" in names[0] or Path(names[0]).is_file())
