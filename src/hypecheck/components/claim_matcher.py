"""``hypecheck_claims``: compile YAML rules into spaCy matchers, write claim spans.

Vocabulary (term lists and literal phrases) goes into one ``PhraseMatcher`` on
``LOWER``, whose cost hardly grows with the number of phrases.  A rule's
``all:`` alternative then combines those hits: every element must occur in the
same sentence, in order unless ``order: false``, at most ``within`` tokens
apart (one number for every gap, or a list with one per gap).  That
co-occurrence step runs only on sentences that already have hits, so rule packs
can grow without slowing the pipeline.  Raw spaCy token patterns (``pattern:``)
are supported for the rare rule that needs them.  Words spelled with look-alike
letters (see :mod:`hypecheck.components.tokenizer`) are matched on their folded
``NORM``.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span

from .. import cache
from .._paths import rules_dir
from ..errors import RuleFileError
from ..inflect import phrase_variants
from ..ruleset import DETECTORS, Alternative, Rule, RuleSet, load_ruleset
from . import quantities
from .sentences import sentence_index as _sentence
from .sentences import sentence_starts as _sentence_starts
from .tokenizer import FOLDED

Hit = tuple[int, int]

# One-token spellings so common that matching them as phrases costs more than
# reading them off the token array when a rule asks for them (see _Hits).
GLUE = frozenset(STOP_WORDS | set(",.;:!?&/+-–—()[]|*'\"“”‘’"))
_GLUE_HASHES = frozenset(hash_string(w) for w in GLUE)


class _Hits:
    """Token spans per phrase key: the phrase matcher's, plus glue words found on demand.

    A glue spelling (one token of :data:`GLUE`) is not in the phrase matcher; a key
    that wants one gets those tokens from ``at`` (glue token hash -> its spans in
    this doc) the first time it is asked for.
    """

    __slots__ = ("_at", "_glue_of", "_merged", "eager")

    def __init__(self, glue_of: dict[str, tuple[int, ...]], at: dict[int, list[Hit]]):
        self.eager: dict[str, list[Hit]] = defaultdict(list)
        self._glue_of = glue_of
        self._at = at
        self._merged: dict[str, list[Hit]] = {}

    def add(self, key: str, hit: Hit) -> None:
        self.eager[key].append(hit)
        self._merged.pop(key, None)

    def get(self, key: str, default: Any = ()) -> Any:
        glue = self._glue_of.get(key)
        if not glue:
            return self.eager.get(key, default)
        merged = self._merged.get(key)
        if merged is None:
            merged = list(self.eager.get(key, ()))
            for h in glue:
                merged += self._at.get(h, ())
            self._merged[key] = merged
        return merged or default

    def __contains__(self, key: str) -> bool:
        return bool(self.get(key))


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    alt: Alternative
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]


@dataclass(frozen=True)
class _TokenPlan:
    """Where one token pattern can match: around tokens of its rarest required word set.

    ``hashes`` (``attr`` ``"LOWER"`` or ``"ORTH"``) must occur in every match, and a
    match is at most ``length`` tokens long, so the pattern runs only on windows of
    ``length`` tokens either side of those tokens.  No such set: ``hashes`` is None
    and the pattern runs on the whole doc; no bound: ``length`` is None and it runs
    on the whole doc when a required token is there.
    """

    key: str
    matcher: Matcher
    attr: str
    hashes: numpy.ndarray | None
    length: int | None


_OPS = {"1": (1, 1), "?": (0, 1), "*": (0, None), "+": (1, None)}
_BOUNDS = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _repeats(op: Any) -> tuple[int, int | None] | None:
    """(least, most) repeats of a token spec's ``OP``; None when unknown (``!`` and the like)."""
    if op in _OPS:
        return _OPS[op]
    found = _BOUNDS.fullmatch(str(op))
    if not found:
        return None
    low, comma, high = found.groups()
    least = int(low or 0)
    if not comma:
        return least, least
    return least, int(high) if high else None


def _plan(key: str, pattern: tuple[dict[str, Any], ...], matcher: Matcher, strings: Any) -> _TokenPlan:
    length: int | None = 0
    best: tuple[int, str, tuple[str, ...]] | None = None
    for spec in pattern:
        spec = {k.upper(): v for k, v in spec.items()}
        repeats = _repeats(spec.pop("OP", "1"))
        if repeats is None:
            return _TokenPlan(key, matcher, "", None, None)
        least, most = repeats
        length = None if length is None or most is None else length + most
        if least < 1:
            continue
        for attr in ("LOWER", "ORTH", "TEXT"):
            value = spec.get(attr)
            if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
                words = tuple(value["IN"])
            elif isinstance(value, str):
                words = (value,)
            else:
                continue
            if all(isinstance(w, str) for w in words) and (best is None or len(words) < best[0]):
                best = (len(words), "ORTH" if attr == "TEXT" else attr, words)
    if best is None:
        return _TokenPlan(key, matcher, "", None, None)
    hashes = numpy.array(sorted({strings.add(w) for w in best[2]}), dtype="uint64")
    return _TokenPlan(key, matcher, best[1], hashes, length)


class ClaimMatcher:
    """Finds rule matches and stores them in ``doc.spans[spans_key]`` (label = rule id)."""

    def __init__(
        self,
        nlp: Language,
        ruleset: RuleSet,
        *,
        spans_key: str = "hypecheck",
        phrase_index: dict[tuple[int, ...], tuple[str, ...]] | None = None,
    ):
        self.nlp = nlp
        self.ruleset = ruleset
        self.spans_key = spans_key
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._norm_matcher: PhraseMatcher | None = None  # for look-alike spellings, see _lookalike_hits
        self.token_matcher = Matcher(nlp.vocab, validate=True)
        self.compiled: list[_Compiled] = []
        phrase_keys = self._compile_rules()
        self.detectors = frozenset(k for c in self.compiled for g in c.groups for k in g if k in DETECTORS)
        self._quantity_rules = [
            c for c in self.compiled if any(set(g) <= DETECTORS for g in c.groups) and len(c.groups) > 1
        ]
        # One PhraseMatcher key for every spelling; a hit's LOWER hashes map back to the
        # term lists and phrases that want it.  PhraseMatcher takes hash tuples as well
        # as Docs, and adds them ten times faster.
        if phrase_index is None:
            self.keys_of = self._phrase_index(phrase_keys)
            # Phrase spellings would fill the tokenizer's cache (10,000 chunks, never
            # evicted) and slow it for the rest of the process.
            self.nlp.tokenizer._flush_cache()
        else:
            self.keys_of = phrase_index
        glue_of: dict[str, set[int]] = defaultdict(set)
        for spelling, keys in self.keys_of.items():
            if len(spelling) == 1 and spelling[0] in _GLUE_HASHES:
                for key in keys:
                    glue_of[key].add(spelling[0])
        self._glue_of = {key: tuple(sorted(hashes)) for key, hashes in glue_of.items()}
        self._glue = numpy.array(sorted({h for hs in glue_of.values() for h in hs}), dtype="uint64")
        self._phrases = [s for s in self.keys_of if not (len(s) == 1 and s[0] in _GLUE_HASHES)]
        self.phrase_matcher.add("hypecheck-phrase", self._phrases)
        # An alternative can match only where one of its parts was hit: each is
        # indexed under one part read by the phrase matcher (not glue, not a
        # quantity where there is a choice); one with none is always tried.
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for index, compiled in enumerate(self.compiled):
            pure = [g for g in compiled.groups if not any(k in self._glue_of for k in g)]
            if not compiled.groups:
                continue
            if not pure:
                self._always.append(index)
                continue
            group = next((g for g in pure if not DETECTORS & set(g)), pure[0])
            for key in group:
                self._by_key[key].append(index)
        self._token_plans = [
            _plan(key, compiled.alt.pattern, self._token_matchers[key], nlp.vocab.strings)
            for key, compiled in self._by_pattern.items()
        ]

    @property
    def uses_lemma(self) -> bool:
        """Whether a loaded token pattern tests ``LEMMA`` (the pipeline then adds a lemmatizer)."""
        return any(
            k.upper() == "LEMMA" for c in self._by_pattern.values() for spec in c.alt.pattern for k in spec
        )

    # -- building -----------------------------------------------------------------
    @staticmethod
    def _key(element: str) -> str:
        if element in DETECTORS or element.startswith("$"):
            return element
        return "'" + element.lower()

    def _compile_rules(self) -> dict[str, str]:
        """Fill ``self.compiled`` and the token matcher; returns phrase key -> element."""
        phrase_keys: dict[str, str] = {}
        self._by_pattern: dict[str, _Compiled] = {}
        self._token_matchers: dict[str, Matcher] = {}
        for rule in self.ruleset.rules.values():
            for n, alt in enumerate(rule.alternatives):
                if alt.pattern:
                    try:
                        self.token_matcher.add(f"{rule.id}#{n}", [list(alt.pattern)])
                        own = self._token_matchers[f"{rule.id}#{n}"] = Matcher(self.nlp.vocab)
                        own.add(f"{rule.id}#{n}", [list(alt.pattern)])
                    except (ValueError, KeyError) as exc:
                        problem = f"bad token pattern: {exc}"
                        line = alt.line or rule.line
                        raise RuleFileError(rule.path, problem, rule=rule.id, line=line) from exc
                elements = [e for group in alt.elements for e in group] + [*rule.unless, *alt.unless]
                phrase_keys.update({self._key(e): e for e in elements if e not in DETECTORS})
                groups = tuple(tuple(self._key(e) for e in group) for group in alt.elements)
                unless = tuple(self._key(e) for e in (*rule.unless, *alt.unless))
                self.compiled.append(_Compiled(rule, alt, () if alt.pattern else groups, unless))
                if alt.pattern:
                    self._by_pattern[f"{rule.id}#{n}"] = self.compiled[-1]
        return phrase_keys

    def _expand_terms(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        terms = self.ruleset.terms[name]
        out: set[str] = set()
        for term in terms.terms:
            if term.startswith("$"):
                if term[1:] not in seen:
                    out |= self._expand_terms(term[1:], seen | {name})
            else:
                out |= phrase_variants(term, inflect=terms.inflect)
        return out

    def _phrase_index(self, phrase_keys: dict[str, str]) -> dict[tuple[int, ...], tuple[str, ...]]:
        """Every spelling once, as its tuple of LOWER hashes, with the keys that want it."""
        keys_of: dict[tuple[int, ...], set[str]] = defaultdict(set)
        strings = self.nlp.vocab.strings
        for key, element in phrase_keys.items():
            variants = self._expand_terms(element[1:]) if element.startswith("$") else phrase_variants(element)
            for variant in variants:
                keys_of[tuple(strings.add(w) for w in self._tokens(variant))].add(key)
                if "'" in variant or "\u2019" in variant:  # "HASN'T" stays one token; "hasn't" does not
                    keys_of[tuple(strings.add(w) for w in variant.split())].add(key)
        return {hashes: tuple(sorted(keys)) for hashes, keys in keys_of.items()}

    def _tokens(self, phrase: str) -> list[str]:
        """Lower-case tokens of a phrase, as the tokenizer splits it (plain words skip it)."""
        words = phrase.split()
        specials = self.nlp.tokenizer.rules or {}
        if all(w.isalpha() and w not in specials for w in words):
            return words
        return [t.lower_ for t in self.nlp.tokenizer(phrase)]

    # -- matching -----------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.spans_key] = self.match(doc)
        return doc

    def _hits(self, doc: Doc) -> _Hits:
        lower = doc.to_array("LOWER")
        folded = doc.user_data.get(FOLDED)
        at: dict[int, list[Hit]] = defaultdict(list)
        if len(self._glue):
            for i in numpy.isin(lower, self._glue).nonzero()[0].tolist():
                at[int(lower[i])].append((i, i + 1))
            if folded:  # a look-alike spelling of a glue word
                norms = doc.to_array("NORM")[folded].tolist()
                for i, norm in zip(folded, norms, strict=True):
                    if norm in _GLUE_HASHES:
                        at[norm].append((i, i + 1))
        hits = _Hits(self._glue_of, at)
        matches = self.phrase_matcher(doc)
        if matches:
            lowers = lower.tolist()
            eager = hits.eager
            keys_of = self.keys_of
            for _, start, end in matches:
                for key in keys_of[tuple(lowers[start:end])]:
                    eager[key].append((start, end))
        if folded:
            self._lookalike_hits(doc, folded, hits)
        if self.detectors:
            regions = self._quantity_regions(doc, hits)
            if regions:
                for name, start, end in quantities.detect(doc, self.detectors, regions):
                    hits.add(name, (start, end))
        return hits

    def _lookalike_hits(self, doc: Doc, folded: list[int], hits: _Hits) -> None:
        """Phrases spelled with look-alike letters: matched on the ``NORM`` the tokenizer folded.

        Only matches that take in a folded token count, so text without look-alikes
        matches exactly as on ``LOWER``.
        """
        if self._norm_matcher is None:  # built on first need: most texts never need it
            self._norm_matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
            self._norm_matcher.add("hypecheck-phrase", self._phrases)
        keys = doc.to_array("LOWER")
        keys[folded] = doc.to_array("NORM")[folded]
        keys = keys.tolist()
        for _, start, end in self._norm_matcher(doc):
            k = bisect_left(folded, start)
            if k < len(folded) and folded[k] < end:
                for key in self.keys_of.get(tuple(keys[start:end]), ()):
                    hits.add(key, (start, end))

    def _quantity_regions(self, doc: Doc, hits: _Hits) -> list[Span]:
        """Sentences where a quantity could complete a rule: its other elements are all there."""
        starts = _sentence_starts(doc)
        wanted: set[int] = set()
        for compiled in self._quantity_rules:
            others = [g for g in compiled.groups if not set(g) <= DETECTORS]
            if not all(any(k in hits for k in g) for g in others):
                continue
            wanted |= {_sentence(h[0], starts) for g in others for k in g for h in hits.get(k, ())}
        bounds = [*starts, len(doc)]
        return [doc[bounds[i]:bounds[i + 1]] for i in sorted(wanted)]

    def match(self, doc: Doc) -> list[Span]:
        """All rule matches in ``doc``, at most one span per rule and position."""
        hits = self._hits(doc)
        found: dict[tuple[str, int, int], Span] = {}
        sent_starts: list[int] | None = None
        by_key = self._by_key
        candidates = {i for key in hits.eager for i in by_key.get(key, ())}
        candidates.update(self._always)
        for index in sorted(candidates):
            compiled = self.compiled[index]
            if not all(any(k in hits for k in group) for group in compiled.groups):
                continue
            groups = [sorted({h for k in group for h in hits.get(k, ())}) for group in compiled.groups]
            if sent_starts is None:
                sent_starts = _sentence_starts(doc)
            for start, end in _combine(groups, compiled.alt, sent_starts):
                if _blocked(compiled.unless, hits, start, sent_starts):
                    continue
                found.setdefault((compiled.rule.id, start, end), Span(doc, start, end, label=compiled.rule.id))
        arrays: dict[str, list[int]] = {}
        for plan in self._token_plans:
            compiled = self._by_pattern[plan.key]
            for _, start, end in _token_matches(doc, plan, arrays):
                if sent_starts is None:
                    sent_starts = _sentence_starts(doc)
                if not _blocked(compiled.unless, hits, start, sent_starts):
                    rule_id = compiled.rule.id
                    found.setdefault((rule_id, start, end), Span(doc, start, end, label=rule_id))
        return _drop_nested(found.values())

    @property
    def rules(self) -> list[Rule]:
        return list(self.ruleset.rules.values())


def _token_matches(doc: Doc, plan: _TokenPlan, arrays: dict[str, Any]) -> list[tuple[int, int, int]]:
    """The pattern's matches, looked for only in windows that can hold one (see :class:`_TokenPlan`)."""
    if plan.hashes is None:
        return plan.matcher(doc)
    if plan.attr not in arrays:
        arrays[plan.attr] = doc.to_array(plan.attr)
    where = numpy.isin(arrays[plan.attr], plan.hashes).nonzero()[0].tolist()
    if not where:
        return []
    if plan.length is None:
        return plan.matcher(doc)
    windows: list[tuple[int, int]] = []
    reach = plan.length
    start, end = max(0, where[0] - reach + 1), min(len(doc), where[0] + reach)
    for i in where[1:]:
        low = max(0, i - reach + 1)
        if low > end:
            windows.append((start, end))
            start = low
        end = min(len(doc), i + reach)
    windows.append((start, end))
    # On a Span the Matcher counts tokens from the span's start.
    return [(key, a + s, b + s) for s, e in windows for key, a, b in plan.matcher(doc[s:e])]


def _combine(groups: list[list[Hit]], alt: Alternative, starts: list[int]) -> Iterable[Hit]:
    if len(groups) == 1:
        yield from groups[0]
        return
    if alt.order:
        yield from _ordered(groups, alt.within, starts)
    else:
        yield from _unordered(groups, alt.within, starts)


def _ordered(groups: list[list[Hit]], within: tuple[int, ...], starts: list[int]) -> Iterable[Hit]:
    """Each first part, then for every later part the first hit ``gap`` tokens after it, in its sentence.

    Hits are sorted, so the candidates for each step are found by bisection:
    the cost grows with the hits near each other, not with the length of the doc.
    """
    firsts = [[h[0] for h in group] for group in groups]
    bounds = [*starts[1:], 1 << 62]
    for first in groups[0]:
        sent = _sentence(first[0], starts)
        limit = bounds[sent]  # the next sentence's first token
        end = first[1]
        for group, group_starts, gap in zip(groups[1:], firsts[1:], within, strict=False):
            k = bisect_left(group_starts, end)
            if k == len(group) or group_starts[k] > end + gap or group_starts[k] >= limit:
                break
            end = group[k][1]
        else:
            yield first[0], end


def _unordered(groups: list[list[Hit]], within: tuple[int, ...], starts: list[int]) -> Iterable[Hit]:
    firsts = [[h[0] for h in group] for group in groups]
    bounds = [*starts[1:], 1 << 62]
    for anchor in groups[0]:
        sent = _sentence(anchor[0], starts)
        low, high = starts[sent], bounds[sent]
        chosen = [anchor]
        for group, group_starts in zip(groups[1:], firsts[1:], strict=False):
            near = [
                h for h in group[bisect_left(group_starts, low):bisect_left(group_starts, high)]
                if all(h[1] <= c[0] or h[0] >= c[1] for c in chosen)
            ]
            if not near:
                break
            chosen.append(min(near, key=lambda h, a=anchor: abs(h[0] - a[0])))
        else:
            chosen.sort()
            if all(b[0] - a[1] <= within[0] for a, b in itertools.pairwise(chosen)):
                yield chosen[0][0], max(h[1] for h in chosen)


def _blocked(unless: tuple[str, ...], hits: _Hits, start: int, starts: list[int]) -> bool:
    if not unless:
        return False
    sent = _sentence(start, starts)
    return any(_sentence(h[0], starts) == sent for key in unless for h in hits.get(key, ()))


def _drop_nested(spans: Iterable[Span]) -> list[Span]:
    """Keep one span per rule where its matches nest; order by position."""
    by_rule: dict[str, list[Span]] = defaultdict(list)
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        kept = by_rule[span.label_]
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return sorted((s for group in by_rule.values() for s in group), key=lambda s: (s.start, s.end, s.label_))


@Language.factory(
    "hypecheck_claims",
    assigns=["doc.spans"],
    default_config={"rules": [], "builtin": True, "select": [], "spans_key": "hypecheck"},
)
def make_claim_matcher(
    nlp: Language, name: str, rules: list[str], builtin: bool, select: list[str], spans_key: str
) -> ClaimMatcher:
    """spaCy factory: ``nlp.add_pipe("hypecheck_claims", config={"rules": ["my-pack/"]})``.

    The compiled rules are cached on disk (see :mod:`hypecheck.cache`).
    """
    folders = [rules_dir(), *(Path(p) for p in rules)]
    key = cache.fingerprint(folders, str(builtin), ",".join(select))
    cached = cache.load(key)
    if cached is not None:
        ruleset, index = cached
        return ClaimMatcher(nlp, ruleset, spans_key=spans_key, phrase_index=index)
    ruleset = load_ruleset(rules, builtin=builtin).select(select)
    matcher = ClaimMatcher(nlp, ruleset, spans_key=spans_key)
    cache.store(key, (ruleset, matcher.keys_of))
    return matcher
