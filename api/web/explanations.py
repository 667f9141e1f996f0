"""Match explanations and sector codes in words an advisor uses: what a page shows instead of raw evidence."""

from __future__ import annotations

from typing import Any

from matching.explain import label, reasons
from matching.text_model import explanatory
from profiles.taxonomy.nace import load_nace, normalise_nace_code

__all__ = ["component_label", "evidence_words", "nace_label", "reasons"]


def nace_label(code: str) -> str:
    """A NACE code with its name ("25.62 Machining", also for "2562"); a code the table does not know
    stays as it was given."""
    table = load_nace()
    known = code if code in table else normalise_nace_code(code)
    return f"{known} {table.title(known)}" if known in table else code


def component_label(name: str) -> str:
    """A score component by what it means to people ("similar wording", not "text")."""
    return label(name)


def _listed(values: Any) -> str:
    return ", ".join(str(v) for v in values or [] if v not in (None, ""))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def evidence_words(name: str, evidence: dict[str, Any] | None) -> str:
    """One component's evidence in plain words; directions ("a offers b") are told from the viewer's
    side by `reasons`, so a component only names what it found."""
    ev = evidence or {}
    if name == "text":
        terms = [t for t in ev.get("shared_terms", []) if isinstance(t, str) and explanatory(t)]
        return f"words both use: {_listed(terms)}" if terms else "no telling words in common"
    if name == "semantic":
        same = ev.get("same_meaning") or []
        return f"same meaning: {_listed(same)}" if same else "texts close in meaning"
    if name in ("capabilities", "language"):
        shared = ev.get("shared") or []
        what = "in both profiles" if name == "capabilities" else "both speak"
        return f"{what}: {_listed(shared)}" if shared else ""
    if name == "complementarity":
        concepts: list[str] = []
        for side in ("a_offers_b", "b_offers_a"):
            for c in (ev.get(side) or {}).get("concepts", []):
                if c not in concepts:
                    concepts.append(c)
        return f"one offers what the other seeks: {_listed(concepts)}" if concepts else ""
    if name == "value_chain":
        if not ev.get("link"):
            return ""
        where = ", ".join(_plural(n, source) for source, n in (ev.get("seen") or {}).items())
        return f"goes together: {ev['link']}" + (f" (seen in {where})" if where else "")
    if name == "counterpart":
        return f"profile types: {ev['types']}" if ev.get("types") else ""
    if name == "sector":
        codes = [nace_label(c) for c in ev.get("closest_codes", [])]
        return "closest sectors: " + " and ".join(codes) if codes else ""
    if name == "geography":
        return f"about {ev['km']:,} km apart" if isinstance(ev.get("km"), int | float) else ""
    if name == "size":
        apart = ev.get("classes_apart")
        if isinstance(apart, int):
            return "same size class" if apart == 0 else f"{apart} size class{'' if apart == 1 else 'es'} apart"
        return ""
    if name == "relationship":
        return "; ".join(str(t) for t in ev.get("ties", []))
    # a component added later: its flat values, named in words
    return "; ".join(
        f"{k.replace('_', ' ')}: {v if isinstance(v, str | int | float) else _listed(v)}"
        for k, v in ev.items()
        if isinstance(v, str | int | float | list)
    )
