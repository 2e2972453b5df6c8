"""Shared fixtures: one built-in pipeline per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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
# A small valid rule file that hostile-input tests break in one place at a time.
SPARKLE_RULE = """\
id: hype.sparkle
category: hype
severity: low
message: Sparkle words promise what no serum can deliver.
suggestion: Describe the texture instead.
notes: [us.ftc-act-deceptive-advertising, evidence.topical-penetration]
match:
  - all: [$actives, [sparkle, sparkles, sparkling]]
examples:
  flag: [Exosomes sparkle in your skin., Our stem cell sparkles.]
  pass: [A sparkling water., Plain serum.]
"""
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
