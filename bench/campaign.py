"""The fuzz campaign: claim-laden ad text with hostile pieces through ``hypecheck.check`` (not a test).

    python bench/campaign.py [--n 100000] [--seed 0]

Builds ``--n`` texts from :data:`GRAMMAR` (claim fragments, look-alike letters,
zero-width characters, full-width forms, HTML fragments, emoji, RTL marks, long
runs), checks each, and prints the crashes (must be 0), the findings whose
offsets do not slice the input, and the cost of the slowest text per character
against a plain ad text of the same length (a bounded multiple).
tests/test_hostile_campaign.py draws from the same grammar with hypothesis.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = (
    "Exosomes treat acne",
    "clinically proven",
    "stimulates collagen production",
    "10 billion exosomes",
    "FDA-approved",
    "no side effects",
    "regenerates skin cells",
    "cures eczema in 3 days",
    "PDRN repairs DNA",
    "stem cell serum reverses aging",
    "growth factors heal scars",
    "miracle",
    "100% safe",
    "PRP regrows hair",
    "not intended to diagnose, treat, cure or prevent any disease",
    "Does it treat rosacea?",
    "In mice, it boosted collagen.",
    "a gentle serum for dry skin",
)
HOSTILE = (
    "\u0441linic\u0430lly pr\u043even",
    "\u0415xosomes tr\u0435at hair loss",  # Cyrillic look-alikes
    "\uff34\uff52\uff45\uff41\uff54\uff53 \uff41\uff43\uff4e\uff45",  # full-width forms
    "tr\u200beats ac\u00adne",
    "\u200d\u200c\ufeff\u2060",  # zero-width characters
    "<svg>",
    "<noscript>",
    "<math><style>",
    "</p><p>",
    "<b>cures</b> acne",
    "&amp;&lt;&#x2728;",
    "<!--",
    "\U0001f9ea\u2728\U0001f469\u200d\U0001f52c",
    "\u202etreats acne\u202c",
    "\u200f\u05e2\u05d1\u05e8\u05d9\u05ea",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "e\u0301\u0301\u0301",
    "\x00\x07\x1b",
    "\r\n\t",
    "\n\n",
    "\ud800",
    "\U0010ffff",
)
RUNS = ("!", "\U0001f9ea", "&", "(", ".", "-", "\u200b", "a", " ", "\n", "\u0430", "!?.,;")
SEPARATORS = (" ", ". ", "\n", "", ", ", "! ")
GRAMMAR = (CLAIMS, HOSTILE, RUNS, SEPARATORS)
MAX_RUN = 3000
MIN_COMPARED = 1000  # characters; the cost ratio is measured on texts at least this long


def render(plan: list[tuple[int, int, int]]) -> str:
    """The text a plan of ``(kind, item, length)`` steps spells: a claim, a hostile piece or a run."""
    parts = []
    for kind, item, length in plan:
        choices = GRAMMAR[kind % 3]
        piece = choices[item % len(choices)]
        parts.append(piece * (1 + length % MAX_RUN) if kind % 3 == 2 else piece)
        parts.append(SEPARATORS[(item + length) % len(SEPARATORS)])
    return "".join(parts)


def random_plan(rng: random.Random) -> list[tuple[int, int, int]]:
    """A plan like hypothesis draws: mostly claims and short pieces, now and then a long run."""
    steps = []
    for _ in range(rng.randint(1, 25)):
        kind = rng.choices((0, 1, 2), weights=(5, 4, 1))[0]
        length = rng.randint(1, MAX_RUN) if rng.random() < 0.2 else rng.randint(1, 40)
        steps.append((kind, rng.randrange(1 << 16), length))
    return steps


def offset_errors(text: str, report) -> int:
    return sum(text[f.start : f.end] != f.text for f in report.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="texts to generate and check")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import hypecheck

    nlp = hypecheck.load()
    ad = (ROOT / "tests" / "data" / "clinic_page.txt").read_text("utf-8")
    rng = random.Random(args.seed)
    crashes, bad_offsets, chars = 0, 0, 0
    slowest: list[tuple[float, int, str]] = []  # (seconds per character, index, text): the 10 costliest
    started = time.perf_counter()
    for i in range(args.n):
        text = render(random_plan(rng))
        chars += len(text)
        t0 = time.perf_counter()
        try:
            report = hypecheck.check(text, nlp=nlp)
        except Exception:  # counting crashes is the point
            crashes += 1
            if crashes <= 3:
                print(f"crash on text {i} ({len(text)} chars):\n{traceback.format_exc()}")
            continue
        took = time.perf_counter() - t0
        bad_offsets += offset_errors(text, report)
        if len(text) >= MIN_COMPARED:  # shorter texts cost their fixed overhead, not their length
            heapq.heappush(slowest, (took / len(text), i, text))
            if len(slowest) > 10:
                heapq.heappop(slowest)
    wall = time.perf_counter() - started
    print(f"texts {args.n:,}  characters {chars:,}  in {wall:.0f} s ({args.n / wall:.0f} texts/s)")
    print(f"crashes {crashes}  offset errors {bad_offsets}")
    worst = (0.0, "", 0.0, 0.0)
    for _, _, text in slowest:  # each against a plain ad of its length: medians of 5 interleaved rounds
        plain = (ad * (len(text) // len(ad) + 1))[: len(text)]
        rounds: dict[str, list[float]] = {"hostile": [], "plain": []}
        for _ in range(5):
            for name, sample in (("hostile", text), ("plain", plain)):
                t0 = time.perf_counter()
                hypecheck.check(sample, nlp=nlp)
                rounds[name].append(time.perf_counter() - t0)
        h, p = (statistics.median(rounds[k]) for k in ("hostile", "plain"))
        if h / p > worst[0]:
            worst = (h / p, text, h, p)
    if worst[1]:
        ratio, text, h, p = worst
        print(
            f"costliest of the 10 slowest texts per character (>= {MIN_COMPARED:,} chars): {len(text):,} chars "
            f"{h * 1000:.1f} ms, plain text of that length {p * 1000:.1f} ms: x{ratio:.2f}  (starts {text[:40]!r})"
        )
    return 1 if crashes or bad_offsets else 0


if __name__ == "__main__":
    sys.exit(main())
