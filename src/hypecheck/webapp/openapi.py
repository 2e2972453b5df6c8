"""Hand-written OpenAPI 3.1 description of the JSON API."""

from __future__ import annotations

from typing import Any


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
    note_regulatory = {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"const": "regulatory"},
            "id": {"type": "string"},
            "jurisdiction": {"type": "string", "enum": codes},
            "authority": {"type": "string"},
            "instrument": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "url": {"type": "string"},
            "confirmed": {"type": "boolean"},
            "source": {"type": ["integer", "null"], "description": "Number in verdict.sources."},
        },
    }
    note_evidence = {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"const": "evidence"},
            "id": {"type": "string"},
            "topic": {"type": "string"},
            "summary": {"type": "string"},
            "grade": {"type": "string"},
            "sources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"reference": {"type": "string"}, "url": {"type": "string"}},
                },
            },
            "source": {"type": ["integer", "null"], "description": "Number in verdict.sources."},
        },
    }
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
                    "items": {"type": "string", "enum": codes},
                    "minItems": 1,
                    "description": "Jurisdiction codes; omitted or null means all.",
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
        "Finding": {
            "type": "object",
            "required": ["rule", "category", "severity", "start", "end", "text", "notes"],
            "properties": {
                "rule": {"type": "string"},
                "category": {"type": "string", "enum": list(categories)},
                "severity": {"type": "string"},
                "confidence": {"type": "number"},
                "start": {"type": "integer", "minimum": 0, "description": "Offset into text."},
                "end": {"type": "integer", "minimum": 0},
                "text": {"type": "string"},
                "sentence": {"type": "string"},
                "context": {"type": "array", "items": {"type": "string"}},
                "message": {"type": "string"},
                "suggestion": {"type": ["string", "null"]},
                "notes": {
                    "type": "array",
                    "items": {"anyOf": [note_regulatory, note_evidence, {"type": "object"}]},
                },
            },
        },
        "Verdict": {
            "type": "object",
            "required": ["tier", "label"],
            "properties": {
                "tier": {"type": "string"},
                "label": {"type": "string"},
                "meaning": {"type": "string"},
                "summary": {"type": "string"},
                "dimensions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "score": {"type": "number"},
                            "max": {"type": "number"},
                            "reason": {"type": "string"},
                        },
                    },
                },
                "sources": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "n": {"type": "integer"},
                            "kind": {"type": "string"},
                            "title": {"type": "string"},
                            "url": {"type": "string"},
                        },
                    },
                },
            },
        },
        "Report": {
            "type": "object",
            "required": ["schema_version", "findings", "counts", "verdict", "text"],
            "properties": {
                "schema_version": {"type": "integer"},
                "hypecheck_version": {"type": "string"},
                "ruleset_version": {"type": "string"},
                "jurisdictions": {"type": "array", "items": {"type": "string", "enum": codes}},
                "text_length": {"type": "integer"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                "verdict": {"$ref": "#/components/schemas/Verdict"},
                "text": {
                    "type": "string",
                    "description": "The text actually checked (after HTML extraction or "
                    "fetching); finding offsets index into it.",
                },
                "input": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": ["text", "html", "url"]},
                        "url": {"type": ["string", "null"]},
                        "notices": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
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
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/CheckRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": ok("#/components/schemas/Report"),
                        "400": _error("Malformed JSON, missing text, unknown jurisdiction "
                                      "or binary data."),
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
