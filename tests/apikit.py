"""Helpers for API tests: a seeded exchange (demo data, matches, one account per role) behind the app."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from api.actions import imports, match_runs, security
from api.actions.accounts import bootstrap_user
from api.actions.operator import operator
from api.http.app import create_app
from matching.config import MatchingConfig
from profiles.db import make_engine, session_scope, upgrade
from profiles.repository import accounts as account_store
from profiles.settings import Settings

API = "/api/v1"
PASSWORD = "correct horse battery"
DAC = "Danish Aluminium Cluster"
NMCN = "Norwegian Mass Customisation Network"
BBI = "Bergslagen Base Industry"

# name -> (role, firm key, cluster)
ACCOUNTS = {
    "admin": ("admin", None, None),
    "dac-advisor": ("advisor", None, DAC),
    "nmcn-advisor": ("advisor", None, NMCN),
    "bbi-advisor": ("advisor", None, BBI),
    "nordalu": ("firm", "dk-nordalu", None),  # Danish Aluminium Cluster
    "valdres": ("firm", "no-valdres-dorfabrikk", None),  # Norwegian Mass Customisation Network
    "vejle": ("firm", "dk-vejle-praecision", None),  # Danish Aluminium Cluster
}


@dataclass
class Exchange:
    settings: Settings
    client: TestClient
    keys: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[who]}

    def get(self, who: str, path: str, headers: dict | None = None, **kw):
        return self.client.get(API + path, headers={**self.headers(who), **(headers or {})}, **kw)

    def post(self, who: str, path: str, headers: dict | None = None, **kw):
        return self.client.post(API + path, headers={**self.headers(who), **(headers or {})}, **kw)

    def put(self, who: str, path: str, headers: dict | None = None, **kw):
        return self.client.put(API + path, headers={**self.headers(who), **(headers or {})}, **kw)

    def delete(self, who: str, path: str, headers: dict | None = None, **kw):
        return self.client.delete(API + path, headers={**self.headers(who), **(headers or {})}, **kw)


def seed(url: str, output_dir: Path, today: date, match: bool = True) -> tuple[Settings, dict[str, str]]:
    """Demo data imported (and scored), one account and API key per entry of ACCOUNTS."""
    settings = Settings(DATABASE_URL=url, output_dir=output_dir, today=today)
    engine = make_engine(url)
    upgrade(engine)
    for path in imports.demo_files():
        imports.import_path(operator(engine, settings), path)
    if match:
        match_runs.match_all(operator(engine, settings), MatchingConfig())
    keys = {}
    for name, (role, firm, cluster) in ACCOUNTS.items():
        bootstrap_user(engine, settings, name, PASSWORD, role, firm, cluster, None)
        with session_scope(engine) as session:
            account = account_store.account_by_username(session, name)
            assert account is not None and account.id is not None
            keys[name] = security.create_api_key(session, account.id, "tests", settings.now()).secret
    engine.dispose()
    return settings, keys


def exchange(url: str, output_dir: Path, today: date, match: bool = True) -> Exchange:
    settings, keys = seed(url, output_dir, today, match)
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    return Exchange(settings, client, keys)


def firm_names(settings: Settings) -> dict[str, str]:
    """key -> name of every firm, for anonymity checks."""
    from profiles import repository

    engine = make_engine(settings.database_url)
    with session_scope(engine, readonly=True) as session:
        out = {f.key: f.name for f in repository.load_firms(session)}
    engine.dispose()
    return out


def env_for(url: str, today: date) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=url, PARTNERMATCH_TODAY=today.isoformat())
