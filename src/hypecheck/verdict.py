"""A scorecard for a whole text, in the spirit of an evidence-first review magazine.

Four dimensions, each out of 25 (higher is better): how far the claims go, how
well they are supported, how much regulatory exposure they carry, and whether
any dose can be verified.  The total sets the tier; serious claims cap it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WEIGHT = {"high": 9, "medium": 5, "low": 2}
TIERS = {
    "A": ("Claims stay within cosmetic language", "Nothing found that a cosmetic may not say; still judge the product on price and basics."),
    "B": ("Minor overreach", "A few loose phrases; the product is sold mostly on what a cosmetic may claim."),
    "C": ("Claims outpace the evidence", "Several claims go beyond what a cosmetic may say or what studies show; discount them."),
    "D": ("Claims far exceed the evidence", "Marketing claims significantly exceed the evidence and the law; D does not mean harmful, it means it will not deliver what is promised."),
}
DIMENSIONS = (
    ("claim_severity", "Claim severity", ("disease", "drug_like", "hype")),
    ("evidence_gap", "Evidence per claim", ("evidence", "safety", "drug_like", "disease")),
    ("regulatory_exposure", "Regulatory exposure", ("regulatory", "provenance", "disease", "drug_like")),
    ("dose_verifiability", "Dose verifiability", ("dose",)),
)
REASONS = {
    "claim_severity": ("No disease or body-changing claims.", "{n} claim(s) to treat disease or change the skin's biology, or miracle language."),
    "evidence_gap": ("No proof or safety claims beyond the evidence.", "{n} claim(s) lean on proof, safety or mechanisms that published human studies do not support."),
    "regulatory_exposure": ("Nothing that makes it a drug, biologic or misstates approval.", "{n} claim(s) would make it a drug or biologic, or misstate its legal status, in {j}."),
    "dose_verifiability": ("No unverifiable counts or concentrations.", "{n} count or concentration claim(s) that no standard assay can verify."),
}
INSTEAD = {
    "disease": "For a medical condition (hair loss, acne, rosacea, eczema, scars), see a dermatologist: approved treatments with real trials exist.",
    "drug_like": "For the look of fine lines: daily broad-spectrum SPF, a retinoid and niacinamide have far better evidence than topical exosomes.",
    "dose": "Prefer products that state a plain ingredient list over ones that sell a particle count.",
    "default": "For hydration: a hyaluronic acid and ceramide moisturiser. The basics, dosed correctly, beat an unverifiable active.",
}


@dataclass(frozen=True)
class Verdict:
    tier: str
    score: int
    dimensions: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    instead: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        label, meaning = TIERS[self.tier]
        return {
            "tier": self.tier,
            "label": label,
            "meaning": meaning,
            "score": self.score,
            "max": 25 * len(DIMENSIONS),
            "summary": f"Tier {self.tier}: {label}.",
            "dimensions": list(self.dimensions),
            "instead": list(self.instead),
            "sources": list(self.sources),
        }


def score(findings: Sequence[Any], sources: Sequence[dict[str, Any]], jurisdictions: Sequence[str]) -> Verdict:
    """Score a text's findings into a tier with reasons."""
    dims = []
    for dim_id, name, categories in DIMENSIONS:
        relevant = [f for f in findings if f.category in categories]
        penalty = sum(WEIGHT[f.severity] * f.confidence for f in relevant)
        value = max(0, round(25 - penalty))
        clean, dirty = REASONS[dim_id]
        reason = dirty.format(n=len(relevant), j=", ".join(j.upper() for j in jurisdictions)) if relevant else clean
        dims.append({"id": dim_id, "name": name, "score": value, "max": 25, "reason": reason})
    total = sum(d["score"] for d in dims)
    tier = "A" if total >= 95 else "B" if total >= 80 else "C" if total >= 55 else "D"
    serious = [f for f in findings if f.severity == "high" and f.category != "hype"]
    if len(serious) >= 3:
        tier = "D"
    elif serious and tier in "AB":
        tier = "C"
    categories = {f.category for f in findings}
    instead = tuple(text for key, text in INSTEAD.items() if key in categories) + (INSTEAD["default"],)
    return Verdict(tier, total, tuple(dims), tuple(sources), instead)
