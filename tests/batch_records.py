"""Batch inputs made at test time from the project's own written texts, with bad records mixed in."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import EXAMPLES


def texts() -> list[str]:
    """Our written regression snippets and the two example pages, paragraph by paragraph."""
    found = [
        json.loads(line)["text"]
        for path in sorted((EXAMPLES / "written").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for page in ("clinic_page.txt", "compliant.txt"):
        found += [p for p in (EXAMPLES / page).read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return found


def write_records(path: Path, count: int, *, seed: int = 7, long_every: int = 0) -> Path:
    """``count`` JSONL records of one to four snippets each; every 97th line is broken in some way."""
    pool = texts()
    rng = random.Random(seed)
    lines: list[bytes] = []
    for n in range(count):
        if n % 97 == 50:
            lines.append([b"{not json", b'{"id": "no-text"}', b'{"id": "bad-bytes", "text": "caf\xe9"}'][n % 3])
            continue
        parts = rng.sample(pool, 40 if long_every and n % long_every == 0 else rng.randint(1, 4))
        lines.append(json.dumps({"id": f"r{n}", "text": "\n\n".join(parts)}, ensure_ascii=False).encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path
