"""The voice head: a text in a paper's or a regulator's voice (and no seller word) gets ``described``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli

from hypecheck.components.claim_model import LinearHeads, hash_features
from hypecheck.components.voice import NEVER, VOICE_FILE, VoiceHead, voice_features
from hypecheck.constants import SCORED_CATEGORIES

K = len(SCORED_CATEGORIES)
BITS = 16
CLAIM = "The serum cures eczema."


def _shapes(text: str) -> set[str]:
    return {f for f in voice_features(text.split()) if f.startswith("v=") and not f[-1].isdigit()}


def test_the_register_of_a_paper_has_its_shapes() -> None:
    paper = "Treated mice showed less scaling than controls ( p < 0.01 , n = 12 ) as Smith et al . found [ 3 ] ."
    assert {"v=p_value", "v=n_count", "v=organism", "v=et_al", "v=cite"} <= _shapes(paper)
    assert {"v=unit", "v=passive", "v=greek"} <= _shapes("Cells were incubated with 10 mg TGF-β for 24 h .")
    assert _shapes("Glow all day with our serum") == {"v=we"}


@pytest.fixture()
def voice_model(tmp_path: Path) -> Path:
    """Neutral claim heads that raise and doubt nothing; a head count ("n = 40") makes a text a paper's."""
    zeros = np.zeros((1 << BITS, K), dtype=np.float32)
    weights = np.zeros(1 << BITS, dtype=np.float32)
    weights[hash_features(["v=n_count"], BITS)] = 8.0
    heads = LinearHeads(
        zeros,
        np.full(K, 2.0, dtype=np.float32),
        zeros.copy(),
        np.full(K, -4.0, dtype=np.float32),
        keep=np.zeros(K),
        raise_at=np.full(K, 1.01),
        bits=BITS,
        voice=VoiceHead(weights, -4.0, 0.9, BITS),
    )
    folder = tmp_path / "voice"
    heads.save(folder)
    return folder


def test_the_voice_head_is_saved_beside_the_learned_layer(voice_model: Path) -> None:
    head = LinearHeads.load(voice_model).voice
    assert head is not None and head.at == 0.9 and head.bits == BITS
    assert _probability(head, "scaling fell ( n = 40 )") > 0.9 > _probability(head, CLAIM)


def _probability(head: VoiceHead, text: str) -> float:
    return head.probability(text.split())


def _findings(model: Path, text: str, *extra: str) -> list[dict]:
    done = run_cli("--model", str(model), "check", "-", "--format", "json", *extra, stdin=text)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]


def test_a_paper_voice_hides_its_findings_by_default(voice_model: Path) -> None:
    paper = "In treated patients the serum cures eczema (n = 40)."
    assert any(f["category"] == "disease" for f in _findings(voice_model, CLAIM))
    assert not _findings(voice_model, paper)
    shown = _findings(voice_model, paper, "--min-confidence", "0")
    assert any(f["category"] == "disease" and "described" in f["context"] for f in shown)


def test_a_seller_word_keeps_the_findings(voice_model: Path) -> None:
    assert any(f["category"] == "disease" for f in _findings(voice_model, "Our serum cures eczema (n = 40)."))


def test_a_text_too_short_to_show_a_register_keeps_its_findings(voice_model: Path) -> None:
    assert any(f["category"] == "disease" for f in _findings(voice_model, "Cures eczema (n = 40)."))


def test_rules_only_has_no_voice_head() -> None:
    done = run_cli("--rules-only", "check", "-", "--format", "json", stdin="The serum cures eczema (n = 40).")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["counts"]["disease"]


def _corpus(path: Path) -> Path:
    """A small labelled corpus written for this test: sellers' claims, and papers and guidance over ten sites."""
    rows = [
        ("Our drops heal eczema overnight.", ["disease"], "marketing"),
        ("This cream cures rosacea for good.", ["disease"], "marketing"),
        ("A light gel that leaves skin feeling soft.", [], "marketing"),
        ("Lesions were measured at baseline and week 12 (p < 0.05).", [], "science"),
        ("Fibroblasts were incubated with conditioned medium (n = 6).", [], "science"),
        ("Firms should not market unapproved products under the act.", [], "regulator"),
    ]
    with path.open("w", encoding="utf-8") as out:
        for n in range(60):
            text, labels, kind = rows[n % len(rows)]
            row = {"id": f"t{n}", "text": text, "labels": labels, "kind": kind, "source": f"https://s{n % 10}.example/"}
            out.write(json.dumps(row) + "\n")
    return path


def test_train_fits_the_voice_head_and_crossval_counts_alarms_by_kind(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl")
    out = tmp_path / "mine"
    done = run_cli("train", str(corpus), "-o", str(out))
    assert done.returncode == 0, done.stderr
    head = VoiceHead.load(out)
    assert (out / VOICE_FILE).is_file() and head is not None and 0.5 <= head.at <= NEVER
    paper, seller = "Lesions were measured at week 4 (p < 0.05).", "Our drops heal eczema overnight."
    assert _probability(head, paper) > _probability(head, seller)
    done = run_cli("crossval", str(corpus), "--folds", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    by_kind = json.loads(done.stdout)["summary"]["rules+model"]["false_alarms_by_kind"]
    assert set(by_kind) == {"marketing", "science", "regulator"}
    assert by_kind["science"][1] == 20
