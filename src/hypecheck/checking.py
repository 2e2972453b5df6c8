"""The check command's run over many inputs: collect ``(name, text, report)`` per input, then render.

An unreadable input costs only itself; suppression markers are applied as each
input is checked; the exit status counts only unsuppressed (and, with a
baseline, new) findings.
"""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any, NamedTuple

import click

from .errors import InputError
from .ruleset import SEVERITY_RANK


class ExitStatus(IntEnum):
    """Exit statuses of the command line (``hypecheck.cli`` re-exports it)."""

    CLEAN = 0
    FINDINGS = 1
    USAGE = 2
    UNREADABLE = 3  # some inputs could not be read; the others were checked
    INTERNAL = 4


class Run(NamedTuple):
    """One check run: ``(name, text, report)`` per checked input, the unreadable ones, marker notices."""

    checked: list[tuple[str, str, Any]]
    unreadable: list[tuple[str, str]]
    notices: list[tuple[str, Any]]


def collect(nlp: Any, names: list[str], *, jurisdiction: tuple[str, ...], min_confidence: float | None,
             as_html: bool | None) -> Run:
    """Check every input; an unreadable one costs only itself (reported on stderr and in the output)."""
    from . import check as run_check
    from .inputs import expand, read_source
    from .ruleset import CATEGORIES
    from .suppress import apply

    known = [r.id for r in nlp.get_pipe("hypecheck_claims").rules] + [f"{c}.learned" for c in CATEGORIES]
    run = Run([], [], [])
    for name, problem in expand(names):
        try:
            if problem is not None:
                raise InputError(problem)
            source = read_source(name, as_html=as_html)
        except InputError as error:
            run.unreadable.append((name, str(error)))
            click.echo(f"hypecheck: {error}", err=True)
            continue
        report = run_check(source.text, jurisdictions=jurisdiction, nlp=nlp, min_confidence=min_confidence)
        report, notices = apply(report, source.text, source.raw, known=known)
        for notice in notices:
            click.echo(f"hypecheck: {source.name}:{notice.line}: {notice.message}", err=True)
            run.notices.append((source.name, notice))
        run.checked.append((source.name, source.text, report))
    return run


def exit_status(run: Run, comparison: Any, fail_on: str, *, wrote_baseline: bool) -> ExitStatus:
    """The exit status: unreadable inputs first, then the worst finding that counts."""
    if run.unreadable:
        return ExitStatus.UNREADABLE if run.checked else ExitStatus.USAGE
    if wrote_baseline:
        return ExitStatus.CLEAN
    worst = max((SEVERITY_RANK[f.severity] for name, _text, report in run.checked
                 for i, f in enumerate(report.findings)
                 if f.suppression is None and (comparison is None or comparison.is_new(name, i))), default=0)
    return ExitStatus.FINDINGS if worst and worst >= SEVERITY_RANK.get(fail_on, 99) else ExitStatus.CLEAN


def report_baseline(path: str, comparison: Any) -> None:
    counts = comparison.counts()
    click.echo(f"hypecheck: baseline {path}: {counts['new']} new, {counts['unchanged']} unchanged, "
               f"{counts['fixed']} fixed since", err=True)
    for entry in comparison.fixed:
        click.echo(f"  fixed: {entry['source']} {entry.get('rule', '')} \u201c{entry.get('text', '')}\u201d", err=True)


def open_output(output: str) -> Any:
    try:
        return click.open_file(output, "w", encoding="utf-8")
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from exc


def render(fmt: str, run: Run, out: Any, *, nlp: Any, comparison: Any, status: int, single: bool) -> None:
    """Write the collected run in one format."""
    from dataclasses import replace

    from .baseline import fingerprints
    from .output import render_text

    if fmt == "sarif":
        from .render.sarif import to_sarif

        claims = nlp.get_pipe("hypecheck_claims")
        sarif = to_sarif(run.checked, claims.rules, notes=claims.ruleset.notes, unreadable=run.unreadable,
                         notices=run.notices, exit_code=int(status), baseline=comparison)
        click.echo(json.dumps(sarif, ensure_ascii=False, indent=2), file=out)
        return
    documents: list[dict[str, Any]] = []
    for name, text, report in run.checked:
        states = comparison.states[name] if comparison is not None else None
        if fmt == "json":
            document = {"source": name, **report.to_dict()}
            for i, (finding, fp) in enumerate(zip(document["findings"], fingerprints(report), strict=True)):
                finding["fingerprint"] = fp
                if states:
                    finding["baseline"] = states[i]
            notices = [n.to_dict() for source, n in run.notices if source == name]
            if notices:
                document["suppression_notices"] = notices
            documents.append(document)
            continue
        shown = [f for i, f in enumerate(report.findings)
                 if f.suppression is None and (states is None or states[i] == "new")]
        click.echo(render_text(name, text, replace(report, findings=shown)), file=out)
        for f in report.findings:
            if f.suppression is not None:
                click.echo(f"  suppressed  \u201c{f.text}\u201d  [{f.rule}]  reason: {f.suppression['reason']}",
                           file=out)
        if states and states.count("unchanged"):
            click.echo(f"  {states.count('unchanged')} finding(s) in the baseline not shown", file=out)
    if fmt == "json":
        documents += [{"source": name, "error": problem} for name, problem in run.unreadable]
        click.echo(json.dumps(documents[0] if single and documents else documents, ensure_ascii=False, indent=2),
                   file=out)
