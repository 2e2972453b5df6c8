"""Would the learned layer help if it were trained on rules that had not seen the text?

The shipped layer (``hypecheck train``) learns from what the *current* rules find on
dev + real, text those rules were tuned on: there they are right nearly everywhere,
so the layer has little to learn about their mistakes on new sites.  This bench
trains the same two heads on the findings of an older rule pack that never saw
``../shared/eval/real`` (the rules before real-text work, commit ``edd3ede^``) and
scores fold 2 of the real corpus, which that pack had never seen either:

    git worktree add --detach /tmp/old-rules edd3ede^
    python3 -m venv /tmp/old-venv && /tmp/old-venv/bin/pip install -q -e /tmp/old-rules
    python bench/untuned_layer.py inputs /tmp/real-in.jsonl          # ids + texts of real/*.jsonl
    /tmp/old-venv/bin/hypecheck batch /tmp/real-in.jsonl > /tmp/old-pred.jsonl
    hypecheck --rules-only batch /tmp/real-in.jsonl > /tmp/new-pred.jsonl
    python bench/untuned_layer.py score /tmp/old-pred.jsonl /tmp/new-pred.jsonl

``score`` prints, for fold 2 of the real corpus: the old rules alone; the old rules
with heads trained on their own output on folds 0, 1, 3, 4 (thresholds by the usual
inner site-fold search, over several L2 strengths); the current rules alone; and the
current rules with the heads trained on the old rules' output.  Rule-id features are
left out (the packs' ids differ); categories, context flags and the sentence's words
are kept.  Only totals are printed, never corpus text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HELD_FOLD = 2


def real_corpus() -> list[Path]:
    shared = next((p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()), None)
    if shared is None:
        sys.exit("../shared/eval not found")
    return sorted((shared / "real").glob("*.jsonl"))


def write_inputs(out: Path) -> int:
    with out.open("w", encoding="utf-8") as fh:
        for path in real_corpus():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    fh.write(json.dumps({"id": row["id"], "text": row["text"]}) + "\n")
    return 0


def _predictions(path: Path) -> dict[str, list[dict]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["id"]: row["findings"] for row in rows}


def _features(snippets, predictions, tokenize):
    from hypecheck.components.claim_model import hash_features, text_features
    from hypecheck.constants import SCORED_CATEGORIES
    from hypecheck.learning import Features

    k = len(SCORED_CATEGORIES)
    ids, fired = [], np.zeros((len(snippets), k), dtype=bool)
    for i, snippet in enumerate(snippets):
        feats = text_features([t.text.lower() for t in tokenize(snippet.text) if not t.is_space])
        for finding in predictions[snippet.id]:
            category = finding["category"]
            if category in SCORED_CATEGORIES:
                fired[i, SCORED_CATEGORIES.index(category)] = True
                feats += [f"r={category}"] + [f"rc={category}_{flag}" for flag in finding.get("context", [])]
        ids.append(hash_features(feats if fired[i].any() else [*feats, "r=none"]))
    gold = np.array([[c in s.labels for c in SCORED_CATEGORIES] for s in snippets], dtype=bool)
    return Features(ids, fired, gold, np.array([s.fold() for s in snippets]), None)


def _line(name: str, gold: np.ndarray, predicted: np.ndarray) -> str:
    f1s = []
    for k in range(gold.shape[1]):
        tp = int((gold[:, k] & predicted[:, k]).sum())
        wrong = int((gold[:, k] ^ predicted[:, k]).sum())
        if gold[:, k].any():
            f1s.append(2 * tp / (2 * tp + wrong))
    clean = ~gold.any(axis=1)
    return f"{name:<64} macro F1 {np.mean(f1s):.3f}   false alarms {predicted[clean].any(axis=1).mean():6.1%}"


def score(old_path: Path, new_path: Path) -> int:
    import spacy

    from hypecheck import learning
    from hypecheck.corpus import read_corpus

    snippets = read_corpus(real_corpus())
    tokenize = spacy.blank("en").make_doc
    old = _features(snippets, _predictions(old_path), tokenize)
    new = _features(snippets, _predictions(new_path), tokenize)
    train_rows, held = np.flatnonzero(old.folds != HELD_FOLD), np.flatnonzero(old.folds == HELD_FOLD)
    gold = old.gold[held]
    print(f"real corpus, fold {HELD_FOLD}: {len(held)} snippets; heads trained on {len(train_rows)} (folds 0, 1, 3, 4)")
    print(_line("old rules (never saw real/)", gold, old.fired[held]))
    fit = learning._fit
    for l2 in (3e-4, 1e-3, 3e-3, 1e-2):
        learning._fit = lambda *a, l2=l2, **kw: fit(*a, **{**kw, "l2": l2})  # type: ignore[misc]
        try:
            heads = learning.train(old.take(train_rows))
        finally:
            learning._fit = fit
        for name, data in (("old", old), ("current", new)):
            p_confirm, p_raise = learning._probabilities(heads, data, held)
            decided = learning._decide(data.fired[held], p_confirm, p_raise, heads.keep, heads.raise_at)
            print(_line(f"{name} rules + heads trained on old rules' output, L2 {l2:g}", gold, decided))
    print(_line("current rules", gold, new.fired[held]))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("inputs").add_argument("out", type=Path)
    scoring = sub.add_parser("score")
    scoring.add_argument("old", type=Path)
    scoring.add_argument("new", type=Path)
    args = parser.parse_args()
    return write_inputs(args.out) if args.command == "inputs" else score(args.old, args.new)


if __name__ == "__main__":
    raise SystemExit(main())
