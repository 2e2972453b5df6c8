"""Names and defaults shared across modules: one place to change them."""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "disease": "Disease claim",
    "drug_like": "Drug-like claim",
    "dose": "Unverifiable dose",
    "regulatory": "False regulatory claim",
    "evidence": "Unsupported proof claim",
    "safety": "Absolute safety claim",
    "hype": "Miracle / hype",
    "provenance": "Human-derived source",
}
# The categories of the evaluation taxonomy (``provenance`` is a hypecheck extra, not scored).
SCORED_CATEGORIES = ("disease", "drug_like", "dose", "regulatory", "evidence", "safety", "hype")
JURISDICTIONS: dict[str, str] = {
    "us": "United States",
    "eu": "European Union",
    "uk": "United Kingdom",
    "in": "India",
    "kr": "South Korea",
    "jp": "Japan",
    "ca": "Canada",
    "au": "Australia",
}
SEVERITIES = ("low", "medium", "high")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES, 1)}

# Where the claim spans live on a Doc, and the pipeline's component names.
SPANS_KEY = "hypecheck"
CLAIMS_PIPE = "hypecheck_claims"
CONTEXT_PIPE = "hypecheck_context"
LINES_PIPE = "hypecheck_lines"
MODEL_PIPE = "hypecheck_model"
VOICE_PIPE = "hypecheck_voice"

# Reported claims ("some clinics claim ...") score 0.51 and fall below this; hedged ones stay.
DEFAULT_MIN_CONFIDENCE = 0.55
# Findings listed in one JSON report; the rest are counted in its "more" member.
DEFAULT_MAX_FINDINGS = 200
# Input read from a file, standard input or a fetched page.
MAX_INPUT_BYTES = 5_000_000
FETCH_MAX_BYTES = 2_000_000
FETCH_TIMEOUT = 10.0

# What every rendered report says about its own limits (the page, HTML and Markdown exports).
CAVEAT = (
    "An automatic reading of the wording: it can miss a claim put in words it does not know, "
    "and now and then it flags fair wording. Each flag says why, so you can judge it."
)

# Words that negate the verb of a claim when they stand between its parts ("eczema cannot be cured").
# Only for rules none of whose own words is one of them ("never came back" is the claim itself).
VERBAL_NEGATORS = frozenset(("not", "n't", "never", "cannot"))  # spaCy splits "can't" into "ca" + "n't"
