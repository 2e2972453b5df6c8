"""A scorecard for a whole text, in the spirit of an evidence-first review magazine.

The dimensions, weights, tiers and advice are data (``rules/verdict.yml``): each
dimension is scored out of 25 (higher is better), the total sets the tier, and
serious findings cap it.  A tier judges the claims, never the product: its wording
must not say what the product will or will not do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    """A text's scorecard: tier, total score, the scored dimensions and what to say instead."""

    tier: str
    label: str
    meaning: str
    score: int
    maximum: int
    dimensions: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    instead: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """As a plain dict (``max`` for ``maximum``, a one-line ``summary`` added)."""
        return {
            "tier": self.tier,
            "label": self.label,
            "meaning": self.meaning,
            "score": self.score,
            "max": self.maximum,
            "summary": f"Tier {self.tier}: {self.label}.",
            "dimensions": list(self.dimensions),
            "instead": list(self.instead),
            "sources": list(self.sources),
        }


def _clean(text: str) -> str:
    return " ".join(text.split())


def score(
    findings: Sequence[Any], sources: Sequence[dict[str, Any]], jurisdictions: Sequence[str], config: dict[str, Any]
) -> Verdict:
    """Score a text's findings into a tier with a reason per dimension."""
    weights = config["weights"]
    dims = []
    for dim in config["dimensions"]:
        relevant = [f for f in findings if f.category in dim["categories"]]
        value = max(0, round(25 - sum(weights[f.severity] * f.confidence for f in relevant)))
        names = ", ".join(j.upper() for j in jurisdictions)
        reason = dim["dirty"].format(n=len(relevant), jurisdictions=names) if relevant else dim["clean"]
        dims.append({"id": dim["id"], "name": dim["name"], "score": value, "max": 25, "reason": reason})
    total = sum(d["score"] for d in dims)
    tiers = sorted(config["tiers"], key=lambda t: -t["min_score"])
    rank = next(i for i, t in enumerate(tiers) if total >= t["min_score"])
    exempt = set(config["caps"]["exempt_categories"])
    serious = sum(1 for f in findings if f.severity == "high" and f.category not in exempt)
    if serious >= 3:
        rank = len(tiers) - 1
    elif serious:
        rank = max(rank, min(2, len(tiers) - 1))
    tier = tiers[rank]
    found = {f.category for f in findings}
    advice = config["instead"]
    instead = tuple(_clean(text) for key, text in advice.items() if key in found or key == "default")
    return Verdict(
        tier["tier"],
        tier["label"],
        _clean(tier["meaning"]),
        total,
        25 * len(dims),
        tuple(dims),
        tuple(sources),
        instead,
    )
