"""Shared fixtures: one built-in pipeline per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from spacy.language import Language

import hypecheck

# Keep the tests' compiled-rule caches out of the user's cache folder.
os.environ.setdefault("HYPECHECK_CACHE_DIR", tempfile.mkdtemp(prefix="hypecheck-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data"

# A short clinic ad with a claim of most kinds, and a script-injection payload, for the web tests.
WEB_AD = (
    "GlowLab Exosome Renewal Serum\n\n"
    "Our miracle exosome serum is clinically proven to regenerate skin cells. It stimulates "
    "collagen production and treats hair loss in just two weeks.\n\n"
    "Each bottle delivers 100 billion exosomes derived from human stem cells. FDA-approved, "
    "100% safe with no side effects!"
)
SPARKLE_MATCH = "  - all: [$actives, [sparkle, sparkles, sparkling]]"


def sparkle_rule(
    *,
    severity: str = "low",
    match: str = SPARKLE_MATCH,
    flag: str = "Exosomes sparkle in your skin., Our stem cell sparkles.",
    passes: str = "A sparkling water., Plain serum.",
) -> str:
    """A small valid rule file (``hype.sparkle``); tests change one part of it at a time."""
    return f"""\
id: hype.sparkle
category: hype
severity: {severity}
message: Sparkle words promise what no serum can deliver.
suggestion: Describe the texture instead.
notes: [us.ftc-act-deceptive-advertising, evidence.topical-penetration]
match:
{match}
examples:
  flag: [{flag}]
  pass: [{passes}]
"""


# The sample rule that hostile-input tests break in one place at a time.
SPARKLE_RULE = sparkle_rule()


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; return ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


class _StartTags(HTMLParser):
    """Collects (tag, attrs) of every start tag as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def start_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag of ``html`` with its attributes, in document order."""
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.tags


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.fixture(scope="session")
def nlp() -> Language:
    return hypecheck.load()


def run_cli(*args: str, stdin: str | bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m hypecheck`` the way a user runs the command."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "hypecheck", *args],
        input=data,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )
