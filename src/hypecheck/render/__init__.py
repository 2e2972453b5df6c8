"""Renderers of reports for other tools (SARIF)."""
