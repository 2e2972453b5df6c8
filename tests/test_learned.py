"""The learned layer: the shipped model, the component's decisions, and ``hypecheck train`` / ``crossval``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli

import hypecheck
from hypecheck.components.claim_model import (
    DOUBT_FLAG,
    MODEL_FLAG,
    LinearHeads,
    default_model_dir,
    hash_features,
)
from hypecheck.constants import SCORED_CATEGORIES
from hypecheck.corpus import fold_of, site_of

K = len(SCORED_CATEGORIES)
HAIR = "Our tonic thickens every strand and gives a fuller crown within weeks."


def _heads(raise_word: str | None = None, doubt_rule: str | None = None, bits: int = 12) -> LinearHeads:
    """A hand-set model: one word raises disease; one rule id is always doubted."""
    confirm = np.zeros((1 << bits, K), dtype=np.float32)
    raise_ = np.zeros((1 << bits, K), dtype=np.float32)
    if raise_word:
        raise_[hash_features([f"w={raise_word}"], bits), SCORED_CATEGORIES.index("disease")] = 8.0
    if doubt_rule:
        category = doubt_rule.split(".")[0]
        confirm[hash_features([f"rr={doubt_rule}"], bits), SCORED_CATEGORIES.index(category)] = -8.0
    return LinearHeads(
        confirm,
        np.full(K, 2.0, dtype=np.float32),
        raise_,
        np.full(K, -4.0, dtype=np.float32),
        keep=np.full(K, 0.3),
        raise_at=np.full(K, 0.8),
        bits=bits,
    )


@pytest.fixture()
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    _heads(raise_word="crown", doubt_rule="safety.absolute-safety").save(folder)
    return folder


def test_shipped_model_is_in_the_package_and_loads() -> None:
    heads = LinearHeads.load(default_model_dir())
    assert heads.meta["snippets"] > 1000
    assert heads.confirm.shape == (1 << heads.bits, K)
    assert len(heads.keep) == len(heads.raise_at) == K


def test_model_raises_a_finding_where_no_rule_fires(model_dir: Path) -> None:
    nlp = hypecheck.load(model=model_dir)
    rules_only = hypecheck.load(model=False)
    assert not hypecheck.check(HAIR, nlp=rules_only).findings
    [finding] = hypecheck.check(HAIR, nlp=nlp).findings
    assert finding.rule == "disease.learned" and finding.category == "disease"
    assert MODEL_FLAG in finding.context and finding.severity == "low"
    assert HAIR[finding.start : finding.end] == finding.text == HAIR.rstrip(".")
    assert finding.message and finding.suggestion and finding.notes


def test_negation_and_select_still_apply_to_model_findings(model_dir: Path) -> None:
    nlp = hypecheck.load(model=model_dir)
    assert not hypecheck.check("It will not give you a fuller crown.", nlp=nlp).findings
    selected = hypecheck.load(model=model_dir, select=["dose"])
    assert not hypecheck.check(HAIR, nlp=selected).findings


def test_doubted_rule_findings_drop_below_the_default_minimum(model_dir: Path) -> None:
    text = "This serum is completely safe with no side effects."
    nlp = hypecheck.load(model=model_dir)
    assert hypecheck.check(text, nlp=hypecheck.load(model=False)).counts["safety"]
    assert not hypecheck.check(text, nlp=nlp).counts["safety"]
    shown = hypecheck.check(text, nlp=nlp, min_confidence=0).findings
    assert any(f.category == "safety" and DOUBT_FLAG in f.context for f in shown)


def test_sites_fold_stably() -> None:
    assert site_of("https://www.Example.com/a?b") == "example.com"
    assert fold_of("example.com") == fold_of("example.com") < 5


def _corpus(path: Path) -> Path:
    """A small labelled corpus written for this test, spread over ten sites."""
    claims = [
        ("Our drops heal eczema overnight.", ["disease"]),
        ("This cream cures rosacea for good.", ["disease"]),
        ("Guaranteed 100% safe with zero side effects.", ["safety"]),
        ("Clinically proven to erase wrinkles.", ["evidence"]),
        ("A light gel that leaves skin feeling soft.", []),
        ("Apply two drops after cleansing.", []),
        ("The agency warned the firm about its claims.", []),
        ("Store below 25 degrees.", []),
    ]
    with path.open("w", encoding="utf-8") as out:
        for n in range(40):
            text, labels = claims[n % len(claims)]
            row = {
                "id": f"t{n}",
                "text": text,
                "labels": labels,
                "kind": "marketing",
                "source": f"https://site{n % 10}.example/page",
            }
            out.write(json.dumps(row) + "\n")
    return path


def test_train_writes_a_model_the_checker_uses(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl")
    out = tmp_path / "mine"
    done = run_cli("train", str(corpus), "-o", str(out))
    assert done.returncode == 0, done.stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["snippets"] == 40 and meta["categories"] == list(SCORED_CATEGORIES)
    checked = run_cli("--model", str(out), "check", "-", "--format", "json", stdin="Our drops heal eczema overnight.")
    assert checked.returncode == 1, checked.stderr
    assert json.loads(checked.stdout)["counts"]["disease"] >= 1


def test_rules_only_never_reports_model_findings() -> None:
    done = run_cli("--rules-only", "check", "-", "--format", "json", "--min-confidence", "0", stdin=HAIR)
    assert done.returncode == 0, done.stderr
    assert not [f for f in json.loads(done.stdout)["findings"] if f["rule"].endswith(".learned")]


def test_crossval_prints_rules_and_model_per_fold(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl")
    done = run_cli("crossval", str(corpus), "--folds", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["folds"]) == 3
    assert {"rules", "rules+model"} <= set(result["summary"])
    assert "errors" not in result["folds"][0]["rules"]


def test_train_refuses_a_malformed_corpus(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": 5}\n', encoding="utf-8")
    done = run_cli("train", str(bad), "-o", str(tmp_path / "x"))
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "bad.jsonl:1" in err and "Traceback" not in err


def test_rules_notes_lists_every_note_with_its_status() -> None:
    done = run_cli("rules", "notes", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) >= 79 and len({r["id"] for r in rows}) == len(rows)
    assert {r["status"] for r in rows} == {"confirmed", "unconfirmed"}
    assert all(r["checked"] for r in rows if r["status"] == "confirmed")
