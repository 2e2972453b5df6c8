"""Long texts, broken records and unreadable files: nothing crashes, nothing else is lost."""

from __future__ import annotations

import io
import json
import os

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hypecheck
from hypecheck import longtext
from hypecheck.batching import run_batch

PARAGRAPHS = [
    "Exosomes treat hair loss in two weeks.",
    "A gentle serum for dry skin.",
    "Our stem cell cream is clinically proven and 100% safe.",
    "Apply daily after cleansing. Rinse well.",
    "Each vial holds 10 billion exosomes.",
]


def findings(report):
    return [(f.rule, f.start, f.end, f.text) for f in report.findings]


def test_text_over_a_million_characters_is_checked(nlp):
    filler = "A gentle serum for dry skin, with ceramides and squalane for the evening routine.\n"
    text = "Exosomes treat acne.\n" + filler * 13_000 + "Exosomes treat eczema."
    assert len(text) > 1_000_000
    report = hypecheck.check(text, nlp=nlp)
    assert [f.text for f in report.findings] == ["treat acne", "treat eczema"]
    assert all(text[f.start : f.end] == f.text for f in report.findings)
    assert report.text_length == len(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parts=st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=30),
    seps=st.sampled_from(["\n\n", "\n", " ", "\n \n\n"]),
)
def test_pieces_give_the_findings_of_the_whole(nlp, parts, seps):
    text = seps.join(parts)
    whole = findings(hypecheck.check(text, nlp=nlp))
    original = longtext.PIECE
    longtext.PIECE = 120
    try:
        assert "".join(longtext.pieces(text, 120)) == text
        assert all(len(p) <= 120 for p in longtext.pieces(text, 120))
        assert findings(hypecheck.check(text, nlp=nlp)) == whole
    finally:
        longtext.PIECE = original


def test_cut_points_without_any_whitespace():
    text = "x" * 1050
    assert longtext.cut_points(text, 100) == list(range(100, 1001, 100))
    assert longtext.pieces("", 100) == [""]


def test_bytes_are_refused_plainly(nlp):
    with pytest.raises(TypeError, match="decode bytes first"):
        hypecheck.check(b"Exosomes treat acne.", nlp=nlp)


def _batch(nlp, tmp_path, data: bytes, name: str = "in.jsonl") -> list[dict]:
    source = tmp_path / name
    source.write_bytes(data)
    out = io.StringIO()
    run_batch(nlp, str(source), out, jurisdictions=("us",))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_batch_non_utf8_line_costs_only_that_record(nlp, tmp_path):
    good = [json.dumps({"id": i, "text": "Exosomes treat acne."}).encode() for i in range(3)]
    data = b"\n".join([good[0], b'{"id": 9, "text": "caf\xe9"}', good[1], good[2]]) + b"\n"
    rows = _batch(nlp, tmp_path, data)
    assert [r["id"] for r in rows] == [0, None, 1, 2]
    assert "not UTF-8" in rows[1]["error"] and all(r["findings"] for r in rows if r["id"] is not None)


def test_batch_csv_huge_field_and_bad_bytes(nlp, tmp_path):
    big = "A gentle serum. " * 10_000  # 160,000 characters: past csv's default field limit
    data = ("id,text\na,Exosomes treat acne.\nb," + big + "\n").encode() + b"c,caf\xe9\nd,Treats eczema.\n"
    rows = _batch(nlp, tmp_path, data, "in.csv")
    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert "error" not in rows[1] and "not UTF-8" in rows[2]["error"]
    assert rows[0]["findings"] and rows[3]["findings"]


def test_batch_long_record_is_checked_in_pieces(nlp, tmp_path, monkeypatch):
    monkeypatch.setattr(longtext, "PIECE", 200)
    text = "\n\n".join(PARAGRAPHS * 8)
    rows = _batch(nlp, tmp_path, (json.dumps({"id": "long", "text": text}) + "\n").encode())
    expected = hypecheck.check(text, nlp=nlp)
    assert [(f["start"], f["end"]) for f in rows[0]["findings"]] == [(f.start, f.end) for f in expected.findings]
    assert all(text[f["start"] : f["end"]] == f["text"] for f in rows[0]["findings"])


def test_batch_csv_on_stdin_and_deep_json(tmp_path):
    result = run_cli("batch", "-", stdin="id,text\na,Exosomes treat acne.\n")
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["id"] == "a"
    result = run_cli("batch", "-", stdin='{"id": 1, "text": ' + "[" * 100_000 + "\n")
    assert result.returncode == 0 and "not JSON" in json.loads(result.stdout)["error"]


def test_batch_unwritable_output_is_a_usage_error(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "hi"}\n', encoding="utf-8")
    result = run_cli("batch", str(source), "-o", str(tmp_path / "no" / "such" / "dir" / "out.jsonl"))
    assert result.returncode == 2 and b"Traceback" not in result.stderr


def test_check_folder_skips_hidden_and_reports_bad_files(tmp_path):
    (tmp_path / "ad.txt").write_text("Exosomes treat acne.", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("Treats eczema, says the licence.", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("Cures psoriasis.", encoding="utf-8")
    (tmp_path / "logo.html").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "zz.md").write_text("Our serum heals eczema.", encoding="utf-8")
    result = run_cli("check", str(tmp_path), "--format", "json")
    assert result.returncode == 3 and b"Traceback" not in result.stderr  # 3: some inputs unreadable, rest checked
    documents = json.loads(result.stdout)
    sources = [os.path.basename(d["source"]) for d in documents]
    assert sources == ["ad.txt", "logo.html", "zz.md"]
    assert "binary" in documents[1]["error"] and documents[2]["findings"]


def test_zero_active_rules_is_an_error():
    result = run_cli("check", "-", "--select", "disase", stdin="Exosomes treat acne.")
    assert result.returncode == 2 and b"keeps none" in result.stderr


def test_serve_on_a_busy_port_is_a_usage_error():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2 and b"cannot listen" in result.stderr and b"Traceback" not in result.stderr


@pytest.mark.parametrize("opener", ["<svg>", "<noscript>", "<math><style>", "<div>" * 3000])
def test_unclosed_hiding_element_loses_no_claim(nlp, opener):
    from hypecheck.htmltext import LOST_NOTICE, extract

    html = "<p>A gentle serum.</p>" + opener + "<p>Our serum cures eczema in three days.</p><p>It heals psoriasis.</p>"
    text, notice = extract(html)
    assert "cures eczema" in text and "heals psoriasis" in text and notice == LOST_NOTICE
    assert len([f for f in hypecheck.check(text, nlp=nlp).findings if f.category == "disease"]) == 2


def test_ordinary_html_keeps_its_extraction():
    from hypecheck.htmltext import extract, html_to_text

    html = (
        "<html><body><main><p>Our serum treats eczema.</p></main><!-- a b c d e f g h i j -->"
        "<script>var a = 'b c d e f g h i j k';</script><svg><text>logo words here</text></svg></body></html>"
    )
    assert extract(html) == (html_to_text(html), None)
    assert "treats eczema" in html_to_text(html) and "logo" not in html_to_text(html)


def test_many_unclosed_openers():
    from hypecheck.htmltext import extract

    html = "<p>Exosomes treat acne.</p>" + "<script>" * 20_000 + "<!--" * 20_000 + "<p>It heals psoriasis.</p>"
    text, _ = extract(html)  # each kind of opener is searched for its closer once, not 20,000 times
    assert "treat acne" in text and "heals psoriasis" in text
