"""Build the hypecheck spaCy pipeline."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.language import Language

from .components import claim_matcher, context, lines  # noqa: F401 - registers the factories


def build_nlp(
    rules: Iterable[str | Path] = (), *, builtin: bool = True, select: Iterable[str] = ()
) -> Language:
    """``spacy.blank("en")`` + sentencizer + line breaks + lookup lemmatizer + claim matcher + context.

    ``rules`` are extra rule packs (folders or single rule files) loaded after the
    built-in pack; ``builtin=False`` leaves the built-in rules out; ``select``
    keeps only rules whose id starts with one of the given prefixes.
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("hypecheck_lines")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.add_pipe(
        "hypecheck_claims",
        config={"rules": [str(p) for p in rules], "builtin": builtin, "select": list(select)},
    )
    nlp.add_pipe("hypecheck_context")
    return nlp
