"""Run each rule's own ``examples``: every ``flag`` text must raise that rule, no ``pass`` text may."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language

from .constants import CLAIMS_PIPE
from .pipeline import build_nlp
from .ruleset import Rule


def rule_failures(nlp: Language, rule: Rule) -> list[str]:
    """Messages for each example of ``rule`` that does not behave as declared."""
    failures = []
    for text in rule.flag_examples:
        if not _raises(nlp, rule.id, text):
            failures.append(f"False negative against {rule.id}: {text!r} ({rule.path}:{rule.line})")
    for text in rule.pass_examples:
        if _raises(nlp, rule.id, text):
            failures.append(f"False positive against {rule.id}: {text!r} ({rule.path}:{rule.line})")
    return failures


def _raises(nlp: Language, rule_id: str, text: str) -> bool:
    doc = nlp(text)
    return any(span.label_ == rule_id for span in doc.spans["hypecheck"])


def run_examples(
    packs: Iterable[str | Path] = (), *, builtin: bool = True, only_packs: bool = False
) -> tuple[list[str], int]:
    """``(failures, number of examples)`` over the loaded rules (only the packs' with ``only_packs``)."""
    packs = list(packs)
    nlp = build_nlp(packs, builtin=builtin, model=False)  # a rule is judged by its own matches
    claims: Any = nlp.get_pipe(CLAIMS_PIPE)  # the ClaimMatcher
    rules: list[Rule] = claims.rules
    if only_packs:
        roots = [Path(p).resolve() for p in packs]
        rules = [r for r in rules if any(Path(r.path).resolve().is_relative_to(root) for root in roots)]
    failures = [msg for rule in rules for msg in rule_failures(nlp, rule)]
    total = sum(len(r.flag_examples) + len(r.pass_examples) for r in rules)
    return failures, total
