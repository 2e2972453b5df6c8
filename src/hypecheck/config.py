"""Project settings for the CLI: ``.hypecheck.yml``, found in the working folder or above.

A team keeps its choices next to the listings it checks::

    rules: [compliance/rules]      # extra rule packs, relative to this file
    builtin: true                  # false: only the packs above
    select: [disease, drug_like, dose]
    jurisdictions: [us, eu]
    fail_on: medium
    min_confidence: 0.55

Command-line options override the file; ``--config FILE`` names another one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import RuleFileError
from .ruleset import read_yaml

NAME = ".hypecheck.yml"
KEYS = {"rules", "builtin", "select", "jurisdictions", "fail_on", "min_confidence"}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``.hypecheck.yml`` in ``start`` (default: the working folder) or a parent."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / NAME).is_file():
            return candidate / NAME
    return None


def command_defaults(path: Path) -> dict[str, dict[str, Any]]:
    """Click ``default_map`` for the check, batch and rules commands."""
    data, _ = read_yaml(path)
    data = data or {}
    if not isinstance(data, dict) or set(data) - KEYS:
        unknown = sorted(set(data) - KEYS) if isinstance(data, dict) else ["(not a mapping)"]
        raise RuleFileError(path, f"unknown setting {', '.join(unknown)}; allowed: {', '.join(sorted(KEYS))}")
    common: dict[str, Any] = {}
    if "rules" in data:
        common["rule_packs"] = tuple(str((path.parent / p).resolve()) for p in data["rules"])
    if "builtin" in data:
        common["no_builtin"] = not data["builtin"]
    if "select" in data:
        common["select"] = ",".join(data["select"])
    scoped = dict(common)
    if "jurisdictions" in data:
        scoped["jurisdiction"] = ",".join(data["jurisdictions"])
    if "min_confidence" in data:
        scoped["min_confidence"] = data["min_confidence"]
    check = dict(scoped)
    if "fail_on" in data:
        check["fail_on"] = data["fail_on"]
    return {"check": check, "batch": scoped, "rules": {"list": common}}
