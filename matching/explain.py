"""Explanations of a stored match, seen from one side of the pair."""

from __future__ import annotations

from typing import Any

from .components import REGISTRY
from .scorer import PairScore
from .text_model import explanatory


def label(component: str) -> str:
    """How explanations name a component as a driver of a match."""
    registered = REGISTRY.get(component)
    return registered.label if registered is not None else component


def explain(pair: PairScore, viewer_is_a: bool) -> dict[str, Any]:
    """Structured explanation for the viewer (side a or b): drivers, terms, capabilities, needs met."""
    c = pair.components
    out: dict[str, Any] = {
        "drivers": [{"component": n, "label": label(n), "contribution": v} for n, v in pair.drivers()[:3]],
        "missing": sorted(n for n, v in c.items() if v is None),
    }
    text = c.get("text")
    if text:
        out["shared_terms"] = text["evidence"].get("shared_terms", [])
    semantic = c.get("semantic")
    if semantic and semantic["evidence"].get("same_meaning"):
        # stored as "a's words ≈ b's words": the viewer's own words first
        pairs = [w.split(" ≈ ", 1) for w in semantic["evidence"]["same_meaning"]]
        out["same_meaning"] = [" ≈ ".join(p if viewer_is_a else p[::-1]) for p in pairs]
    capabilities = c.get("capabilities")
    if capabilities:
        out["shared_capabilities"] = capabilities["evidence"].get("shared", [])
    comp = c.get("complementarity")
    if comp:
        ev = comp["evidence"]
        they_give, we_give = (
            (ev["b_offers_a"], ev["a_offers_b"]) if viewer_is_a else (ev["a_offers_b"], ev["b_offers_a"])
        )
        out["they_offer_what_you_seek"] = they_give["concepts"]
        out["you_offer_what_they_seek"] = we_give["concepts"]
    chain = c.get("value_chain")
    if chain and chain["evidence"].get("link"):
        ours, theirs = chain["evidence"]["link"].split(" + ", 1)
        out["goes_with"] = " + ".join((ours, theirs) if viewer_is_a else (theirs, ours))
        out["goes_with_seen"] = chain["evidence"].get("seen", {})
    ties = c.get("relationship")
    if ties:
        ev = ties["evidence"]
        lines = list(ev.get("ties", []))
        for side in ev.get("supplies", []):
            lines.append("you supply them" if (side == "a") == viewer_is_a else "they supply you")
        if lines:
            out["ties"] = lines
    return out


def sentence(explanation: dict[str, Any]) -> str:
    """One line of plain words for tables and documents."""
    bits = [d["label"] for d in explanation.get("drivers", [])]
    text = ", ".join(bits)
    if explanation.get("kind"):
        text = f"{explanation['kind']} ({explanation.get('kind_reason', '')}): " + text
    if explanation.get("they_offer_what_you_seek"):
        text += "; they offer " + ", ".join(explanation["they_offer_what_you_seek"][:4])
    if explanation.get("you_offer_what_they_seek"):
        text += "; they seek " + ", ".join(explanation["you_offer_what_they_seek"][:4])
    if explanation.get("goes_with"):
        text += "; goes together: " + explanation["goes_with"]
    if explanation.get("ties"):
        text += "; " + "; ".join(explanation["ties"][:3])
    if explanation.get("same_meaning"):
        text += "; same meaning: " + ", ".join(explanation["same_meaning"][:4])
    if explanation.get("shared_capabilities"):
        text += "; both: " + ", ".join(explanation["shared_capabilities"][:4])
    terms = [t for t in explanation.get("shared_terms") or [] if isinstance(t, str) and explanatory(t)]
    if terms:
        text += "; terms: " + ", ".join(terms[:4])
    return text


# What each part of an explanation says, from the viewer's side, in the order a reader wants it.
REASONS = (
    ("they_offer_what_you_seek", "They offer what you seek"),
    ("you_offer_what_they_seek", "You offer what they seek"),
    ("goes_with", "Goes together"),
    ("shared_capabilities", "Capabilities in both profiles"),
    ("same_meaning", "Same meaning in other words or languages"),
    ("ties", "Ties"),
    ("shared_terms", "Words both profiles use"),
)


def reasons(explanation: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The explanation as sentences for people: (what it is, the matched phrases), leaving out parts
    without phrases and shared terms that say nothing (units, lone letters; kept by older runs)."""
    out = []
    for key, lead in REASONS:
        value = explanation.get(key)
        phrases = [value] if isinstance(value, str) else [str(v) for v in value or [] if v]
        if key == "shared_terms":
            phrases = [p for p in phrases if explanatory(p)]
        if phrases:
            out.append((lead, phrases))
    return out
