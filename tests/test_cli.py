"""The command line, run the way users run it: in a subprocess."""

from __future__ import annotations

import csv
import functools
import http.server
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import threading

from conftest import EXAMPLES, run_cli

AD = "Our exosome serum stimulates collagen production and treats hair loss. It has 10 billion exosomes per vial."
PAGE = EXAMPLES / "html" / "clinic-ad.html"  # a 416-word clinic page, markup around the copy
FINDING_LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+)  (high|medium|low) +[a-z_]+ +\u201c.+\u201d  "
    r"[a-z_]+\.[a-z0-9-]+"
)


def test_check_text_output_is_one_line_per_finding_then_the_verdict():
    path = str(EXAMPLES / "clinic_page.txt")
    result = run_cli("check", path)
    out = result.stdout.decode().splitlines()
    assert result.returncode == 1, result.stderr.decode()
    report = json.loads(run_cli("check", path, "--format", "json").stdout)
    findings = [line for line in out if FINDING_LINE.match(line)]
    assert len(findings) == len(report["findings"]) and out[: len(findings)] == findings
    assert any("\u201ctreats hair loss" in line and "disease." in line for line in findings)
    assert {"drug_like", "dose"} <= {line.split()[2] for line in findings}
    assert len(out) - len(findings) <= 8 and any(line.startswith("Verdict: tier D") for line in out)
    assert "Why:" not in result.stdout.decode() and "Sources:" not in result.stdout.decode()


def test_explain_adds_why_instead_notes_and_unbroken_urls():
    result = run_cli("check", str(EXAMPLES / "clinic_page.txt"), "--explain", "-j", "uk")
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "Why: " in out and "Instead: " in out and "United Kingdom: " in out and "Sources:" in out
    assert "United States: " not in out  # only the chosen jurisdiction's notes
    report = json.loads(run_cli("check", str(EXAMPLES / "clinic_page.txt"), "--format", "json", "-j", "uk").stdout)
    urls = [s["url"] for s in report["sources"].values() if s["url"]]
    assert urls and all(any(url in line for line in out.splitlines()) for url in urls)
    assert run_cli("check", str(EXAMPLES / "clinic_page.txt"), "-v", "-j", "uk").stdout == result.stdout


def _on_a_tty(*args: str, no_color: bool) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"PYTHONIOENCODING": "utf-8"}
    if no_color:
        env["NO_COLOR"] = "1"
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hypecheck", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks)


def test_colour_only_on_a_tty_and_never_with_no_color():
    path = str(EXAMPLES / "clinic_page.txt")
    assert b"\x1b[" in _on_a_tty("check", path, no_color=False)
    plain = _on_a_tty("check", path, no_color=True)
    assert b"\x1b[" not in plain and b"Verdict: tier D" in plain
    assert b"\x1b[" not in run_cli("check", path).stdout  # piped


def test_html_findings_point_at_the_quote_in_the_markup():
    html = PAGE.read_text(encoding="utf-8")
    starts = [0, *(m.end() for m in re.finditer("\n", html))]
    report = json.loads(run_cli("check", str(PAGE), "--format", "json").stdout)
    assert report["input"] == {"kind": "html", "url": None, "notices": [], "offsets": "extracted_text"}
    assert len(report["findings"]) >= 10
    for f in report["findings"]:
        where = f["location"]
        start = starts[where["line"] - 1] + where["column"] - 1
        quoted = html[start : starts[where["end_line"] - 1] + where["end_column"] - 1]
        assert " ".join(re.sub(r"<[^>]*>", "", quoted).split()) == " ".join(f["text"].split()), f
    text_lines = run_cli("check", str(PAGE)).stdout.decode().splitlines()
    first = report["findings"][0]["location"]
    assert text_lines[0].startswith(f"{PAGE}:{first['line']}:{first['column']}  ")


def test_html_without_readable_text_is_refused_not_passed():
    result = run_cli("check", "-", stdin="<html><body><script>var claim = 'treats acne';</script></body></html>")
    assert result.returncode == 2 and b"no readable text" in result.stderr


def test_check_compliant_copy_exits_0():
    result = run_cli("check", str(EXAMPLES / "compliant.txt"))
    assert result.returncode == 0, result.stdout.decode()
    assert "no overreaching claims found" in result.stdout.decode()


def test_check_json_from_stdin_has_contract_keys_and_exact_offsets():
    result = run_cli("check", "-", "--format", "json", "--jurisdiction", "us,eu", stdin=AD)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["schema_version"] == 2 and report["more"] == 0
    assert {"findings", "counts", "verdict", "ruleset_version", "jurisdictions", "notes", "sources"} <= set(report)
    assert report["verdict"]["tier"] in "ABCD" and report["sources"] and "sources" not in report["verdict"]
    categories = {f["category"] for f in report["findings"]}
    assert {"disease", "drug_like", "dose"} <= categories
    for finding in report["findings"]:
        assert AD[finding["start"] : finding["end"]] == finding["text"]
        assert {"rule", "severity", "confidence", "message", "suggestion", "context", "notes"} <= set(finding)
        notes = [report["notes"][note_id] for note_id in finding["notes"]]
        regulatory = [n for n in notes if n["kind"] == "regulatory"]
        assert regulatory and {n["jurisdiction"] for n in regulatory} <= {"us", "eu"}
        assert all(n["url"].startswith("http") for n in regulatory)
        assert any(n["kind"] == "evidence" and n["refs"] for n in notes)
    cited = {note_id for f in report["findings"] for note_id in f["notes"]}
    assert set(report["notes"]) == cited
    assert {str(n) for note in report["notes"].values() for n in note["refs"]} == set(report["sources"])


def test_max_findings_lists_the_first_and_counts_the_rest():
    full = json.loads(run_cli("check", str(PAGE), "--format", "json", "--max-findings", "0").stdout)
    capped = json.loads(run_cli("check", str(PAGE), "--format", "json", "--max-findings", "3").stdout)
    assert len(full["findings"]) > 3 and full["more"] == 0
    assert capped["findings"] == full["findings"][:3] and capped["more"] == len(full["findings"]) - 3
    assert capped["counts"] == full["counts"] and capped["verdict"] == full["verdict"]
    assert set(capped["notes"]) == {n for f in capped["findings"] for n in f["notes"]} < set(full["notes"])


def test_sarif_output_locates_each_finding():
    text = "A gentle serum.\nIt treats acne and has 5 billion exosomes.\n"
    result = run_cli("check", "-", "--format", "sarif", stdin=text)
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "hypecheck"
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    first = run["results"][0]
    assert first["ruleId"] in rule_ids and first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 4)
    assert text[region["charOffset"] : region["charOffset"] + region["charLength"]] == region["snippet"]["text"]
    assert {r["properties"]["category"] for r in run["results"]} == {"disease", "dose"}


def test_project_settings_file_is_found_and_overridable(tmp_path):
    (tmp_path / "listings").mkdir()
    (tmp_path / "listings" / "ad.txt").write_text("A revolutionary serum that treats acne.", encoding="utf-8")
    (tmp_path / ".hypecheck.yml").write_text("select: [hype]\njurisdictions: [uk]\nfail_on: high\n", encoding="utf-8")
    result = run_cli("check", "ad.txt", "--format", "json", cwd=tmp_path / "listings")
    report = json.loads(result.stdout)
    assert result.returncode == 0  # only a low-severity hype finding, and fail_on: high
    assert [f["category"] for f in report["findings"]] == ["hype"] and report["jurisdictions"] == ["uk"]
    overridden = run_cli("check", "ad.txt", "--fail-on", "low", "-j", "us", "--explain", cwd=tmp_path / "listings")
    assert overridden.returncode == 1 and b"United States" in overridden.stdout
    (tmp_path / ".hypecheck.yml").write_text("colour: red\n", encoding="utf-8")
    broken = run_cli("check", "ad.txt", cwd=tmp_path / "listings")
    assert broken.returncode == 2 and b"colour" in broken.stderr


def test_fail_on_threshold():
    hype_only = "A revolutionary serum."
    assert run_cli("check", "-", "--fail-on", "high", stdin=hype_only).returncode == 0
    assert run_cli("check", "-", "--fail-on", "low", stdin=hype_only).returncode == 1
    assert run_cli("check", "-", "--fail-on", "never", stdin=AD).returncode == 0


def test_check_folder_gives_one_json_report_per_file(tmp_path):
    for name in ("clinic_page.txt", "compliant.txt"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    shutil.copy(PAGE, tmp_path / "page.html")
    result = run_cli("check", str(tmp_path), "--format", "json")
    reports = json.loads(result.stdout)
    assert isinstance(reports, list) and len(reports) == 3
    assert {r["source"].rsplit("/", 1)[-1] for r in reports} == {"clinic_page.txt", "compliant.txt", "page.html"}
    assert [r["input"]["kind"] for r in reports] == ["text", "text", "html"]


def test_usage_and_input_errors_exit_2():
    assert run_cli("check", "/no/such/file.txt").returncode == 2
    assert run_cli("check", "-", "--jurisdiction", "xx", stdin="text").returncode == 2
    binary = run_cli("check", "-", stdin=b"\x00\x01\x02binary")
    assert binary.returncode == 2 and b"binary" in binary.stderr


def test_html_input_is_reduced_to_text():
    html = "<html><body><script>var x = 'treats acne';</script><p>Our serum treats eczema fast.</p></body></html>"
    report = json.loads(run_cli("check", "-", "--format", "json", stdin=html).stdout)
    assert [f["text"] for f in report["findings"] if f["category"] == "disease"] == ["treats eczema"]


LOOKALIKE = "\u0441linic\u0430lly pr\u043even"  # Cyrillic \u0441, \u0430 and \u043e
# Over longtext.PIECE characters, so it is checked in pieces: a look-alike claim in the first and the last piece.
LONG_TEXT = (
    f"Our serum is {LOOKALIKE}.\n\n"
    + "The bottle is amber glass with a dropper.\n\n" * 3000
    + f"It is clinically proven. It is {LOOKALIKE}.\n"
)


def _lookalike_marks(findings: list[dict]) -> list[tuple[str, bool]]:
    return [(f["text"], "look-alike" in f["context"]) for f in sorted(findings, key=lambda f: f["start"])]


def test_lookalike_signal_kept_on_a_text_checked_in_pieces():
    result = run_cli("check", "--format", "json", "-", stdin=LONG_TEXT)
    assert result.returncode == 1, result.stderr.decode()
    findings = json.loads(result.stdout)["findings"]
    assert all(LONG_TEXT[f["start"] : f["end"]] == f["text"] for f in findings)
    assert _lookalike_marks(findings) == [(LOOKALIKE, True), ("clinically proven", False), (LOOKALIKE, True)]


def test_lookalike_signal_kept_on_a_batch_record_checked_in_pieces(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "long", "text": LONG_TEXT}) + "\n", encoding="utf-8")
    result = run_cli("batch", str(source))
    assert result.returncode == 0, result.stderr.decode()
    findings = json.loads(result.stdout)["findings"]
    assert _lookalike_marks(findings) == [(LOOKALIKE, True), ("clinically proven", False), (LOOKALIKE, True)]


def test_batch_jsonl_keeps_order_and_reports_bad_lines(tmp_path):
    source = tmp_path / "in.jsonl"
    rows = [{"id": f"r{i}", "text": AD if i % 2 else "A gentle cleanser.", "extra": 1} for i in range(30)]
    lines = [json.dumps(r) for r in rows]
    lines.insert(5, "{not json")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("batch", str(source))
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 31
    assert out[5]["id"] is None and "not JSON" in out[5]["error"]
    assert b"1 of 31 records could not be read" in result.stderr
    assert run_cli("batch", str(source), "--fail-on", "medium").returncode == 1
    ids = [o["id"] for o in out if o["id"] is not None]
    assert ids == [r["id"] for r in rows]
    by_id = {o["id"]: o for o in out if o["id"]}
    assert by_id["r0"]["findings"] == []
    finding = by_id["r1"]["findings"][0]
    assert {"category", "rule", "start", "end", "text"} <= set(finding)
    assert "notes" not in finding and "sentence" not in finding and set(by_id["r1"]) == {"id", "findings", "tier"}
    assert AD[finding["start"] : finding["end"]] == finding["text"]


def test_batch_notes_come_as_one_table_per_record(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": AD}) + "\n", encoding="utf-8")
    row = json.loads(run_cli("batch", str(source), "--notes", "-j", "us").stdout)
    assert set(row) == {"id", "findings", "tier", "notes", "sources"}
    assert {n for f in row["findings"] for n in f["notes"]} == set(row["notes"])
    assert all(note["jurisdiction"] == "us" for note in row["notes"].values() if note["kind"] == "regulatory")


def test_batch_with_two_workers_matches_one(tmp_path):
    source = tmp_path / "in.jsonl"
    rows = [{"id": i, "text": AD if i % 3 else "Apply daily."} for i in range(40)]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    one = run_cli("batch", str(source))
    two = run_cli("batch", str(source), "--jobs", "2", "--batch-size", "8")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout


def test_batch_csv_to_file(tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.jsonl"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerow(["a", "Clinically proven to regrow hair."])
        writer.writerow(["b", "Apply daily."])
    assert run_cli("batch", str(source), "-o", str(target)).returncode == 0
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert {f["category"] for f in out[0]["findings"]} >= {"evidence"} and out[1]["findings"] == []


def test_batch_csv_without_text_column_is_a_usage_error(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,body\n1,hello\n", encoding="utf-8")
    result = run_cli("batch", str(source))
    assert result.returncode == 2 and b"'text'" in result.stderr


def test_rules_list_and_test():
    listing = run_cli("rules", "list", "--format", "json")
    rules = json.loads(listing.stdout)
    expected = {"disease", "drug_like", "dose", "regulatory", "evidence", "safety", "hype"}
    assert {r["category"] for r in rules} >= expected
    tested = run_cli("rules", "test")
    assert tested.returncode == 0, tested.stdout.decode()
    assert b" passed, 0 failed" in tested.stdout


def test_rules_test_reports_a_users_failing_example(tmp_path):
    folder = tmp_path / "pack" / "hype"
    folder.mkdir(parents=True)
    (folder / "glow.yml").write_text(
        "id: hype.glow\ncategory: hype\nseverity: low\n"
        "message: Glow words promise more than a serum gives.\nsuggestion: Say how it feels.\n"
        "notes: [us.ftc-act-deceptive-advertising, evidence.topical-penetration]\n"
        "match:\n  - phrases: [eternal glow]\n"
        "examples:\n  flag: [An eternal glow., Glow forever.]\n  pass: [A soft glow., Plain.]\n",
        encoding="utf-8",
    )
    result = run_cli("rules", "test", str(tmp_path / "pack"), "--no-builtin")
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "False negative against hype.glow: 'Glow forever.'" in out and "3 passed, 1 failed" in out


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and b"hypecheck, version" in result.stdout


def test_check_a_web_address(tmp_path, monkeypatch):
    (tmp_path / "ad.html").write_text("<html><body><p>Our exosomes regrow hair.</p></body></html>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ad.html"
    try:
        refused = run_cli("check", url)
        assert refused.returncode == 2 and url.encode() in refused.stderr
        monkeypatch.setenv("HYPECHECK_FETCH_ALLOW_LOOPBACK", "1")
        fetched = run_cli("check", url, "--format", "json")
        report = json.loads(fetched.stdout)
        assert fetched.returncode == 1 and report["source"] == url
        assert [f["category"] for f in report["findings"]] == ["drug_like"]
    finally:
        server.shutdown()
