"""Load benchmark for the hypecheck web API (not a test).

Starts the server on a free loopback port, then N client threads each send M
``POST /api/check`` requests over keep-alive connections while one more client
asks ``GET /healthz`` every 50 ms; the script reports requests/s and latency
percentiles of both.  Everything is bounded: client count, request count and a
wall-clock limit.

    python bench/web_load.py --clients 8 --requests 50
    python bench/web_load.py --clients 8 --requests 20 --dense-words 2000 --workers 2
    python bench/web_load.py --clients 16 --requests 20 --text-file ad.txt --workers 0

``--workers N`` runs ``hypecheck serve`` in its own process with
``HYPECHECK_WORKERS=N`` (the way users start it); ``--workers 0`` serves from a
thread in this process (``BackgroundServer``, one process).  ``--dense-words``
checks a text of that many words built from real ad copy read at run time
(see ``bench/throughput.py``; nothing of it is stored in the repository).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_TEXT = (
    "GlowLab Exosome Renewal Serum. Our miracle exosome serum is clinically proven to "
    "regenerate skin cells. It stimulates collagen production and treats hair loss in just "
    "two weeks. Each bottle delivers 100 billion exosomes derived from human stem cells. "
    "FDA-approved, 100% safe with no side effects!"
)
MAX_CLIENTS = 64
MAX_REQUESTS = 10_000


def percentile(values: list[float], pct: float) -> float:
    """The *pct* percentile (nearest rank) of *values*."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def summary(ms: list[float]) -> str:
    return (
        f"p50 {percentile(ms, 50):.1f}  p90 {percentile(ms, 90):.1f}  p95 {percentile(ms, 95):.1f}  "
        f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
    )


@contextlib.contextmanager
def in_process(threads: int, serialize: bool) -> Iterator[int]:
    from hypecheck.webapp import BackgroundServer, create_app

    app = create_app({"HYPECHECK_SERIALIZE_CHECKS": serialize})
    with BackgroundServer(app, threads=threads) as server:
        yield server.port


@contextlib.contextmanager
def subprocess_server(workers: int) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HYPECHECK_WORKERS": str(workers)}
    process = subprocess.Popen(
        [sys.executable, "-m", "hypecheck", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def run(clients: int, requests: int, text: str, max_seconds: float, server) -> int:
    body = json.dumps({"text": text}).encode()
    headers = {"Content-Type": "application/json"}
    latencies: list[float] = []
    health: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    done_sending = threading.Event()

    with server as port:
        deadline = time.monotonic() + max_seconds

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                for _ in range(requests):
                    if time.monotonic() > deadline:
                        return
                    t0 = time.perf_counter()
                    try:
                        conn.request("POST", "/api/check", body, headers)
                        response = conn.getresponse()
                        payload = response.read()
                        ok = response.status == 200 and b'"findings"' in payload
                        error = None if ok else f"HTTP {response.status}"
                    except (OSError, http.client.HTTPException) as exc:
                        error = type(exc).__name__
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    elapsed = time.perf_counter() - t0
                    with lock:
                        if error:
                            failures.append(error)
                        else:
                            latencies.append(elapsed)
            finally:
                conn.close()

        def prober() -> None:
            while not done_sending.is_set():
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                t0 = time.perf_counter()
                try:
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
                    health.append(time.perf_counter() - t0)
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        failures.append(f"healthz {type(exc).__name__}")
                finally:
                    conn.close()
                time.sleep(0.05)

        for _ in range(2):  # warm-up (the first requests touch lazy caches), each process if several
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            warm.request("POST", "/api/check", body, headers)
            warm.getresponse().read()
            warm.close()

        workers = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        probe = threading.Thread(target=prober, daemon=True)
        t_start = time.perf_counter()
        probe.start()
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=max(0.0, deadline - time.monotonic()) + 35)
        wall = time.perf_counter() - t_start
        done_sending.set()
        probe.join(timeout=35)

    done = len(latencies)
    print(f"clients {clients}, requests/client {requests}, text {len(text):,} chars ({len(text.split()):,} words)")
    print(f"completed {done} ok, {len(failures)} failed in {wall:.2f} s -> {done / wall if wall else 0:.1f} requests/s")
    if latencies:
        print("check latency ms:   " + summary([v * 1000 for v in latencies]))
    if health:
        print("healthz latency ms: " + summary([v * 1000 for v in health]))
    if failures:
        kinds = {k: failures.count(k) for k in set(failures)}
        print(f"failures: {kinds}")
    return 1 if failures else 0


def dense_text(words: int, corpora: list[Path]) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from throughput import default_corpora, dense_corpus

    out, count = [], 0
    for doc in dense_corpus(corpora or default_corpora()):
        out.append(doc)
        count += len(doc.split())
        if count >= words:
            break
    return " ".join("\n\n".join(out).split(" ")[:words])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help=f"concurrent clients (max {MAX_CLIENTS})")
    parser.add_argument("--requests", type=int, default=25, help="requests per client")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (--workers 0 only)")
    parser.add_argument(
        "--workers", type=int, default=0, help="processes of `hypecheck serve` (0: a server thread in this process)"
    )
    parser.add_argument("--text-file", type=Path, help="check this file's text instead of the sample ad")
    parser.add_argument("--dense-words", type=int, default=0, help="check this many words of real ad copy")
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="JSONL corpus for --dense-words")
    parser.add_argument(
        "--parallel-checks",
        action="store_true",
        help="let checks run concurrently (HYPECHECK_SERIALIZE_CHECKS=False; --workers 0)",
    )
    parser.add_argument("--max-seconds", type=float, default=60.0, help="stop sending after this long")
    args = parser.parse_args(argv)
    clients = max(1, min(args.clients, MAX_CLIENTS))
    requests = max(1, min(args.requests, MAX_REQUESTS // clients))
    if args.dense_words:
        text = dense_text(args.dense_words, args.corpus)
    else:
        text = args.text_file.read_text(encoding="utf-8") if args.text_file else DEFAULT_TEXT
    threads = max(1, min(args.threads, 64))
    if args.workers > 0:
        server = subprocess_server(args.workers)
        print(f"hypecheck serve, {args.workers} processes")
    else:
        server = in_process(threads, not args.parallel_checks)
        print(f"in-process server, {threads} threads, checks {'parallel' if args.parallel_checks else 'serialized'}")
    return run(clients, requests, text, max(1.0, args.max_seconds), server)


if __name__ == "__main__":
    sys.exit(main())
