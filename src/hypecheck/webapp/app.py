"""The Flask application factory, error handling and security headers."""

from __future__ import annotations

import traceback
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .._paths import web_dir
from .service import Engine, load_engine
from .views import bp, wants_json

DEFAULTS: dict[str, Any] = {
    "HYPECHECK_MAX_CHARS": 100_000,
    "HYPECHECK_ALLOW_FETCH": False,
    "HYPECHECK_FETCH_MAX_BYTES": 2_000_000,
    "HYPECHECK_FETCH_TIMEOUT": 10.0,
    # Run checks one at a time (spaCy pipelines are not documented as thread-safe).
    "HYPECHECK_SERIALIZE_CHECKS": True,
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

_MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address.",
    405: "That method is not allowed here.",
    415: "Send the request body as application/json.",
    500: "Something went wrong on the server; nothing you sent was kept.",
}


class _PrivateFlask(Flask):
    """Flask whose error log never carries request data or exception messages.

    Exception messages can quote the text being checked, so only the exception
    type, the route and the stack (file/line/function) are logged.
    """

    def log_exception(self, exc_info: Any) -> None:
        exc_type, _exc, tb = exc_info
        name = getattr(exc_type, "__name__", "Exception")
        stack = "".join(traceback.format_tb(tb)) if tb is not None else ""
        self.logger.error("Unhandled %s on %s %s\n%s", name, request.method, request.path, stack)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the web app; the spaCy pipeline is loaded once, here.

    *config* overrides :data:`DEFAULTS` and any Flask setting.  The engine is
    stored in ``app.extensions["hypecheck"]``.
    """
    web = web_dir()
    app = _PrivateFlask(
        __name__,
        template_folder=str(web / "templates"),
        static_folder=str(web / "static"),
        static_url_path="/static",
    )
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    if "MAX_CONTENT_LENGTH" not in (config or {}):
        # Room for the text, JSON escaping and surrounding HTML markup.
        app.config["MAX_CONTENT_LENGTH"] = max(4 << 20, int(app.config["HYPECHECK_MAX_CHARS"]) * 8)
    if "MAX_FORM_MEMORY_SIZE" not in (config or {}):
        # Werkzeug's default (500 kB) is too small for a long urlencoded textarea.
        app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    engine = app.config.get("HYPECHECK_ENGINE")  # a pre-built Engine shared between apps, if given
    if not isinstance(engine, Engine):
        engine = load_engine(serialize=bool(app.config["HYPECHECK_SERIALIZE_CHECKS"]))
    app.extensions["hypecheck"] = engine

    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_secure)
    return app


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def error_message(error: HTTPException) -> str:
    """A short, readable message for an HTTP error."""
    code = error.code or 500
    if code == 413:
        limit = request.max_content_length
        size = f" (limit {limit / 1_000_000:.1f} MB)" if limit else ""
        return f"The request is too large{size}. Check the text in parts."
    if code == 405:
        return f"{request.method} is not allowed here."
    if code == 400 and error.description and "JSON" in error.description:
        return "The request body is not valid JSON."
    return _MESSAGES.get(code, error.name)


def _http_error(error: HTTPException) -> Any:
    if isinstance(error, InternalServerError):
        error = InternalServerError()  # never show the original exception
    code = error.code or 500
    message = error_message(error)
    if wants_json():
        response = jsonify(error=message)
        response.status_code = code
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # e.g. Allow on 405
        return response
    return render_template("error.html", code=code, message=message), code
