"""Serving the app with waitress, in the foreground or in a background thread."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> Any:
    """A waitress server for *app* (not started).  No access log is written."""
    from waitress.server import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="hypecheck",
        expose_tracebacks=False,
        clear_untrusted_proxy_headers=True,
        channel_timeout=60,
        connection_limit=200,
        asyncore_use_poll=True,
    )


def server_url(server: Any) -> str:
    """The http:// URL a waitress server listens on."""
    host = str(server.effective_host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{server.effective_port}/"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_fetch: bool = False,
    threads: int = 8,
    config: dict[str, Any] | None = None,
) -> None:
    """Run the web page and API under waitress until interrupted."""
    from . import create_app

    app = create_app({"HYPECHECK_ALLOW_FETCH": allow_fetch, **(config or {})})
    server = make_server(app, host=host, port=port, threads=threads)
    version = app.extensions["hypecheck"].version
    fetch = "on" if allow_fetch else "off"
    print(f"hypecheck {version} serving on {server_url(server)} (fetching web addresses: {fetch}; "
          "Ctrl-C to stop)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:  # pragma: no cover - waitress usually handles it
        pass
    finally:
        server.close()


class BackgroundServer:
    """A waitress server on a free loopback port in a daemon thread (tests, benchmarks)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8):
        self._server = make_server(app, host=host, port=port, threads=threads)
        self.url = server_url(self._server).rstrip("/")
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(
            target=self._server.run, name="hypecheck-waitress", daemon=True
        )

    def start(self) -> BackgroundServer:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Finish running requests, then close the listener and all connections."""
        server = self._server
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        for channel in list(server._map.values()):
            if channel is not server:
                channel.close()
        server.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
