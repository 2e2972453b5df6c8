"""Build the hypecheck spaCy pipeline."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from .cache import no_gc
from .components import claim_matcher, claim_model, context, lines, voice  # noqa: F401 - registers the factories
from .components.tokenizer import bound
from .constants import MODEL_PIPE, VOICE_PIPE


def build_nlp(
    rules: Iterable[str | Path] = (),
    *,
    builtin: bool = True,
    select: Iterable[str] = (),
    model: bool | str | Path = True,
) -> Language:
    """``spacy.blank("en")`` + sentencizer + line breaks + claim matcher + context + model.

    ``rules`` are extra rule packs (folders or single rule files) loaded after the
    built-in pack; ``builtin=False`` leaves the built-in rules out; ``select``
    keeps only rules whose id starts with one of the given prefixes.  ``model``:
    ``True`` adds the shipped learned layer, a folder adds one trained with
    ``hypecheck train`` (its voice head, where it has one, runs just before it),
    ``False`` gives the rules-only pipeline.  A lookup
    lemmatizer is added before the claim matcher only when a loaded token
    pattern tests ``LEMMA`` (no built-in rule does: it costs ~1.7 µs a word).
    """
    with no_gc():  # tens of thousands of long-lived objects: collections would free nothing
        return _build(rules, builtin, select, model)


def _build(rules: Iterable[str | Path], builtin: bool, select: Iterable[str], model: bool | str | Path) -> Language:
    nlp = bound(spacy.blank("en"))  # linear tokenizer cost on runs of punctuation or emoji
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("hypecheck_lines")
    nlp.initialize()
    claims: Any = nlp.add_pipe(
        "hypecheck_claims",
        config={"rules": [str(p) for p in rules], "builtin": builtin, "select": list(select)},
    )
    if claims.uses_lemma:
        lemmatizer: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"}, before="hypecheck_claims")
        lemmatizer.initialize(nlp=nlp)
    nlp.add_pipe("hypecheck_context")
    if model:
        folder = {"model": None if model is True else str(model)}
        nlp.add_pipe(VOICE_PIPE, config=folder)
        nlp.add_pipe(MODEL_PIPE, config=folder)
    return nlp
