"""The speed work keeps every finding: windows, glue words, the lemmatizer on demand, the rule cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import hypecheck
from hypecheck.components.claim_matcher import _plan, _Windows
from tests.conftest import run_cli, sparkle_rule

DATA = Path(__file__).parent / "data"


def pack(tmp_path: Path, match: str, flag: str) -> Path:
    folder = tmp_path / "pack" / "hype"
    folder.mkdir(parents=True)
    (folder / "sparkle.yml").write_text(sparkle_rule(match=match, flag=flag), encoding="utf-8")
    return tmp_path / "pack"


def findings(*args: str, text: str) -> list[str]:
    result = run_cli("check", "-", "--format", "json", "--fail-on", "never", *args, stdin=text)
    assert result.returncode == 0, result.stderr.decode()
    return [f["rule"] for f in json.loads(result.stdout)["findings"]]


@pytest.fixture(scope="module")
def nlp():
    return hypecheck.load(model=False)


def written_texts() -> list[str]:
    return [
        json.loads(line)["text"]
        for path in sorted((DATA / "written").glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


def test_token_patterns_on_windows_find_what_the_whole_doc_gives(nlp):
    claims = nlp.get_pipe("hypecheck_claims")
    texts = written_texts()
    texts.append("\n".join(["- Acne scarring", "• Rosacea", "✓ Hair loss", "Melasma — from £250"] * 30))
    texts.append("12 different growth factors and 9 " + "unique " * 40 + "healing factors.")
    seen = 0
    for doc in nlp.pipe(texts):
        whole = sorted(claims.token_matcher(doc))
        assert sorted(claims._token_matches(doc)) == whole
        seen += len(whole)
    assert seen > 50  # the patterns did match, so the comparison means something


def test_a_plan_without_a_word_bound_searches_the_whole_doc(nlp):
    strings = nlp.vocab.strings
    assert _Windows([_plan(({"LIKE_NUM": True}, {"LOWER": "x"}), strings)])(nlp("1 x")) is not None
    assert _Windows([_plan(({"IS_ALPHA": True, "OP": "+"}, {"LOWER": "x"}), strings)])(nlp("1 x")) is None
    assert _Windows([_plan(({"LOWER": "a", "OP": "!"}, {"LOWER": "x"}), strings)])(nlp("1 x")) is None


def test_default_pipeline_has_no_lemmatizer(nlp):
    assert "lemmatizer" not in nlp.pipe_names
    assert "lemmatizer" not in hypecheck.load().pipe_names


def test_a_user_lemma_pattern_gets_the_lemmatizer(tmp_path):
    match = '  - pattern: [{LOWER: exosome, OP: "?"}, {LEMMA: sparkle}, {LOWER: {IN: [in, at, "on"]}}]'
    rules = pack(tmp_path, match, "Exosomes sparkled in your skin., An exosome sparkles on skin.")
    assert "hype.sparkle" in findings("--rules", str(rules), text="Our exosome sparkled on the skin.")
    assert "hype.sparkle" not in findings(text="Our exosome sparkled on the skin.")


def test_glue_words_still_join_rule_parts(tmp_path):
    match = "  - all: [[sparkle, sparkles], [the, of], [skin]]\n    within: [1, 1]"
    rules = pack(tmp_path, match, "It sparkles the skin., Drops that sparkle of skin.")
    assert "hype.sparkle" in findings("--rules", str(rules), text="Exosomes sparkles the skin.")
    assert "hype.sparkle" not in findings("--rules", str(rules), text="Exosomes sparkles, skin.")
    # a glue word spelled with a Cyrillic look-alike letter still counts
    assert "hype.sparkle" in findings("--rules", str(rules), text="Exosomes sparkles th\u0435 skin.")


def test_dangling_symlink_in_a_rules_folder(tmp_path):
    match = "  - all: [$actives, [sparkle, sparkles, sparkling]]\n    within: 3"
    rules = pack(tmp_path, match, "Exosomes sparkle in your skin., Our stem cell sparkles.")
    os.symlink(tmp_path / "missing.yml", rules / "hype" / "broken.yml")
    os.symlink(tmp_path / "missing-folder", rules / "gone")
    assert "hype.sparkle" in findings("--rules", str(rules), text="Exosomes sparkle all day.")
    assert "hype.sparkle" in findings("--rules", str(rules), text="Exosomes sparkle all day.")  # cached


def test_learned_layer_scores_equal_the_reference_formula(monkeypatch):
    """Memoised ids, skipped columns and padded sums give exactly ``heads.scores`` of ``hash_features``."""
    from hypecheck.components import claim_model
    from hypecheck.components.claim_model import hash_features, rule_features, text_features

    monkeypatch.setattr(claim_model, "_MEMO_LIMIT", 50)  # the bounded tables start afresh mid-run
    nlp = hypecheck.load()
    model = nlp.get_pipe("hypecheck_model")
    texts = written_texts()
    texts.append("Our exosome serum " + "regenerates and heals " * 150 + "in 3 days.\n\n \n\nSafe.")
    scored = 0
    with nlp.select_pipes(disable=["hypecheck_model"]):
        for doc in nlp.pipe(texts):
            for start, end, spans, p_confirm, p_raise in model.sentence_scores(doc, list(doc.spans["hypecheck"])):
                words = [t.lower_ for t in doc[start:end] if not t.lower_.isspace()]
                ids = hash_features(text_features(words) + rule_features(spans), model.heads.bits)
                confirm, raise_ = model.heads.scores(ids)
                assert p_confirm == {k: confirm[k] for k in p_confirm}
                assert p_raise == {k: raise_[k] for k in p_raise}
                scored += bool(p_confirm) + bool(p_raise)
    assert scored > 100


def test_compiling_rules_in_process_leaves_a_tokenizer_that_splits_as_spacy_does(monkeypatch):
    """The fresh tokenizer swapped in after compiling keeps spaCy's special cases, affixes and URLs."""
    import spacy

    monkeypatch.setenv("HYPECHECK_NO_CACHE", "1")
    nlp = hypecheck.load(model=False)
    blank = spacy.blank("en")
    text = "Don't miss U.S. trials :) at https://example.com/a?b=1 — 10x (20%) growth-factors, e.g. PDRN!"
    assert [t.text for t in nlp.make_doc(text)] == [t.text for t in blank(text)]
    assert [t.text for t in nlp.make_doc(text * 3)] == [t.text for t in blank(text * 3)]


def test_phrases_added_on_first_need_match_as_all_of_them_at_once():
    from spacy.matcher import PhraseMatcher

    fresh = hypecheck.load(model=False)
    claims = fresh.get_pipe("hypecheck_claims")
    assert claims._pending  # nothing read yet: the spellings wait for a text that holds their first word
    eager = PhraseMatcher(fresh.vocab, attr="LOWER")
    eager.add("all", [s for s in claims._phrases if s])
    texts = [*written_texts()[:200], "Exosomes treat hair loss.", "No phrase here at all, zxq."]
    for doc in fresh.pipe(texts):  # the lazy matcher ran inside the pipe, one doc after another
        assert sorted((s, e) for _, s, e in claims.phrase_matcher(doc)) == sorted((s, e) for _, s, e in eager(doc))
    assert 0 < len(claims._pending) < len({s[0] for s in claims._phrases if s})


def test_cue_words_matched_without_the_tokenizer_are_the_tokenized_ones():
    from spacy.tokens import Doc

    from hypecheck.components import context

    nlp = hypecheck.load(model=False)
    cues = nlp.get_pipe("hypecheck_claims").ruleset.cues
    added: dict[str, set[tuple[int, ...]]] = {}

    class Recorder:
        def __init__(self, *args, **kwargs):
            pass

        def add(self, kind, patterns):
            added[kind] = {tuple(int(x) for x in (p.to_array("LOWER") if isinstance(p, Doc) else p)) for p in patterns}

    real = context.PhraseMatcher
    context.PhraseMatcher = Recorder
    try:
        context._phrase_matcher(nlp, cues, context.CUE_KINDS + context.VOICE_KINDS)
    finally:
        context.PhraseMatcher = real
    for kind, got in added.items():
        variants = sorted({v for p in cues[kind] for v in context._cue_variants(p)})
        docs = [*nlp.tokenizer.pipe(variants)]  # what every variant went through before
        docs += [Doc(nlp.vocab, words=v.split()) for v in variants if "'" in v or "\u2019" in v]
        assert got == {tuple(int(x) for x in d.to_array("LOWER")) for d in docs}, kind


def test_the_voice_cues_of_a_doc_are_matched_once(nlp):
    ctx = nlp.get_pipe("hypecheck_context")
    calls = []
    real = ctx.voice_matcher

    def counting(doc):
        calls.append(doc)
        return real(doc)

    ctx.voice_matcher = counting
    try:
        doc = nlp("Book now: our exosome serum heals your skin. In this study we describe it.")
        assert ctx.seller_voice(doc) is True
        assert ctx.describing_voice(doc) is False
        assert len(calls) == 1
        other = nlp("According to the company, the serum heals skin.")
        assert ctx.seller_voice(other) is False and len(calls) == 2
    finally:
        ctx.voice_matcher = real


def test_building_the_pipeline_leaves_the_garbage_collector_as_it_was():
    import gc

    from hypecheck.cache import no_gc

    assert gc.isenabled()
    hypecheck.load(model=False)
    assert gc.isenabled()
    gc.disable()
    try:
        with no_gc():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
