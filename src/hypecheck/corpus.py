"""Labelled corpora (``id``, ``text``, ``labels``, ``kind``, ``source``) and their folds by source site.

A figure measured on text the rules or the model were tuned on is not an
accuracy figure, and snippets from one site share phrasing: folds are therefore
drawn by *site* (the host of ``source``, without ``www.``), so that every
snippet of a site lands in the same fold.  The fold of a site is a stable hash,
so it never moves when a corpus grows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .constants import SCORED_CATEGORIES
from .errors import InputError

DEFAULT_FOLDS = 5
DESCRIBING_KINDS = frozenset({"journalism", "regulator", "science", "forum"})


@dataclass(frozen=True)
class Snippet:
    """One labelled snippet of a corpus."""

    id: str
    text: str
    labels: frozenset[str]
    kind: str
    site: str

    def fold(self, folds: int = DEFAULT_FOLDS) -> int:
        """The cross-validation fold of this snippet's source site."""
        return fold_of(self.site, folds)


def site_of(url: str) -> str:
    """The site a snippet was quoted from: the URL's host without ``www.`` (or the URL itself)."""
    host = (urlparse(url).hostname or url or "").lower()
    return host.removeprefix("www.")


def fold_of(site: str, folds: int = DEFAULT_FOLDS) -> int:
    """A stable fold number for a site."""
    return int.from_bytes(hashlib.sha256(site.encode("utf-8")).digest()[:4], "big") % folds


def read_corpus(paths: Iterable[str | Path]) -> list[Snippet]:
    """Every labelled snippet of the given JSONL files; a malformed line is an :class:`InputError`."""
    return [snippet for path in paths for snippet in _read(Path(path))]


def _read(path: Path) -> Iterator[Snippet]:
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, labels = row["text"], row.get("labels", [])
                if not isinstance(text, str) or not isinstance(labels, list):
                    raise TypeError("text must be a string and labels a list")
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{n}: not a labelled snippet ({exc})") from exc
            yield Snippet(
                id=str(row.get("id", f"{path.stem}-{n}")),
                text=text,
                labels=frozenset(label for label in labels if label in SCORED_CATEGORIES),
                kind=str(row.get("kind", "")),
                site=site_of(str(row.get("source", ""))),
            )


def split(
    snippets: list[Snippet], held: Iterable[int], folds: int = DEFAULT_FOLDS
) -> tuple[list[Snippet], list[Snippet]]:
    """``(train, held_out)``: snippets whose site's fold is not / is in ``held``."""
    held = set(held)
    train = [s for s in snippets if s.fold(folds) not in held]
    return train, [s for s in snippets if s.fold(folds) in held]
