"""``hypecheck rules list|notes|test``: the loaded rules, their notes and their own examples."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..checking import ExitStatus
from ..constants import CLAIMS_PIPE
from .shared import FORMAT_TEXT_JSON_OPTION, NO_BUILTIN_OPTION, RULES_OPTION, SELECT_OPTION, load_pipeline


@click.group()
def rules() -> None:
    """List and test rules."""


@rules.command("list")
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
@FORMAT_TEXT_JSON_OPTION
def rules_list(rule_packs: tuple[str, ...], no_builtin: bool, select: str, fmt: str) -> None:
    """List the loaded rules."""
    from .. import list_rules

    listed = list_rules(load_pipeline(rule_packs, no_builtin, select))
    if fmt == "json":
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    for rule in listed:
        click.echo(f"{rule['id']:<42} {rule['severity']:<7} {rule['message'][:70]}")
    click.echo(f"{len(listed)} rules")


@rules.command("notes")
@RULES_OPTION
@FORMAT_TEXT_JSON_OPTION
def rules_notes(rule_packs: tuple[str, ...], fmt: str) -> None:
    """List every regulatory and evidence note: jurisdiction, instrument, status and last check."""
    claims: Any = load_pipeline(rule_packs, False, "").get_pipe(CLAIMS_PIPE)  # the ClaimMatcher
    notes = claims.ruleset.notes
    rows = [_note_row(note) for note in sorted(notes.values(), key=lambda n: n["id"])]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(
            f"{r['id']:<52} {r['jurisdiction'] or '-':<3} {r['status']:<11} {r['checked']:<10} {r['instrument'][:60]}"
        )
    unconfirmed = sum(r["status"] == "unconfirmed" for r in rows)
    click.echo(f"{len(rows)} notes, {unconfirmed} unconfirmed")


def _note_row(note: dict[str, Any]) -> dict[str, str]:
    """One row of ``rules notes``: id, kind, jurisdiction, instrument, status, last checked, address."""
    verification = note.get("verification") or {}
    return {
        "id": note["id"],
        "kind": note.get("kind", "evidence" if note["id"].startswith("evidence.") else "regulatory"),
        "jurisdiction": note.get("jurisdiction", ""),
        "instrument": note.get("instrument") or note.get("topic", ""),
        "status": "confirmed" if note.get("confirmed", True) else "unconfirmed",
        "checked": str(verification.get("checked") or note.get("checked", "")),
        "url": verification.get("url") or note.get("url", ""),
    }


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@RULES_OPTION
@click.option("--no-builtin", is_flag=True, help="With packs: test only those packs' rules.")
def rules_test(paths: tuple[str, ...], rule_packs: tuple[str, ...], no_builtin: bool) -> None:
    """Run every rule's own examples (the built-in pack and the settings' packs, or the PATHS given)."""
    from ..ruletest import run_examples

    packs = [*paths, *rule_packs]
    failures, total = run_examples(packs, builtin=not no_builtin or not packs, only_packs=bool(paths))
    for failure in failures:
        click.echo(failure)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    sys.exit(ExitStatus.FINDINGS if failures else ExitStatus.CLEAN)
