"""End-to-end: the page in real headless Chromium against waitress on loopback.

Uses the system Chromium (/usr/bin/chromium) through Playwright; never downloads a
browser.  Skipped when either is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, XSS
from conftest import WEB_AD as AD

from hypecheck.constants import CAVEAT

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

LONG_AD = (EXAMPLES / "reader" / "clinic-ad-500").read_text("utf-8")  # a realistic 500-word clinic ad

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    from hypecheck.webapp import BackgroundServer, create_app

    with BackgroundServer(create_app(), threads=4) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watch:
    """Console errors, page errors and JS dialogs seen by a page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.watch = Watch(page)
    try:
        yield page
    finally:
        context.close()


def check(page: Any, base_url: str, text: str, fmt: str | None = None) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Marketing copy").fill(text)
    if fmt:
        page.locator(f"input[name='format'][value='{fmt}']").check()
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_selector("#results .results, #results .alert")
    page.wait_for_load_state("load")  # the page's script has run (a loaded machine may lag behind the DOM)


def test_check_shows_highlights_labels_and_verdict(page: Any, base_url: str) -> None:
    check(page, base_url, AD)
    tier = page.locator(".verdict .tier").inner_text().strip()
    assert tier in {"A", "B", "C", "D", "E", "F"}
    assert page.locator(".verdict h2").inner_text().strip()
    marks = page.locator("#checked-text mark.hl")
    assert marks.count() >= 6
    labels = page.locator("#checked-text button.tag").all_inner_texts()
    assert any("Disease" in label for label in labels)
    assert any("Drug-like" in label for label in labels)
    assert "Disease claim" in page.locator(".verdict .counts").inner_text()  # the legend spells them out
    assert page.locator(".verdict .caveat").inner_text().strip() == CAVEAT  # what the reading can miss
    # The rendered text is exactly the pasted text, labels aside.
    text = page.evaluate(
        """() => { const c = document.getElementById('checked-text').cloneNode(true);
                   c.querySelectorAll('button').forEach(b => b.remove()); return c.textContent; }"""
    )
    assert text == AD
    assert page.locator("#sources li").count() >= 1 or page.locator(".sources li").count() >= 1
    assert page.watch.errors == []


def test_click_highlight_opens_notes(page: Any, base_url: str) -> None:
    check(page, base_url, AD)
    button = page.locator("#checked-text button.tag-disease").first
    button.click()
    dialog = page.locator("dialog#detail")
    sync_api.expect(dialog).to_be_visible()
    sync_api.expect(dialog.locator(".quote.current").first).to_contain_text("treats hair loss")
    sync_api.expect(dialog.locator(".message").first).to_be_visible()
    sync_api.expect(dialog.locator(".note.law .code").first).to_have_text("US")
    sync_api.expect(dialog.locator(".note.law a[href^='https://']").first).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    sync_api.expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.mark") == button.get_attribute("data-mark")


def test_keyboard_opens_and_closes_highlight(page: Any, base_url: str) -> None:
    check(page, base_url, AD)
    first = page.locator("#checked-text button.tag").first
    first.focus()
    page.keyboard.press("Tab")  # to the second highlight
    focused = page.evaluate("document.activeElement.dataset.mark")
    assert focused == "2"
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#detail")
    sync_api.expect(dialog).to_be_visible()
    sync_api.expect(dialog.locator(".note.evidence").first).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "detail-title"
    page.keyboard.press("Escape")
    sync_api.expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.mark") == "2"
    page.keyboard.press("Space")
    sync_api.expect(dialog).to_be_visible()


@pytest.mark.parametrize("fmt", [None, "text", "html"])
def test_pasted_markup_never_runs(page: Any, base_url: str, fmt: str | None) -> None:
    check(page, base_url, XSS + " It treats hair loss.", fmt)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    for button in page.locator("#checked-text button.tag").all():
        button.click()
        page.keyboard.press("Escape")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.watch.dialogs == []
    assert page.locator("#checked-text img, #checked-text script").count() == 0
    if fmt == "text":
        assert XSS in page.locator("#checked-text").inner_text()


def test_phone_width_has_no_horizontal_overflow(browser: Any, base_url: str) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        long_word = "https://example.com/" + "x" * 300
        page.get_by_label("Marketing copy").fill(AD + "\n\n" + long_word)
        page.get_by_role("button", name="Check", exact=True).click()
        page.wait_for_selector(".verdict")
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        page.locator("#checked-text button.tag").first.tap()
        sync_api.expect(page.locator("dialog#detail")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        box = page.locator("dialog#detail").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 376
    finally:
        context.close()


def test_markdown_export_downloads(page: Any, base_url: str) -> None:
    check(page, base_url, AD)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Markdown report").click()
    download = info.value
    assert download.suggested_filename == "hypecheck-report.md"
    path = download.path()
    assert path is not None
    text = Path(path).read_text(encoding="utf-8")
    assert "## Verdict" in text and "treats hair loss" in text


def test_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        page.fill("#text", AD)
        page.click("button[type=submit]")
        page.wait_for_selector(".verdict")
        assert page.locator("#checked-text mark.hl").count() >= 6
        assert page.locator("#rule-1 .message").text_content()
        page.locator("#rule-1 details.explain > summary").click()  # a finding opens without script
        assert page.locator("#rule-1 .message").is_visible()
        assert page.url.endswith("/#results")
    finally:
        context.close()


def _visible_notes(page: Any) -> list[str]:
    """The jurisdiction codes of the notes on screen in the detail dialog ("Evidence" for evidence)."""
    return page.locator("#detail-content .note:visible .code").all_inner_texts()


def test_market_comes_from_the_browser_and_is_remembered(browser: Any, base_url: str) -> None:
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        assert page.locator("select#j").input_value() == "uk"  # from the browser's language
        page.locator("select#j").select_option("eu")
        page.goto(base_url + "/")  # a later visit on the same device
        assert page.locator("select#j").input_value() == "eu"
        page.get_by_label("Marketing copy").fill(AD)
        page.get_by_role("button", name="Check", exact=True).click()
        page.wait_for_selector(".verdict")
        assert "European Union" in page.locator(".market strong").inner_text()
        page.locator("#checked-text button.tag-disease").first.click()
        codes = _visible_notes(page)
        assert codes and set(codes) <= {"EU", "Evidence"}
        page.keyboard.press("Escape")
        # The other markets are one click away, and looking at one does not change the choice.
        page.get_by_role("button", name="United Kingdom").click()
        page.wait_for_selector(".verdict")
        assert "United Kingdom" in page.locator(".market strong").inner_text()
        page.locator("#checked-text button.tag-disease").first.click()
        assert set(_visible_notes(page)) <= {"UK", "Evidence"}
        page.goto(base_url + "/")
        assert page.locator("select#j").input_value() == "eu"
    finally:
        context.close()


def test_overlapping_claims_are_one_highlight(page: Any, base_url: str) -> None:
    check(page, base_url, "Our serum regrows thinning hair in weeks.")
    marks = page.locator("#checked-text mark.hl")
    assert marks.count() == 1 and "multi" in (marks.first.get_attribute("class") or "")
    assert marks.first.inner_text() == "regrows thinning hair"
    badges = page.locator("#checked-text button.tag")
    assert badges.count() == 1
    assert re.fullmatch(r"1 Disease · Drug-like", " ".join(badges.first.inner_text().split()))
    marks.first.click()
    dialog = page.locator("dialog#detail")
    sync_api.expect(dialog).to_be_visible()
    assert dialog.locator(".finding").count() == 2  # both rules' explanations, one claim
    assert dialog.locator(".quote.current").count() == 2


def test_long_ad_fits_and_notes_are_few(page: Any, base_url: str) -> None:
    check(page, base_url, LONG_AD)
    assert page.evaluate("document.documentElement.scrollHeight") < 4_000  # 14,234 px before
    # Every finding is reachable on the page itself: no inner scroll box hides any.
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('#results *')].filter(el => {
             const s = getComputedStyle(el);
             return ['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1; }).length"""
    )
    assert hidden == 0
    marks = set(page.evaluate("[...document.querySelectorAll('#checked-text mark')].map(m => m.dataset.mark)"))
    listed = set(page.evaluate("[...document.querySelectorAll('.findings .quote')].map(q => q.dataset.mark)"))
    assert marks == listed  # every highlight is in the findings list, and nothing else is
    badges = page.locator("#checked-text button.tag").all()
    assert len(badges) >= 20
    for badge in badges:
        badge.click()
        codes = _visible_notes(page)
        rules = page.locator("#detail-content .finding").count()
        assert set(codes) <= {"US", "Evidence"} and len(codes) <= 3 * rules <= 6  # a handful, one market
        assert page.locator("#detail-content details.more[open]").count() == 0  # the rest behind "more"
        page.keyboard.press("Escape")
    assert page.watch.errors == []


def test_long_ad_prints_in_a_few_pages(page: Any, base_url: str) -> None:
    check(page, base_url, LONG_AD)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what the Print button's window.print() fires
    assert page.locator(".findings details.explain:not([open])").count() == 0
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 10  # 166 before
    cited = set(
        page.evaluate(
            "[...document.querySelectorAll('.findings .note:not(.repeat) a.ref, .findings .repeats a.ref')]"
            ".map(a => a.getAttribute('href'))"
        )
    )
    listed = {"#" + i for i in page.evaluate("[...document.querySelectorAll('ol.sources li')].map(li => li.id)")}
    assert listed == cited  # the sources list holds only sources the findings shown cite


# --- Script injection through every way text reaches a browser: page, exports, API -------------
# Each vector tries to run ``window.__xss = 1`` or open a dialog; nothing may run.

RUN = "window.__xss=1"
VECTORS = [
    f"<script>{RUN}</script>",
    f'<img src=x onerror="{RUN}">',
    f'<svg onload="{RUN}">',
    f"<svg><script>{RUN}</script></svg>",
    f'<body onload="{RUN}">',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<iframe src="javascript:parent.__xss=1"></iframe>',
    f'<a href="javascript:{RUN}" id=xl>link</a>',
    f'<details open ontoggle="{RUN}">',
    f'<input autofocus onfocus="{RUN}">',
    f'<video><source onerror="{RUN}"></video>',
    f'<audio src=x onerror="{RUN}">',
    f'<object data="javascript:{RUN}"></object>',
    f'<embed src="javascript:{RUN}">',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{RUN}">',
    f'<noscript><p title="</noscript><img src=x onerror={RUN}>">',
    f'"><script>{RUN}</script>',
    f"'><img src=x onerror={RUN}>",
    f"</textarea><script>{RUN}</script>",
    f"</title><script>{RUN}</script>",
    f"<style>@import 'javascript:{RUN}';</style>",
    f'<div style="background:url(javascript:{RUN})">x</div>',
    f'<marquee onstart="{RUN}">x</marquee>',
    f'<form><button formaction="javascript:{RUN}">go</button></form>',
    f'<meta http-equiv="refresh" content="0;url=javascript:{RUN}">',
    f'<base href="javascript:{RUN}//">',
    "<img src=x onerror=&#x77;indow.__xss=1>",
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    f"<SCRIPT SRC=data:text/javascript,{RUN}></SCRIPT>",
    f'<svg><animate onbegin="{RUN}" attributeName=x dur=1s>',
    f'<template><img src=x onerror="{RUN}"></template><img src=x onerror="{RUN}">',
    f'[link](javascript:{RUN}) ![img](x" onerror="{RUN})',
    "{{7*7}} {% raw %}<script>window.__xss=1</script>{% endraw %}",
    f"\u202e<script>{RUN}</script>\u202c",
]
CLAIM = " Our serum treats hair loss and is 100% safe."


def _ran(page: Any) -> bool:
    page.wait_for_timeout(100)
    return page.evaluate("typeof window.__xss") != "undefined" or bool(page.watch.dialogs)


@pytest.mark.parametrize("fmt", ["text", None])
@pytest.mark.parametrize("vector", VECTORS, ids=[f"v{n:02d}" for n in range(len(VECTORS))])
def test_a_pasted_vector_never_runs_in_the_page(page: Any, base_url: str, vector: str, fmt: str | None) -> None:
    check(page, base_url, vector + CLAIM, fmt)
    for button in page.locator("#checked-text button.tag").all():  # open every detail view too
        button.click()
        page.keyboard.press("Escape")
    assert not _ran(page)
    if fmt == "text":
        assert "hair loss" in page.locator("#checked-text").inner_text()


@pytest.fixture
def exported(page: Any, base_url: str) -> Iterator[dict[str, str]]:
    text = "\n\n".join(VECTORS) + CLAIM
    bodies = {}
    for path in ("/export.html", "/export.md", "/export.json"):
        response = page.request.post(base_url + path, form={"text": text, "format": "text", "j": "us"})
        assert response.ok, path
        bodies[path] = response.text()
    yield bodies


@pytest.mark.parametrize("path", ["/export.html", "/export.md", "/export.json"])
def test_the_exports_never_run_a_vector(page: Any, exported: dict[str, str], path: str) -> None:
    body = exported[path]
    if path == "/export.html":
        page.set_content(body)  # the standalone report, opened as a saved file would be
    else:
        page.set_content("<pre id=out></pre>")  # Markdown and JSON shown as text, the way a viewer shows them
        page.evaluate("text => { document.getElementById('out').textContent = text; }", body)
        assert "hair loss" in page.locator("#out").inner_text()
    for link in page.locator("a[href^='javascript:' i]").all():
        raise AssertionError(f"javascript: link in {path}: {link.get_attribute('href')}")
    assert not _ran(page)


def test_the_api_answers_json_only(page: Any, base_url: str) -> None:
    response = page.request.post(base_url + "/api/check", data={"text": "\n".join(VECTORS) + CLAIM})
    assert response.ok and response.headers["content-type"].startswith("application/json")
    assert response.headers.get("x-content-type-options") == "nosniff"
    page.goto(base_url + "/")
    page.evaluate("body => { document.body.textContent = body; }", response.text())
    assert not _ran(page)
