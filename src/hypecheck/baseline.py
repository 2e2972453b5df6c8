"""A baseline of accepted findings, so a site adopts hypecheck without fixing every page first.

``hypecheck check site/ --write-baseline .hypecheck-baseline.json`` records
today's findings; ``--baseline .hypecheck-baseline.json`` then fails only on
new ones and reports those fixed since.  A finding's fingerprint hashes its
rule id, its quote and its sentence (case and spacing normalised) and its
occurrence index among identical findings in the same file, never offsets or
line numbers: edits elsewhere in a file and moved lines keep it; rewording the
claim's own sentence makes it new.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError
from .report import Report

FORMAT = 1
FINGERPRINT_KEY = "hypecheck/v1"  # the SARIF partialFingerprints key


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def fingerprints(report: Report) -> list[str]:
    """One stable fingerprint per finding of ``report``, in order."""
    findings = report.findings
    seen: Counter[tuple[str, str, str]] = Counter()
    prints = [""] * len(findings)
    for i in sorted(range(len(findings)), key=lambda i: findings[i].start):
        key = (findings[i].rule, _normal(findings[i].text), _normal(findings[i].sentence))
        prints[i] = _digest(*key, str(seen[key]))
        seen[key] += 1
    return prints


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def source_key(name: str) -> str:
    """A file as the baseline names it: relative to the working folder, with / separators."""
    if name in {"-", "<stdin>"} or "://" in name:
        return name
    path = Path(name).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(path)).as_posix() if path.anchor == Path.cwd().anchor else path.as_posix()


def write(path: str | Path, checked: Iterable[tuple[str, str, Report]]) -> int:
    """Record every unsuppressed finding of ``checked``; returns how many."""
    entries = []
    for name, _text, report in checked:
        for finding, fp in zip(report.findings, fingerprints(report), strict=True):
            if finding.suppression is None:
                entries.append(
                    {"source": source_key(name), "rule": finding.rule, "text": finding.text, "fingerprint": fp}
                )
    entries.sort(key=lambda e: (e["source"], e["rule"], e["fingerprint"]))
    document = {"hypecheck_baseline": FORMAT, "hypecheck_version": __version__, "findings": entries}
    Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(entries)


@dataclass
class Baseline:
    """Accepted fingerprints per source file."""

    path: str
    entries: list[dict[str, Any]]
    by_source: dict[str, Counter[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_source = {}
        for entry in self.entries:
            self.by_source.setdefault(entry["source"], Counter())[entry["fingerprint"]] += 1


def load(path: str | Path) -> Baseline:
    """Read a baseline written by :func:`write`; an :class:`InputError` names what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the baseline ({exc.strerror or exc}); write one with --write-baseline"
        ) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: the baseline is not JSON ({exc.msg})") from exc
    if (
        not isinstance(data, dict)
        or data.get("hypecheck_baseline") != FORMAT
        or not isinstance(data.get("findings"), list)
    ):
        raise InputError(f"{path}: not a hypecheck baseline (write one with --write-baseline)")
    entries = data["findings"]
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("source", "fingerprint")):
            raise InputError(f"{path}: findings[{n}] needs string 'source' and 'fingerprint'")
    return Baseline(str(path), entries)


@dataclass
class Comparison:
    """Each checked finding's state against the baseline, and the baselined findings now gone."""

    states: dict[str, list[str]]  # source name -> per finding: "new", "unchanged" or "suppressed"
    fixed: list[dict[str, Any]]

    def is_new(self, name: str, index: int) -> bool:
        """Whether the ``index``-th finding of source ``name`` is not in the baseline."""
        return self.states[name][index] == "new"

    def counts(self) -> dict[str, int]:
        """How many findings are new, unchanged, and fixed since the baseline."""
        tally = Counter(s for states in self.states.values() for s in states)
        return {"new": tally["new"], "unchanged": tally["unchanged"], "fixed": len(self.fixed)}


def compare(baseline: Baseline, checked: Iterable[tuple[str, str, Report]]) -> Comparison:
    """Which findings are new; which baselined findings of the checked files are gone.

    Only the files checked in this run can have fixed findings, so a pre-commit
    run on a few changed files does not report the rest of the site as fixed.
    """
    states: dict[str, list[str]] = {}
    fixed: list[dict[str, Any]] = []
    for name, _text, report in checked:
        key = source_key(name)
        left = Counter(baseline.by_source.get(key, Counter()))
        row = []
        for finding, fp in zip(report.findings, fingerprints(report), strict=True):
            if finding.suppression is not None:
                row.append("suppressed")
            elif left[fp] > 0:
                left[fp] -= 1
                row.append("unchanged")
            else:
                row.append("new")
        states[name] = row
        for entry in baseline.entries:
            if entry["source"] == key and left[entry["fingerprint"]] > 0:
                left[entry["fingerprint"]] -= 1
                fixed.append(entry)
    return Comparison(states, fixed)
