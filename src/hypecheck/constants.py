"""Names shared across modules."""

from __future__ import annotations

# The categories of the evaluation taxonomy (``provenance`` is a hypecheck extra, not scored).
SCORED_CATEGORIES = ("disease", "drug_like", "dose", "regulatory", "evidence", "safety", "hype")
