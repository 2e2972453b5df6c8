"""Dump every finding on a set of corpora, to prove a speed change changes no finding.

    python bench/equivalence.py dump OUT.jsonl [CORPUS.jsonl ...]
    python bench/equivalence.py compare BEFORE.jsonl AFTER.jsonl

``dump`` runs the full pipeline (reports with ``min_confidence=0``, so findings the
text only reports are kept too) over every record of the given JSONL corpora
(default: ``../shared/eval/dev.jsonl``, ``../shared/eval/real/*.jsonl`` and
``tests/data/written/*.jsonl``) and writes one line per record: its id and a list
of ``[start, end, rule, category, confidence rounded to 4 places, context]``.
``compare`` prints the records whose findings differ and exits 1 if any do.
No corpus text is written, only ids and offsets.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_corpora() -> list[Path]:
    # ../shared next to the checkout (a worktree under wt/ looks one level further up)
    shared = next(
        (p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()),
        ROOT.parent / "shared" / "eval",
    )
    return [
        shared / "dev.jsonl",
        *sorted((shared / "real").glob("*.jsonl")),
        *sorted((ROOT / "tests" / "data" / "written").glob("*.jsonl")),
    ]


def dump(out: Path, corpora: list[Path]) -> int:
    import hypecheck
    from hypecheck.longtext import process
    from hypecheck.report import build_report

    nlp = hypecheck.load()
    jurisdictions = ("us", "eu", "uk", "in", "kr", "jp", "ca", "au")
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for corpus in corpora:
            for n, line in enumerate(corpus.read_text("utf-8").splitlines()):
                if not line.strip():
                    continue
                record = json.loads(line)
                report = build_report(process(nlp, record["text"]), nlp, jurisdictions, min_confidence=0.0)
                findings = [
                    [f.start, f.end, f.rule, f.category, round(f.confidence, 4), list(f.context)]
                    for f in report.findings
                ]
                key = f"{corpus.name}:{record.get('id', n)}"
                handle.write(json.dumps({"id": key, "findings": findings}) + "\n")
                count += 1
    print(f"{count} records written to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    def read(path: Path) -> dict[str, list]:
        return {r["id"]: r["findings"] for r in map(json.loads, path.read_text("utf-8").splitlines())}

    old, new = read(before), read(after)
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    for key in differ[:20]:
        print(f"{key}\n  before {old.get(key)}\n  after  {new.get(key)}")
    total = sum(len(v) for v in old.values())
    print(f"{len(old)} records, {total} findings before; {len(differ)} records differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("corpora", type=Path, nargs="*")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        return dump(args.out, args.corpora or default_corpora())
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
