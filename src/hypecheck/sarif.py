"""SARIF 2.1.0 output, so code-scanning tools and CI annotate findings in place.

Lines and columns count Unicode code points in the text that was checked (for
HTML, the extracted readable text).
"""

from __future__ import annotations

from typing import Any

from . import __version__
from .report import Report
from .ruleset import Rule

LEVEL = {"high": "error", "medium": "warning", "low": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.message.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": rule.message},
        "help": {"text": rule.suggestion},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"category": rule.category, "severity": rule.severity, "notes": list(rule.notes)},
    }


def _result(name: str, text: str, finding: Any) -> dict[str, Any]:
    start_line, start_column = _position(text, finding.start)
    end_line, end_column = _position(text, finding.end)
    return {
        "ruleId": finding.rule,
        "level": LEVEL[finding.severity],
        "message": {"text": f"\u201c{finding.text}\u201d: {finding.message} Instead: {finding.suggestion}"},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": name},
                "region": {
                    "startLine": start_line, "startColumn": start_column,
                    "endLine": end_line, "endColumn": end_column,
                    "charOffset": finding.start, "charLength": finding.end - finding.start,
                    "snippet": {"text": finding.text},
                },
            }
        }],
        "properties": {"category": finding.category, "confidence": finding.confidence,
                       "context": list(finding.context)},
    }


def to_sarif(checked: list[tuple[str, str, Report]], rules: list[Rule]) -> dict[str, Any]:
    """One SARIF run over every checked ``(name, text, report)``."""
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hypecheck",
                "version": __version__,
                "informationUri": "https://pypi.org/project/hypecheck/",
                "rules": [_rule(r) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(name, text, f) for name, text, report in checked for f in report.findings],
        }],
    }
