"""What several commands share: the rule-selection options and the pipeline they select."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from ..config import FAIL_ON
from ..constants import CLAIMS_PIPE, JURISDICTIONS
from ..report import parse_jurisdictions

if TYPE_CHECKING:
    from spacy.language import Language


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
FORMAT_TEXT_JSON_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def fail_on_option(default: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--fail-on low|medium|high|never``, with the command's default and help."""
    return click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON),
        default=default,
        show_default=True,
        help=help_text,
    )


def checking_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-j``, ``--rules``, ``--no-builtin``, ``--select`` and ``--min-confidence``, in that order."""
    for option in (MIN_CONFIDENCE_OPTION, SELECT_OPTION, NO_BUILTIN_OPTION, RULES_OPTION, JURISDICTION_OPTION):
        command = option(command)
    return command


def select_prefixes(select: str) -> list[str]:
    """The rule-id prefixes of a ``--select`` value (``"disease, dose"`` -> ``["disease", "dose"]``)."""
    return [s.strip() for s in select.split(",") if s.strip()]


def model_choice() -> bool | str:
    """``--rules-only`` / ``--model DIR`` of the command group (the shipped model by default)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj.get("model", True) if isinstance(obj, dict) else True


def load_pipeline(rule_packs: tuple[str, ...], no_builtin: bool, select: str) -> Language:
    """The pipeline the options select; a usage error when it would have no rules."""
    from .. import load

    prefixes = select_prefixes(select)
    nlp = load(rule_packs, builtin=not no_builtin, select=prefixes, model=model_choice())
    claims: Any = nlp.get_pipe(CLAIMS_PIPE)
    if not claims.rules:
        why = f"--select {select!r} keeps none of them" if prefixes else "the rule packs given have none"
        raise click.UsageError(f"no rules to check with: {why} (see 'hypecheck rules list')")
    return nlp


def load_rules_only(rule_packs: tuple[str, ...]) -> Language:
    """The built-in rules plus ``rule_packs``, without the learned layer (to train or score it)."""
    from .. import load

    return load(rule_packs, model=False)
