"""OpenAPI 3.1 description of the JSON API; the report's schema is the published one."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..constants import DEFAULT_MAX_FINDINGS


@cache
def report_schema() -> dict[str, Any]:
    """The published JSON Schema of a report (``hypecheck/schemas/report.schema.json``)."""
    text = resources.files("hypecheck.schemas").joinpath("report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_schemas() -> dict[str, Any]:
    """The report schema's definitions as OpenAPI components (``#/$defs/X`` -> ``#/components/schemas/X``)."""
    text = json.dumps(report_schema()["$defs"]).replace('"#/$defs/', '"#/components/schemas/')
    schemas: dict[str, Any] = json.loads(text)
    return schemas


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document(
    version: str, jurisdictions: dict[str, str], categories: dict[str, str], max_chars: int
) -> dict[str, Any]:
    """The OpenAPI document for this server's configuration."""
    codes = list(jurisdictions)
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string", "description": "Readable message."}},
        },
        "CheckRequest": {
            "type": "object",
            "properties": {
                "text": {
                    "type": "string",
                    "maxLength": max_chars,
                    "description": "Copy to check: plain text or HTML (see format).",
                },
                "url": {
                    "type": "string",
                    "format": "uri",
                    "description": "A public http(s) page to fetch and check instead of text "
                    "(only when the server allows fetching).",
                },
                "jurisdictions": {
                    "type": ["array", "null"],
                    "items": {"type": "string", "enum": [*codes, "all"]},
                    "minItems": 1,
                    "description": 'Jurisdiction codes, or ["all"]; omitted or null means all.',
                },
                "max_findings": {
                    "type": "integer",
                    "minimum": 0,
                    "default": DEFAULT_MAX_FINDINGS,
                    "description": 'List at most this many findings ("more" counts the rest); 0 for all.',
                },
                "format": {
                    "type": "string",
                    "enum": ["auto", "text", "html"],
                    "default": "auto",
                    "description": "How to read text: auto-detect HTML, force plain text or HTML.",
                },
            },
            "additionalProperties": True,
        },
        "Rule": {
            "type": "object",
            "required": ["id", "category", "severity"],
            "properties": {
                "id": {"type": "string"},
                "category": {"type": "string"},
                "severity": {"type": "string"},
                "message": {"type": "string"},
                "suggestion": {"type": ["string", "null"]},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "version", "rules"],
            "properties": {
                "status": {"const": "ok"},
                "version": {"type": "string"},
                "rules": {"type": "integer"},
            },
        },
    }
    schemas.update(report_schemas())

    def ok(ref: str) -> dict[str, Any]:
        return {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hypecheck",
            "version": version,
            "description": "Flags overreaching marketing claims about exosome, stem-cell, "
            "growth-factor and PDRN skincare. Nothing sent is stored or logged.",
        },
        "paths": {
            "/api/check": {
                "post": {
                    "summary": "Check marketing copy (text, HTML or a web address)",
                    "operationId": "check",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}},
                    },
                    "responses": {
                        "200": ok("#/components/schemas/Report"),
                        "400": _error("Malformed JSON, missing text, unknown jurisdiction or binary data."),
                        "413": _error("Body or text too large."),
                        "415": _error("Body is not application/json."),
                        "422": _error("Unusable web address, fetch failed or fetching disabled."),
                    },
                }
            },
            "/api/rules": {
                "get": {
                    "summary": "List the rules",
                    "operationId": "rules",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["rules"],
                                        "properties": {
                                            "rules": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Rule"},
                                            },
                                            "categories": {"type": "object"},
                                            "jurisdictions": {"type": "object"},
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness and version",
                    "operationId": "health",
                    "responses": {"200": ok("#/components/schemas/Health")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
        "components": {"schemas": schemas},
    }
