"""Serving the app with waitress, in the foreground or in a background thread.

In the foreground, :func:`serve` runs one waitress process per core (at most
:data:`MAX_WORKERS`; ``HYPECHECK_WORKERS`` overrides): the pipeline is loaded
once, then the process forks and every copy accepts on the same listening
socket, each with its own threads and its own check lock.  A check holds the
GIL, so threads alone keep one core busy; processes use them all, and a health
check is answered by whichever process is free.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from typing import Any

from flask import Flask

MAX_WORKERS = 4


def make_server(
    app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, sock: socket.socket | None = None
) -> Any:
    """A waitress server for *app* (not started), on ``host:port`` or an already listening ``sock``.

    No access log is written.
    """
    from waitress.server import create_server

    where: dict[str, Any] = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    return create_server(
        app,
        **where,
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


def default_workers() -> int:
    """``HYPECHECK_WORKERS`` if set, else one process per core up to :data:`MAX_WORKERS`."""
    configured = os.environ.get("HYPECHECK_WORKERS", "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            pass
    return max(
        1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, MAX_WORKERS)
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_fetch: bool = False,
    threads: int = 8,
    config: dict[str, Any] | None = None,
    workers: int | None = None,
) -> None:
    """Run the web page and API under waitress until interrupted, in ``workers`` processes."""
    from . import create_app

    app = create_app({"HYPECHECK_ALLOW_FETCH": allow_fetch, **(config or {})})
    server = make_server(app, host=host, port=port, threads=threads)
    version = app.extensions["hypecheck"].version
    fetch = "on" if allow_fetch else "off"
    listening = getattr(server, "socket", None)
    count = (default_workers() if workers is None else max(1, workers)) if isinstance(listening, socket.socket) else 1
    processes = f", {count} processes" if count > 1 else ""
    print(
        f"hypecheck {version} serving on {server_url(server)} (fetching web addresses: {fetch}{processes}; "
        "Ctrl-C to stop)",
        flush=True,
    )
    children: list[int] = []
    previous = signal.signal(signal.SIGTERM, _interrupt) if count > 1 else None
    try:
        for _ in range(count - 1):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child
                assert listening is not None  # several processes only share a real socket
                _child(app, threads, listening)
            children.append(pid)
        server.run()
    except KeyboardInterrupt:  # pragma: no cover - waitress usually handles it
        pass
    finally:
        server.close()
        _stop(children)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _child(app: Flask, threads: int, listening: socket.socket) -> None:  # pragma: no cover - a forked child
    """A worker process: its own waitress server on the inherited socket, until told to stop."""
    code = 0
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent stops us
    try:
        make_server(app, threads=threads, sock=listening).run()
    except BaseException:
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def _stop(children: list[int]) -> None:
    """Stop the worker processes this server forked, and reap them."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


class BackgroundServer:
    """A waitress server on a free loopback port in a daemon thread (tests, benchmarks)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8):
        self._server = make_server(app, host=host, port=port, threads=threads)
        self.url = server_url(self._server).rstrip("/")
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, name="hypecheck-waitress", daemon=True)

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
