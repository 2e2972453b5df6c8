"""Records/s of ``hypecheck batch`` in one process, two worker processes, and Dask with one and two workers.

    python bench/batch_scaling.py [--records 10000] [--long 60] [--rounds 3]
    python bench/batch_scaling.py --records 50000 --long 0 --rounds 0     # equality only: one run each

Every engine checks the same generated input in the same process: one warm-up
run each, then ``--rounds`` interleaved rounds (local 1, local 2, Dask 1, Dask 2,
and a pure-Python spin in 1 and 2 processes that shows how much of a second core
the machine gives right now).  It prints records/s (median and range), each
engine's speed-up over one process as the median of per-round ratios, the CPU
seconds all its processes spent per 1,000 records (this process, the worker
processes, the Dask workers: what the engine costs, whatever else loads the
machine), and whether every engine wrote byte-identical output (a SHA-256 of the
JSON Lines).

Short records are one to four snippets from the project's own written texts
(``tests/data``); ``--long N`` adds a second input of N records of about 40,000
characters each.  ``--corpus FILE...`` takes the snippets from labelled JSONL
files instead (for example ``../shared/eval/dev.jsonl``), read at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def snippets(corpora: list[str]) -> list[str]:
    files = [Path(c) for c in corpora] or sorted((DATA / "written").glob("*.jsonl"))
    found = [
        json.loads(line)["text"]
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if not corpora:
        for page in ("clinic_page.txt", "compliant.txt"):
            found += [p for p in (DATA / page).read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return found


def write_input(path: Path, pool: list[str], count: int, chars: int, seed: int) -> Path:
    """``count`` records; each one to four snippets, or snippets up to ``chars`` characters when ``chars``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            if chars:
                parts, size = [], 0
                while size < chars:
                    parts.append(rng.choice(pool))
                    size += len(parts[-1]) + 2
            else:
                parts = rng.sample(pool, rng.randint(1, 4))
            handle.write(json.dumps({"id": f"r{n}", "text": "\n\n".join(parts)}, ensure_ascii=False) + "\n")
    return path


class Digest:
    """A write-only stream that keeps a SHA-256 of what was written."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, text: str) -> int:
        self.hash.update(text.encode("utf-8"))
        return len(text)


def cpu_seconds(clients: list) -> float:
    """CPU time so far of this process, its reaped children and every Dask worker process."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    for client in clients:
        total += sum(client.run(_own_cpu).values())
    return total


def _own_cpu() -> float:
    return sum(os.times()[:2])


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def spin(processes: int, n: int = 6_000_000) -> Callable[[], None]:
    """The same pure-Python work split over ``processes`` processes: the machine's ceiling for them."""

    def run() -> None:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_spin, [n // processes] * processes)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--long", type=int, default=60, help="Records of ~40,000 characters (0: none).")
    parser.add_argument("--rounds", type=int, default=3, help="Timed rounds after the warm-up (0: equality only).")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--corpus", nargs="*", default=[], help="Labelled JSONL files to take snippets from.")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()

    import hypecheck
    from hypecheck.batching import Output, PipelineSpec, run_batch
    from hypecheck.report import parse_jurisdictions

    nlp, spec, jurisdictions = hypecheck.load(), PipelineSpec(), parse_jurisdictions(None)
    output = Output(jurisdictions=jurisdictions)
    folder = Path(tempfile.mkdtemp(prefix="hypecheck-bench-"))
    pool = snippets(args.corpus)
    inputs = {"short": (write_input(folder / "short.jsonl", pool, args.records, 0, 1), args.records)}
    if args.long:
        inputs["long"] = (write_input(folder / "long.jsonl", pool, args.long, 40_000, 2), args.long)

    engines: dict[str, dict] = {"local --jobs 1": {"jobs": 1}, "local --jobs 2": {"jobs": 2}}
    clusters = []
    if not args.no_dask:
        from distributed import Client, LocalCluster

        from hypecheck.distributed import dask_engine

        for workers in (1, 2):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
            client = Client(cluster)
            clusters.append((client, cluster))
            engines[f"dask {workers} worker{'s' if workers > 1 else ''}"] = {
                "engine": dask_engine(client, spec, output)
            }

    def timed(path: Path, options: dict) -> tuple[float, float, str]:
        sink = Digest()
        cpu = cpu_seconds([c for c, _ in clusters])
        start = time.perf_counter()
        run_batch(
            nlp,
            str(path),
            sink,
            jurisdictions=jurisdictions,
            batch_size=args.batch_size,
            spec=spec,
            progress=False,
            **options,
        )
        wall = time.perf_counter() - start
        return wall, cpu_seconds([c for c, _ in clusters]) - cpu, sink.hash.hexdigest()

    print(
        f"{args.records:,} short records ({inputs['short'][0].stat().st_size / 1e6:.1f} MB)"
        + (f", {args.long} long records ({inputs['long'][0].stat().st_size / 1e6:.1f} MB)" if args.long else "")
        + f"; {args.rounds} interleaved rounds after a warm-up; {multiprocessing.cpu_count()} CPUs",
        flush=True,
    )
    for name, (path, count) in inputs.items():
        times: dict[str, list[float]] = {e: [] for e in [*engines, "spin 1 process", "spin 2 processes"]}
        digests: dict[str, set[str]] = {e: set() for e in engines}
        cpu: dict[str, list[float]] = {e: [] for e in engines}
        for round_ in range(args.rounds + 1):
            for engine, options in engines.items():
                seconds, used, digest = timed(path, options)
                digests[engine].add(digest)
                if round_:
                    times[engine].append(seconds)
                    cpu[engine].append(used)
            for processes in (1, 2):
                start = time.perf_counter()
                spin(processes)()
                if round_:
                    times[f"spin {processes} process{'es' if processes > 1 else ''}"].append(
                        time.perf_counter() - start
                    )
            print(f"  {name} round {round_ or 'warm-up'} done", file=sys.stderr, flush=True)
        identical = len(set().union(*digests.values())) == 1
        print(f"\n{name}: {count:,} records")
        if not args.rounds:  # --rounds 0: the equality check alone
            print(f"  output identical across engines: {'yes' if identical else 'NO'}")
            continue
        base = times["local --jobs 1"]
        print(f"  {'engine':<18} {'records/s':>10} {'range':>17}  {'x one process':>13}  {'CPU s/1k records':>16}")
        for engine, seconds in times.items():
            ratio = statistics.median(
                b / s
                for b, s in zip(times["spin 1 process"] if engine.startswith("spin") else base, seconds, strict=True)
            )
            if engine.startswith("spin"):
                print(f"  {engine:<18} {'':>10} {'':>17}  {ratio:>12.2f}x  (the machine's ceiling now)")
                continue
            rates = sorted(count / s for s in seconds)
            digits = 0 if rates[0] >= 100 else 2
            print(
                f"  {engine:<18} {statistics.median(rates):>10.{digits}f} {rates[0]:>8.{digits}f}-"
                f"{rates[-1]:<8.{digits}f}  {ratio:>12.2f}x  {1000 * statistics.median(cpu[engine]) / count:>16.2f}"
            )
        print(f"  output identical across engines and rounds: {'yes' if identical else 'NO'}")
    for client, cluster in clusters:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
