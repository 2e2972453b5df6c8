"""Load against ``hypecheck serve`` on loopback: N requests at C concurrency (not a test).

    python bench/load.py [--n 10000] [--concurrency 16] [--workers N]

Starts ``hypecheck serve`` the way users do (``--workers`` sets
``HYPECHECK_WORKERS``; default: the server's own choice), sends ``--n``
``POST /api/check`` requests of the sample ad from ``--concurrency`` keep-alive
clients, and prints the errors (must be 0), latency p50/p95/p99, and the
resident memory of the server's processes at the start and the end (flat).
Bounded: at most 100,000 requests, 64 clients and ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import DEFAULT_TEXT, percentile  # the same sample ad and percentile rule


def rss_mb(pid: int) -> float:
    """Resident memory of *pid* and its child processes (the forked workers), in MB."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry.name))
    total = 0
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def start(workers: int | None) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ) if workers is None else {**os.environ, "HYPECHECK_WORKERS": str(workers)}
    process = subprocess.Popen(
        [sys.executable, "-m", "hypecheck", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        time.sleep(0.3)
    process.kill()
    raise SystemExit("hypecheck serve did not come up within 120 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="requests in all")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--workers", type=int, default=None, help="HYPECHECK_WORKERS (default: the server's choice)")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="stop sending after this long")
    args = parser.parse_args()
    total, clients = max(1, min(args.n, 100_000)), max(1, min(args.concurrency, 64))
    body = json.dumps({"text": DEFAULT_TEXT}).encode()
    headers = {"Content-Type": "application/json"}
    process, port = start(args.workers)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    left = [total]
    deadline = time.monotonic() + args.max_seconds

    def take() -> bool:
        with lock:
            left[0] -= 1
            return left[0] >= 0 and time.monotonic() < deadline

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while take():
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/check", body, headers)
                response = conn.getresponse()
                payload = response.read()
                error = None if response.status == 200 and b'"findings"' in payload else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                if error:
                    errors[error] = errors.get(error, 0) + 1
                else:
                    latencies.append(time.perf_counter() - t0)
        conn.close()

    try:
        for _ in range(4):  # warm every process's lazy caches before the first RSS reading
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            warm.request("POST", "/api/check", body, headers)
            warm.getresponse().read()
            warm.close()
        rss_start = rss_mb(process.pid)
        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        rss_end = rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    ms = [v * 1000 for v in latencies]
    print(
        f"{len(ms) + sum(errors.values()):,} requests at concurrency {clients} in {wall:.0f} s "
        f"({len(ms) / wall:.0f} requests/s); errors {sum(errors.values())} {errors or ''}"
    )
    if ms:
        print(
            f"latency ms: p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  p99 {percentile(ms, 99):.0f}  "
            f"max {max(ms):.0f}"
        )
    print(f"server RSS (all processes): start {rss_start:.0f} MB, end {rss_end:.0f} MB ({rss_end - rss_start:+.0f} MB)")
    return 1 if errors or len(ms) < total else 0


if __name__ == "__main__":
    sys.exit(main())
