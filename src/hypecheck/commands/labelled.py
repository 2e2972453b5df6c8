"""Commands on labelled corpora (JSON Lines: id, text, labels): ``evaluate``, ``crossval``, ``train``."""

from __future__ import annotations

import json

import click

from .shared import (
    FORMAT_TEXT_JSON_OPTION,
    RULES_OPTION,
    checking_options,
    load_pipeline,
    load_rules_only,
)


@click.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", default=0, help="Show up to N misses and false alarms per category.")
@FORMAT_TEXT_JSON_OPTION
@checking_options
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
    from ..evaluation import evaluate as run_evaluation
    from ..evaluation import format_text, to_json

    result = run_evaluation(
        load_pipeline(rule_packs, no_builtin, select), gold, jurisdictions=jurisdiction, min_confidence=min_confidence
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


@click.command()
@click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20), help="Folds of source sites.")
@FORMAT_TEXT_JSON_OPTION
@RULES_OPTION
def crossval(corpora: tuple[str, ...], folds: int, fmt: str, rule_packs: tuple[str, ...]) -> None:
    """Accuracy across source sites: per fold, rules alone and rules + a model trained on the other folds."""
    from ..corpus import read_corpus
    from ..learning import cross_validate, format_crossval

    result = cross_validate(load_rules_only(rule_packs), read_corpus(corpora), folds=folds)
    click.echo(json.dumps(result, indent=1, default=list) if fmt == "json" else format_crossval(result))


@click.command()
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
    from ..corpus import read_corpus
    from ..learning import featurize
    from ..learning import train as fit

    snippets = read_corpus(corpora)
    if not snippets:
        raise click.UsageError("the corpora hold no snippets")
    heads = fit(featurize(load_rules_only(rule_packs), snippets))
    heads.save(output)
    click.echo(
        f"trained on {len(snippets)} snippets; keep {heads.keep.round(2).tolist()}, "
        f"raise {heads.raise_at.round(2).tolist()}; wrote {output}"
    )
