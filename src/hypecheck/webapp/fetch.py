"""Moved to :mod:`hypecheck.fetch` (the fetcher is an input source, not part of the web wing)."""

from ..fetch import *  # noqa: F403
from ..fetch import __all__  # noqa: F401
