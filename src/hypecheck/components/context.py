"""``hypecheck_context``: decide, per claim span, how it is said.

Looks only at the sentences that hold claims.  A claim is

* **negated** when a negation cue ("not", "no", "never", "without" …) stands
  before it in its clause, within ``window`` tokens, or a clause-wide one
  ("unable to", "too large to": what cannot be done, and the purposes chained
  after it, "unable to penetrate the skin to build collagen") stands anywhere
  before it in its clause, or a sentence-wide one ("no evidence", "unproven")
  stands anywhere before it, or a trailing one ("… have not been conducted")
  follows it in its clause: dropped;
* inside a **disclaimer** ("not intended to diagnose, treat, cure or prevent any
  disease"): dropped.  A disclaimer runs from its cue to the end of its
  sentence, or to the bracket that closes around it, so it never cancels a
  claim made before it ("Cures eczema (not intended to treat any disease).")
  nor one in another sentence;
* **hedged** ("may help", "could"), **reported** ("some clinics claim that",
  "products intended to treat disease are regulated as drugs"), or a
  **question**: kept, with the flag and a lower confidence.  Reported claims
  and questions (an FAQ's "Are exosomes FDA approved?") fall below the default
  ``min_confidence`` of reports, so they are shown only when asked for
  (``--min-confidence 0``); hedged claims stay;
* **described**, when the whole text reads as describing claims rather than
  making them: it holds a describing cue (a paper's "in this study" or
  "Conclusion:", a regulator's "your website" or "the agency", a reporter's
  "according to the company") and nothing in the seller's voice ("you", "our",
  "book now").  Kept, with the confidence of a reported claim.  The cues are
  counted in one pass over the text.  The learned voice head
  (:mod:`hypecheck.components.voice`) gives the same flag to a text it judges
  to be in a paper's or a regulator's register, through :func:`mark_described`.

Dropped spans move to ``doc.spans[spans_key + "_suppressed"]`` so a user can see
why something was not reported.  The cue words are data: ``rules/context.yml``,
matched case-insensitively; a word ending in ``*`` ("allege*", "describe* it as")
also matches its inflections ("alleges", "alleged", "described it as").
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..constants import VERBAL_NEGATORS
from ..inflect import word_forms
from .sentences import sentence_of, sentence_starts
from .tokenizer import stored_text

CONFIDENCE_FACTOR = {"hedged": 0.8, "reported": 0.6, "question": 0.6, "described": 0.6}
# ``doc.user_data`` key of the whole-text judgement "this text describes claims" (cues or the voice head).
DESCRIBED_KEY = "hypecheck_described"
DROPPED = ("negated", "disclaimer")
CUE_KINDS = (
    "negation",
    "negation_clause",
    "negation_scope",
    "negation_after",
    "not_negation",
    "hedge",
    "reported",
    "not_reported",
    "reported_unless_seller",
    "disclaimer",
    "scope_breaks",
    "question_pitch",
)
VOICE_KINDS = ("describing", "describing_heading", "seller")
OPEN_BRACKETS = {"(": ")", "[": "]"}

if not Span.has_extension("hypecheck_context"):
    Span.set_extension("hypecheck_context", default=())
if not Span.has_extension("hypecheck_confidence"):
    Span.set_extension("hypecheck_confidence", default=None)


class ClaimContext:
    """Flags or drops each span in ``doc.spans[spans_key]`` by its sentence context."""

    def __init__(self, nlp: Language, cues: dict, confidence: dict[str, float], *, spans_key: str = "hypecheck"):
        self.spans_key = spans_key
        self.window = int(cues.get("window", 6))
        self.confidence = confidence
        self.matcher = _phrase_matcher(nlp, cues, CUE_KINDS)
        self.voice_matcher = _phrase_matcher(nlp, cues, VOICE_KINDS)
        self._voice_memo: tuple[Doc, int, dict[str, list[tuple[int, int]]]] | None = None

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(self.spans_key, ()))
        if not spans:
            return doc
        cues_by_sentence: dict[int, dict[str, list[tuple[int, int]]]] = {}
        described = self.describing_voice(doc)
        seller = self.seller_voice(doc)
        kept, dropped = [], []
        for span in spans:
            sent = sentence_of(doc, span.start)
            if sent.start not in cues_by_sentence:
                cues_by_sentence[sent.start] = self._cues(sent, seller=seller)
            flags = self.flags(span, sent, cues_by_sentence[sent.start])
            if described:
                flags += ("described",)
            span._.hypecheck_context = flags
            base = self.confidence.get(span.label_, 0.85)
            for flag in flags:
                base *= CONFIDENCE_FACTOR.get(flag, 1.0)
            span._.hypecheck_confidence = round(base, 2)
            (dropped if any(f in DROPPED for f in flags) else kept).append(span)
        doc.spans[self.spans_key] = kept
        doc.spans[self.spans_key + "_suppressed"] = dropped
        return doc

    def _cues(self, sent: Span, *, seller: bool | None = None) -> dict[str, list[tuple[int, int]]]:
        """The cues of one sentence by kind.  A ``reported_unless_seller`` cue ("promises to") reports a
        claim only where the text is not in a seller's voice (``seller``: computed when not given)."""
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        strings = sent.doc.vocab.strings
        for match_id, start, end in self.matcher(sent):
            found[strings[match_id]].append((start, end))  # doc offsets, even for a Span
        weak = found.pop("reported_unless_seller", [])
        if weak and not (self.seller_voice(sent.doc) if seller is None else seller):
            found["reported"] += weak
        # Look-alikes hold a cue word without being that cue: "not only" is no negation, a seller's
        # rebuttal ("not just hype") reports nothing.  The cues inside them are dropped.
        for cancel, kind in (("not_negation", "negation"), ("not_reported", "reported")):
            for start, end in found.pop(cancel, ()):
                found[kind] = [c for c in found.get(kind, ()) if not (start <= c[0] and c[1] <= end)]
        # A break word inside a cue ("yet" of "not yet") does not break the cue's clause.
        kinds = ("negation", "negation_clause", "negation_after", "hedge")
        cue_spans = [c for kind in kinds for c in found.get(kind, ())]
        in_cue = {i for start, end in cue_spans for i in range(start, end)}
        found["scope_breaks"] = [b for b in found.get("scope_breaks", ()) if not in_cue.issuperset(range(*b))]
        found["disclaimer"] = _disclaimer_extents(sent, [start for start, _ in found.get("disclaimer", ())])
        return found

    def describing_voice(self, doc: Doc) -> bool:
        """Whether the text describes claims: a describing cue, and no word in the seller's own voice.

        A seller word inside a describing cue ("your" of a regulator's "your website")
        is part of that cue.  A heading cue ("Conclusion:") counts only where it opens a sentence.
        """
        found = self._voice_cues(doc)
        starts = set(sentence_starts(doc))
        describing = found["describing"] + [c for c in found["describing_heading"] if c[0] in starts]
        if not describing:
            return False
        covered = {i for start, end in describing for i in range(start, end)}
        return all(covered.issuperset(range(start, end)) for start, end in found["seller"])

    def seller_voice(self, doc: Doc) -> bool:
        """Whether any word of the text is in the seller's voice ("you", "our", "book now") outside a
        describing cue (the "your" of a regulator's "your website" is not)."""
        found = self._voice_cues(doc)
        covered = {i for start, end in found["describing"] for i in range(start, end)}
        return any(not covered.issuperset(range(start, end)) for start, end in found["seller"])

    def _voice_cues(self, doc: Doc) -> dict[str, list[tuple[int, int]]]:
        """The voice cues of the whole text by kind; the last doc's are kept, since this component,
        the voice head and the learned layer all ask about the same doc in turn."""
        memo = self._voice_memo
        if memo is not None and memo[0] is doc and memo[1] == len(doc):
            return memo[2]
        found: dict[str, list[tuple[int, int]]] = {kind: [] for kind in VOICE_KINDS}
        strings = doc.vocab.strings
        for match_id, start, end in self.voice_matcher(doc):
            found[strings[match_id]].append((start, end))
        self._voice_memo = (doc, len(doc), found)
        return found

    def flags(self, span: Span, sent: Span, cues: dict[str, list[tuple[int, int]]]) -> tuple[str, ...]:
        """The context flags of one claim span within its sentence."""
        if any(start <= span.start < end for start, end in cues.get("disclaimer", ())):
            return ("disclaimer",)
        clause_start = max([sent.start] + [end for start, end in cues.get("scope_breaks", ()) if end <= span.start])
        lo = max(clause_start, span.start - self.window)
        flags = []
        clause_end = min([sent.end] + [start for start, end in cues.get("scope_breaks", ()) if start >= span.end])
        hi = min(clause_end, span.end + 2 * self.window)
        if (
            any(lo <= start and end <= span.start for start, end in cues.get("negation", ()))
            or any(clause_start <= start and end <= span.start for start, end in cues.get("negation_clause", ()))
            or any(end <= span.start for start, end in cues.get("negation_scope", ()))
            or any(span.end <= start and end <= hi for start, end in cues.get("negation_after", ()))
            or (span._.hypecheck_negatable and _negated_inside(span, cues.get("negation", ())))
        ):
            flags.append("negated")
        if any(lo <= start and end <= span.end for start, end in cues.get("hedge", ())):
            flags.append("hedged")
        if cues.get("reported"):
            flags.append("reported")
        if _sentence_text(sent).rstrip().endswith("?") and not _opens_sentence(sent, cues.get("question_pitch", ())):
            flags.append("question")
        return tuple(flags)


def _negated_inside(span: Span, negations: list[tuple[int, int]]) -> bool:
    """A verb's negation between a claim's parts: "eczema cannot be cured", "hair does not regrow"."""
    doc = span.doc
    return any(
        span.start < start and end <= span.end and any(doc[i].lower_ in VERBAL_NEGATORS for i in range(start, end))
        for start, end in negations
    )


def _sentence_text(sent: Span) -> str:
    """``sent.text``, sliced from the tokenizer's copy of the text when there is one (``Span.text``
    walks every token of the sentence, and this runs for every claim)."""
    text = stored_text(sent.doc)
    return sent.text if text is None else text[sent.start_char : sent.end_char]


def mark_described(span: Span) -> None:
    """Give a finding the ``described`` flag and its confidence factor (once)."""
    if "described" in span._.hypecheck_context:
        return
    span._.hypecheck_context = (*span._.hypecheck_context, "described")
    base = span._.hypecheck_confidence or 0.85
    span._.hypecheck_confidence = round(base * CONFIDENCE_FACTOR["described"], 2)


def _opens_sentence(sent: Span, cues: list[tuple[int, int]]) -> bool:
    """Whether one of ``cues`` is the first word of ``sent`` (after spaces, bullets and quotes)."""
    first = next((t.i for t in sent if not (t.is_space or t.is_punct)), sent.end)
    return any(start == first for start, _ in cues)


def _phrase_matcher(nlp: Language, cues: dict, kinds: tuple[str, ...]) -> PhraseMatcher:
    """One case-insensitive matcher for the cue lists ``kinds``, each under its own match id."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    strings = nlp.vocab.strings
    specials = nlp.tokenizer.rules or {}
    for kind in kinds:
        phrases = cues.get(kind) or []
        if phrases:
            variants = sorted({v for p in phrases for v in _cue_variants(p)})
            # Plain words are split on spaces (as the tokenizer would), the rest tokenized: the
            # PhraseMatcher takes LOWER hash tuples as well as Docs.
            plain = {v for v in variants if all(w.isalpha() and w not in specials for w in v.split())}
            patterns: list[Any] = [tuple(strings.add(w.lower()) for w in v.split()) for v in variants if v in plain]
            patterns += nlp.tokenizer.pipe([v for v in variants if v not in plain])
            # The tokenizer splits "hasn't" but not "HASN'T": match the unsplit word too.
            patterns += [Doc(nlp.vocab, words=v.split()) for v in variants if "'" in v or "\u2019" in v]
            matcher.add(kind, patterns)
    return matcher


def _disclaimer_extents(sent: Span, cue_starts: list[int]) -> list[tuple[int, int]]:
    """Where each disclaimer cued at ``cue_starts`` runs: from the bracket opened around it to the
    bracket that closes it, or from the cue to the end of its sentence.  One pass over the sentence."""
    if not cue_starts:
        return []
    doc, todo = sent.doc, set(cue_starts)
    extents: dict[int, tuple[int, int]] = {}
    opened: list[int] = []  # open brackets, innermost last
    waiting: dict[int, list[int]] = defaultdict(list)  # open bracket -> cues inside it
    for i in range(sent.start, sent.end):
        if i in todo:
            if opened:
                waiting[opened[-1]].append(i)
            else:
                extents[i] = (i, sent.end)
        text = doc[i].text
        if text in OPEN_BRACKETS:
            opened.append(i)
        elif opened and text == OPEN_BRACKETS[doc[opened[-1]].text]:
            bracket = opened.pop()
            extents.update((cue, (bracket, i + 1)) for cue in waiting.pop(bracket, ()))
    for bracket, inside in waiting.items():  # never closed: to the end of the sentence
        extents.update((cue, (bracket, sent.end)) for cue in inside)
    return [extents[start] for start in cue_starts]


def _cue_variants(phrase: str) -> set[str]:
    """A cue as written (with curly-apostrophe spellings); a word ending in ``*`` also gives its inflections."""
    words = phrase.split()
    choices = [sorted(word_forms(w[:-1])) if w.endswith("*") else [w] for w in words]
    spellings = {" ".join(combo) for combo in itertools.product(*choices)}
    return spellings | {v.replace("'", "\u2019") for v in spellings}


@Language.factory(
    "hypecheck_context",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"claims_component": "hypecheck_claims", "spans_key": "hypecheck"},
)
def make_context(nlp: Language, name: str, claims_component: str, spans_key: str) -> ClaimContext:
    """spaCy factory; add it after ``hypecheck_claims``, whose rule pack holds the cue words."""
    claims = nlp.get_pipe(claims_component)
    confidence = {rule.id: rule.confidence for rule in claims.rules}
    return ClaimContext(nlp, claims.ruleset.cues, confidence, spans_key=spans_key)
