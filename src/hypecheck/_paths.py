"""Where the shipped rule sets and web assets live.

Installed wheels carry them as ``hypecheck/_data/{rules,web}``; a source checkout
keeps them at the top level.  ``HYPECHECK_RULES_DIR`` / ``HYPECHECK_WEB_DIR``
override both.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resolve(name: str, env: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent.parent / name


def rules_dir() -> Path:
    """The built-in rule sets (``rules/``)."""
    return _resolve("rules", "HYPECHECK_RULES_DIR")


def web_dir() -> Path:
    """Templates and static assets of the web page (``web/``)."""
    return _resolve("web", "HYPECHECK_WEB_DIR")
