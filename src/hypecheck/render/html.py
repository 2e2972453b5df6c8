"""The standalone HTML report: what the page prints, in one file with its styles inline."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from .. import __version__
from .._paths import web_dir
from .view import ReportView


def http_url(value: Any) -> str:
    """*value* if it is an http(s) URL, else ``""`` (never a javascript: link)."""
    url = str(value or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(web_dir() / "templates")), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["http_url"] = http_url
    return env


def _stylesheet(name: str) -> Markup:
    # Our own stylesheet, never user text: inside <style> it must not be entity-escaped.
    return Markup((web_dir() / "static" / name).read_text(encoding="utf-8"))


def document(views: Sequence[ReportView]) -> str:
    """One HTML document holding the report of every view (one per checked text)."""
    ruleset = views[0].report.ruleset_version if views else ""
    return (
        _environment()
        .get_template("report.html")
        .render(
            views=views,
            version=__version__,
            ruleset=ruleset,
            css=_stylesheet("style.css"),
            print_css=_stylesheet("print.css"),
        )
    )
