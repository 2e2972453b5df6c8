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

import re
from pathlib import Path
from typing import Any

from .errors import RuleFileError
from .ruleset import read_yaml

NAME = ".hypecheck.yml"
KEYS = {"rules", "builtin", "select", "jurisdictions", "fail_on", "min_confidence"}
FAIL_ON = ("low", "medium", "high", "never")


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``.hypecheck.yml`` in ``start`` (default: the working folder) or a parent."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / NAME).is_file():
            return candidate / NAME
    return None


def _type_problem(key: str, value: Any) -> str | None:
    """What is wrong with one setting's value, or None."""
    if key in {"rules", "select", "jurisdictions"}:
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        return "needs a list of strings"
    if key == "builtin":
        return None if isinstance(value, bool) else "needs true or false"
    if key == "fail_on":
        return None if value in FAIL_ON else f"needs one of {', '.join(FAIL_ON)}"
    if key == "min_confidence":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
        return None if ok else "needs a number from 0 to 1"
    return None


def command_defaults(path: Path) -> dict[str, dict[str, Any]]:
    """Click ``default_map`` for the check, batch and rules commands."""
    data, text = read_yaml(path)
    data = data or {}
    if not isinstance(data, dict):
        raise RuleFileError(path, "settings must be a mapping of key: value lines", line=1)
    if set(data) - KEYS:
        unknown = sorted(map(str, set(data) - KEYS))
        raise RuleFileError(path, f"unknown setting {', '.join(unknown)}; allowed: {', '.join(sorted(KEYS))}")
    for key, value in data.items():
        problem = _type_problem(key, value)
        if problem:
            found = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            raise RuleFileError(path, f"{key}: {problem}", line=line)
    data = {k: [v] if isinstance(v, str) and k in {"rules", "select", "jurisdictions"} else v for k, v in data.items()}
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
