"""Rich rendering of reports, matches and proposals for the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from matching.explain import sentence
from optimizer.propose import BidOutcome
from profiles.domain import Bid
from profiles.errors import RowError
from profiles.importing import ImportReport


def error_table(errors: list[RowError]) -> Table:
    table = Table("row", "field", "value", "reason", show_lines=False)
    for e in errors:
        value = repr(e.value)
        table.add_row(str(e.row), e.field, value if len(value) < 50 else value[:47] + "...", e.reason)
    return table


NOTES_SHOWN = 5


def _capped(console: Console, lines: list[str], what: str, verbose: bool) -> None:
    shown = lines if verbose else lines[:NOTES_SHOWN]
    for line in shown:
        console.print(f"  {line}")
    if len(lines) > len(shown):
        console.print(f"  [dim]… {len(lines) - len(shown)} more {what} (--verbose lists all)[/]")


def import_report(console: Console, report: ImportReport, verbose: bool = False) -> None:
    parts = [
        f"{kind}: {c['created']} new, {c['updated']} updated, {c['unchanged']} unchanged"
        for kind, c in report.counts.items()
        if sum(c.values())
    ]
    console.print(f"[bold]{Path(report.source).name}[/] — " + ("; ".join(parts) or "nothing to import"))
    _capped(console, [f"[dim]~ {n}[/]" for n in report.approximate_phrases], "phrases read approximately", verbose)
    _capped(console, [f"[yellow]? {n}[/]" for n in report.unknown_phrases], "phrases not in the vocabulary", verbose)
    for dup in report.duplicates:
        console.print(f"  [magenta]possible duplicate: {dup}[/] (not merged)")
    for warning in report.warnings:
        console.print(f"  [yellow]! {warning}[/]")


def match_summary(console: Console, summary: Any) -> None:
    console.print(
        f"run {summary.run_id}: {summary.profiles} published profiles, {summary.candidate_pairs} "
        f"candidate pairs scored, {summary.matches} matches stored"
        + (f", {summary.expired} profiles expired" if summary.expired else "")
    )
    semantic = getattr(summary, "semantic", {}) or {}
    if semantic.get("unavailable"):
        console.print(f"[yellow]multilingual meaning unavailable, scored without it: {semantic['unavailable']}[/]")
    elif semantic.get("available"):
        console.print(
            f"multilingual meaning: {semantic.get('embedded', 0)} texts embedded, "
            f"{semantic.get('reused', 0)} reused from earlier runs"
        )


def runs(console: Console, rows: list[Any]) -> None:
    table = Table(
        "run",
        "kind",
        "status",
        "stage",
        "started",
        "finished",
        "profiles",
        "pairs",
        "matches",
        "attempts",
        "errors",
        box=None,
    )
    for r in rows:
        table.add_row(
            str(r.id),
            r.kind,
            r.status,
            r.stage or "–",
            r.started_at.strftime("%Y-%m-%d %H:%M"),
            r.finished_at.strftime("%H:%M:%S") if r.finished_at else "–",
            str(r.profiles_scored),
            str(r.candidate_pairs),
            str(r.matches_stored),
            str(r.attempts),
            "; ".join(f"{e.get('stage')}: {e.get('message', '')[:60]}" for e in r.errors) or "–",
        )
    console.print(table)


def _components(row: dict[str, Any]) -> str:
    parts = []
    for name, c in row["components"].items():
        parts.append(f"{name} {c['value']:.2f}" if c else f"{name} –")
    return ", ".join(parts)


def matches(console: Console, subject: str, rows: list[dict[str, Any]], limit: int) -> None:
    console.print(f"[bold]{subject}[/]")
    if not rows:
        console.print("no stored matches (run `partnermatch match` first, or the profile is not published)")
        return
    table = Table("profile", "#", "kind", "other profile", "score", "components", "why", show_lines=True)
    for r in rows:
        if r["rank"] > limit:
            continue
        other = f"{r['other_reference'] or r['other']} ({r['other_type']})\n{r['other_title'][:60]}"
        table.add_row(
            r["profile"],
            str(r["rank"]),
            r.get("kind", ""),
            other,
            f"{r['score']:.3f}",
            _components(r),
            sentence({k: v for k, v in r["explanation"].items() if k not in ("kind", "kind_reason")}),
        )
    console.print(table)


def outcome(console: Console, bid: Bid, result: BidOutcome, paths: list[Path]) -> None:
    console.print()
    console.print(
        f"[bold underline]{bid.title}[/] ({bid.key}) — {bid.customer}, "
        f"{len(bid.requirements)} requirements, {bid.min_size}–{bid.max_size} firms"
    )
    if not result.feasible:
        console.print("[bold red]no consortium is possible:[/]")
        for r in result.reasons:
            console.print(f"  [red]✗ {r.message}[/]")
    for p in result.proposals:
        conf = p["explanation"]["confidence"]["value"]
        gap = "" if p["gap"] is None else f", gap {100 * p['gap']:.2f}%"
        console.print(
            f"\n[bold]#{p['rank']}[/] objective {p['objective']:.4f}, confidence {conf:.0%} "
            f"— {p['solver']} {p['solver_status']}{gap}, build {p['build_seconds']:.3f}s, "
            f"solve {p['solve_seconds']:.3f}s"
        )
        table = Table("requirement", "covered by", "fit", "how", "capacity", show_lines=False)
        for c in p["plan"]["coverage"]:
            cap = c.get("capacity")
            table.add_row(
                c["capability"] + ("" if c["mandatory"] else " (optional)"),
                c.get("firm_name") or "[red]not covered[/]",
                f"{c['fit']:.2f}" if "fit" in c else "–",
                c.get("how", "–"),
                f"{cap['available']:,}/{cap['needed']:,}" if cap else "–",
            )
        members = ", ".join(
            f"{m['name']} ({m['country']}{', lead' if m['lead'] else ''})" for m in p["plan"]["members"]
        )
        console.print(f"  members: {members}")
        console.print(table)
        terms = p["explanation"]["objective_terms"]
        console.print(
            f"  breakdown: fit {terms['fit']:.3f} + synergy {terms['synergy']:.3f} − size {terms['size']:.0f} × penalty"
        )
        for w in p["explanation"]["why"]:
            console.print(f"  [green]+ {w}[/]")
        for r in p["explanation"]["risks"]:
            console.print(f"  [yellow]! {r}[/]")
    for path in paths:
        console.print(f"  document: {path}")


def joint(console: Console, results: list[tuple[Bid, BidOutcome, list[Path]]]) -> None:
    table = Table("bid", "status", "consortium / reason", show_lines=True)
    for bid, result, _ in results:
        if result.feasible:
            p = result.proposals[0]
            text = ", ".join(m["name"] + (" (lead)" if m["lead"] else "") for m in p["plan"]["members"])
        else:
            text = "; ".join(r.message for r in result.reasons)
        table.add_row(bid.key, result.status, text)
    console.print(table)


MAP_SECTIONS = (
    ("dependency", "Dependency (flagged)"),
    ("shared", "Shared dependencies"),
    ("rare", "Rare capabilities in demand"),
    ("bridges", "Firms that bridge groups"),
    ("gaps", "Gaps against open bids"),
    ("joint_purchasing", "Joint purchasing"),
    ("diversification", "Diversification leads"),
    ("seeds", "Consortium seeds"),
)


def cluster_map(console: Console, result: dict[str, Any], per_section: int = 6) -> None:
    console.rule(f"[bold]cluster map: {result['title']}")
    console.print(f"{len(result['firms'])} firms, {result['relations']} relations")
    for key, title in MAP_SECTIONS:
        items = [x for x in result[key] if key != "dependency" or x["flagged"]]
        console.print(f"\n[bold]{title}[/] ({len(items)})")
        for item in items[:per_section]:
            console.print(f"  • {item['text']}", soft_wrap=False)
        if len(items) > per_section:
            console.print(f"  … and {len(items) - per_section} more in the report")


def achievements(console: Console, items: list[dict[str, Any]], total: int) -> None:
    """Partnering achievements, newest signature first; partners as the viewer may see them."""
    table = Table(
        "id", "signed", "firm", "agreement", "partner", "from", "recorded by", title="Partnering achievements"
    )
    for a in items:
        firm, partner = a["firm"], a["partner"]
        shown = partner.get("name") or f"firm {partner.get('alias')} ({partner.get('country')})"
        came_from = ", ".join(
            f"{label} {a[key]}"
            for label, key in (("interest", "interest_id"), ("proposal", "proposal_id"))
            if a.get(key)
        )
        table.add_row(
            str(a["id"]),
            a["signed_on"],
            firm.get("name") or f"firm {firm['alias']}",
            a["agreement_type"],
            shown + ("" if partner.get("in_exchange") else " [dim](outside)[/]"),
            came_from or "–",
            a["recorded_by"],
        )
    console.print(table)
    console.print(f"{total} achievement(s)" + (f", {len(items)} shown" if total > len(items) else ""))


def partnering_outcomes(console: Console, result: dict[str, Any]) -> None:
    """The outcomes report: one row per cluster, agreements by type below."""
    from api.actions.outcomes import duration

    def share(value: float | None) -> str:
        return "–" if value is None else f"{100 * value:.0f}%"

    period = f"{result['since'] or 'the start'} to {result['until'] or 'now'}"
    table = Table(
        "cluster",
        "interests",
        "accepted",
        "declined",
        "withdrawn",
        "open",
        "conversion",
        "median answer",
        "90% answered in",
        "proposals acc./rej.",
        "accepted",
        "agreements",
        title=f"Partnering outcomes, {period}",
    )
    for c in result["clusters"]:
        i, p = c["interests"], c["proposals"]
        table.add_row(
            c["cluster"],
            str(i["expressed"]),
            str(i["accepted"]),
            str(i["declined"]),
            str(i["withdrawn"]),
            str(i["open"]),
            share(i["conversion"]),
            duration(i["median_hours"]),
            duration(i["p90_hours"]),
            f"{p['accepted']}/{p['rejected']}",
            share(p["share_accepted"]),
            str(c["achievements"]["total"]),
        )
    console.print(table)
    for c in result["clusters"]:
        by_type = c["achievements"]["by_type"]
        if by_type:
            console.print(f"[bold]{c['cluster']}[/] agreements: " + ", ".join(f"{t} {n}" for t, n in by_type.items()))


def _interval(x: tuple[float, float, float]) -> str:
    return f"{x[0]:.3f} [{x[1]:.3f}, {x[2]:.3f}]"


def tune_report(console: Console, report: Any) -> None:
    source = report.provenance.get("source")
    console.print(
        f"active configuration: {source}" + (f" #{report.provenance['id']}" if report.provenance.get("id") else "")
    )
    console.print(f"decided interests with a kept match list: {report.lists}")
    if report.fit is None:
        console.print(report.reason)
        return
    table = Table("lists", "count", "MRR before", "MRR after", "after − before")
    for name, n, ev in (
        ("learned on (older)", report.learn_lists, report.learn),
        ("checked on (newest)", report.check_lists, report.check),
    ):
        table.add_row(name, str(n), _interval(ev.before), _interval(ev.after), _interval(ev.difference))
    console.print(table)
    weights = Table("component", "before", "after", "learned from outcomes")
    for name in sorted(report.current.weights):
        weights.add_row(
            name,
            f"{report.current.weights[name]:.3f}",
            f"{report.fit.weights[name]:.3f}",
            "yes" if name in report.fit.learned else "no: constant or absent in the lists",
        )
    console.print(weights)
    for note in report.fit.notes:
        console.print(note)


def matching_config(console: Console, view: dict[str, Any]) -> None:
    """The active configuration, its provenance and the stored ones, as `tuning.active_view` gives them."""
    active, provenance, stored = view["config"], view["provenance"], view["stored"]
    line = f"active matching configuration: {provenance.get('source')}"
    if provenance.get("id"):
        line += f" #{provenance['id']}, {provenance.get('created_at', '')[:19]} by {provenance.get('created_by')}"
        if provenance.get("note"):
            line += f" ({provenance['note']})"
    console.print(line)
    table = Table("component", "weight")
    for name, weight in sorted(active["weights"].items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(name, f"{weight:.3f}")
    console.print(table)
    console.print(
        f"top_k {active['top_k']}, peer_k {active['peer_k']}, candidate_k {active['candidate_k']}, "
        f"semantic_k {active['semantic_k']}, complement_k {active['complement_k']}, "
        f"relationship_k {active['relationship_k']}, min_score {active['min_score']}"
    )
    if stored:
        history = Table("#", "created", "source", "active", "note")
        for row in stored:
            history.add_row(
                str(row["id"]), row["created_at"][:19], row["source"], "yes" if row["active"] else "", row["note"]
            )
        console.print(history)
