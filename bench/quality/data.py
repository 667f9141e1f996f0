"""Read the CORDIS Horizon Europe subsets into plain records (no engine code here).

The files live in the repository's sibling `shared/data/`: the first 120 projects in
`cordis-horizon-europe` and 472 further ones in `cordis-horizon-europe-extra` (same
layout, no project in both); both are read and merged, an organisation being the
same when its CORDIS name is. PARTNERMATCH_CORDIS_DIR may name other folders
(separated by the path separator). Everything is sorted on the way in, so every
later stage sees the same order on every run.
"""

from __future__ import annotations

import csv
import os
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEFAULT_DIRS = (SHARED_DATA / "cordis-horizon-europe", SHARED_DATA / "cordis-horizon-europe-extra")
ENV_VAR = "PARTNERMATCH_CORDIS_DIR"

# CORDIS writes the EU's own country codes where ISO 3166-1 differs.
COUNTRY_FIXES = {"EL": "GR", "UK": "GB"}


@dataclass(frozen=True)
class Project:
    id: str
    acronym: str
    title: str
    objective: str
    start: str  # YYYY-MM-DD
    topic: str  # call topic code, e.g. HORIZON-CL5-2024-D3-01-02
    topic_title: str
    labels: tuple[str, ...]  # EuroSciVoc field-of-science titles, sorted


@dataclass(frozen=True)
class Participation:
    project: str
    name: str  # the organisation key in CORDIS
    role: str  # coordinator / participant / associatedPartner / thirdParty
    sme: bool
    activity: str  # PRC / HES / REC / PUB / OTH
    city: str
    country: str  # as CORDIS writes it (EL, UK, …)


@dataclass(frozen=True)
class Cordis:
    projects: dict[str, Project]
    participations: tuple[Participation, ...]


def data_dirs() -> list[Path]:
    given = os.environ.get(ENV_VAR)
    return [Path(p) for p in given.split(os.pathsep) if p] if given else list(DEFAULT_DIRS)


def _csv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10**8)  # objectives are long single fields
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="|"))


def _xlsx(path: Path, keep: set[str]) -> list[tuple]:
    import openpyxl  # noqa: PLC0415 - only the benchmark reads these workbooks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Workbook contains no default style": harmless
        book = openpyxl.load_workbook(path, read_only=True)
        rows = [r for r in book.active.iter_rows(values_only=True, min_row=2) if str(r[0]) in keep]
        book.close()
    return rows


def load(directories: list[Path] | None = None) -> Cordis:
    """Every project and participation of the given folders (default: both shared subsets), merged."""
    parts = [load_one(d) for d in (directories or data_dirs())]
    projects = {pid: p for part in parts for pid, p in part.projects.items()}
    if len(projects) != sum(len(part.projects) for part in parts):
        raise SystemExit("the CORDIS folders share project ids; give each project once")
    participations = tuple(
        sorted((x for part in parts for x in part.participations), key=lambda x: (x.project, x.name))
    )
    return Cordis(dict(sorted(projects.items())), participations)


def load_one(directory: Path) -> Cordis:
    if not (directory / "projects.csv").exists():
        raise SystemExit(f"CORDIS data not found in {directory}; set {ENV_VAR} to the cordis-horizon-europe folder")
    raw_projects = {r["id"].strip(): r for r in _csv(directory / "projects.csv")}
    ids = set(raw_projects)
    labels: dict[str, set[str]] = defaultdict(set)
    for pid, _code, _path, title, *_ in _xlsx(directory / "euroSciVoc.xlsx", ids):
        if title:
            labels[str(pid)].add(str(title).strip())
    topic_titles = {
        (str(pid), str(code)): str(title or "") for pid, code, title in _xlsx(directory / "topics.xlsx", ids)
    }
    projects = {}
    for pid in sorted(ids):
        r = raw_projects[pid]
        topic = r["topics"].strip()
        projects[pid] = Project(
            pid,
            r["acronym"].strip(),
            " ".join(r["title"].split()),
            " ".join(r["objective"].split()),
            r["startDate"].strip(),
            topic,
            topic_titles.get((pid, topic), ""),
            tuple(sorted(labels[pid])),
        )
    return Cordis(projects, _participations(_csv(directory / "orgs.csv"), ids))


def _participations(rows: list[dict[str, str]], ids: set[str]) -> tuple[Participation, ...]:
    # An organisation listed twice in one project (e.g. as participant and associated partner)
    # is one member; the stronger role wins so a coordinator is never lost.
    rank = {"coordinator": 0, "participant": 1, "associatedPartner": 2, "thirdParty": 3}
    best: dict[tuple[str, str], Participation] = {}
    for r in rows:
        pid, name = r["projectID"].strip(), " ".join(r["name"].split())
        if pid not in ids or not name:
            continue
        p = Participation(
            pid,
            name,
            r["role"].strip(),
            r["SME"].strip() == "True",
            r["activityType"].strip(),
            " ".join(r["city"].split()),
            r["country"].strip().upper(),
        )
        old = best.get((pid, name))
        if old is None or rank.get(p.role, 9) < rank.get(old.role, 9):
            best[(pid, name)] = p
    return tuple(best[k] for k in sorted(best))
