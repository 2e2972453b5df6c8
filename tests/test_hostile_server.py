"""``hypecheck serve`` keeps answering its health check while hostile requests are in flight."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from served import call, serve

HEAD = "Exosomes treat acne"
LIMIT = 100_000  # the server's default HYPECHECK_MAX_CHARS
HOSTILE = {
    "emoji run": HEAD + "\U0001f9ea" * (LIMIT - 1_000),
    "punctuation run": HEAD + "!.,;:" * ((LIMIT - 1_000) // 5),
}


@pytest.fixture(scope="module", params=["1", "2"], ids=["1 process", "2 processes"])
def served(request: pytest.FixtureRequest) -> Iterator[int]:
    """A real ``hypecheck serve`` with HYPECHECK_WORKERS processes, on a free loopback port."""
    with serve(request.param) as server:
        for _ in range(2):  # warm each process's lazy caches
            call(server.port, "POST", "/api/check", json.dumps({"text": HEAD}).encode())
        yield server.port


def health_times(port: int, rounds: int = 8) -> list[float]:
    """Seconds each of ``rounds`` ``/healthz`` calls took."""
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, payload = call(port, "GET", "/healthz", timeout=30)
        took.append(time.perf_counter() - started)
        assert status == 200 and b"ok" in payload
        time.sleep(0.1)
    return took


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_healthz_answers_while_a_long_run_is_checked(served, kind):
    """The hostile text goes again and again until eight health checks are done: they overlap it however fast it is."""
    text = json.dumps({"text": HOSTILE[kind]}).encode()
    outcomes: list[tuple[int, bytes]] = []
    done = threading.Event()
    in_flight = threading.Event()

    def hostile() -> None:
        while not done.is_set():
            in_flight.set()
            outcomes.append(call(served, "POST", "/api/check", text))

    sender = threading.Thread(target=hostile)
    sender.start()
    assert in_flight.wait(timeout=10)
    try:
        took = health_times(served)
    finally:
        done.set()
        sender.join(timeout=120)
    assert len(took) == 8 and max(took) < 1.0, took
    assert outcomes, "no hostile request was answered"
    for status, body in outcomes:
        assert status == 200
        assert [f["text"] for f in json.loads(body)["findings"]] == ["treat acne"]


def test_healthz_answers_while_headers_drip_in(served):
    """Eight clients sending their headers a byte at a time hold no thread the health check needs."""
    stop = threading.Event()
    dripping = [0]

    def drip() -> None:
        with socket.create_connection(("127.0.0.1", served), timeout=30) as conn:
            head = b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Slow: "
            for byte in head + b"a" * 10_000:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                dripping[0] += 1
                time.sleep(0.02)

    drippers = [threading.Thread(target=drip) for _ in range(8)]
    for thread in drippers:
        thread.start()
    try:
        time.sleep(1.0)
        took = health_times(served)
        sent = dripping[0]
        assert len(took) == 8 and max(took) < 1.0, took
        time.sleep(0.3)
        assert dripping[0] > sent, "the drip stopped: the server no longer waits on it"
    finally:
        stop.set()
        for thread in drippers:
            thread.join(timeout=30)
