"""``hypecheck serve`` in several processes on one socket: all answer, all stop together."""

from __future__ import annotations

import json
from pathlib import Path

from served import call, serve


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_forks_workers_that_answer_and_stop_with_it():
    with serve("2") as server:
        workers = children(server.process.pid)
        assert len(workers) == 1  # the server process serves too
        for _ in range(6):  # new connections, so either process may take them
            body = json.dumps({"text": "Exosomes treat hair loss."}).encode()
            status, payload = call(server.port, "POST", "/api/check", body, timeout=60)
            assert status == 200
            assert json.loads(payload)["counts"]["disease"] == 1
    assert b"2 processes" in server.out
    assert server.process.returncode == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
