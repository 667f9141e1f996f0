"""Property-based fuzzing of the HTTP API against its own OpenAPI document (schemathesis 4).

Every operation of `/api/v1/openapi.json` is called with generated requests (the schema's examples,
coverage cases and Hypothesis fuzzing; valid and invalid data) as a firm user, an advisor and an admin,
each on its own copy of the seeded exchange. All of schemathesis' checks must pass: no 5xx; status codes,
content types, headers and bodies as documented; invalid input rejected; valid input not rejected.

Half of the generated path parameters are identifiers that exist (firms, profiles, bids, proposals, jobs,
interests, accounts, API keys), so the fuzzer also reaches the code behind the 404s; deletions draw only
from a few disposable records, so the rest of the run keeps its data.
Cases per role and operation, statuses and failing calls are written to
`<pytest basetemp>/api-fuzz-summary.json` and printed at the end of the session.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from apikit import API, exchange
from conftest import TODAY
from hypothesis import HealthCheck, settings

from api.actions import security
from api.actions.imports import demo_files
from api.http.app import create_app
from profiles.db import make_engine, session_scope
from profiles.repository import accounts as account_store
from profiles.settings import Settings

# The roles the fuzzer signs in as, by account name in apikit.ACCOUNTS.
ROLES = {"firm": "nordalu", "advisor": "dac-advisor", "admin": "admin"}
MAX_EXAMPLES = 10  # Hypothesis examples per operation and role (examples and coverage cases come on top)
TIME_LIMIT = 2  # seconds a proposal solve may take
SEED = 20261121

LOGOUT = "POST /api/v1/auth/logout"
SOLVES = {"POST /api/v1/bids/{key}/proposals", "POST /api/v1/proposals/{proposal_id}/edit"}
# Operations after which the role's own API key may no longer work (it is minted again if so).
CREDENTIAL_OPERATIONS = {"DELETE /api/v1/me/api-keys/{key_id}", "PATCH /api/v1/users/{account_id}"}


# identifiers that exist in the seeded exchange -------------------------------------------
def _demo_keys(name: str) -> list[str]:
    path = next(p for p in demo_files() if p.name == f"{name}.json")
    return [record["key"] for record in json.loads(path.read_text())[name]]


OWN_FIRMS = ["dk-nordalu", "no-valdres-dorfabrikk", "dk-vejle-praecision"]
# EEN references the demo profiles of those firms get on import (checked by the `template` fixture).
REFERENCES = [
    "BODK20260203001",
    "BRDK20260312001",
    "TODK20260520001",
    "BONO20260115001",
    "BRNO20260818001",
    "BODK20260224001",
]
KNOWN = {
    "firms": OWN_FIRMS + _demo_keys("firms")[1::8],
    "profiles": [k for k in _demo_keys("profiles") if k.startswith(tuple(OWN_FIRMS))]
    + _demo_keys("profiles")[::9]
    + ["dk-skjern-kabelsaet-bo-1", "dk-silkeborg-maskin-br-2"]
    + REFERENCES,  # a draft, a withdrawn one
    "bids": _demo_keys("bids"),
    "ids": list(range(1, 9)),
    # deletable without starving the rest of the run
    "spare-firms": ["dk-dilt", "se-tunabygdens-stal", "no-romsdal-tekstil"],
    "spare-bids": ["bid-subframe-pilot", "bid-seat-structures"],
}


def _config() -> schemathesis.Config:
    def pick(dictionary: str) -> dict[str, Any]:
        return {"dictionary": dictionary, "probability": 0.5}

    reading = ["GET", "PUT", "POST", "PATCH"]
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # Request models carry the shape of the data; the deeper rules (NACE codes, ISO countries, the
            # capability vocabulary, required names, EEN limits, a current `If-Match`) are checked by the same
            # validation as the command line and answered with the documented 400, 412 or 422. So a schema-valid
            # request may get those too; `request_validation_accepts_valid_data` keeps the strict part of the check.
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "422", "429"]
                }
            },
            "dictionaries": {name: {"values": values} for name, values in KNOWN.items()},
            "operations": [
                {
                    "include-path-regex": "^/api/v1/firms/",
                    "include-method": reading,
                    "parameters": {"path.ref": pick("firms")},
                },
                {
                    "include-path-regex": "^/api/v1/firms/",
                    "include-method": "DELETE",
                    "parameters": {"path.ref": pick("spare-firms")},
                },
                {"include-path-regex": "^/api/v1/profiles/", "parameters": {"path.ref": pick("profiles")}},
                {
                    "include-path-regex": "^/api/v1/bids/",
                    "include-method": reading,
                    "parameters": {"path.key": pick("bids")},
                },
                {
                    "include-path-regex": "^/api/v1/bids/",
                    "include-method": "DELETE",
                    "parameters": {"path.key": pick("spare-bids")},
                },
                {
                    "include-path-regex": "^/api/v1/(me|users|jobs|proposals|interests)/",
                    "parameters": {
                        f"path.{name}": pick("ids")
                        for name in ("key_id", "account_id", "job_id", "proposal_id", "interest_id")
                    },
                },
            ],
        }
    )


def _load_schema():
    """The OpenAPI document as the app serves it. The app behind it has an empty in-memory database and
    is only asked for the document; every role's calls go to its own app (see `target`)."""
    app = create_app(Settings(DATABASE_URL="sqlite://", today=TODAY))
    return schemathesis.openapi.from_asgi(f"{API}/openapi.json", app, config=_config())


# `schemathesis.pytest.from_fixture` would load the schema lazily, but its node-id handling does not
# work with pytest 9.2 (`Function._nodeid` is gone), so the schema is loaded when the module is collected.
schema = _load_schema()


# the seeded exchange, one copy per role ---------------------------------------------------
@dataclass
class Tally:
    cases: Counter = field(default_factory=Counter)  # operation -> calls
    statuses: Counter = field(default_factory=Counter)  # status code -> calls
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


TALLY: dict[str, Tally] = defaultdict(Tally)


@dataclass
class Target:
    role: str
    who: str
    settings: Settings
    app: Any
    key: str

    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}

    def mint_key(self, label: str) -> str:
        """A new API key of the role's account, written straight to the database."""
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine) as session:
                account = account_store.account_by_username(session, self.who)
                assert account is not None and account.id is not None
                return security.create_api_key(session, account.id, label, self.settings.now()).secret
        finally:
            engine.dispose()

    def key_works(self) -> bool:
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine, readonly=True) as session:
                security.viewer_for_secret(session, self.key, self.settings.now())
            return True
        except security.BadCredentials:
            return False
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Demo data, matches, one account per role, two batches of proposals (a job each) and two
    expressions of interest, seeded once. Returns the database file and the API keys."""
    base = tmp_path_factory.mktemp("fuzz-template")
    db = base / "pm.db"
    ex = exchange(f"sqlite:///{db}", base / "out", TODAY)
    solve = {"wait": True, "time_limit": TIME_LIMIT, "alternatives": 2}
    for who, bid in (("dac-advisor", "bid-battery-tray"), ("nmcn-advisor", "bid-interior-module")):
        assert ex.post(who, f"/bids/{bid}/proposals", json=solve).status_code == 200
    references = {p["reference"] for p in ex.get("admin", "/profiles", params={"per_page": 200}).json()["items"]}
    assert set(REFERENCES) <= references, "the demo data changed: update REFERENCES"
    assert ex.post("valdres", "/interests", json={"profile": "BODK20260203001", "message": "hej"}).status_code == 201
    assert ex.post("nordalu", "/interests", json={"profile": "BRNO20260818001"}).status_code == 201
    ex.client.close()
    return db, dict(ex.keys)


@pytest.fixture(scope="module", params=list(ROLES))
def target(request, template, tmp_path_factory):
    role = request.param
    db, keys = template
    base = tmp_path_factory.mktemp(f"fuzz-{role}")
    copy = base / "pm.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as dest:
        source.backup(dest)
    settings_ = Settings(DATABASE_URL=f"sqlite:///{copy}", output_dir=base / "out", today=TODAY)
    app = create_app(settings_)
    started = time.perf_counter()
    yield Target(role, ROLES[role], settings_, app, keys[ROLES[role]])
    TALLY[role].seconds = time.perf_counter() - started
    if app.state.jobs is not None:  # set when the first call started the app; drop its queued solves
        app.state.jobs.shutdown(wait=False)
    _write_summary(tmp_path_factory.getbasetemp() / SUMMARY)


# the fuzz run ----------------------------------------------------------------------------
REQUEST_INVALID = re.compile(r"^\d+ invalid field\(s\)")  # the message of `errors._request_invalid`


def request_validation_accepts_valid_data(ctx, response, case) -> None:
    """A request the OpenAPI document calls valid passes FastAPI's request validation, which is what the
    document is generated from: its 422 may only come from the deeper rules.

    Not for form bodies (sign-in): form encoding cannot carry the document's types, so validity does not
    survive it (`null` is sent as the string "null", and FastAPI reads an empty field as a missing one)."""
    meta = case.meta
    if (
        meta is None
        or not meta.generation.mode.is_positive
        or response.status_code != 422
        or (case.media_type or "").startswith("application/x-www-form-urlencoded")
    ):
        return
    message = response.json()["error"]["message"]
    assert not REQUEST_INVALID.match(message), f"schema-valid request failed request validation: {response.text}"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_api_fuzz(case, target: Target) -> None:
    label = case.operation.label  # also for the calls with a method the operation lacks (405 expected)
    tally = TALLY[target.role]
    tally.cases[label] += 1
    headers = target.headers()
    if label == LOGOUT:
        # Logging out revokes the credential of the call: spend a throwaway key, not the role's own.
        headers = {"X-API-Key": target.mint_key("fuzz logout")}
    if label in SOLVES and isinstance(case.body, dict):
        limit = case.body.get("time_limit")
        if isinstance(limit, int) and not isinstance(limit, bool) and TIME_LIMIT < limit <= 3600:
            case.body["time_limit"] = TIME_LIMIT  # still valid; keeps a real solve short
    try:
        response = case.call_and_validate(
            headers=headers, app=target.app, additional_checks=[request_validation_accepts_valid_data]
        )
        tally.statuses[response.status_code] += 1
    except Exception as exc:
        tally.failures.append({"operation": label, "error": str(exc)[:3000]})
        raise
    finally:
        if label in CREDENTIAL_OPERATIONS and not target.key_works():
            target.key = target.mint_key("fuzz")


# the figures -----------------------------------------------------------------------------
SUMMARY = "api-fuzz-summary.json"


def _summary() -> dict[str, Any]:
    return {
        role: {
            "cases": sum(t.cases.values()),
            "operations": len(t.cases),
            "failing_calls": len(t.failures),
            "seconds": round(t.seconds, 1),
            "statuses": dict(sorted(t.statuses.items())),
            "per_operation": dict(sorted(t.cases.items())),
            "failures": t.failures,
        }
        for role, t in TALLY.items()
    }


def _write_summary(path) -> None:
    path.write_text(json.dumps(_summary(), indent=2, default=str))


class _SummaryLines:
    """Prints the figures after the test session (a test module cannot implement pytest hooks itself)."""

    def __init__(self, path) -> None:
        self.path = path

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not TALLY:
            return
        terminalreporter.section("API fuzz run", sep="-")
        for role, s in _summary().items():
            terminalreporter.write_line(
                f"{role}: {s['cases']} cases over {s['operations']} operations, "
                f"{s['failing_calls']} failing, {s['seconds']}s; statuses {s['statuses']}"
            )
        terminalreporter.write_line(f"details: {self.path}")


@pytest.fixture(scope="module", autouse=True)
def _summary_lines(request, tmp_path_factory) -> None:
    plugin = _SummaryLines(tmp_path_factory.getbasetemp() / SUMMARY)
    if not request.config.pluginmanager.has_plugin("api-fuzz-summary"):
        request.config.pluginmanager.register(plugin, "api-fuzz-summary")
