"""A disk cache of compiled rule packs, so a new process starts fast.

Loading means parsing ~150 YAML files, validating them against JSON schemas and
expanding every term into its inflected spellings: a few tenths of a second.
The result is stored under ``$HYPECHECK_CACHE_DIR`` (default
``$XDG_CACHE_HOME/hypecheck`` or ``~/.cache/hypecheck``), keyed by the path,
size and modification time of every file in the packs plus the hypecheck and
spaCy versions, so any edit to a rule invalidates it.  ``HYPECHECK_NO_CACHE=1``
turns it off.  The folder is created private to the user (mode 0700).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy

from . import __version__

KEEP = 16
FORMAT = 4  # bump when what is cached changes shape
# The modules whose code shapes what is cached; editing one invalidates the cache.
COMPILER = ("ruleset.py", "inflect.py", "components/claim_matcher.py")
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    if os.environ.get("HYPECHECK_NO_CACHE"):
        return None
    explicit = os.environ.get("HYPECHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hypecheck"


def fingerprint(folders: Iterable[Path], *extra: str) -> str:
    """A key that changes whenever any file under ``folders``, or the code that compiles them, changes."""
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{spacy.__version__}|{'|'.join(extra)}".encode())
    for module in COMPILER:
        stat = (_PACKAGE / module).stat()
        digest.update(f"{module}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    for folder in folders:
        root = folder.resolve()
        digest.update(f"{root}\n".encode())
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            digest.update(f"{path}|{_stamp(path)}\n".encode())
    return digest.hexdigest()[:32]


def _stamp(path: Path) -> str:
    """Size and mtime of ``path``; for a dangling symlink (or one that cannot be read), its target."""
    try:
        stat = path.stat()
    except OSError:
        try:
            return f"-> {os.readlink(path)}"
        except OSError:
            return "unreadable"
    return f"{stat.st_size}|{stat.st_mtime_ns}"


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: building tens of thousands of objects that all stay alive
    (unpickling the rules, building the pipeline) otherwise triggers collections that free nothing
    (~0.05-0.1 s of a cold start).  Re-enabled afterwards only if it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load(key: str) -> Any | None:
    """The cached object for ``key``, or None (missing, unreadable or from another version)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}.pickle"
    try:
        with path.open("rb") as handle, no_gc():
            return pickle.load(handle)  # our own file, in a folder private to the user
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def store(key: str, value: Any) -> bool:
    """Write ``value`` atomically; False when the cache folder is not writable or ``value`` cannot be pickled."""
    folder = cache_dir()
    if folder is None:
        return False
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, folder / f"{key}.pickle")
        _prune(folder)
        return True
    except (pickle.PicklingError, TypeError, AttributeError):  # an object that cannot be pickled
        Path(handle.name).unlink(missing_ok=True)
        return False
    except OSError:
        return False


def _prune(folder: Path, keep: int = KEEP) -> None:
    """Keep the ``keep`` most recently written entries."""
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)
