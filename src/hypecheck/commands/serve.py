"""``hypecheck serve``: the web page and JSON API with waitress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .. import __version__
from .shared import NO_BUILTIN_OPTION, RULES_OPTION, SELECT_OPTION, load_pipeline, model_choice

if TYPE_CHECKING:
    from spacy.language import Language

    from ..webapp.service import Engine


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--allow-fetch", is_flag=True, help="Let the page fetch a web address server-side.")
@RULES_OPTION
@NO_BUILTIN_OPTION
@SELECT_OPTION
def serve(host: str, port: int, allow_fetch: bool, rule_packs: tuple[str, ...], no_builtin: bool, select: str) -> None:
    """Serve the web page and JSON API with waitress."""
    from ..webapp import serve as run_server

    config: dict[str, object] = {}
    if rule_packs or no_builtin or select or model_choice() is not True:  # else the app builds the default
        config["HYPECHECK_ENGINE"] = _engine(load_pipeline(rule_packs, no_builtin, select))
    try:
        run_server(host=host, port=port, allow_fetch=allow_fetch, config=config)
    except OSError as exc:  # the port is taken, or the address is not ours
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _engine(nlp: Language) -> Engine:
    """The web app's engine around a pipeline built from the command's (or the settings') rules."""
    import threading

    from .. import CATEGORIES, JURISDICTIONS, list_rules
    from ..webapp.service import Engine

    rules = [{k: v for k, v in r.items() if k != "file"} for r in list_rules(nlp)]  # "file" is a server path
    return Engine(
        nlp=nlp,
        version=__version__,
        jurisdictions=dict(JURISDICTIONS),
        categories=dict(CATEGORIES),
        rules=rules,
        lock=threading.Lock(),
    )
