"""hypecheck: flag overreaching exosome, stem-cell, growth-factor and PDRN skincare claims."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:  # pyproject.toml is the one source of truth
    __version__ = version("hypecheck")
except PackageNotFoundError:  # pragma: no cover - a checkout that was never installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from spacy.language import Language

    from .inputs import Prepared
    from .report import Finding, Report

from .constants import CATEGORIES, CLAIMS_PIPE, JURISDICTIONS

__all__ = ["CATEGORIES", "JURISDICTIONS", "Finding", "Report", "check", "list_rules", "load"]

_default_nlp: Language | None = None


def load(
    rules: Iterable[str | Path] = (),
    *,
    builtin: bool = True,
    select: Iterable[str] = (),
    model: bool | str | Path = True,
) -> Language:
    """Build the pipeline: built-in rules plus any extra rule packs (folders or files).

    ``model``: ``True`` (the shipped learned layer), a folder from ``hypecheck train``,
    or ``False`` for rules only.
    """
    from .pipeline import build_nlp

    return build_nlp(rules, builtin=builtin, select=select, model=model)


def _nlp(nlp: Language | None) -> Language:
    global _default_nlp
    if nlp is not None:
        return nlp
    if _default_nlp is None:
        _default_nlp = load()
    return _default_nlp


def check(
    text: str | Prepared,
    *,
    jurisdictions: str | Iterable[str] | None = None,
    nlp: Language | None = None,
    min_confidence: float | None = None,
) -> Report:
    """Check one text; returns a :class:`Report` with findings, notes and verdict.

    ``text``: plain text, or input from :mod:`hypecheck.inputs` (``prepare_text``,
    ``prepare_url``) so findings on HTML also carry their place in the markup.
    ``jurisdictions``: codes such as ``"us,eu"`` (default all); ``min_confidence``:
    leave out findings below it (default 0.55 hides claims the text only reports).
    """
    from .inputs import Prepared
    from .longtext import process
    from .report import build_report, parse_jurisdictions

    prepared = text if isinstance(text, Prepared) else Prepared(text=text)
    pipeline = _nlp(nlp)
    doc = process(pipeline, prepared.text)  # texts of any length, in pieces
    return build_report(
        doc, pipeline, parse_jurisdictions(jurisdictions), min_confidence=min_confidence, prepared=prepared
    )


def list_rules(nlp: Language | None = None) -> list[dict[str, Any]]:
    """Every loaded rule as a dict (id, category, severity, message, suggestion, notes, file)."""
    claims: Any = _nlp(nlp).get_pipe(CLAIMS_PIPE)
    return [rule.to_dict() for rule in claims.rules]


def __getattr__(name: str) -> Any:
    if name in {"Finding", "Report"}:
        from . import report

        return getattr(report, name)
    raise AttributeError(name)
