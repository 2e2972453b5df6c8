"""SARIF 2.1.0 output, so code-scanning tools and CI annotate findings in place.

Files under the working folder get relative, percent-encoded URIs against the
``SRCROOT`` base (``originalUriBaseIds`` says where it was); files elsewhere get
absolute ``file://`` URIs; standard input is the placeholder artifact
``stdin`` (it is not a file; its ``description`` says so).  Lines and columns
count Unicode code points in the text that was checked (for HTML, the extracted
readable text).  Suppressed findings stay, with ``suppressions`` and their
justification; ``partialFingerprints["hypecheck/v1"]`` is the baseline
fingerprint; ``invocations`` carry the exit code and a notification for every
input that could not be read and every broken suppression marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..baseline import FINGERPRINT_KEY, Comparison, fingerprints
from ..report import Report
from ..ruleset import Rule
from ..suppress import Notice

LEVEL = {"high": "error", "medium": "warning", "low": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/hypecheck/"
DOCS_URI = INFORMATION_URI + "#what-it-flags"
ROOT_ID = "SRCROOT"
STDIN_URI = "stdin"
EXIT_CODES = {
    0: "nothing at or above --fail-on",
    1: "findings at or above --fail-on",
    2: "usage or input error; nothing was checked",
    3: "some inputs could not be read; the others were checked",
}
NOTIFICATIONS = {
    "input-unreadable": "An input could not be read (missing, binary, not UTF-8, too large, or unreachable).",
    "suppression-marker": "A hypecheck: ignore / disable marker that cannot take effect, or that covers nothing.",
}


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def artifact(name: str, root: Path) -> dict[str, Any]:
    """The artifactLocation of a checked input."""
    if name in {"<stdin>", "-"}:
        return {"uri": STDIN_URI, "description": {"text": "standard input (text piped to hypecheck, not a file)"}}
    if "://" in name:
        return {"uri": quote(name, safe=":/?#[]@!$&'()*+,;=%~")}
    path = Path(name).resolve()
    if path.is_relative_to(root):
        return {"uri": quote(path.relative_to(root).as_posix()), "uriBaseId": ROOT_ID}
    return {"uri": path.as_uri()}


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").replace(".", "-").split("-") if part)


def _help_uri(rule: Rule, notes: Mapping[str, Mapping[str, Any]]) -> str:
    """The rule's main note (its first regulatory note with an address), else the docs."""
    ordered = sorted(rule.notes, key=lambda n: notes.get(n, {}).get("kind") != "regulatory")
    return next((str(notes[n]["url"]) for n in ordered if n in notes and notes[n].get("url")), DOCS_URI)


def _rule(rule: Rule, notes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    cited = [f"[{n}]({notes[n]['url']})" for n in rule.notes if n in notes and notes[n].get("url")]
    markdown = f"**Why:** {rule.message}\n\n**Instead:** {rule.suggestion}"
    return {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.message.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": rule.message},
        "help": {
            "text": f"{rule.message}\n\nInstead: {rule.suggestion}",
            "markdown": markdown + (f"\n\n**Notes:** {', '.join(cited)}" if cited else ""),
        },
        "helpUri": _help_uri(rule, notes),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "category": rule.category,
            "severity": rule.severity,
            "notes": list(rule.notes),
            "tags": ["hypecheck", rule.category],
        },
    }


def _result(
    location: dict[str, Any], text: str, finding: Any, index: int, fingerprint: str, state: str | None
) -> dict[str, Any]:
    start_line, start_column = _position(text, finding.start)
    end_line, end_column = _position(text, finding.end)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"\u201c{finding.text}\u201d: {finding.message} Instead: {finding.suggestion}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": start_line,
                        "startColumn": start_column,
                        "endLine": end_line,
                        "endColumn": end_column,
                        "charOffset": finding.start,
                        "charLength": finding.end - finding.start,
                        "snippet": {"text": finding.text},
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {
            "category": finding.category,
            "confidence": finding.confidence,
            "context": list(finding.context),
        },
    }
    if finding.suppression is not None:
        s = finding.suppression
        result["suppressions"] = [
            {
                "kind": s["kind"],
                "status": "accepted",
                "justification": s["reason"],
                "properties": {"rules": s["rules"], "line": s["line"]},
            }
        ]
    if state in {"new", "unchanged"}:
        result["baselineState"] = state
    return result


def _notification(kind: str, level: str, message: str, location: dict[str, Any], line: int = 0) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": location}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {
        "descriptor": {"id": kind},
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
    }


def to_sarif(
    checked: Iterable[tuple[str, str, Report]],
    rules: list[Rule],
    *,
    notes: Mapping[str, Mapping[str, Any]] | None = None,
    unreadable: Iterable[tuple[str, str]] = (),
    notices: Iterable[tuple[str, Notice]] = (),
    exit_code: int = 0,
    baseline: Comparison | None = None,
    root: Path | None = None,
) -> dict[str, Any]:
    """One SARIF run over every checked ``(name, text, report)``.

    ``unreadable``: ``(name, problem)`` of inputs not checked; ``notices``:
    ``(name, notice)`` for suppression markers; ``root``: the base of relative
    URIs (default: the working folder).
    """
    root = (root or Path.cwd()).resolve()
    notes = notes or {}
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = []
    for name, text, report in checked:
        location = artifact(name, root)
        states = baseline.states.get(name) if baseline is not None else None
        for i, (finding, fp) in enumerate(zip(report.findings, fingerprints(report), strict=True)):
            results.append(
                _result(location, text, finding, index.get(finding.rule, -1), fp, states[i] if states else None)
            )
    unreadable = list(unreadable)
    invocation: dict[str, Any] = {
        "executionSuccessful": not unreadable,
        "exitCode": exit_code,
        "exitCodeDescription": EXIT_CODES.get(exit_code, "internal error"),
        "toolExecutionNotifications": [
            _notification("input-unreadable", "error", problem, artifact(name, root)) for name, problem in unreadable
        ],
        "toolConfigurationNotifications": [
            _notification("suppression-marker", "warning", n.message, artifact(name, root), n.line)
            for name, n in notices
        ],
    }
    if baseline is not None:
        invocation["properties"] = {"baseline": baseline.counts(), "fixed": baseline.fixed}
    root_uri = root.as_uri()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hypecheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(r, notes) for r in rules],
                        "notifications": [{"id": k, "shortDescription": {"text": v}} for k, v in NOTIFICATIONS.items()],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {ROOT_ID: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
