"""Property-based fuzzing of the HTTP API against its own OpenAPI document (schemathesis 4).

Every operation of `/api/v1/openapi.json` is called with generated requests (schema examples, coverage
cases and Hypothesis fuzzing; valid and invalid data) as a firm user, an advisor and an admin, each on
its own copy of the seeded exchange. Schemathesis' checks must all pass: no 5xx, every status code,
content type, header and body as documented, invalid input rejected, valid input not rejected for its shape.

Path parameters are drawn half the time from identifiers that exist (firms, profiles, bids, proposals,
jobs, interests, accounts, API keys), so the fuzzer also reaches the code behind the 404s.
The number of cases per role and operation, the statuses and any failing calls are written to
`<pytest basetemp>/api-fuzz-summary.json` and printed at the end of the module.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api import security
from api.http.app import create_app
from apikit import API, exchange
from conftest import TODAY
from profiles.db import make_engine, session_scope
from profiles.repository import accounts as account_store
from profiles.settings import Settings

# The roles the fuzzer signs in as: account name in apikit.ACCOUNTS.
ROLES = {"firm": "nordalu", "advisor": "dac-advisor", "admin": "admin"}
MAX_EXAMPLES = 10
TIME_LIMIT = 2  # seconds a fuzzed proposal solve may take

# Operations after which the role's own API key may have been revoked (it is minted again if so).
CREDENTIAL_OPERATIONS = {"DELETE /api/v1/me/api-keys/{key_id}", "PATCH /api/v1/users/{account_id}"}
LOGOUT = "POST /api/v1/auth/logout"
SOLVES = {"POST /api/v1/bids/{key}/proposals", "POST /api/v1/proposals/{proposal_id}/edit"}


@dataclass
class Tally:
    cases: Counter = field(default_factory=Counter)        # operation -> calls
    statuses: Counter = field(default_factory=Counter)      # status code -> calls
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


TALLY: dict[str, Tally] = defaultdict(Tally)


@dataclass
class Target:
    role: str
    who: str
    settings: Settings
    key: str
    schema: Any = None

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


# the seeded exchange -------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, list]]:
    """Demo data, matches, one account per role, two batches of proposals (one job each) and two
    expressions of interest, seeded once; each role fuzzes a copy. Returns the database file, the API
    keys and the identifiers that exist, for the path parameters."""
    base = tmp_path_factory.mktemp("fuzz-template")
    db = base / "pm.db"
    ex = exchange(f"sqlite:///{db}", base / "out", TODAY)
    solve = {"wait": True, "time_limit": TIME_LIMIT, "alternatives": 2}
    for who, bid in (("dac-advisor", "bid-battery-tray"), ("nmcn-advisor", "bid-interior-module")):
        assert ex.post(who, f"/bids/{bid}/proposals", json=solve).status_code == 200
    owners = {"nordalu": "dk-nordalu", "valdres": "no-valdres-dorfabrikk"}
    refs = {who: [p["reference"] for p in ex.get(who, "/profiles", params={"firm": firm}).json()["items"]
                  if p["reference"]] for who, firm in owners.items()}
    assert ex.post("valdres", "/interests", json={"profile": refs["nordalu"][0], "message": "hello"}).status_code == 201
    assert ex.post("nordalu", "/interests", json={"profile": refs["valdres"][0]}).status_code == 201

    def listed(path: str, field_: str) -> list:
        return [item[field_] for item in ex.get("admin", path, params={"per_page": 200}).json()["items"]]

    profiles = ex.get("admin", "/profiles", params={"per_page": 200}).json()["items"]
    known = {
        "firms": listed("/firms", "key")[::4] + ["dk-nordalu", "no-valdres-dorfabrikk", "dk-vejle-praecision"],
        "profiles": [p["key"] for p in profiles][::6] + [p["reference"] for p in profiles if p["reference"]][::6]
        + refs["nordalu"],
        "bids": listed("/bids", "key"),
        "ids": list(range(1, 9)),
    }
    ex.client.close()
    return db, dict(ex.keys), known


@pytest.fixture(scope="module", params=list(ROLES))
def target(request, template, tmp_path_factory) -> Target:
    role = request.param
    db, keys, known = template
    base = tmp_path_factory.mktemp(f"fuzz-{role}")
    copy = base / "pm.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as dest:
        source.backup(dest)
    settings_ = Settings(DATABASE_URL=f"sqlite:///{copy}", output_dir=base / "out", today=TODAY)
    target_ = Target(role, ROLES[role], settings_, keys[ROLES[role]])
    app = create_app(settings_)
    target_.schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", app, config=_config(known))
    started = time.perf_counter()
    yield target_
    TALLY[role].seconds = time.perf_counter() - started
    _report(request, tmp_path_factory)


@pytest.fixture(scope="module")
def api_schema(target: Target):
    return target.schema


def _config(known: dict[str, list]) -> schemathesis.Config:
    def pick(dictionary: str) -> dict[str, Any]:
        return {"dictionary": dictionary, "probability": 0.5}

    return schemathesis.Config.from_dict({
        "seed": 20261121,
        "dictionaries": {name: {"values": values} for name, values in known.items()},
        "operations": [
            {"include-path-regex": "^/api/v1/firms/", "parameters": {"path.ref": pick("firms")}},
            {"include-path-regex": "^/api/v1/profiles/", "parameters": {"path.ref": pick("profiles")}},
            {"include-path-regex": "^/api/v1/bids/", "parameters": {"path.key": pick("bids")}},
            {"include-path-regex": "^/api/v1/(me|users|jobs|proposals|interests)/", "parameters": {
                "path.key_id": pick("ids"), "path.account_id": pick("ids"), "path.job_id": pick("ids"),
                "path.proposal_id": pick("ids"), "path.interest_id": pick("ids")}},
        ],
    })


# the fuzz run ----------------------------------------------------------------------------
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, target: Target) -> None:
    label = f"{case.method.upper()} {case.operation.path}"
    tally = TALLY[target.role]
    tally.cases[label] += 1
    headers = target.headers()
    if label == LOGOUT:
        # Logging out revokes the credential of the call: use a throwaway key, not the role's own.
        headers = {"X-API-Key": target.mint_key("fuzz logout")}
    if label in SOLVES and isinstance(case.body, dict):
        limit = case.body.get("time_limit")
        if isinstance(limit, int) and not isinstance(limit, bool) and TIME_LIMIT < limit <= 3600:
            case.body["time_limit"] = TIME_LIMIT  # still valid; keeps a real solve short
    try:
        response = case.call_and_validate(headers=headers)
        tally.statuses[response.status_code] += 1
    except Exception as exc:
        tally.failures.append({"operation": label, "error": str(exc)[:2000]})
        raise
    finally:
        if label in CREDENTIAL_OPERATIONS and not target.key_works():
            target.key = target.mint_key("fuzz")


def _report(request, tmp_path_factory) -> None:
    summary = {role: {"cases": sum(t.cases.values()), "operations": len(t.cases), "failing_calls": len(t.failures),
                      "seconds": round(t.seconds, 1), "statuses": dict(sorted(t.statuses.items())),
                      "per_operation": dict(sorted(t.cases.items())), "failures": t.failures}
               for role, t in TALLY.items()}
    path = tmp_path_factory.getbasetemp() / "api-fuzz-summary.json"
    path.write_text(json.dumps(summary, indent=2, default=str))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for role, s in summary.items():
            reporter.write_line(f"api fuzz [{role}]: {s['cases']} cases over {s['operations']} operations, "
                                f"{s['failing_calls']} failing calls, {s['seconds']}s; statuses {s['statuses']}")
        reporter.write_line(f"api fuzz summary: {path}")
