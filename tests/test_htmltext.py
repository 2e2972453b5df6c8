"""HTML detection and readable-text extraction (hypecheck.htmltext)."""

from __future__ import annotations

import re

import pytest

from hypecheck.htmltext import html_to_text, looks_like_html

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>GlowLab</title>
<style>.hero { color: red }</style>
<script>window.track = "stimulates collagen production";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<main><article>
<h1>Exosome Renewal Serum</h1>
<p>Our serum is <strong>clinically proven</strong> to regenerate skin cells and treats hair loss.</p>
<ul><li>100 billion exosomes per bottle</li><li>FDA approved</li></ul>
<p>Dermatologists &amp; estheticians love it.</p>
</article></main>
<footer>&copy; 2024 GlowLab</footer>
</body></html>"""


@pytest.mark.parametrize(
    "text",
    [
        PAGE,
        "<html><body>hi</body></html>",
        "<!doctype html><title>x</title>",
        "<p>Our serum treats hair loss.</p>",
        "Use <b>daily</b> for glowing skin",
        "<div class='hero'>Regrows hair</div>",
        "<br/>one &amp; two",
        "<IMG SRC=x ONERROR=alert(1)><SCRIPT>alert(1)</SCRIPT>",
    ],
)
def test_detects_html(text: str) -> None:
    assert looks_like_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Our serum treats hair loss.",
        "Keep pH < 5 and > 3 for best results.",
        "We <3 our customers!",
        "Use 2 < x < 4 drops; see <https://example.com> for details.",
        "Results in <2 weeks & visible glow",
        "<b> alone is not enough to be html? A single unknown <thing> tag.",
    ],
)
def test_plain_text_is_not_html(text: str) -> None:
    assert not looks_like_html(text)


def test_extracts_main_content_without_markup_or_scripts() -> None:
    text = html_to_text(PAGE)
    assert "clinically proven to regenerate skin cells" in text
    assert "100 billion exosomes per bottle" in text
    assert "FDA approved" in text
    assert "Dermatologists & estheticians" in text
    assert "<" not in text and ">" not in text
    assert "window.track" not in text
    assert ".hero" not in text


def test_fragment_falls_back_to_visible_text() -> None:
    # trafilatura returns nothing for a tiny fragment; the fallback still finds the words.
    text = html_to_text("<p>Our <b>exosome serum</b> treats hair loss.</p><p>Heals eczema.</p>")
    assert "Our exosome serum treats hair loss." in text
    assert "Heals eczema." in text
    assert text.index("hair loss") < text.index("Heals eczema")
    assert "\n" in text  # block elements become separate lines


def test_fallback_drops_invisible_elements_and_comments() -> None:
    html = (
        "<div>Visible claim<!-- hidden comment --></div><script>alert('x')</script>"
        "<style>p{}</style><noscript>no js</noscript><template>tmpl</template><span>tail</span>"
    )
    text = html_to_text(html)
    assert "Visible claim" in text and "tail" in text
    for hidden in ("hidden comment", "alert", "p{}", "no js", "tmpl"):
        assert hidden not in text


def test_only_script_yields_empty_text() -> None:
    assert html_to_text('<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>') == ""
    assert html_to_text("<script>1</script>") == ""


def test_entities_and_whitespace_are_normalised() -> None:
    text = html_to_text("<p>Glow&nbsp;&nbsp;serum &mdash;   <em>fast</em></p>\n\n\n\n<p>Next</p>")
    assert "Glow serum — fast" in text
    assert "\n\n\n" not in text


def test_garbage_does_not_raise() -> None:
    for junk in ["<", "<<>>", "<p", "</p></div>", "\x01<p>x</p>", "<html>" * 1000]:
        assert isinstance(html_to_text(junk), str)


def _html_slice(html: str, text: str, start: int, end: int) -> str:
    from hypecheck.htmltext import source_map

    mapping = source_map(html, text)
    first, last = mapping.to_html(start), mapping.to_html(end, end=True)
    assert first is not None and last is not None
    return html[first:last]


def test_source_map_leads_back_to_the_markup():
    from hypecheck.htmltext import extract

    text, _ = extract(PAGE)
    for quote in ("clinically proven", "treats hair loss", "100 billion exosomes", "Dermatologists &"):
        start = text.index(quote)
        piece = _html_slice(PAGE, text, start, start + len(quote))
        assert " ".join(re.sub(r"<[^>]*>", "", piece).replace("&amp;", "&").split()) == quote


def test_source_map_skips_comments_and_unclosed_scripts_in_linear_time():
    from hypecheck.htmltext import LineIndex, source_map

    html = "<p>first <!-- treats acne --> treats acne</p>" + "<script>" * 20_000 + "<p>end</p>"
    mapping = source_map(html, "first treats acne")
    offset = mapping.to_html(6)
    assert offset is not None and html[offset:].startswith("treats acne</p>") and offset > html.index("-->")
    assert LineIndex("a\nbc\n").line_col(3) == (2, 2)
