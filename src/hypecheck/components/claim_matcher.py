"""``hypecheck_claims``: compile YAML rules into spaCy matchers, write claim spans.

Vocabulary (term lists and literal phrases) goes into one ``PhraseMatcher`` on
``LOWER``, whose cost hardly grows with the number of phrases; a spelling is
added to it the first time a text holds its first word (so a cold start does
not pay for all ~50,000 spellings up front).  Glue words
("the", "of", ",") used as rule parts are not matched as phrases: they are
read off the token array when a rule asks for them.  A rule's ``all:``
alternative then combines those hits: every element must occur in the same
sentence, in order unless ``order: false``, at most ``within`` tokens apart
(one number for every gap, or a list with one per gap).  Only alternatives
with a hit on a part the phrase matcher reads are tried, and each step finds
its next part by bisection in sorted hits, so the cost grows with the hits,
not with the number of rules or the length of the doc.  Raw spaCy token
patterns (``pattern:``) run only on windows around the rarest word each of
them requires.  Words spelled with look-alike letters (see
:mod:`hypecheck.components.tokenizer`) are matched on their folded ``NORM``.
"""

from __future__ import annotations

import itertools
import re
import threading
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
from ..constants import VERBAL_NEGATORS
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

    __slots__ = ("_at", "_glue_of", "_merged", "_sentences", "eager")

    def __init__(self, glue_of: dict[str, tuple[int, ...]], at: dict[int, list[Hit]]):
        self.eager: dict[str, list[Hit]] = defaultdict(list)
        self._glue_of = glue_of
        self._at = at
        self._merged: dict[str, list[Hit]] = {}
        self._sentences: dict[str, set[int]] = {}

    def sentences(self, key: str, starts: list[int]) -> set[int]:
        """The sentences holding a hit of ``key`` (call once every hit is in)."""
        found = self._sentences.get(key)
        if found is None:
            found = self._sentences[key] = {_sentence(h[0], starts) for h in self.get(key)}
        return found

    def add(self, key: str, hit: Hit) -> None:
        self.eager[key].append(hit)
        self._merged.pop(key, None)
        self._sentences.pop(key, None)

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
        return key in self.eager or bool(self.get(key))

    def present(self, keys_of: dict[tuple[int, ...], tuple[str, ...]]) -> set[str]:
        """Every key with a hit in this doc."""
        out = set(self.eager)
        for h in self._at:
            out.update(keys_of.get((h,), ()))
        return out


if not Span.has_extension("hypecheck_negatable"):
    Span.set_extension("hypecheck_negatable", default=False)


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    alt: Alternative
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    negatable: bool = False  # a verb's negation between its parts negates it (none of its words negates)


@dataclass(frozen=True)
class _TokenPlan:
    """Where one token pattern can match: near a token of its rarest required word set.

    Every match holds a token whose ``attr`` (``"LOWER"`` or ``"ORTH"``) is in
    ``hashes`` and is at most ``length`` tokens long, plus, for each unbounded part
    (``*``, ``+``) limited to a word set in ``runs``, the longest run of such words
    in the doc.  So the token matcher needs to see only that many tokens either
    side of those tokens (those that start a sentence, when ``sent_start``).
    ``hashes`` is None when the pattern gives no such bound: then the whole doc is
    searched.
    """

    attr: str = ""
    hashes: numpy.ndarray | None = None
    length: int = 0
    runs: tuple[tuple[str, numpy.ndarray], ...] = ()
    sent_start: bool = False  # that token must also start a sentence


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


def _words(spec: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """``(attr, words)`` when a token spec requires its LOWER or ORTH to be one of ``words``."""
    for attr in ("LOWER", "ORTH", "TEXT"):
        value = spec.get(attr)
        if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
            words = tuple(value["IN"])
        elif isinstance(value, str):
            words = (value,)
        else:
            continue
        if all(isinstance(w, str) for w in words):
            return ("ORTH" if attr == "TEXT" else attr), words
    return None


def _plan(pattern: tuple[dict[str, Any], ...], strings: Any) -> _TokenPlan:
    def hashes(words: tuple[str, ...]) -> numpy.ndarray:
        return numpy.array(sorted({strings.add(w) for w in words}), dtype="uint64")

    length = 0
    runs: list[tuple[str, numpy.ndarray]] = []
    best: tuple[bool, str, tuple[str, ...]] | None = None  # the rarest: a sentence start, then fewest words
    for raw in pattern:
        spec = {k.upper(): v for k, v in raw.items()}
        repeats = _repeats(spec.pop("OP", "1"))
        words = _words(spec)
        if repeats is None or (repeats[1] is None and words is None):
            return _TokenPlan()
        least, most = repeats
        if most is None:
            assert words is not None  # an open-ended part always names its words (checked above)
            runs.append((words[0], hashes(words[1])))
        else:
            length += most
        starts = spec.get("IS_SENT_START") is True
        if least >= 1 and words and (best is None or (not starts, len(words[1])) < (not best[0], len(best[2]))):
            best = (starts, *words)
    if best is None:
        return _TokenPlan()
    return _TokenPlan(best[1], hashes(best[2]), length, tuple(runs), best[0])


def member(values: numpy.ndarray, sorted_set: numpy.ndarray) -> numpy.ndarray:
    """Which of ``values`` are in ``sorted_set`` (sorted, not empty): ``numpy.isin`` without its sort."""
    if not len(sorted_set):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.searchsorted(sorted_set, values)
    numpy.minimum(at, len(sorted_set) - 1, out=at)  # the ufunc: ndarray.clip's Python wrapper costs more
    return sorted_set[at] == values


def _longest_run(mask: numpy.ndarray) -> int:
    """The longest run of True in ``mask``."""
    if not mask.any():
        return 0
    edges = numpy.diff(numpy.concatenate(([0], mask.astype("int8"), [0]))).nonzero()[0]
    return int((edges[1::2] - edges[::2]).max())


class _Windows:
    """Merged token ranges that hold every possible match of the token patterns (see :class:`_TokenPlan`)."""

    def __init__(self, plans: list[_TokenPlan]):
        self.plans = plans
        self.whole = any(p.hashes is None for p in plans)
        self.wanted: dict[str, numpy.ndarray] = {}  # attr -> every required hash, sorted
        self.plans_of: dict[tuple[str, int], list[int]] = defaultdict(list)  # (attr, hash) -> plans
        for n, plan in enumerate(plans):
            for h in [] if plan.hashes is None else plan.hashes.tolist():
                self.plans_of[plan.attr, h].append(n)
        for attr in {p.attr for p in plans if p.hashes is not None}:
            self.wanted[attr] = numpy.array(sorted(h for a, h in self.plans_of if a == attr), dtype="uint64")

    def __call__(self, doc: Doc) -> list[tuple[int, int]] | None:
        """The ranges for ``doc``; None: search the whole doc."""
        per_plan = self.per_plan(doc)
        return None if per_plan is None else _merge([r for ranges in per_plan.values() for r in ranges])

    def per_plan(self, doc: Doc) -> dict[int, list[tuple[int, int]]] | None:
        """Each plan's merged ranges in ``doc`` (plans with none left out); None: search the whole doc."""
        if self.whole:
            return None
        arrays = {attr: doc.to_array(attr) for attr in self.wanted}
        where: dict[int, list[int]] = defaultdict(list)  # plan -> token indexes
        starts: numpy.ndarray | None = None
        for attr, wanted in self.wanted.items():
            values = arrays[attr]
            for i in member(values, wanted).nonzero()[0].tolist():
                for n in self.plans_of[attr, int(values[i])]:
                    if self.plans[n].sent_start:
                        if starts is None:
                            starts = doc.to_array("SENT_START")
                        if starts[i] != 1:  # what the Matcher's IS_SENT_START tests
                            continue
                    where[n].append(i)
        out: dict[int, list[tuple[int, int]]] = {}
        size = len(doc)
        for n, positions in where.items():
            plan = self.plans[n]
            reach = plan.length
            for attr, hashes in plan.runs:
                values = arrays[attr] if attr in arrays else doc.to_array(attr)
                reach += _longest_run(member(values, hashes))
            out[n] = _merge([(max(0, i - reach + 1), min(size, i + reach)) for i in positions])
        return out


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ranges joined, in order."""
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1]:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


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
        # The other parts of each rule that needs a quantity: where they all occur, quantities are parsed.
        self._quantity_others = [
            [g for g in c.groups if not set(g) <= DETECTORS]
            for c in self.compiled
            if any(set(g) <= DETECTORS for g in c.groups) and len(c.groups) > 1
        ]
        # One PhraseMatcher key for every spelling; a hit's LOWER hashes map back to the
        # term lists and phrases that want it.  PhraseMatcher takes hash tuples as well
        # as Docs, and adds them ten times faster.
        if phrase_index is None:
            self.keys_of = self._phrase_index(phrase_keys)
            # Phrase spellings fill the tokenizer's cache (10,000 chunks, never evicted), and
            # spaCy's flush leaves its tables slow (5x on dense copy): start a fresh tokenizer.
            renew = getattr(self.nlp.tokenizer, "renew", None) or getattr(self.nlp.tokenizer, "_flush_cache", None)
            if renew is not None:
                renew()
        else:
            self.keys_of = phrase_index
        self._split_glue()
        # Spellings go into the phrase matcher only once a text holds their first word: adding all
        # ~50,000 costs ~0.1 s of a cold start, and a spelling can match only where its first word
        # is, so every doc is matched against every spelling that could match in it.
        self._pending: dict[int, list[tuple[int, ...]]] = defaultdict(list)  # first LOWER hash -> spellings
        for spelling in self._phrases:
            if spelling:  # the phrase matcher skips an empty one
                self._pending[spelling[0]].append(spelling)
        self._adding = threading.Lock()
        self.phrase_matcher.add("hypecheck-phrase", [])
        self._index_alternatives()
        self._windows = _Windows([_plan(c.alt.pattern, nlp.vocab.strings) for c in self._by_pattern.values()])
        # One Matcher per pattern, run on that pattern's own windows only (the patterns were
        # validated when token_matcher took them).
        self._plan_matchers = []
        for key, compiled in self._by_pattern.items():
            matcher = Matcher(nlp.vocab, validate=False)
            matcher.add(key, [list(compiled.alt.pattern)])
            self._plan_matchers.append(matcher)

    def _split_glue(self) -> None:
        """Set apart one-token glue spellings: ``_phrases`` is what the phrase matcher gets."""
        glue_of: dict[str, set[int]] = defaultdict(set)
        for spelling, keys in self.keys_of.items():
            if len(spelling) == 1 and spelling[0] in _GLUE_HASHES:
                for key in keys:
                    glue_of[key].add(spelling[0])
        self._glue_of = {key: tuple(sorted(hashes)) for key, hashes in glue_of.items()}
        self._glue_set = frozenset(h for hs in glue_of.values() for h in hs)
        self._glue = numpy.array(sorted(self._glue_set), dtype="uint64")
        self._phrases = [s for s in self.keys_of if not (len(s) == 1 and s[0] in _GLUE_HASHES)]

    def _index_alternatives(self) -> None:
        """Index each alternative under one part the phrase matcher reads (not glue; not a quantity if it can).

        An alternative can match only where each part was hit, so it is tried
        only when that part was; one whose every part takes glue is always tried.
        """
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for index, compiled in enumerate(self.compiled):
            if not compiled.groups:
                continue
            pure = [g for g in compiled.groups if not any(k in self._glue_of for k in g)]
            if not pure:
                self._always.append(index)
                continue
            group = next((g for g in pure if not DETECTORS & set(g)), pure[0])
            for key in group:
                self._by_key[key].append(index)

    @property
    def uses_lemma(self) -> bool:
        """Whether a loaded token pattern tests ``LEMMA`` (the pipeline then adds a lemmatizer)."""
        return any(k.upper() == "LEMMA" for c in self._by_pattern.values() for spec in c.alt.pattern for k in spec)

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
        for rule in self.ruleset.rules.values():
            for n, alt in enumerate(rule.alternatives):
                if alt.pattern:
                    try:
                        self.token_matcher.add(f"{rule.id}#{n}", [list(alt.pattern)])
                    except (ValueError, KeyError, re.error) as exc:  # re.error: a bad REGEX value
                        problem = f"bad token pattern: {exc}"
                        line = alt.line or rule.line
                        raise RuleFileError(rule.path, problem, rule=rule.id, line=line) from exc
                elements = [e for group in alt.elements for e in group] + [*rule.unless, *alt.unless]
                phrase_keys.update({self._key(e): e for e in elements if e not in DETECTORS})
                groups = tuple(tuple(self._key(e) for e in group) for group in alt.elements)
                unless = tuple(self._key(e) for e in (*rule.unless, *alt.unless))
                negatable = not alt.pattern and not self._may_hold_negation(alt)
                self.compiled.append(_Compiled(rule, alt, () if alt.pattern else groups, unless, negatable))
                if alt.pattern:
                    self._by_pattern[f"{rule.id}#{n}"] = self.compiled[-1]
        return phrase_keys

    def _may_hold_negation(self, alt: Alternative) -> bool:
        """Whether a negating word can be one of the alternative's own words ("never came back")."""
        for element in (e for group in alt.elements for e in group if e not in DETECTORS):
            variants = self._expand_terms(element[1:]) if element.startswith("$") else phrase_variants(element)
            if any(VERBAL_NEGATORS.intersection(v.replace("n't", " n't").split()) for v in variants):
                return True
        return False

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

    def _hits(self, doc: Doc) -> tuple[_Hits, set[str]]:
        """The hits of every part in ``doc``, and the set of parts that have one."""
        lower = doc.to_array("LOWER")
        lowers = lower.tolist()
        folded = doc.user_data.get(FOLDED)
        at: dict[int, list[Hit]] = defaultdict(list)
        if len(self._glue):
            for i in member(lower, self._glue).nonzero()[0].tolist():
                at[lowers[i]].append((i, i + 1))
            if folded:  # a look-alike spelling of a glue word
                norms = doc.to_array("NORM")[folded].tolist()
                for i, norm in zip(folded, norms, strict=True):
                    if norm in self._glue_set:
                        at[norm].append((i, i + 1))
        hits = _Hits(self._glue_of, at)
        if not self._pending.keys().isdisjoint(lowers):
            self._add_phrases(lowers)
        matches = self.phrase_matcher(doc)
        if matches:
            eager = hits.eager
            keys_of = self.keys_of
            for _, start, end in matches:
                for key in keys_of[tuple(lowers[start:end])]:
                    eager[key].append((start, end))
        if folded:
            self._lookalike_hits(doc, folded, hits)
        present = hits.present(self.keys_of)
        if self.detectors:
            regions = self._quantity_regions(doc, hits, present)
            if regions:
                for name, start, end in quantities.detect(doc, self.detectors, regions):
                    hits.add(name, (start, end))
                    present.add(name)
        return hits, present

    def _add_phrases(self, lowers: list[int]) -> None:
        """Put into the phrase matcher the spellings whose first word is in ``lowers`` (a doc's LOWER hashes)."""
        with self._adding:  # held while adding, so another thread never matches with half of them in
            pending = self._pending
            wanted = sorted(pending.keys() & set(lowers))
            if wanted:
                self.phrase_matcher.add("hypecheck-phrase", [s for h in wanted for s in pending[h]])
                for h in wanted:  # only once they are in: a thread that still sees them pending waits here
                    del pending[h]

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

    def _quantity_regions(self, doc: Doc, hits: _Hits, present: set[str]) -> list[Span]:
        """Sentences where a quantity could complete a rule: its other elements are all there."""
        starts = _sentence_starts(doc)
        wanted: set[int] = set()
        for others in self._quantity_others:
            if any(present.isdisjoint(g) for g in others):
                continue
            for g in others:
                for k in g:
                    if k in present:
                        wanted |= hits.sentences(k, starts)
        bounds = [*starts, len(doc)]
        return [doc[bounds[i] : bounds[i + 1]] for i in sorted(wanted)]

    def match(self, doc: Doc) -> list[Span]:
        """All rule matches in ``doc``, at most one span per rule and position."""
        hits, present = self._hits(doc)
        found: dict[tuple[str, int, int], Span] = {}
        sent_starts: list[int] | None = None
        by_key = self._by_key
        candidates = {i for key in hits.eager for i in by_key.get(key, ())}
        candidates.update(self._always)
        # Many alternatives share a part: its sorted hits and their start tokens, once per doc.
        merged: dict[tuple[str, ...], tuple[list[Hit], list[int]]] = {}
        isdisjoint = present.isdisjoint
        for index in sorted(candidates):
            compiled = self.compiled[index]
            if any(map(isdisjoint, compiled.groups)):  # map, not a generator: this runs for every candidate
                continue
            groups, firsts = [], []
            for group in compiled.groups:
                entry = merged.get(group)
                if entry is None:
                    spans = sorted({h for k in group if k in present for h in hits.get(k)})
                    entry = merged[group] = (spans, [h[0] for h in spans])
                groups.append(entry[0])
                firsts.append(entry[1])
            if sent_starts is None:
                sent_starts = _sentence_starts(doc)
            for start, end in _combine(groups, firsts, compiled.alt, sent_starts):
                if compiled.unless and _blocked(compiled.unless, hits, present, start, sent_starts):
                    continue
                if (compiled.rule.id, start, end) not in found:
                    span = found[compiled.rule.id, start, end] = Span(doc, start, end, label=compiled.rule.id)
                    if compiled.negatable and end - start > 2:
                        span._.hypecheck_negatable = True
        if len(self.token_matcher):
            strings = doc.vocab.strings
            for match_id, start, end in self._token_matches(doc):
                compiled = self._by_pattern[strings[match_id]]
                if sent_starts is None:
                    sent_starts = _sentence_starts(doc)
                if not (compiled.unless and _blocked(compiled.unless, hits, present, start, sent_starts)):
                    rule_id = compiled.rule.id
                    if (rule_id, start, end) not in found:
                        found[rule_id, start, end] = Span(doc, start, end, label=rule_id)
        return _drop_nested(found.values())

    def _token_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The token patterns' matches, searched only in the windows that can hold one."""
        per_plan = self._windows.per_plan(doc)
        if per_plan is None:
            return self.token_matcher(doc)
        # On a Span the Matcher counts tokens from the span's start.
        return [
            (key, a + s, b + s)
            for n, windows in per_plan.items()
            for s, e in windows
            for key, a, b in self._plan_matchers[n](doc[s:e])
        ]

    @property
    def rules(self) -> list[Rule]:
        return list(self.ruleset.rules.values())


def _combine(groups: list[list[Hit]], firsts: list[list[int]], alt: Alternative, starts: list[int]) -> Iterable[Hit]:
    """Where the parts' hits combine into a match; ``firsts`` are each group's start tokens."""
    if len(groups) == 1:
        yield from groups[0]
        return
    if alt.order:
        yield from _ordered(groups, firsts, alt.within, starts)
    else:
        yield from _unordered(groups, firsts, alt.within, starts)


def _ordered(
    groups: list[list[Hit]], firsts: list[list[int]], within: tuple[int, ...], starts: list[int]
) -> Iterable[Hit]:
    """Each first part, then for every later part the first hit ``gap`` tokens after it, in its sentence.

    Hits are sorted, so the candidates for each step are found by bisection:
    the cost grows with the hits near each other, not with the length of the doc.
    """
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
            # The last part's longest hit at its token, so the quote holds the whole phrase
            # ("heals acne scars", not "heals acne"); hits sort by (start, end).
            last_starts = firsts[-1]
            while k + 1 < len(last_starts) and last_starts[k + 1] == last_starts[k]:
                k += 1
            yield first[0], groups[-1][k][1]


def _unordered(
    groups: list[list[Hit]], firsts: list[list[int]], within: tuple[int, ...], starts: list[int]
) -> Iterable[Hit]:
    bounds = [*starts[1:], 1 << 62]
    for anchor in groups[0]:
        sent = _sentence(anchor[0], starts)
        low, high = starts[sent], bounds[sent]
        chosen = [anchor]
        for group, group_starts in zip(groups[1:], firsts[1:], strict=False):
            near = [
                h
                for h in group[bisect_left(group_starts, low) : bisect_left(group_starts, high)]
                if all(h[1] <= c[0] or h[0] >= c[1] for c in chosen)
            ]
            if not near:
                break
            chosen.append(min(near, key=lambda h, a=anchor: abs(h[0] - a[0])))
        else:
            chosen.sort()
            if all(b[0] - a[1] <= within[0] for a, b in itertools.pairwise(chosen)):
                yield chosen[0][0], max(h[1] for h in chosen)


def _blocked(unless: tuple[str, ...], hits: _Hits, present: set[str], start: int, starts: list[int]) -> bool:
    """Whether a part of ``unless`` occurs in the sentence of token ``start``."""
    sent = _sentence(start, starts)
    return any(sent in hits.sentences(key, starts) for key in unless if key in present)


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
