"""The ``hypecheck`` command line: check, batch, rules, evaluate, serve."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from . import __version__
from .checking import ExitStatus
from .constants import CLAIMS_PIPE, DEFAULT_MAX_FINDINGS, JURISDICTIONS, SEVERITY_RANK
from .errors import HypecheckError
from .report import parse_jurisdictions


def _jurisdictions(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    try:
        return parse_jurisdictions(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


RULES_OPTION = click.option(
    "--rules",
    "rule_packs",
    multiple=True,
    type=click.Path(exists=True),
    help="Extra rule pack (folder or rule file); repeatable.",
)
NO_BUILTIN_OPTION = click.option("--no-builtin", is_flag=True, help="Leave the built-in rules out.")
SELECT_OPTION = click.option(
    "--select", default="", help="Comma-separated rule-id prefixes to keep, e.g. 'disease,dose.active-count'."
)
MIN_CONFIDENCE_OPTION = click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=None,
    help="Leave out findings below this confidence (default 0.55 hides claims the text only reports).",
)
JURISDICTION_OPTION = click.option(
    "--jurisdiction",
    "-j",
    default=None,
    callback=_jurisdictions,
    metavar="CODES",
    help=f"Comma-separated codes for the notes shown: {','.join(JURISDICTIONS)} or all (default: all).",
)


def _model_choice() -> bool | str:
    """``--rules-only`` / ``--model DIR`` of the command group (the shipped model by default)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj.get("model", True) if isinstance(obj, dict) else True


def _load(rule_packs: tuple[str, ...], no_builtin: bool, select: str) -> Any:
    from . import load

    prefixes = [s.strip() for s in select.split(",") if s.strip()]
    nlp = load(rule_packs, builtin=not no_builtin, select=prefixes, model=_model_choice())
    claims: Any = nlp.get_pipe(CLAIMS_PIPE)
    if not claims.rules:
        why = f"--select {select!r} keeps none of them" if prefixes else "the rule packs given have none"
        raise click.UsageError(f"no rules to check with: {why} (see 'hypecheck rules list')")
    return nlp


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hypecheck")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file (default: the nearest .hypecheck.yml).",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False),
    help="A learned layer trained with 'hypecheck train' (default: the shipped one).",
)
@click.option("--rules-only", is_flag=True, help="Leave the learned layer out: rule findings only.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, model_dir: str | None, rules_only: bool) -> None:
    """Flag overreaching claims in exosome and regenerative skincare marketing."""
    from .config import command_defaults, find_config

    ctx.obj = {"model": False if rules_only else (model_dir or True)}

    path = config or find_config()
    if path is not None:
        ctx.default_map = command_defaults(path)


@cli.command()
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
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high", "never"]),
    default="low",
    show_default=True,
    help="Exit 1 when a finding at or above this severity is found.",
)
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
@JURISDICTION_OPTION
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
@MIN_CONFIDENCE_OPTION
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
    from . import baseline as baselines
    from .checking import collect, exit_status, open_output, render, report_baseline

    names = list(paths) or ["-"]
    accepted = baselines.load(baseline) if baseline and not write_baseline else None  # a broken one stops early
    nlp = _load(rule_packs, no_builtin, select)
    run = collect(nlp, names, jurisdiction=jurisdiction, min_confidence=min_confidence, as_html=as_html)
    comparison = None
    if write_baseline:
        count = baselines.write(write_baseline, run.checked)
        click.echo(f"hypecheck: wrote {count} finding(s) of {len(run.checked)} file(s) to {write_baseline}", err=True)
    elif accepted is not None:
        comparison = baselines.compare(accepted, run.checked)
        report_baseline(str(baseline), comparison)
    status = exit_status(run, comparison, fail_on, wrote_baseline=bool(write_baseline))
    single = len(names) == 1 and (names[0] == "-" or "://" in names[0] or Path(names[0]).is_file())
    if not (write_baseline and fmt == "text" and output == "-"):  # adopting: the summary line is enough
        with open_output(output) as out:
            render(
                fmt,
                run,
                out,
                nlp=nlp,
                comparison=comparison,
                status=status,
                single=single,
                explain=explain,
                max_findings=max_findings,
            )
    if run.unreadable:
        click.echo(f"hypecheck: {len(run.unreadable)} input(s) could not be checked", err=True)
    sys.exit(status)


@cli.command()
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
@JURISDICTION_OPTION
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
@MIN_CONFIDENCE_OPTION
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
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when any record has a finding at or above this severity.",
)
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
    from .batching import Output, PipelineSpec, run_batch

    if scheduler and jobs > 1:
        raise click.UsageError("--jobs runs on this machine, --dask on a cluster: give one of them")
    nlp = _load(rule_packs, no_builtin, select)
    model = _model_choice()  # paths made absolute: a Dask worker resolves them from its own folder
    spec = PipelineSpec(
        tuple(str(Path(p).resolve()) for p in rule_packs),
        not no_builtin,
        tuple(s.strip() for s in select.split(",") if s.strip()),
        str(Path(model).resolve()) if isinstance(model, str) else model,
    )
    options: dict[str, Any] = {
        "jurisdictions": jurisdiction,
        "notes": notes,
        "min_confidence": min_confidence,
        "fmt": fmt,
    }
    client = engine = None
    if scheduler:
        from .distributed import connect, dask_engine, disconnect

        client = connect(scheduler)
        engine = dask_engine(client, spec, Output(**options))
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
    finally:
        if client is not None:
            disconnect(client)
    if summary.errors:
        click.echo(
            f'hypecheck: {summary.errors} of {summary.records} records could not be read; see their "error" lines',
            err=True,
        )
    failed = summary.worst and summary.worst >= SEVERITY_RANK.get(fail_on, 99)
    sys.exit(ExitStatus.FINDINGS if failed else ExitStatus.CLEAN)


@cli.group()
def rules() -> None:
    """List and test rules."""


@rules.command("list")
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_list(rule_packs: tuple[str, ...], no_builtin: bool, select: str, fmt: str) -> None:
    """List the loaded rules."""
    from . import list_rules

    listed = list_rules(_load(rule_packs, no_builtin, select))
    if fmt == "json":
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    for rule in listed:
        click.echo(f"{rule['id']:<42} {rule['severity']:<7} {rule['message'][:70]}")
    click.echo(f"{len(listed)} rules")


@rules.command("notes")
@RULES_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_notes(rule_packs: tuple[str, ...], fmt: str) -> None:
    """List every regulatory and evidence note: jurisdiction, instrument, status and last check."""
    notes = _load(rule_packs, False, "").get_pipe("hypecheck_claims").ruleset.notes
    rows = [
        {
            "id": n["id"],
            "kind": n.get("kind", "evidence" if n["id"].startswith("evidence.") else "regulatory"),
            "jurisdiction": n.get("jurisdiction", ""),
            "instrument": n.get("instrument") or n.get("topic", ""),
            "status": "confirmed" if n.get("confirmed", True) else "unconfirmed",
            "checked": str((n.get("verification") or {}).get("checked") or n.get("checked", "")),
            "url": (n.get("verification") or {}).get("url") or n.get("url", ""),
        }
        for n in sorted(notes.values(), key=lambda n: n["id"])
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(
            f"{r['id']:<52} {r['jurisdiction'] or '-':<3} {r['status']:<11} {r['checked']:<10} {r['instrument'][:60]}"
        )
    unconfirmed = sum(r["status"] == "unconfirmed" for r in rows)
    click.echo(f"{len(rows)} notes, {unconfirmed} unconfirmed")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@RULES_OPTION
@click.option("--no-builtin", is_flag=True, help="With packs: test only those packs' rules.")
def rules_test(paths: tuple[str, ...], rule_packs: tuple[str, ...], no_builtin: bool) -> None:
    """Run every rule's own examples (the built-in pack and the settings' packs, or the PATHS given)."""
    from .ruletest import run_examples

    packs = [*paths, *rule_packs]
    failures, total = run_examples(packs, builtin=not no_builtin or not packs, only_packs=bool(paths))
    for failure in failures:
        click.echo(failure)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    sys.exit(ExitStatus.FINDINGS if failures else ExitStatus.CLEAN)


@cli.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", default=0, help="Show up to N misses and false alarms per category.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@JURISDICTION_OPTION
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
@MIN_CONFIDENCE_OPTION
def evaluate(
    gold: str,
    errors: int,
    fmt: str,
    jurisdiction: tuple[str, ...],
    rule_packs: tuple[str, ...],
    no_builtin: bool,
    select: str,
    min_confidence: float | None,
) -> None:
    """Score the checker on a labelled JSONL corpus (id, text, labels).

    Macro F1 averages the categories with gold examples; malformed lines,
    duplicate ids and unknown labels are reported with their line numbers.
    """
    from .evaluation import evaluate as run_evaluation
    from .evaluation import format_text, to_json

    result = run_evaluation(
        _load(rule_packs, no_builtin, select), gold, jurisdictions=jurisdiction, min_confidence=min_confidence
    )
    if fmt == "json":
        click.echo(json.dumps(to_json(result, errors=errors), ensure_ascii=False, indent=1))
    else:
        click.echo(format_text(result, errors=errors))
    if result["problems"]:
        click.echo(
            f'hypecheck: {len(result["problems"])} problem(s) in {gold}; see "problems"'
            if fmt == "json"
            else f"hypecheck: {len(result['problems'])} problem(s) in {gold} (listed above)",
            err=True,
        )


@cli.command()
@click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the trained layer (model.npz + meta.json); use it with --model.",
)
@RULES_OPTION
def train(corpora: tuple[str, ...], output: str, rule_packs: tuple[str, ...]) -> None:
    """Train the learned layer on labelled JSONL corpora (id, text, labels, source)."""
    from .corpus import read_corpus
    from .learning import featurize
    from .learning import train as fit

    snippets = read_corpus(corpora)
    if not snippets:
        raise click.UsageError("the corpora hold no snippets")
    heads = fit(featurize(_load_rules_only(rule_packs), snippets))
    heads.save(output)
    click.echo(
        f"trained on {len(snippets)} snippets; keep {heads.keep.round(2).tolist()}, "
        f"raise {heads.raise_at.round(2).tolist()}; wrote {output}"
    )


@cli.command()
@click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20), help="Folds of source sites.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@RULES_OPTION
def crossval(corpora: tuple[str, ...], folds: int, fmt: str, rule_packs: tuple[str, ...]) -> None:
    """Accuracy across source sites: per fold, rules alone and rules + a model trained on the other folds."""
    from .corpus import read_corpus
    from .learning import cross_validate, format_crossval

    result = cross_validate(_load_rules_only(rule_packs), read_corpus(corpora), folds=folds)
    click.echo(json.dumps(result, indent=1, default=list) if fmt == "json" else format_crossval(result))


def _load_rules_only(rule_packs: tuple[str, ...]) -> Any:
    from . import load

    return load(rule_packs, model=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--allow-fetch", is_flag=True, help="Let the page fetch a web address server-side.")
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
def serve(host: str, port: int, allow_fetch: bool, rule_packs: tuple[str, ...], no_builtin: bool, select: str) -> None:
    """Serve the web page and JSON API with waitress."""
    from .webapp import serve as run_server

    config = {}
    if rule_packs or no_builtin or select or _model_choice() is not True:  # else the app builds the default
        config["HYPECHECK_ENGINE"] = _engine(_load(rule_packs, no_builtin, select))
    try:
        run_server(host=host, port=port, allow_fetch=allow_fetch, config=config)
    except OSError as exc:  # the port is taken, or the address is not ours
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _engine(nlp: Any) -> Any:
    """The web app's engine around a pipeline built from the command's (or the settings') rules."""
    import threading

    from . import CATEGORIES, JURISDICTIONS, list_rules
    from .webapp.service import Engine

    rules = [{k: v for k, v in r.items() if k != "file"} for r in list_rules(nlp)]  # "file" is a server path
    return Engine(
        nlp=nlp,
        version=__version__,
        jurisdictions=dict(JURISDICTIONS),
        categories=dict(CATEGORIES),
        rules=rules,
        lock=threading.Lock(),
    )


def main() -> None:
    """Console entry point: 0 clean, 1 findings, 2 usage or input error, 4 internal error."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitStatus.USAGE)
    except click.exceptions.Abort:
        sys.exit(ExitStatus.USAGE)
    except HypecheckError as exc:
        click.echo(f"hypecheck: {exc}", err=True)
        sys.exit(ExitStatus.USAGE)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(ExitStatus.USAGE)
    except Exception:  # a bug: never let it look like exit 1 ("findings")
        import traceback

        traceback.print_exc()
        click.echo("hypecheck: internal error; please report it with the traceback above", err=True)
        sys.exit(ExitStatus.INTERNAL)
