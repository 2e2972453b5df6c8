"""Errors with stable codes, one hierarchy."""

from __future__ import annotations


class HypecheckError(Exception):
    """Base class of every error hypecheck raises on purpose."""


class RuleFileError(HypecheckError):
    """A rule, term or note file is malformed; the message names file, rule and line."""

    def __init__(self, path: object, problem: str, *, rule: str | None = None, line: int | None = None) -> None:
        self.path, self.problem, self.rule, self.line = str(path), problem, rule, line
        where = self.path + (f":{line}" if line else "")
        who = f" rule {rule}:" if rule else ""
        super().__init__(f"[H001] {where}:{who} {problem}")


class InputError(HypecheckError, ValueError):
    """Input the checker refuses (binary, too large, unreadable, unknown option value).

    ``status`` is the HTTP status the web wing answers with (the CLI exits 2).
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
