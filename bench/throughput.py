"""Throughput, cold start and peak memory of the hypecheck pipeline on this machine.

    python bench/throughput.py [--words 1000000] [--repeat 3]

Runs the full built-in pipeline and a bare ``spacy.blank("en")`` tokenizer over
the same large text in one process and prints words/s for both and their ratio;
then, in fresh processes, the cold start to the first result against a bare
``import spacy; spacy.blank("en")``; and the peak resident memory (VmHWM).

The text is real English prose that ships with Python (the ``pydoc`` topic
help), with an exosome ad paragraph mixed in every twenty paragraphs so the
matchers and the context component have real work.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

AD = (Path(__file__).resolve().parent.parent / "tests" / "data" / "clinic_page.txt").read_text("utf-8")


def corpus(words: int) -> list[str]:
    """Pages of about 2,000 words, cycled until ``words`` words."""
    from pydoc_data.topics import topics

    paragraphs = [p.strip() for text in topics.values() for p in text.split("\n\n") if len(p.split()) > 12]
    mixed = []
    for i, paragraph in enumerate(paragraphs):
        mixed.append(paragraph)
        if i % 20 == 0:
            mixed.append(AD)
    pages, page, count, total = [], [], 0, 0
    while total < words:
        for paragraph in mixed:
            page.append(paragraph)
            count += len(paragraph.split())
            if count >= 2000:
                pages.append("\n\n".join(page))
                total += count
                page, count = [], 0
                if total >= words:
                    break
    return pages


def words_per_second(run, pages: list[str], repeat: int) -> float:
    total = sum(len(p.split()) for p in pages)
    run(pages)  # warm-up pass: vocabulary and caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(pages)
        times.append(time.perf_counter() - start)
    return total / statistics.median(times)


def fresh_processes(codes: list[str], rounds: int = 7) -> list[float]:
    """Wall seconds of ``python -c code`` for each code, interleaved, median of ``rounds``."""
    times: list[list[float]] = [[] for _ in codes]
    for _ in range(rounds):
        for i, code in enumerate(codes):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import spacy

    import hypecheck
    from hypecheck.report import build_report

    pages = corpus(args.words)
    total = sum(len(p.split()) for p in pages)
    blank = spacy.blank("en")
    nlp = hypecheck.load()
    jurisdictions = ("us", "eu", "uk", "in", "kr", "jp", "ca", "au")

    def tokenizer_only(batch: list[str]) -> None:
        for _ in blank.pipe(batch, batch_size=64):
            pass

    def full_pipeline(batch: list[str]) -> None:
        for doc in nlp.pipe(batch, batch_size=64):
            build_report(doc, nlp, jurisdictions)

    base = words_per_second(tokenizer_only, pages, args.repeat)
    full = words_per_second(full_pipeline, pages, args.repeat)
    findings = sum(len(build_report(d, nlp, jurisdictions).findings) for d in nlp.pipe(pages[:20]))

    blank_start, first_result = fresh_processes(
        ["import spacy; spacy.blank('en')", "import hypecheck; hypecheck.check('Exosomes treat hair loss.')"]
    )

    print(f"corpus: {total:,} words in {len(pages)} pages (pydoc prose + an exosome ad every 20 paragraphs)")
    print(f"tokenizer only (spacy.blank('en'))  {base:>10,.0f} words/s")
    print(f"full hypecheck pipeline + reports   {full:>10,.0f} words/s")
    print(f"ratio                               {full / base:>10.2f}   (target >= 0.35)")
    print(f"findings in the first 20 pages      {findings:>10}")
    print(f"cold start, blank('en')             {blank_start:>10.2f} s")
    extra = first_result - blank_start
    print(f"cold start to first result          {first_result:>10.2f} s   (+{extra:.2f} s; target <= +0.30 s)")
    print(f"peak memory (VmHWM) of this process {peak_rss_mib():>10.0f} MiB")


if __name__ == "__main__":
    main()
