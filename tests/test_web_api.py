"""The web page and JSON API (hypecheck.webapp), via Flask's test client and waitress."""

from __future__ import annotations

import dataclasses
import http.client
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema
import pytest
from conftest import WEB_AD as AD
from conftest import XSS, start_tags
from flask import Flask
from flask.testing import FlaskClient

import hypecheck
from hypecheck.webapp import BackgroundServer, create_app
from hypecheck.webapp import server as server_mod
from hypecheck.webapp.app import CSP
from hypecheck.webapp.service import Engine, load_engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    """One spaCy pipeline for every app in this module."""
    return load_engine()


def make_app(engine: Engine, **config: Any) -> Flask:
    return create_app({"TESTING": True, "HYPECHECK_ENGINE": engine, **config})


@pytest.fixture(scope="module")
def app(engine: Engine) -> Flask:
    return make_app(engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class _PageHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = (
            "<!doctype html><html><head><title>GlowLab</title><script>var x = 1;</script></head>"
            f"<body><main><h1>Serum</h1><p>{AD}</p></main></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def ad_site() -> Iterator[str]:
    """A local web page with the ad, on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/product"
    finally:
        server.shutdown()
        server.server_close()


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    message = response.get_json()["error"]
    assert isinstance(message, str) and message
    return message


# --- /api/check ----------------------------------------------------------------------------


def test_check_realistic_ad(client: FlaskClient) -> None:
    response = client.post("/api/check", json={"text": AD, "jurisdictions": ["us", "eu"]})
    assert response.status_code == 200
    report = response.get_json()
    assert report["text"] == AD
    assert report["input"]["kind"] == "text"
    assert report["jurisdictions"] == ["us", "eu"]
    findings = report["findings"]
    categories = {f["category"] for f in findings}
    assert {"disease", "drug_like", "dose", "regulatory", "safety", "provenance"} <= categories
    for f in findings:
        assert AD[f["start"] : f["end"]] == f["text"]
    notes = [report["notes"][note_id] for f in findings for note_id in f["notes"]]
    regulatory = [n for n in notes if n["kind"] == "regulatory"]
    evidence = [n for n in notes if n["kind"] == "evidence"]
    assert regulatory and evidence
    assert {n["jurisdiction"] for n in regulatory} <= {"us", "eu"}
    assert any(n["url"].startswith("https://") for n in regulatory)
    assert any(len(n["refs"]) > 1 for n in evidence)
    verdict = report["verdict"]
    assert verdict["tier"] and verdict["label"] and verdict["dimensions"]
    assert all(str(n) in report["sources"] for note in notes for n in note["refs"])
    assert report["counts"]["disease"] >= 1


def test_notes_are_sent_once_and_findings_are_capped(client: FlaskClient) -> None:
    text = " ".join([AD] * 20)
    full = client.post("/api/check", json={"text": text, "max_findings": 0})
    report = full.get_json()
    assert report["more"] == 0 and len(report["findings"]) > 40
    body = full.get_data(as_text=True)
    first_note = next(iter(report["notes"].values()))
    assert body.count(json.dumps(first_note["summary"])[1:-1]) == 1  # each note's text once, however often cited
    capped = client.post("/api/check", json={"text": text, "max_findings": 5}).get_json()
    assert capped["findings"] == report["findings"][:5] and capped["more"] == len(report["findings"]) - 5
    assert capped["counts"] == report["counts"]
    default = client.post("/api/check", json={"text": " ".join([AD] * 60)}).get_json()
    assert len(default["findings"]) == 200 and default["more"] > 0


def test_check_response_matches_openapi_schema(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    report = client.post("/api/check", json={"text": AD}).get_json()
    schema = {"$ref": "#/components/schemas/Report", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(report)
    rules = client.get("/api/rules").get_json()
    rules_schema = {
        **doc["paths"]["/api/rules"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        "components": doc["components"],
    }
    jsonschema.Draft202012Validator(rules_schema).validate(rules)


def test_jurisdictions_default_to_all(client: FlaskClient) -> None:
    report = client.post("/api/check", json={"text": AD, "jurisdictions": None}).get_json()
    assert report["jurisdictions"] == list(hypecheck.JURISDICTIONS)
    report = client.post("/api/check", json={"text": AD, "jurisdictions": ["UK"]}).get_json()
    assert report["jurisdictions"] == ["uk"]


def test_clean_copy_has_no_findings(client: FlaskClient) -> None:
    report = client.post("/api/check", json={"text": "A gentle, fragrance-free moisturiser."}).get_json()
    assert report["findings"] == []
    assert report["verdict"]["tier"]


def test_html_input_is_extracted(client: FlaskClient) -> None:
    html = f"<html><body><nav>Menu</nav><article><p>{AD}</p></article><script>x()</script></body></html>"
    report = client.post("/api/check", json={"text": html}).get_json()
    assert report["input"]["kind"] == "html"
    assert "<" not in report["text"] and "x()" not in report["text"]
    assert "treats hair loss" in report["text"]
    assert report["findings"]
    for f in report["findings"]:
        assert report["text"][f["start"] : f["end"]] == f["text"]
    # The same markup, forced to plain text, is checked as is.
    forced = client.post("/api/check", json={"text": html, "format": "text"}).get_json()
    assert forced["text"] == html and forced["input"]["kind"] == "text"


def test_url_is_fetched_when_enabled(engine: Engine, ad_site: str) -> None:
    client = make_app(engine, HYPECHECK_ALLOW_FETCH=True, HYPECHECK_FETCH_ALLOW_LOOPBACK=True).test_client()
    report = client.post("/api/check", json={"url": ad_site, "jurisdictions": ["us"]}).get_json()
    assert report["input"] == {"kind": "url", "url": ad_site, "notices": [], "offsets": "extracted_text"}
    assert "treats hair loss" in report["text"] and "var x" not in report["text"]
    assert any(f["category"] == "disease" for f in report["findings"])


def test_url_refused_when_fetch_disabled(client: FlaskClient, ad_site: str) -> None:
    message = _error(client.post("/api/check", json={"url": ad_site}), 422)
    assert "turned off" in message


def test_loopback_url_refused_without_test_hook(engine: Engine, ad_site: str) -> None:
    client = make_app(engine, HYPECHECK_ALLOW_FETCH=True).test_client()
    assert "private" in _error(client.post("/api/check", json={"url": ad_site}), 422)
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "file:///etc/passwd"):
        _error(client.post("/api/check", json={"url": url}), 422)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"data": "{not json", "content_type": "application/json"}, "not valid JSON"),
        ({"data": "[1, 2]", "content_type": "application/json"}, "JSON object"),
        ({"json": {}}, '"text"'),
        ({"json": {"text": None}}, '"text"'),
        ({"json": {"text": "   "}}, "Paste"),
        ({"json": {"text": 42}}, "must be a string"),
        ({"json": {"text": "x", "jurisdictions": ["us", "xx"]}}, "Unknown jurisdiction 'xx'"),
        ({"json": {"text": "x", "jurisdictions": "us;eu"}}, "Unknown jurisdiction"),
        ({"json": {"text": "x", "max_findings": -1}}, "max_findings"),
        ({"json": {"text": "x", "max_findings": "10"}}, "max_findings"),
        ({"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"}, "nested too deeply"),
        ({"data": '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", "content_type": "application/json"}, "nested"),
        ({"json": {"text": "x", "jurisdictions": [1]}}, "list of codes"),
        ({"json": {"text": "x", "jurisdictions": []}}, "at least one"),
        ({"json": {"text": "x", "format": "pdf"}}, "format"),
        ({"json": {"text": "x", "url": "https://example.com/"}}, "not both"),
        ({"json": {"text": "bin\x00ary"}}, "binary"),
        ({"data": b'{"text": "caf\xe9"}', "content_type": "application/json"}, "UTF-8"),
        ({"data": b'{"text": "a\x00b"}', "content_type": "application/json"}, "binary"),
        ({"data": '{"text": "\\ud800"}', "content_type": "application/json"}, "Unicode"),
    ],
)
def test_bad_requests_are_400(client: FlaskClient, kwargs: dict[str, Any], fragment: str) -> None:
    assert fragment in _error(client.post("/api/check", **kwargs), 400)


def test_html_without_readable_text_is_refused_as_on_the_cli(client: FlaskClient) -> None:
    html = "<html><body><script>var claim = 'treats acne';</script></body></html>"
    assert "no readable text" in _error(client.post("/api/check", json={"text": html}), 422)
    page = client.post("/", data={"text": html, "format": "auto", "j": ["us"]})
    assert page.status_code == 422 and "no readable text" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": '{"text": "hi"}', "content_type": "text/plain"},
        {"data": {"text": "hi"}},  # form-encoded
        {"data": '{"text": "hi"}'},  # no content type
    ],
)
def test_wrong_content_type_is_415(client: FlaskClient, kwargs: dict[str, Any]) -> None:
    assert "application/json" in _error(client.post("/api/check", **kwargs), 415)


def test_too_many_characters_is_413(engine: Engine) -> None:
    client = make_app(engine, HYPECHECK_MAX_CHARS=1000).test_client()
    assert client.post("/api/check", json={"text": "a" * 1000}).status_code == 200
    message = _error(client.post("/api/check", json={"text": "a" * 1001}), 413)
    assert "1,001" in message and "1,000" in message


def test_too_large_body_is_413(engine: Engine) -> None:
    client = make_app(engine, MAX_CONTENT_LENGTH=10_000).test_client()
    message = _error(client.post("/api/check", json={"text": "a" * 20_000}), 413)
    assert "too large" in message
    page = client.post("/", data={"text": "a" * 20_000, "j": ["us"]})
    assert page.status_code == 413 and "too large" in page.get_data(as_text=True)


def test_api_method_and_path_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/api/check")
    assert "GET" in _error(response, 405)
    assert "POST" in response.headers["Allow"]
    _error(client.post("/healthz"), 405)
    _error(client.get("/api/nothing-here"), 404)
    page = client.get("/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"


# --- other endpoints -----------------------------------------------------------------------


def test_healthz(client: FlaskClient, engine: Engine) -> None:
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "version": hypecheck.__version__, "rules": len(engine.rules)}
    assert body["rules"] > 0


def test_rules(client: FlaskClient) -> None:
    body = client.get("/api/rules").get_json()
    assert body["rules"] and all({"id", "category", "severity"} <= set(r) for r in body["rules"])
    assert all("file" not in r for r in body["rules"])  # no server paths
    assert set(body["jurisdictions"]) == set(hypecheck.JURISDICTIONS)
    assert set(body["categories"]) == set(hypecheck.CATEGORIES)


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    doc = json.loads(response.get_data(as_text=True))
    assert doc["openapi"].startswith("3.1")
    assert {"/api/check", "/api/rules", "/healthz", "/api/openapi.json"} <= set(doc["paths"])
    assert set(doc["paths"]["/api/check"]["post"]["responses"]) >= {"200", "400", "413", "415", "422"}
    jsonschema.Draft202012Validator.check_schema(doc["components"]["schemas"]["Report"])


# --- security headers, escaping, logging ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/healthz"),
        ("get", "/api/rules"),
        ("get", "/static/style.css"),
        ("get", "/missing"),
        ("get", "/api/check"),
        ("post", "/api/check"),
    ],
)
def test_security_headers_everywhere(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    response.close()


def test_dynamic_responses_are_not_cached(client: FlaskClient) -> None:
    assert client.post("/", data={"text": AD, "j": ["us"]}).headers["Cache-Control"] == "no-store"
    assert client.post("/api/check", json={"text": AD}).headers["Cache-Control"] == "no-store"


def _assert_csp_clean(html: str) -> None:
    """No inline scripts, handlers or styles (the CSP would block them) and no injected tags."""
    for tag, attrs in start_tags(html):
        assert tag not in ("style", "img", "iframe", "object", "b"), tag
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        assert "style" not in attrs, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)


@pytest.mark.parametrize("fmt", ["text", "auto", "html"])
def test_xss_text_is_escaped_in_page(client: FlaskClient, fmt: str) -> None:
    payload = f"{XSS} It treats hair loss. </textarea><script>alert(2)</script>\"'><b>x</b>"
    response = client.post("/", data={"text": payload, "format": fmt, "j": ["us"]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html and "<b>x" not in html
    assert "&lt;script&gt;" in html  # the textarea (and the checked text) show it, escaped
    _assert_csp_clean(html)


def test_page_has_no_inline_script_or_style(client: FlaskClient) -> None:
    _assert_csp_clean(client.get("/").get_data(as_text=True))
    _assert_csp_clean(client.post("/", data={"text": AD, "j": ["us"]}).get_data(as_text=True))


def test_nothing_pasted_is_logged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = "Zqx7-private-copy treats hair loss"
    with caplog.at_level(logging.DEBUG):
        client.post("/api/check", json={"text": marker})
        client.post("/", data={"text": marker, "j": ["us"]})
        client.post("/api/check", json={"text": marker, "jurisdictions": ["zz"]})
    out, err = capsys.readouterr()
    assert "Zqx7" not in caplog.text and "Zqx7" not in out and "Zqx7" not in err


def test_internal_error_is_generic_and_not_logged(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    class BrokenPipeline:
        def __call__(self, text: str) -> Any:
            raise ValueError(f"cannot handle {text!r}")

    broken = dataclasses.replace(engine, nlp=BrokenPipeline())
    client = create_app({"HYPECHECK_ENGINE": broken}).test_client()  # not TESTING: handlers run
    marker = "Zqx8-secret-copy"
    with caplog.at_level(logging.DEBUG):
        message = _error(client.post("/api/check", json={"text": marker}), 500)
        page = client.post("/", data={"text": marker, "j": ["us"]})
    assert marker not in message and "went wrong" in message
    assert page.status_code == 500 and marker not in page.get_data(as_text=True)
    assert "Unhandled ValueError on POST /api/check" in caplog.text
    assert marker not in caplog.text


# --- the page ------------------------------------------------------------------------------


def test_form_page(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<meta name="viewport"' in html
    assert '<label for="text">' in html and '<textarea id="text" name="text"' in html
    assert '<select id="j" name="j"' in html  # where the product is sold: one market, or all
    assert html.count("<option value=") == len(hypecheck.JURISDICTIONS) + 1
    assert '<button type="submit"' in html
    assert 'name="url"' not in html  # fetching is off by default


def test_url_field_only_when_fetch_enabled(engine: Engine) -> None:
    html = make_app(engine, HYPECHECK_ALLOW_FETCH=True).test_client().get("/").get_data(as_text=True)
    assert '<input id="url" name="url" type="url"' in html


class HTMLFormValues(HTMLParser):
    """Hidden input values by name, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values.setdefault(str(found["name"]), []).append(found.get("value") or "")

    @classmethod
    def read(cls, html: str) -> dict[str, list[str]]:
        parser = cls()
        parser.feed(html)
        return parser.values


def test_results_page(client: FlaskClient) -> None:
    response = client.post("/", data={"text": AD, "j": ["us"]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="card verdict tier-' in html
    assert re.search(r'<mark class="hl cat-disease" data-mark="\d+"', html)
    assert re.search(r'<button type="button" class="tag tag-disease" data-mark="\d+"', html)
    assert "Disease claim" in html  # the visible category label, not colour alone
    assert 'id="claim-1-1"' in html and 'id="rule-1"' in html and 'id="source-1"' in html
    assert "Law shown for <strong>United States</strong>" in html
    assert 'name="market" value="eu"' in html  # another market, one click away
    for action in ("/export.json", "/export.md", "/export.html"):
        assert f'formaction="{action}"' in html
    export_form = HTMLFormValues.read(html)
    assert export_form["text"] == [AD] and export_form["j"] == ["us"]  # the exports re-check the same input
    # The text is rendered exactly (segments joined back).
    segment_text = re.search(r'<div class="checked-text" id="checked-text">(.*?)</div>', html, re.S)
    assert segment_text
    plain = re.sub(r"<button[^>]*>.*?</button>|<[^>]+>", "", segment_text.group(1))
    assert plain.replace("&#39;", "'").replace("&amp;", "&") == AD


def test_form_crlf_is_normalised(client: FlaskClient) -> None:
    html = client.post("/", data={"text": AD.replace("\n", "\r\n"), "j": ["us"]}).get_data(as_text=True)
    assert "\r" not in html.split('id="checked-text">', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize(
    ("data", "status", "fragment"),
    [
        ({"text": "", "j": ["us"]}, 400, "Paste some marketing copy"),
        ({"text": AD}, 400, "at least one jurisdiction"),
        ({"text": AD, "j": ["zz"]}, 400, "Unknown jurisdiction"),
        ({"text": "", "url": "http://10.0.0.1/", "j": ["us"]}, 400, "Paste"),  # url ignored: fetch off
    ],
)
def test_page_errors(client: FlaskClient, data: dict[str, Any], status: int, fragment: str) -> None:
    response = client.post("/", data=data)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and fragment in html


def test_page_fetch_error_is_shown(engine: Engine) -> None:
    client = make_app(engine, HYPECHECK_ALLOW_FETCH=True).test_client()
    response = client.post("/", data={"url": "http://169.254.169.254/", "j": ["us"]})
    assert response.status_code == 422
    assert "private, local or reserved" in response.get_data(as_text=True)


def test_export_markdown(client: FlaskClient) -> None:
    response = client.post("/export.md", data={"text": AD, "format": "text", "j": ["us"]})
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert "attachment" in response.headers["Content-Disposition"]
    md = response.get_data(as_text=True)
    assert md.startswith("# hypecheck report")
    assert "## Verdict" in md and "**Tier " in md
    assert "## Findings" in md and "“treats hair loss”" in md
    assert "## Sources" in md and re.search(r"^1\. \[", md, re.M)


def test_export_json_matches_api(client: FlaskClient) -> None:
    response = client.post("/export.json", data={"text": AD, "format": "text", "j": ["us"]})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = json.loads(response.get_data(as_text=True))
    api = client.post("/api/check", json={"text": AD, "jurisdictions": ["us"]}).get_json()
    assert exported == api


def test_export_escapes_markdown(client: FlaskClient) -> None:
    md = client.post(
        "/export.md", data={"text": "<script>x</script> It treats hair loss.", "format": "text", "j": ["us"]}
    ).get_data(as_text=True)
    assert "<script>" not in md


# --- real server -----------------------------------------------------------------------------


def _post(port: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/api/check", json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_sustained_concurrency_against_waitress(engine: Engine) -> None:
    threads, per_thread = 8, 10
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        try:
            for i in range(per_thread):
                text = f"Client {t} request {i}: our serum treats hair loss and regenerates skin."
                status, body = _post(server.port, {"text": text, "jurisdictions": ["us"]})
                ok = (
                    status == 200 and body["text"] == text and any(f["category"] == "disease" for f in body["findings"])
                )
                with lock:
                    results.append((status, ok))
        except BaseException as exc:  # collected and re-raised in the main thread
            with lock:
                errors.append(exc)

    started = time.monotonic()
    with BackgroundServer(make_app(engine), threads=8) as server:
        workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=90)
        assert not any(w.is_alive() for w in workers), "requests did not finish in time"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    elapsed = time.monotonic() - started
    assert not errors, errors[0]
    assert len(results) == threads * per_thread
    assert all(ok for _, ok in results)
    assert elapsed < 90


def test_serve_prints_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], engine: Engine) -> None:
    class FakeServer:
        effective_host, effective_port = "127.0.0.1", 8123
        ran = closed = False

        def run(self) -> None:
            FakeServer.ran = True

        def close(self) -> None:
            FakeServer.closed = True

    seen: dict[str, Any] = {}

    def fake_make_server(app: Flask, host: str, port: int, threads: int) -> FakeServer:
        seen.update(app=app, host=host, port=port, threads=threads)
        return FakeServer()

    monkeypatch.setattr(server_mod, "make_server", fake_make_server)
    server_mod.serve(port=8123, allow_fetch=True, threads=3, config={"HYPECHECK_ENGINE": engine})
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    assert FakeServer.ran and FakeServer.closed
    assert seen["threads"] == 3 and seen["app"].config["HYPECHECK_ALLOW_FETCH"] is True
