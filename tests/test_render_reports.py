"""Reports to hand on, from the command line: ``check --format markdown`` and ``--format html``."""

from __future__ import annotations

import re

from conftest import EXAMPLES, XSS, run_cli, start_tags

LONG_AD = EXAMPLES / "reader" / "clinic-ad-500"


def test_markdown_report_is_short_and_for_the_chosen_market() -> None:
    result = run_cli("check", str(LONG_AD), "-j", "us", "--format", "markdown")
    assert result.returncode == 1  # findings, as with every format
    md = result.stdout.decode("utf-8")
    assert md.startswith("# hypecheck report: ") and "Law shown for: United States." in md
    assert "## Verdict" in md and "## Findings" in md and "## Sources" in md
    assert "“regrows thinning hair”" in md
    assert len(md.encode("utf-8")) < 40_000  # 392 KB before notes were chosen per market and given once
    markets = set(re.findall(r"^- \*\*([A-Z]{2})\*\* ", md, re.M))
    assert markets == {"US"}
    numbers = [int(n) for n in re.findall(r"^(\d+)\. \[", md.split("## Sources", 1)[1], re.M)]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {int(n) for n in re.findall(r"\[(\d+)(?:, \d+)*\]", md.split("## Sources", 1)[0])}
    cited |= {int(n) for refs in re.findall(r"\[(\d+(?:, \d+)+)\]", md) for n in refs.split(", ")}
    assert set(numbers) <= cited  # no source that nothing shown cites


def test_html_report_is_one_standalone_document() -> None:
    result = run_cli("check", str(LONG_AD), "-j", "eu", "--format", "html")
    assert result.returncode == 1
    html = result.stdout.decode("utf-8")
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    tags = start_tags(html)
    names = [t for t, _ in tags]
    assert "script" not in names and "link" not in names  # styles inline, nothing fetched
    assert names.count("style") == 2
    assert "Law shown for <strong>European Union</strong>" in html
    assert 'class="hl cat-disease multi cat2-drug_like"' in html  # one mark, both categories
    assert all(a.get("href", "").startswith(("#", "https://", "http://")) for t, a in tags if t == "a")


def test_html_report_escapes_the_checked_text() -> None:
    result = run_cli("check", "-", "--format", "html", "--no-html", stdin=XSS + " It treats hair loss.")
    html = result.stdout.decode("utf-8")
    assert "<img" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "&lt;script&gt;" in html


def test_folder_gives_one_report_per_file(tmp_path) -> None:
    for name in ("clinic_page.txt", "compliant.txt"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    md = run_cli("check", str(tmp_path), "--format", "markdown", "-j", "uk").stdout.decode("utf-8")
    assert md.startswith("# hypecheck report\n")
    assert len(re.findall(r"^## hypecheck report: ", md, re.M)) == 2
    html = run_cli("check", str(tmp_path), "--format", "html", "-j", "uk").stdout.decode("utf-8")
    assert html.count("<article") == 2
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # two reports, no clashing anchors


def test_every_report_says_what_an_automatic_reading_can_miss() -> None:
    from hypecheck.constants import CAVEAT

    for text, flagged in (("It treats hair loss.", True), ("Hydrates and softens dry skin.", False)):
        md = run_cli("check", "-", "--format", "markdown", stdin=text).stdout.decode("utf-8")
        html = run_cli("check", "-", "--format", "html", stdin=text).stdout.decode("utf-8")
        assert ("claim(s) flagged" in md) is flagged
        assert f"_{CAVEAT}_" in md.replace("\\", "")
        assert f'<p class="caveat hint">{CAVEAT}</p>' in html
