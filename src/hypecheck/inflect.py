"""Expand base-form terms into the surface forms the matcher looks for.

Rules are written in base form ("stimulate collagen production"); the claim
matcher compares lower-cased tokens, which sidesteps the case-sensitivity of the
lookup lemmatizer ("Stimulates" keeps its capital and would not lemmatize).
Forms come from regular English endings plus a short list of irregular verbs
common in claims (spaCy's lookup table is keyed by hash and cannot be inverted).
"""

from __future__ import annotations

import itertools

MAX_VARIANTS = 64
_VOWELS = set("aeiou")


IRREGULAR: dict[str, tuple[str, ...]] = {
    "grow": ("grew", "grown"),
    "regrow": ("regrew", "regrown"),
    "build": ("built",),
    "rebuild": ("rebuilt",),
    "fight": ("fought",),
    "take": ("took", "taken"),
    "give": ("gave", "given"),
    "drive": ("drove", "driven"),
    "make": ("made",),
    "bring": ("brought",),
    "show": ("shown",),
    "prove": ("proven",),
    "wake": ("woke", "woken"),
    "awake": ("awoke", "awoken"),
    "go": ("went", "gone"),
    "see": ("saw", "seen"),
    "feel": ("felt",),
    "keep": ("kept",),
    "hold": ("held",),
    "get": ("got", "gotten"),
    "do": ("does", "did", "done"),
    "be": ("is", "are", "was", "were", "been"),
    "have": ("has", "had"),
    "sink": ("sank", "sunk"),
    "tell": ("told",),
    "send": ("sent",),
    "undo": ("undid", "undone"),
    "rewrite": ("rewrote", "rewritten"),
    "speed": ("sped",),
    "lead": ("led",),
    "stop": ("stopped", "stopping"),
    "spur": ("spurred", "spurring"),
    "fuel": ("fuelled", "fuelling"),
    "signal": ("signalled", "signalling"),
    "remodel": ("remodelled", "remodelling"),
    "control": ("controlled", "controlling"),
    "program": ("programmed", "programming"),
    "reprogram": ("reprogrammed", "reprogramming"),
    "rid": ("ridding",),
    "get rid": ("got rid",),
}


def regular_forms(word: str) -> set[str]:
    """Plural / third person, past and -ing forms by the regular spelling rules."""
    if len(word) < 3 or not word.isalpha():
        return {word}
    out = {word}
    if word.endswith("y") and word[-2] not in _VOWELS:
        out |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        out |= {word + "es", word + "ed", word + "ing"}
    elif word.endswith("e"):
        out |= {word + "s", word + "d", word[:-1] + "ing"}
    else:
        out |= {word + "s", word + "ed", word + "ing"}
    return out


def plural_forms(word: str) -> set[str]:
    """The word and its regular plural."""
    if len(word) < 3 or not word.isalpha() or word.endswith("s"):
        return {word}
    if word.endswith("y") and word[-2] not in _VOWELS:
        return {word, word[:-1] + "ies"}
    return {word, word + ("es" if word.endswith(("x", "z", "ch", "sh")) else "s")}


def word_forms(word: str) -> set[str]:
    """``word`` with its regular forms and any irregular ones."""
    return regular_forms(word) | set(IRREGULAR.get(word, ()))


def phrase_variants(phrase: str, *, inflect: bool = True) -> set[str]:
    """All spellings of ``phrase``: inflected words, hyphen/space and apostrophe variants."""
    phrase = " ".join(phrase.lower().split())
    words = phrase.split(" ")
    if inflect:
        # A verb leads a phrase and a noun ends it: every form of the first word,
        # the plural of the last, the middle as written.
        choices = [[w] for w in words]
        choices[0] = sorted(word_forms(words[0]))
        if len(words) > 1:
            choices[-1] = sorted(plural_forms(words[-1]))
        combos = itertools.islice(itertools.product(*choices), MAX_VARIANTS)
        variants = {" ".join(c) for c in combos}
    else:
        variants = {phrase}
    if len(words) == 2:
        variants |= {v.replace(" ", "-") for v in variants if v.count(" ") == 1}
    variants |= {v.replace("'", "\u2019") for v in variants if "'" in v}
    return variants
