"""The check command's run over many inputs: collect ``(name, text, report)`` per input, then render.

An unreadable input costs only itself; suppression markers are applied as each
input is checked; the exit status counts only unsuppressed (and, with a
baseline, new) findings.
"""

from __future__ import annotations

import json
import os
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from .constants import CLAIMS_PIPE
from .errors import InputError
from .ruleset import SEVERITY_RANK

if TYPE_CHECKING:
    from .baseline import Comparison
    from .report import Report
    from .suppress import Notice


class ExitStatus(IntEnum):
    """Exit statuses of the command line (``hypecheck.cli`` re-exports it)."""

    CLEAN = 0
    FINDINGS = 1
    USAGE = 2
    UNREADABLE = 3  # some inputs could not be read; the others were checked
    INTERNAL = 4


class Run(NamedTuple):
    """One check run: ``(name, text, report)`` per checked input, the unreadable ones, marker notices."""

    checked: list[tuple[str, str, Report]]
    unreadable: list[tuple[str, str]]
    notices: list[tuple[str, Notice]]
    order: list[str]  # every input's name, checked or not, in the order met


def collect(
    nlp: Any, names: list[str], *, jurisdiction: tuple[str, ...], min_confidence: float | None, as_html: bool | None
) -> Run:
    """Check every input; an unreadable one costs only itself (reported on stderr and in the output)."""
    from . import check as run_check
    from .inputs import expand, read_source
    from .ruleset import CATEGORIES
    from .suppress import apply

    fmt = "auto" if as_html is None else "html" if as_html else "text"
    loopback = os.environ.get("HYPECHECK_FETCH_ALLOW_LOOPBACK") == "1"  # the tests' local server only
    known = [r.id for r in nlp.get_pipe(CLAIMS_PIPE).rules] + [f"{c}.learned" for c in CATEGORIES]
    run = Run([], [], [], [])
    for name, problem in expand(names):
        run.order.append(name)
        try:
            if problem is not None:
                raise InputError(problem)
            source = read_source(name, fmt=fmt, allow_loopback=loopback)
        except InputError as error:
            run.unreadable.append((name, str(error)))
            click.echo(f"hypecheck: {error}", err=True)
            continue
        run.order[-1] = source.name  # "-" is reported as <stdin>
        for message in source.prepared.notices:
            click.echo(f"hypecheck: {source.name}: {message}", err=True)
        text = source.prepared.text
        report = run_check(source.prepared, jurisdictions=jurisdiction, nlp=nlp, min_confidence=min_confidence)
        report, notices = apply(report, text, source.raw, known=known)
        for notice in notices:
            click.echo(f"hypecheck: {source.name}:{notice.line}: {notice.message}", err=True)
            run.notices.append((source.name, notice))
        run.checked.append((source.name, text, report))
    return run


def exit_status(run: Run, comparison: Comparison | None, fail_on: str, *, wrote_baseline: bool) -> ExitStatus:
    """The exit status: unreadable inputs first, then the worst finding that counts."""
    if run.unreadable:
        return ExitStatus.UNREADABLE if run.checked else ExitStatus.USAGE
    if wrote_baseline:
        return ExitStatus.CLEAN
    worst = max(
        (
            SEVERITY_RANK[f.severity]
            for name, _text, report in run.checked
            for i, f in enumerate(report.findings)
            if f.suppression is None and (comparison is None or comparison.is_new(name, i))
        ),
        default=0,
    )
    return ExitStatus.FINDINGS if worst and worst >= SEVERITY_RANK.get(fail_on, 99) else ExitStatus.CLEAN


def report_baseline(path: str, comparison: Comparison) -> None:
    """One summary line on stderr, then each baselined finding that is gone."""
    counts = comparison.counts()
    click.echo(
        f"hypecheck: baseline {path}: {counts['new']} new, {counts['unchanged']} unchanged, "
        f"{counts['fixed']} fixed since",
        err=True,
    )
    for entry in comparison.fixed:
        click.echo(f"  fixed: {entry['source']} {entry.get('rule', '')} \u201c{entry.get('text', '')}\u201d", err=True)


def open_output(output: str) -> Any:
    """The file for ``-o`` (``-``: standard output), or a click error naming it."""
    try:
        return click.open_file(output, "w", encoding="utf-8")
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from exc


def render(
    fmt: str,
    run: Run,
    out: Any,
    *,
    nlp: Any,
    comparison: Comparison | None,
    status: int,
    single: bool,
    explain: bool = False,
    max_findings: int | None = None,
) -> None:
    """Write the collected run in one format (``single``: one report object rather than a list, in JSON)."""
    if fmt == "sarif":
        from .render.sarif import to_sarif

        claims = nlp.get_pipe(CLAIMS_PIPE)
        sarif = to_sarif(
            run.checked,
            claims.rules,
            notes=claims.ruleset.notes,
            unreadable=run.unreadable,
            notices=run.notices,
            exit_code=int(status),
            baseline=comparison,
        )
        click.echo(json.dumps(sarif, ensure_ascii=False, indent=2), file=out)
    elif fmt == "json":
        by_name = {name: _document(name, report, run, comparison, max_findings) for name, _text, report in run.checked}
        by_name.update({name: {"source": name, "error": problem} for name, problem in run.unreadable})
        documents = [by_name[name] for name in run.order]  # errors in their place, the order kept
        click.echo(
            json.dumps(documents[0] if single and documents else documents, ensure_ascii=False, indent=2), file=out
        )
    elif fmt in ("markdown", "html"):
        from .render import html, markdown
        from .render.view import build_view

        views = [build_view(report, text, source=name) for name, text, report in run.checked]
        click.echo((html if fmt == "html" else markdown).document(views), file=out, nl=False)
    else:
        colour = bool(getattr(out, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")
        for name, _text, report in run.checked:
            click.echo(_text_report(name, report, comparison, explain=explain, colour=colour), file=out, color=colour)


def _document(
    name: str, report: Report, run: Run, comparison: Comparison | None, max_findings: int | None = None
) -> dict[str, Any]:
    """The JSON report of one input, with fingerprints, baseline states and marker notices."""
    from .baseline import fingerprints

    states = comparison.states[name] if comparison is not None else None
    document = {"source": name, **report.to_dict(max_findings=max_findings)}
    for i, (finding, fp) in enumerate(zip(document["findings"], fingerprints(report), strict=False)):
        finding["fingerprint"] = fp
        if states:
            finding["baseline"] = states[i]
    notices = [n.to_dict() for source, n in run.notices if source == name]
    if notices:
        document["suppression_notices"] = notices
    return document


def _text_report(name: str, report: Report, comparison: Comparison | None, *, explain: bool, colour: bool) -> str:
    """The terminal report of one input: the findings that count in full, then the suppressed ones."""
    from dataclasses import replace

    from .render.text import render_text

    states = comparison.states[name] if comparison is not None else None
    shown = [
        f for i, f in enumerate(report.findings) if f.suppression is None and (states is None or states[i] == "new")
    ]
    lines = [render_text(name, replace(report, findings=shown), explain=explain, colour=colour)]
    lines += [
        f"  suppressed  \u201c{f.text}\u201d  [{f.rule}]  reason: {f.suppression['reason']}"
        for f in report.findings
        if f.suppression is not None
    ]
    if states and states.count("unchanged"):
        lines.append(f"  {states.count('unchanged')} finding(s) in the baseline not shown")
    return "\n".join(lines)
