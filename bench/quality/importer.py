"""CORDIS → partnermatch firms, profiles and bids, through the product's own import path.

The raw JSON document a user would upload is built here, then parsed by
`profiles.readers.parse_json`, validated and stored by
`profiles.importing.import_raw` in a real (temporary) SQLite database created
by the migrations, and read back with the repository. Everything the
evaluation uses afterwards comes out of that database, so a validation rule
or a storage round trip that loses data shows up in the numbers.

What is built:
* one firm per organisation (key: a slug of its CORDIS name);
* one Technology Offer per (organisation, project): what the organisation
  brought to that project, described by the project's title, objective,
  topic and EuroSciVoc labels;
* one R&D Request per project from its coordinator (the query);
* one bid per project: its labels as (optional) requirements, three countries.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from profiles import een, repository
from profiles.db import make_engine, session_scope, upgrade
from profiles.domain import Bid, Firm, Profile, ProfileStatus, ProfileType
from profiles.importing import import_raw
from profiles.readers import parse_json
from profiles.taxonomy.codes import COUNTRY_CODES
from profiles.taxonomy.countries import ambiguous_codes, country_name

from .data import COUNTRY_FIXES, Cordis, Participation, Project

KINDS = {"PRC": "company", "HES": "university", "REC": "research", "PUB": "public", "OTH": "other"}
# Fixed clock: the import stamps rows with it; nothing in the evaluation depends on the real date.
NOW = datetime(2026, 11, 21, tzinfo=UTC)
SLUG_MAX = 70  # profile keys are "<slug>.<9-digit project id>", at most 80 characters


def slug(name: str) -> str:
    """Lowercase ASCII words joined by '-'; long names keep a short hash so keys stay unique."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    key = re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "org"
    if len(key) > SLUG_MAX:
        key = key[: SLUG_MAX - 7].rstrip("-") + "-" + hashlib.sha1(name.encode()).hexdigest()[:6]
    return key


def split_objective(objective: str) -> tuple[str, str]:
    """EEN summary (≤ 500: whole sentences where possible) and description (the rest, ≤ 4000).

    The summary is not repeated in the description, so a profile's text holds
    the objective exactly once, as the query does.
    """
    if len(objective) <= een.SUMMARY_MAX:
        return objective, ""
    head = objective[: een.SUMMARY_MAX]
    cut = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    cut = cut + 1 if cut >= 100 else head.rfind(" ")
    summary, rest = objective[:cut].strip(), objective[cut:].strip()
    if len(rest) > een.DESCRIPTION_MAX:
        rest = rest[: rest.rfind(" ", 0, een.DESCRIPTION_MAX)]
    return summary, rest


def keywords(project: Project) -> list[str]:
    out = [project.topic, project.topic_title, *project.labels]
    return [k for i, k in enumerate(out) if k and k not in out[:i]]


@dataclass
class Imported:
    firms: dict[str, Firm]
    offers: dict[tuple[str, str], Profile]  # (firm key, project id) → the organisation's profile
    queries: dict[str, Profile]  # project id → the coordinator's R&D Request
    bids: dict[str, Bid]  # project id → bid (requirements: its EuroSciVoc labels, else its topic)
    notes: list[str] = field(default_factory=list)

    def members(self, project: str) -> list[str]:
        return sorted(f for f, p in self.offers if p == project)


def _firm_row(name: str, p: Participation) -> dict:
    row = {
        "key": slug(name),
        "name": name,
        "country": _country(COUNTRY_FIXES.get(p.country, p.country)),
        "kind": KINDS.get(p.activity, "other"),
    }
    if p.city:
        row["city"] = p.city[:120]
    if p.sme:
        row["size_class"] = "small"
    return row


def _country(code: str) -> str:
    """CORDIS's code as the import takes it: a code the import would question as a slip for a European
    country (GE for Germany, MA for Malta) is written as the country's name; CORDIS means the code."""
    return country_name(code) if code in ambiguous_codes() else code


def build_document(cordis: Cordis) -> tuple[dict, list[str]]:
    """The raw import document, and notes on what had to be left out."""
    notes: list[str] = []
    latest: dict[str, Participation] = {}
    # An organisation's attributes (SME status, city) come from its most recent project.
    for p in sorted(cordis.participations, key=lambda p: (cordis.projects[p.project].start, p.project)):
        latest[p.name] = p
    firms: dict[str, dict] = {}
    used: set[str] = set()
    for name in sorted(latest):
        row = _firm_row(name, latest[name])
        if row["key"] in used:  # two CORDIS names with one slug ("GEMEINNÜTZIGE" / "GEMEINNUTZIGE")
            row["key"] = row["key"][: SLUG_MAX - 7] + "-" + hashlib.sha1(name.encode()).hexdigest()[:6]
        used.add(row["key"])
        if COUNTRY_FIXES.get(latest[name].country, latest[name].country) not in COUNTRY_CODES:
            notes.append(f"left out {name!r}: country code {latest[name].country!r} is not ISO 3166-1")
            continue
        firms[name] = row
    profiles, bids = [], []
    for pid, project in sorted(cordis.projects.items()):
        summary, description = split_objective(project.objective)
        text = {
            "title": project.title[: een.TITLE_MAX],
            "summary": summary,
            "description": description,
            "keywords": keywords(project),
            "status": "published",
            "published_on": project.start,
        }
        members = [p for p in cordis.participations if p.project == pid and p.name in firms]
        for p in members:
            profiles.append(
                {"key": f"{firms[p.name]['key']}.{pid}", "firm": firms[p.name]["key"], "type": "TO", **text}
            )
        coordinator = next((p.name for p in members if p.role == "coordinator"), None)
        if coordinator is None:
            notes.append(f"project {pid}: no importable coordinator, so no query")
            continue
        profiles.append(
            {
                "key": f"rdr.{pid}",
                "firm": firms[coordinator]["key"],
                "type": "RDR",
                "partnership_types": ["research cooperation"],
                **text,
            }
        )
        requirements = [
            {"key": f"r{i:02d}", "capability": c[:200], "mandatory": False}
            for i, c in enumerate(project.labels or (project.topic,), start=1)
        ]
        bids.append(
            {
                "key": f"bid.{pid}",
                "title": project.title[: een.TITLE_MAX],
                "customer": "European Commission",
                "customer_country": "BE",
                "delivery_country": "BE",
                "description": project.objective[:4000],
                "requirements": requirements,
                "min_size": 2,
                "max_size": min(20, max(2, len(members))),
                "min_countries": 3,
            }
        )
    return {"firms": list(firms.values()), "profiles": profiles, "bids": bids}, notes


def import_cordis(cordis: Cordis) -> Imported:
    doc, notes = build_document(cordis)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'cordis.db'}")
        upgrade(engine)
        with session_scope(engine) as session:
            report = import_raw(session, parse_json(json.dumps(doc), "cordis.json"), NOW, NOW.date())
        with session_scope(engine) as session:
            firms = {f.key: f for f in repository.load_firms(session)}
            profiles = repository.load_profiles(session, [ProfileStatus.PUBLISHED])
            bids = repository.load_bids(session)
        engine.dispose()
    counts = ", ".join(f"{kind} {c['created']}" for kind, c in report.counts.items())
    notes.insert(
        0,
        f"imported: {counts}; {len(report.unknown_phrases)} requirement phrases outside the "
        f"capability vocabulary, {len(report.approximate_phrases)} read approximately; "
        f"{len(report.duplicates)} possible duplicate firms reported",
    )
    offers, queries = {}, {}
    for p in profiles:
        pid = p.key.rsplit(".", 1)[1]
        if p.type == ProfileType.RD_REQUEST:
            queries[pid] = p
        else:
            offers[(p.firm_key, pid)] = p
    return Imported(firms, offers, queries, {b.key.split(".", 1)[1]: b for b in bids}, notes)
