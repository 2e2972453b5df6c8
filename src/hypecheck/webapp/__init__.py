"""The hypecheck web page and JSON API (Flask, served by waitress).

``create_app(config)`` builds the app (the spaCy pipeline is loaded once per
app); ``serve(host, port, allow_fetch, threads)`` runs it.  Nothing a user sends
is stored or logged.
"""

from __future__ import annotations

from ..fetch import FetchError
from .app import DEFAULTS, create_app
from .server import BackgroundServer, serve

__all__ = ["DEFAULTS", "BackgroundServer", "FetchError", "create_app", "serve"]
