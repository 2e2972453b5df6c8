"""Throughput, cold start, peak memory and cost versus length of the hypecheck pipeline.

    python bench/throughput.py [--rounds 7] [--words 60000] [CORPUS.jsonl ...]
    python bench/throughput.py --only dense,sparse,components,learned,cold,rss,length --rss-words 1000000

Every speed figure is a ratio to a bare ``spacy.blank("en")`` tokenizer over the
same texts in the same process, measured in interleaved rounds (bare, pipeline,
pipeline + reports, bare, ...), and printed as the median with the spread
(lowest-highest) over the rounds.

* **dense**: real ad copy, the workload users check.  Built at run time from
  the corpora given on the command line (default ``../shared/eval/dev.jsonl``
  and ``../shared/eval/real/*.jsonl`` next to the checkout): every record of
  ``kind == "marketing"`` or with labels, joined into documents of ~300 words.
  Nothing of that text is stored in the repository.
* **sparse**: pydoc prose shipped with Python, an exosome ad paragraph
  (``tests/data/clinic_page.txt``) every twenty paragraphs, pages of ~2,000 words.
* **cold**: fresh processes, first result against ``import spacy; spacy.blank("en")``,
  with a warm rule cache and with none.
* **rss**: peak resident memory (VmHWM) of a fresh process checking
  ``--rss-words`` words of dense copy with reports.
* **components**: µs per word of each pipeline component, report building and
  JSON writing on the dense copy, interleaved rounds, medians; the learned
  layer's share is the pipeline with and without it.
* **length**: one text of 1k .. 5M characters (dense copy repeated) through
  ``hypecheck.check``; CPU seconds and microseconds per character, to show it is linear.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AD = (ROOT / "tests" / "data" / "clinic_page.txt").read_text("utf-8")
JURISDICTIONS = ("us", "eu", "uk", "in", "kr", "jp", "ca", "au")


def default_corpora() -> list[Path]:
    # ../shared next to the checkout (a worktree under wt/ looks one level further up)
    shared = next(
        (p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()),
        ROOT.parent / "shared" / "eval",
    )
    return [shared / "dev.jsonl", *sorted((shared / "real").glob("*.jsonl"))]


def dense_corpus(paths: list[Path], doc_words: int = 300) -> list[str]:
    """Ad snippets (marketing, or labelled) joined into documents of about ``doc_words`` words."""
    snippets = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("kind") == "marketing" or record.get("labels"):
                    snippets.append(record["text"].strip())
    docs, doc, count = [], [], 0
    for snippet in snippets:
        doc.append(snippet)
        count += len(snippet.split())
        if count >= doc_words:
            docs.append("\n\n".join(doc))
            doc, count = [], 0
    return docs


def sparse_corpus(words: int) -> list[str]:
    """Pydoc prose with an ad paragraph every twenty paragraphs, pages of ~2,000 words."""
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


def upto(docs: list[str], words: int) -> list[str]:
    """``docs`` cycled until about ``words`` words."""
    out, total = [], 0
    while total < words:
        for doc in docs:
            out.append(doc)
            total += len(doc.split())
            if total >= words:
                break
    return out


def interleaved(runs: dict[str, Callable[[], None]], rounds: int) -> dict[str, list[float]]:
    """CPU seconds per round for each run, the runs taking turns within every round.

    CPU time of this process, not wall time: on a shared machine the wall clock
    also counts the time other processes hold the core.
    """
    for run in runs.values():  # warm-up: vocabulary and caches
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.process_time()
            run()
            times[name].append(time.process_time() - start)
    return times


def ratios(times: dict[str, list[float]], base: str) -> dict[str, tuple[float, float, float]]:
    """Per run: median, lowest and highest of (base seconds / run seconds) over the rounds."""
    out = {}
    for name, seconds in times.items():
        rs = [b / s for b, s in zip(times[base], seconds, strict=True)]
        out[name] = (statistics.median(rs), min(rs), max(rs))
    return out


def speed(label: str, docs: list[str], nlp, blank, rounds: int) -> None:
    from hypecheck.report import build_report

    words = sum(len(d.split()) for d in docs)

    def bare() -> None:
        for _ in blank.pipe(docs, batch_size=64):
            pass

    def pipeline() -> None:
        for _ in nlp.pipe(docs, batch_size=64):
            pass

    def reports() -> None:
        for doc in nlp.pipe(docs, batch_size=64):
            build_report(doc, nlp, JURISDICTIONS)

    times = interleaved({"bare": bare, "pipeline": pipeline, "reports": reports}, rounds)
    rs = ratios(times, "bare")
    findings = sum(len(build_report(d, nlp, JURISDICTIONS).findings) for d in nlp.pipe(docs))
    print(
        f"{label}: {words:,} words in {len(docs)} documents, {findings} findings "
        f"({1000 * findings / words:.1f} per 1,000 words), {rounds} interleaved rounds"
    )
    base_wps = words / statistics.median(times["bare"])
    print(f"  bare tokenizer           {base_wps:>10,.0f} words/s")
    for name, title in (("pipeline", "pipeline only"), ("reports", "pipeline + reports")):
        median, low, high = rs[name]
        wps = words / statistics.median(times[name])
        print(f"  {title:<24} {wps:>10,.0f} words/s   ratio {median:.3f} (spread {low:.3f}-{high:.3f})")


def components(docs: list[str], nlp, rounds: int) -> None:
    """Median µs per word of the tokenizer, each pipe, report building and JSON writing."""
    import json as json_module

    from hypecheck.report import build_report

    words = sum(len(d.split()) for d in docs)
    stages = ["tokenizer", *nlp.pipe_names, "report", "json"]
    times: dict[str, list[float]] = {name: [] for name in stages}
    clock = time.process_time
    for round_ in range(rounds + 1):  # the first round warms caches and is not counted
        spent = dict.fromkeys(stages, 0.0)
        for text in docs:
            start = clock()
            doc = nlp.make_doc(text)
            spent["tokenizer"] += clock() - start
            for name, proc in nlp.pipeline:
                start = clock()
                doc = proc(doc)
                spent[name] += clock() - start
            start = clock()
            report = build_report(doc, nlp, JURISDICTIONS)
            spent["report"] += clock() - start
            start = clock()
            json_module.dumps(report.to_dict(), ensure_ascii=False, indent=2)
            spent["json"] += clock() - start
        if round_:
            for name in stages:
                times[name].append(spent[name])
    print(f"components, dense copy, {words:,} words, median µs per word over {rounds} rounds:")
    for name in stages:
        print(f"  {name:<20} {1e6 * statistics.median(times[name]) / words:6.2f}")
    print(f"  {'pipeline + report':<20} {1e6 * sum(statistics.median(times[n]) for n in stages[:-1]) / words:6.2f}")


def learned_layer(docs: list[str], nlp, rounds: int) -> None:
    """The pipeline with and without the learned layer (``hypecheck_model``), interleaved."""
    from hypecheck.report import build_report

    words = sum(len(d.split()) for d in docs)

    def run(disable: list[str]) -> Callable[[], None]:
        def go() -> None:
            with nlp.select_pipes(disable=disable):
                for doc in nlp.pipe(docs, batch_size=64):
                    build_report(doc, nlp, JURISDICTIONS)

        return go

    times = interleaved({"with": run([]), "without": run(["hypecheck_model"])}, rounds)
    with_, without = (statistics.median(times[k]) for k in ("with", "without"))
    print(
        f"learned layer, dense copy with reports: with {1e6 * with_ / words:.2f} µs/word, "
        f"without {1e6 * without / words:.2f} µs/word, the layer {1e6 * (with_ - without) / words:.2f} µs/word "
        f"({100 * (with_ - without) / with_:.0f} % of the total)"
    )


def fresh_processes(
    codes: list[str], rounds: int, env: dict[str, str] | None = None
) -> tuple[list[float], list[float]]:
    """Median wall seconds and median CPU seconds (user + system) of ``python -c code`` for each code,
    interleaved over ``rounds``.  CPU time is what a loaded machine distorts least."""
    wall: list[list[float]] = [[] for _ in codes]
    cpu: list[list[float]] = [[] for _ in codes]
    for _ in range(rounds):
        for i, code in enumerate(codes):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
            wall[i].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[i].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [statistics.median(t) for t in wall], [statistics.median(t) for t in cpu]


def cold(rounds: int) -> None:
    bare = "import spacy; spacy.blank('en')"
    first = "import hypecheck; hypecheck.check('Exosomes treat hair loss.')"
    (blank_start, warm), (blank_cpu, warm_cpu) = fresh_processes([bare, first], rounds)
    with tempfile.TemporaryDirectory() as empty:
        # A new empty cache folder for every run: the cost of compiling the rules.
        codes = [f"import os; os.environ['HYPECHECK_CACHE_DIR'] = os.path.join({empty!r}, str(os.getpid())); {first}"]
        (nocache,), _ = fresh_processes(codes, max(1, rounds // 2))
    print(
        f"cold start: blank('en') {blank_start:.2f} s; first result {warm:.2f} s "
        f"(+{warm - blank_start:.2f} s, target <= +0.30 s); CPU time +{warm_cpu - blank_cpu:.2f} s "
        f"({blank_cpu:.2f} -> {warm_cpu:.2f} s); with an empty rule cache {nocache:.2f} s"
    )


RSS_CODE = """
import json, sys
from pathlib import Path
import hypecheck
from hypecheck.report import build_report
docs = json.loads(Path(sys.argv[1]).read_text())
nlp = hypecheck.load()
for doc in nlp.pipe(docs, batch_size=64):
    build_report(doc, nlp, ("us", "eu", "uk", "in", "kr", "jp", "ca", "au"))
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) / 1024)
"""


def rss(docs: list[str], words: int) -> None:
    batch = upto(docs, words)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(batch, handle)
    try:
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", RSS_CODE, handle.name], check=True, capture_output=True, text=True
        ).stdout
        seconds = time.perf_counter() - start
    finally:
        os.unlink(handle.name)
    print(
        f"peak memory (VmHWM), {words:,} words of dense copy with reports: {float(out):.0f} MiB "
        f"(target <= 250 MiB; {seconds:.0f} s)"
    )


def length(docs: list[str], nlp, max_chars: int) -> None:
    import hypecheck

    text = "\n\n".join(docs)
    while len(text) < max_chars:
        text += "\n\n" + text
    print("cost versus length (one text through hypecheck.check, reports included):")
    size = 1000
    while size <= max_chars:
        part = text[:size]
        start = time.process_time()
        hypecheck.check(part, nlp=nlp)
        seconds = time.process_time() - start
        print(f"  {size:>9,} chars  {seconds:>8.3f} s  {1e6 * seconds / size:>6.2f} µs/char")
        size *= 5 if str(size).startswith("1") else 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", type=Path, nargs="*", help="JSONL corpora for the dense copy")
    parser.add_argument("--only", default="dense,sparse,components,learned,cold,rss,length")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--words", type=int, default=60_000, help="words per round of each workload")
    parser.add_argument("--rss-words", type=int, default=1_000_000)
    parser.add_argument("--max-chars", type=int, default=5_000_000)
    args = parser.parse_args()
    only = set(args.only.split(","))

    import spacy

    import hypecheck

    dense = dense_corpus(args.corpora or default_corpora())
    nlp = hypecheck.load()
    blank = spacy.blank("en")
    if "dense" in only:
        speed("dense ad copy", upto(dense, args.words), nlp, blank, args.rounds)
    if "sparse" in only:
        speed("sparse prose (pydoc + an ad every 20 paragraphs)", sparse_corpus(args.words), nlp, blank, args.rounds)
    if "components" in only:
        components(upto(dense, args.words), nlp, args.rounds)
    if "learned" in only:
        learned_layer(upto(dense, args.words), nlp, args.rounds)
    if "cold" in only:
        cold(args.rounds)
    if "rss" in only:
        rss(dense, args.rss_words)
    if "length" in only:
        length(dense, nlp, args.max_chars)


if __name__ == "__main__":
    main()
