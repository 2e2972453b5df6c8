"""What a reader is handed for one ad (not a test): page height, notes per detail, print pages, report sizes.

    python bench/reader_size.py [tests/data/reader/clinic-ad-500]

Serves the page on loopback, checks the ad in Debian's chromium (1280 px desktop
and a 375 px phone, browser language en-US), opens every highlight's detail
dialog, prints the page to A4 PDF the way the Print button does, downloads the
Markdown export, and renders ``hypecheck check --format html`` to PDF.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from hypecheck.webapp import BackgroundServer, create_app

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
PAGE_BREAK = re.compile(rb"/Type\s*/Page[^s]")


def main(path: str) -> dict[str, int]:
    ad = Path(path).read_text("utf-8")
    out: dict[str, int] = {}
    with BackgroundServer(create_app(), threads=2) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, width, mobile in [("desktop", 1280, False), ("phone", 375, True)]:
            context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=mobile, locale="en-US")
            page = context.new_page()
            page.goto(server.url + "/")
            page.fill("#text", ad)
            page.get_by_role("button", name="Check", exact=True).click()
            page.wait_for_selector("#results .results")
            out[f"{name}_height_px"] = page.evaluate("document.documentElement.scrollHeight")
            if name == "desktop":
                out["sources_listed"] = page.locator("ol.sources > li").count()
                counts = []
                for badge in page.locator("#checked-text button.tag").all():
                    badge.click()
                    counts.append(page.locator("#detail-content .note:visible").count())
                    page.keyboard.press("Escape")
                out["detail_notes_max"] = max(counts, default=0)
                out["detail_notes_median"] = sorted(counts)[len(counts) // 2] if counts else 0
                page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                page.emulate_media(media="print")
                out["print_pages"] = len(PAGE_BREAK.findall(page.pdf(format="A4")))
                page.emulate_media(media="screen")
                with page.expect_download() as info:
                    page.get_by_role("button", name="Download Markdown report").click()
                out["markdown_bytes"] = Path(info.value.path()).stat().st_size
            context.close()
        html = subprocess.run(
            [sys.executable, "-m", "hypecheck", "check", path, "-j", "us", "--format", "html"],
            capture_output=True,
            check=False,
        ).stdout
        with tempfile.NamedTemporaryFile(suffix=".html") as report:
            report.write(html)
            report.flush()
            page = browser.new_page()
            page.goto(Path(report.name).as_uri())
            out["html_report_bytes"] = len(html)
            out["html_report_print_pages"] = len(PAGE_BREAK.findall(page.pdf(format="A4")))
        browser.close()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/reader/clinic-ad-500"), indent=1))
