"""Load benchmark for the hypecheck web API (not a test).

Starts the app under waitress on a free loopback port, then N client threads
each send M ``POST /api/check`` requests over keep-alive connections and the
script reports requests/s and latency percentiles.  Everything is bounded:
client count, request count and a wall-clock limit.

    python bench/web_load.py --clients 8 --requests 50
    python bench/web_load.py --clients 16 --requests 20 --text-file ad.txt --threads 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
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


def run(
    clients: int, requests: int, text: str, threads: int, max_seconds: float, serialize: bool = True
) -> int:
    from hypecheck.webapp import BackgroundServer, create_app

    body = json.dumps({"text": text}).encode()
    headers = {"Content-Type": "application/json"}
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    started_at = time.monotonic()
    deadline = started_at + max_seconds

    app = create_app({"HYPECHECK_SERIALIZE_CHECKS": serialize})
    with BackgroundServer(app, threads=threads) as server:

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
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
                        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                    elapsed = time.perf_counter() - t0
                    with lock:
                        if error:
                            failures.append(error)
                        else:
                            latencies.append(elapsed)
            finally:
                conn.close()

        # Warm-up (first request touches lazy caches).
        warm = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        warm.request("POST", "/api/check", body, headers)
        warm.getresponse().read()
        warm.close()

        workers = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        t_start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=max(0.0, deadline - time.monotonic()) + 35)
        wall = time.perf_counter() - t_start

    done = len(latencies)
    mode = "serialized" if serialize else "parallel"
    print(f"server threads {threads}, clients {clients}, requests/client {requests}, "
          f"text {len(text):,} chars, checks {mode}")
    print(f"completed {done} ok, {len(failures)} failed in {wall:.2f} s "
          f"-> {done / wall if wall else 0:.1f} requests/s")
    if latencies:
        ms = [v * 1000 for v in latencies]
        print("latency ms: "
              f"p50 {percentile(ms, 50):.1f}  p90 {percentile(ms, 90):.1f}  "
              f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}")
    if failures:
        kinds = {k: failures.count(k) for k in set(failures)}
        print(f"failures: {kinds}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help=f"concurrent clients (max {MAX_CLIENTS})")
    parser.add_argument("--requests", type=int, default=25, help="requests per client")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--text-file", type=Path, help="check this file's text instead of the sample ad")
    parser.add_argument("--parallel-checks", action="store_true",
                        help="let checks run concurrently (HYPECHECK_SERIALIZE_CHECKS=False)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="stop sending after this long")
    args = parser.parse_args(argv)
    clients = max(1, min(args.clients, MAX_CLIENTS))
    requests = max(1, min(args.requests, MAX_REQUESTS // clients))
    text = args.text_file.read_text(encoding="utf-8") if args.text_file else DEFAULT_TEXT
    threads = max(1, min(args.threads, 64))
    return run(clients, requests, text, threads, max(1.0, args.max_seconds), not args.parallel_checks)


if __name__ == "__main__":
    sys.exit(main())
