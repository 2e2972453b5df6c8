"""Project settings for every command: ``.hypecheck.yml`` or ``[tool.hypecheck]`` in ``pyproject.toml``.

A team keeps its choices next to the listings it checks::

    rules: [compliance/rules]      # extra rule packs (a string or a list), relative to this file
    builtin: true                  # false: only the packs above
    select: [disease, drug_like, dose]
    jurisdictions: [us, eu]
    fail_on: medium
    min_confidence: 0.55
    baseline: .hypecheck-baseline.json

Discovery: the working folder, then each parent; in each, ``.hypecheck.yml``
first, then a ``pyproject.toml`` with a ``[tool.hypecheck]`` table.  The first
found wins (they are not merged); ``--config FILE`` names one outright.
Command-line options override it.  Which command takes which key:
:data:`APPLIES`.  Every error names the file, the key and, where it can, the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import RuleFileError
from .ruleset import read_yaml

NAME = ".hypecheck.yml"
PYPROJECT = "pyproject.toml"
FAIL_ON = ("low", "medium", "high", "never")
LISTS = {"rules", "select", "jurisdictions"}
KEYS = {"rules", "builtin", "select", "jurisdictions", "fail_on", "min_confidence", "baseline"}
APPLIES = {  # setting -> the commands it reaches
    "rules": ("check", "batch", "rules list", "rules test", "evaluate", "serve"),
    "builtin": ("check", "batch", "rules list", "rules test", "evaluate", "serve"),
    "select": ("check", "batch", "rules list", "evaluate", "serve"),
    "jurisdictions": ("check", "batch", "evaluate"),
    "min_confidence": ("check", "batch", "evaluate"),
    "fail_on": ("check", "batch"),
    "baseline": ("check",),
}
OPTION = {
    "rules": "rule_packs",
    "builtin": "no_builtin",
    "select": "select",
    "jurisdictions": "jurisdiction",
    "min_confidence": "min_confidence",
    "fail_on": "fail_on",
    "baseline": "baseline",
}


def _has_table(pyproject: Path) -> bool:
    try:
        return bool(re.search(r"^\s*\[tool\.hypecheck\]", pyproject.read_text(encoding="utf-8"), re.M))
    except (OSError, UnicodeDecodeError):
        return False


def find_config(start: Path | None = None) -> Path | None:
    """The nearest settings file in ``start`` (default: the working folder) or a parent."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / NAME).is_file():
            return candidate / NAME
        if (candidate / PYPROJECT).is_file() and _has_table(candidate / PYPROJECT):
            return candidate / PYPROJECT
    return None


def _read(path: Path) -> tuple[dict[str, Any], str, str]:
    """``(settings, file text, key prefix)`` of a settings file."""
    if path.suffix == ".toml":
        try:
            import tomllib
        except ModuleNotFoundError as exc:  # Python 3.10
            raise RuleFileError(path, "[tool.hypecheck] needs Python 3.11 or later; use .hypecheck.yml") from exc
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleFileError(path, f"cannot read the settings ({exc})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise RuleFileError(path, f"not valid TOML: {exc}") from exc
        table = data.get("tool", {}).get("hypecheck", {})
        if not isinstance(table, dict):
            raise RuleFileError(path, "tool.hypecheck must be a table of key = value lines")
        return table, text, "tool.hypecheck."
    data, text = read_yaml(path)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise RuleFileError(path, "settings must be a mapping of key: value lines", line=1)
    return data, text, ""


def _type_problem(key: str, value: Any) -> str | None:
    """What is wrong with one setting's value, or None."""
    if key in LISTS:
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        return "needs a string or a list of strings"
    if key == "builtin":
        return None if isinstance(value, bool) else "needs true or false"
    if key == "fail_on":
        return None if value in FAIL_ON else f"needs one of {', '.join(FAIL_ON)}"
    if key == "min_confidence":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
        return None if ok else "needs a number from 0 to 1"
    if key == "baseline":
        return None if isinstance(value, str) and value.strip() else "needs a file name"
    return None


def _line(text: str, key: str) -> int | None:
    found = re.search(rf"^\s*[\"']?{re.escape(key).replace('_', '[_-]')}[\"']?\s*[:=]", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


def read_settings(path: Path) -> dict[str, Any]:
    """The validated settings of ``path``: lists as lists, paths resolved against its folder."""
    raw, text, prefix = _read(path)
    data: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name not in KEYS:
            raise RuleFileError(
                path, f"{prefix}{key}: unknown setting; allowed: {', '.join(sorted(KEYS))}", line=_line(text, str(key))
            )
        problem = _type_problem(name, value)
        if problem:
            raise RuleFileError(path, f"{prefix}{key}: {problem}", line=_line(text, str(key)))
        data[name] = [value] if name in LISTS and isinstance(value, str) else value
    if "rules" in data:
        missing = next((p for p in data["rules"] if not (path.parent / p).exists()), None)
        if missing is not None:  # named here, not as a --rules option the user never typed
            raise RuleFileError(path, f"{prefix}rules: no such rule pack {missing!r}", line=_line(text, "rules"))
        data["rules"] = [str((path.parent / p).resolve()) for p in data["rules"]]
    if "baseline" in data:
        data["baseline"] = str((path.parent / data["baseline"]).resolve())
    return data


def _option(key: str, value: Any) -> Any:
    if key == "rules":
        return tuple(value)
    if key == "builtin":
        return not value
    if key in {"select", "jurisdictions"}:
        return ",".join(value)
    return value


def command_defaults(path: Path) -> dict[str, Any]:
    """Click ``default_map`` for every command (``rules list`` and ``rules test`` nested under ``rules``)."""
    settings = read_settings(path)
    defaults: dict[str, Any] = {}
    for key, value in settings.items():
        for command in APPLIES[key]:
            group, _, sub = command.partition(" ")
            target = defaults.setdefault(group, {})
            if sub:
                target = target.setdefault(sub, {})
            target[OPTION[key]] = _option(key, value)
    return defaults
