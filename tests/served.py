"""A real ``hypecheck serve`` process on a free loopback port, for tests that need one."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 120) -> tuple[int, bytes]:
    """``(status, body)`` of one request on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Served:
    """The server process, its port, and (after it stopped) what it printed."""

    process: subprocess.Popen
    port: int
    out: bytes = b""


@contextlib.contextmanager
def serve(workers: str) -> Iterator[Served]:
    """Start ``hypecheck serve`` with HYPECHECK_WORKERS processes, wait for ``/healthz``, stop it with SIGTERM."""
    port = free_port()
    env = {**os.environ, "HYPECHECK_WORKERS": workers, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hypecheck", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    served = Served(process, port)
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                if call(port, "GET", "/healthz", timeout=5)[0] == 200:
                    break
            assert time.monotonic() < deadline and process.poll() is None, process.stderr.read().decode()
            time.sleep(0.3)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        served.out, _ = process.communicate(timeout=60)
