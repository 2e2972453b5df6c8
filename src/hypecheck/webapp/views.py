"""Routes: the page (server-rendered), exports and the JSON API."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
)

from ..constants import DEFAULT_MAX_FINDINGS
from ..render import html as render_html
from ..render.markdown import markdown as render_markdown
from ..render.view import build_view
from ..report import Report
from .openapi import openapi_document
from .service import (
    Engine,
    InputError,
    Settings,
    parse_jurisdictions,
    prepare,
    run_check,
)

bp = Blueprint("hypecheck", __name__)

_API_PREFIXES = ("/api/", "/healthz")


def wants_json() -> bool:
    """Whether the current request should get JSON errors (API paths)."""
    return request.path.startswith(_API_PREFIXES) or request.path == "/api"


def _engine() -> Engine:
    return current_app.extensions["hypecheck"]


def _settings() -> Settings:
    return Settings.from_config(current_app.config)


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"version": _engine().version}


bp.add_app_template_filter(render_html.http_url, "http_url")

# Where a browser's language most likely means the product is sold: region first, then language.
# (Code lists as one string each: SIM905 would have the formatter spread them one per line.)
_EU_REGIONS = frozenset("at be bg cy cz de dk ee es fi fr gr hr hu ie it lt lu lv mt nl pl pt ro se si sk".split())  # noqa: SIM905
_REGIONS = {"us": "us", "gb": "uk", "uk": "uk", "in": "in", "kr": "kr", "jp": "jp", "ca": "ca", "au": "au"}
_LANGUAGES = {"ko": "kr", "ja": "jp", "hi": "in", "en": "us"}
_EU_LANGUAGES = frozenset("bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split())  # noqa: SIM905
DEFAULT_MARKET = "us"


def market_for(languages: list[str]) -> str:
    """The jurisdiction a reader most likely shops in, from Accept-Language tags (best first)."""
    for tag in languages:
        parts = tag.lower().replace("_", "-").split("-")
        region = parts[1] if len(parts) > 1 and len(parts[1]) == 2 else ""
        if region in _REGIONS:
            return _REGIONS[region]
        if region in _EU_REGIONS:
            return "eu"
        if parts[0] in _LANGUAGES:
            return _LANGUAGES[parts[0]]
        if parts[0] in _EU_LANGUAGES:
            return "eu"
    return DEFAULT_MARKET


def _json_error(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


# --- JSON API ---------------------------------------------------------------------------


@bp.get("/healthz")
def healthz() -> Response:
    engine = _engine()
    return jsonify(status="ok", version=engine.version, rules=len(engine.rules))


@bp.get("/api/rules")
def api_rules() -> Response:
    engine = _engine()
    return jsonify(rules=engine.rules, categories=engine.categories, jurisdictions=engine.jurisdictions)


@bp.get("/api/openapi.json")
def api_openapi() -> Response:
    engine = _engine()
    return jsonify(
        openapi_document(
            engine.version,
            engine.jurisdictions,
            engine.categories,
            int(current_app.config["HYPECHECK_MAX_CHARS"]),
        )
    )


def _read_json_object() -> dict[str, Any]:
    if not request.is_json:
        raise InputError("Send the request body as application/json.", status=415)
    raw = request.get_data(cache=False)  # 413 past MAX_CONTENT_LENGTH
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("The request body is not valid UTF-8 text.") from exc
    if "\x00" in body:
        raise InputError("The request body contains binary data (NUL bytes).")
    try:
        data = json.loads(body)
    except RecursionError as exc:  # e.g. 100,000 nested arrays: the parser's stack, not the server, gives up
        raise InputError("The request body is nested too deeply to be a check request.") from exc
    except ValueError as exc:
        raise InputError(f"The request body is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise InputError('The request body must be a JSON object such as {"text": "..."}.')
    return data


def _max_findings(data: dict[str, Any]) -> int:
    value = data.get("max_findings", DEFAULT_MAX_FINDINGS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError('"max_findings" must be a whole number, 0 for no limit.')
    return value


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f'"{key}" must be a string.')
    return value


@bp.post("/api/check")
def api_check() -> Response:
    try:
        data = _read_json_object()
        text = _optional_str(data, "text")
        url = _optional_str(data, "url")
        fmt = _optional_str(data, "format") or "auto"
        if text is None and not url:
            raise InputError('Send "text" (the copy to check) or "url".')
        limit = _max_findings(data)
        jurisdictions = parse_jurisdictions(data.get("jurisdictions"))
        prepared = prepare(text=text, url=url, fmt=fmt, settings=_settings())
        report = run_check(_engine(), prepared, jurisdictions)
    except InputError as exc:
        return _json_error(str(exc), exc.status)
    return jsonify(report.to_dict(max_findings=limit, text=True))


# --- Page ---------------------------------------------------------------------------------


def _form_values() -> dict[str, Any]:
    return {
        "text": "",
        "url": "",
        "format": "auto",
        "jurisdictions": [market_for(list(request.accept_languages.values()))],
        "default": True,  # the page may replace it with the reader's remembered choice
    }


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    engine = _engine()
    settings = _settings()
    context.setdefault("form", _form_values())
    return (
        render_template(
            "index.html",
            engine=engine,
            allow_fetch=settings.allow_fetch,
            max_chars=settings.max_chars,
            **context,
        ),
        status,
    )


def _read_form(*, allow_url: bool) -> dict[str, Any]:
    """The submitted form values, also used to redisplay the form.

    ``market`` (a "show another market" button) replaces the chosen jurisdictions;
    ``j=all`` chooses every one.
    """
    market = request.form.get("market", "").strip()
    chosen = [market] if market else request.form.getlist("j")
    return {
        "text": request.form.get("text", "").replace("\r\n", "\n"),
        "url": request.form.get("url", "").strip() if allow_url else "",
        "format": request.form.get("format", "auto"),
        "jurisdictions": chosen,
    }


@bp.get("/")
def index() -> tuple[str, int]:
    return _page()


@bp.post("/")
def index_post() -> tuple[str, int]:
    settings = _settings()
    form = _read_form(allow_url=settings.allow_fetch)
    try:
        jurisdictions = parse_jurisdictions(form["jurisdictions"])
        notices: list[str] = []
        text: str | None = form["text"]
        if form["url"]:
            if text and text.strip():
                notices.append("The web address was checked; the pasted text was left aside.")
            text = None
        prepared = prepare(text=text, url=form["url"] or None, fmt=form["format"], settings=settings)
        prepared.notices[:0] = notices
        report = run_check(_engine(), prepared, jurisdictions)
    except InputError as exc:
        return _page(exc.status, form=form, error=str(exc))
    view = build_view(report, prepared.text, url=prepared.url)
    others = [(c, n) for c, n in _engine().jurisdictions.items() if c not in report.jurisdictions]
    return _page(form=form, view=view, notices=prepared.notices, other_markets=others)


def _export_report() -> Report:
    form: dict[str, Any] = {
        "text": request.form.get("text", "").replace("\r\n", "\n"),
        "format": request.form.get("format", "text"),
        "j": request.form.getlist("j"),
    }
    engine = _engine()
    jurisdictions = parse_jurisdictions(form["j"])
    prepared = prepare(text=form["text"], url=None, fmt=form["format"], settings=_settings())
    source = request.form.get("source_url", "").strip()
    if source.startswith(("http://", "https://")):
        prepared.url = source
        prepared.kind = "url"
    return run_check(engine, prepared, jurisdictions)


def _attachment(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/export.json")
def export_json() -> Response | tuple[str, int]:
    try:
        report = _export_report()
    except InputError as exc:
        return _page(exc.status, error=str(exc))
    body = json.dumps(report.to_dict(text=True), ensure_ascii=False, indent=2) + "\n"
    return _attachment(body, "application/json", "hypecheck-report.json")


@bp.post("/export.md")
def export_md() -> Response | tuple[str, int]:
    try:
        report = _export_report()
    except InputError as exc:
        return _page(exc.status, error=str(exc))
    response = _attachment(render_markdown(_export_view(report)), "text/markdown", "hypecheck-report.md")
    response.headers["Content-Type"] = "text/markdown; charset=utf-8"
    return response


@bp.post("/export.html")
def export_html() -> Response | tuple[str, int]:
    try:
        report = _export_report()
    except InputError as exc:
        return _page(exc.status, error=str(exc))
    response = _attachment(render_html.document([_export_view(report)]), "text/html", "hypecheck-report.html")
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def _export_view(report: Report) -> Any:
    """The page's view of an exported report (its text and address come with the report's input)."""
    prepared = report.input
    return build_view(report, prepared.text if prepared else "", url=prepared.url if prepared else None)
