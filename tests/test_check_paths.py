"""check PATH...: files, folders and globs; per-file errors; -o; exit status over every file."""

from __future__ import annotations

import json

from conftest import run_cli


def _site(tmp_path):
    files = {
        "pages/a.md": "A light daily gel.\n",
        "pages/deep/b.md": "A revolutionary serum.\n",  # low severity
        "pages/deep/c.html": "<html><body><p>Our serum treats acne.</p></body></html>",  # high
        "pages/.drafts/d.md": "It cures eczema.\n",
        "pages/notes.rst": "It cures eczema.\n",
        "other/e.txt": "Each vial holds 10 billion exosomes.\n",  # medium
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _sources(result) -> list[str]:
    return [r["source"] for r in json.loads(result.stdout)]


def test_files_folders_and_globs_together_each_file_once(tmp_path):
    site = _site(tmp_path)
    result = run_cli("check", "pages/**/*.md", "other", "pages/a.md", "--format", "json", cwd=site)
    assert _sources(result) == ["pages/a.md", "pages/deep/b.md", "other/e.txt"]  # no hidden folder, no .rst
    assert result.returncode == 1


def test_exit_status_comes_from_the_worst_finding_across_files(tmp_path):
    site = _site(tmp_path)
    assert run_cli("check", "pages", "other", "--fail-on", "high", cwd=site).returncode == 1  # c.html is high
    assert (
        run_cli("check", "pages/a.md", "pages/deep/b.md", "other/e.txt", "--fail-on", "high", cwd=site).returncode == 0
    )
    assert run_cli("check", "pages/a.md", "other/e.txt", "--fail-on", "medium", cwd=site).returncode == 1


def test_unreadable_inputs_are_reported_and_the_rest_checked_with_exit_3(tmp_path):
    site = _site(tmp_path)
    (site / "pages" / "bin.txt").write_bytes(b"\x00\x01")
    result = run_cli("check", "pages", "missing.md", "nothing/*.md", "--format", "json", "-o", "out.json", cwd=site)
    assert result.returncode == 3
    assert b"missing.md: no such file or folder" in result.stderr and b"nothing/*.md: no .txt" in result.stderr
    reports = json.loads((site / "out.json").read_text(encoding="utf-8"))
    assert [r["source"] for r in reports if "findings" in r] == ["pages/a.md", "pages/deep/b.md", "pages/deep/c.html"]
    assert {r["source"] for r in reports if "error" in r} == {"pages/bin.txt", "missing.md", "nothing/*.md"}
    assert result.stdout == b""
    assert run_cli("check", "missing.md", cwd=site).returncode == 2  # nothing at all could be checked


def test_text_report_to_a_file_has_no_colour_codes(tmp_path):
    site = _site(tmp_path)
    result = run_cli("check", "other/e.txt", "-o", "report.txt", cwd=site)
    text = (site / "report.txt").read_text(encoding="utf-8")
    assert result.returncode == 1 and "dose.active-count" in text and "\x1b[" not in text


def test_a_hidden_folder_named_in_a_glob_is_kept_but_hidden_ones_below_are_skipped(tmp_path):
    (tmp_path / ".site" / ".drafts").mkdir(parents=True)
    (tmp_path / ".site" / "a.md").write_text("It cures eczema.\n", encoding="utf-8")
    (tmp_path / ".site" / ".drafts" / "b.md").write_text("It cures eczema.\n", encoding="utf-8")
    result = run_cli("check", ".site/**/*.md", "--format", "json", cwd=tmp_path)
    assert _sources(result) == [".site/a.md"] and result.returncode == 1
