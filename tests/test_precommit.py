"""The pre-commit hook: its declared entry, run on a content repository's staged files."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import yaml
from conftest import ROOT

HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]


def _git(repo, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def _run_hook(repo) -> subprocess.CompletedProcess:
    """What pre-commit does: the entry plus the staged files its 'files' pattern selects."""
    staged = [f for f in _git(repo, "diff", "--cached", "--name-only").split() if re.search(HOOK["files"], f)]
    entry = shlex.split(HOOK["entry"])
    assert entry[0] == "hypecheck"  # the console script; run it as python -m hypecheck from this checkout
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "hypecheck", *entry[1:], *staged],
        cwd=repo,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )


def test_hook_declares_a_python_entry_for_text_files():
    assert HOOK["id"] == "hypecheck" and HOOK["language"] == "python"
    assert re.search(HOOK["files"], "pages/about.md") and not re.search(HOOK["files"], "logo.png")


def test_hook_fails_a_new_claim_and_passes_a_suppressed_one(tmp_path):
    repo = tmp_path / "content"
    (repo / "pages").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "pages" / "serum.md").write_text("# Serum\n\nA light daily gel for a dewy look.\n", encoding="utf-8")
    (repo / "logo.png").write_bytes(b"\x89PNG\x00")
    _git(repo, "add", ".")
    assert _run_hook(repo).returncode == 0
    _git(repo, "commit", "-qm", "clean copy")

    (repo / "pages" / "serum.md").write_text(
        "# Serum\n\nA light daily gel for a dewy look.\n\nEach vial holds 10 billion exosomes.\n", encoding="utf-8"
    )
    _git(repo, "add", ".")
    failed = _run_hook(repo)
    assert failed.returncode == 1 and b"dose.active-count" in failed.stdout

    (repo / "pages" / "serum.md").write_text(
        "# Serum\n\nA light daily gel for a dewy look.\n\n"
        "<!-- hypecheck: ignore[dose.active-count] reason: count from the lab certificate linked below -->\n"
        "Each vial holds 10 billion exosomes.\n",
        encoding="utf-8",
    )
    _git(repo, "add", ".")
    passed = _run_hook(repo)
    assert passed.returncode == 0, passed.stdout
    assert b"reason: count from the lab certificate" in passed.stdout


def test_hook_with_a_baseline_from_the_settings_file(tmp_path):
    repo = tmp_path / "site"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".hypecheck.yml").write_text("baseline: .hypecheck-baseline.json\n", encoding="utf-8")
    (repo / "old.md").write_text("Our serum treats acne.\n", encoding="utf-8")
    adopt = subprocess.run(
        [sys.executable, "-m", "hypecheck", "check", ".", "--write-baseline", ".hypecheck-baseline.json"],
        cwd=repo,
        capture_output=True,
        check=False,
    )
    assert adopt.returncode == 0, adopt.stderr
    _git(repo, "add", ".")
    assert _run_hook(repo).returncode == 0  # the old claim is in the baseline
    _git(repo, "commit", "-qm", "adopt hypecheck")
    (repo / "old.md").write_text("Intro line.\n\nOur serum treats acne.\n", encoding="utf-8")
    (repo / "new.md").write_text("It cures eczema overnight.\n", encoding="utf-8")
    _git(repo, "add", ".")
    result = _run_hook(repo)
    assert result.returncode == 1 and b"new.md" in result.stdout and b"cures eczema" in result.stdout
    assert b"treats acne" not in result.stdout
