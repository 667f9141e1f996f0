"""Helpers for workspace tests: a real `partnermatch serve` on a free port, what a page may not contain, and the
pieces of the browser journeys (Debian's Chromium driven by Playwright; their fixtures are in
integration/conftest.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx
import pytest
from apikit import PASSWORD, seed
from sqlmodel import select

from profiles.db import make_engine, session_scope
from profiles.tables import FirmRow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")


def require_chromium() -> None:
    """Skip the calling test module when Debian's chromium is missing; on CI its absence is an error.

    Call it at module level, before importing Playwright."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("no /usr/bin/chromium on this machine", allow_module_level=True)


def artefacts() -> Path:
    """Where browser tests leave screenshots and downloads for people to look at."""
    root = Path(
        os.environ.get("PARTNERMATCH_ARTIFACTS", Path(__file__).resolve().parent.parent / "out" / "test-artifacts")
    )
    (root / "screenshots").mkdir(parents=True, exist_ok=True)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(database_url: str, output_dir: Path, today: str) -> Iterator[str]:
    """The real command, as an operator starts it; yields the base URL once /health answers."""
    port = free_port()
    log = open(output_dir / "serve.log", "w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "partnermatch"),
            "--database-url",
            database_url,
            "--output-dir",
            str(output_dir),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PARTNERMATCH_TODAY": today},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + (output_dir / "serve.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def sign_in_form(client, username: str, password: str, next_path: str = "/"):
    """Sign in through the form as a browser does: fetch it (login token and cookie), then post it."""
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, form.text
    return client.post(
        "/login", data={"username": username, "password": password, "next": next_path, "csrf": token.group(1)}
    )


def hidden_identities(database_url: str, visible_keys: set[str]) -> dict[str, list[str]]:
    """Names and contact details of every firm except the visible ones: none may appear on the page."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine, readonly=True) as session:
            rows = session.exec(select(FirmRow)).all()
            return {
                r.key: [
                    v
                    for v in (
                        r.name,
                        r.contact_email,
                        r.contact_phone,
                        r.website,
                        r.contact_name,
                        r.vat_number,
                        r.registry_number,
                    )
                    if v
                ]
                for r in rows
                if r.key not in visible_keys
            }
    finally:
        engine.dispose()


def leaks(text: str, hidden: dict[str, list[str]]) -> list[str]:
    return sorted(f"{key}: {value}" for key, values in hidden.items() for value in values if value in text)


class Served(NamedTuple):
    """The demo exchange behind a running server: its base URL, database URL and API key per account."""

    base: str
    url: str
    keys: dict[str, str]


@contextmanager
def serve_demo(
    root: Path, today: date, *, match: bool = True, before_serving: Callable[[str], None] | None = None
) -> Iterator[Served]:
    """The demo exchange seeded into a SQLite file under root (scored unless match is false), then served;
    before_serving gets the database URL in between."""
    url = f"sqlite:///{root}/exchange.db"
    _, keys = seed(url, root, today, match=match)
    if before_serving is not None:
        before_serving(url)
    with running_server(url, root, today.isoformat()) as base:
        yield Served(base, url, keys)


def new_page(
    browser: Browser,
    base: str,
    width: int = 1366,
    height: int = 900,
    *,
    timeout: int = 30_000,
    accept_downloads: bool = False,
    accept_dialogs: bool = False,
) -> Page:
    """A tab in a context of its own; whoever opens it closes its context."""
    options: dict[str, Any] = {"accept_downloads": True} if accept_downloads else {}
    context = browser.new_context(base_url=base, viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(timeout)
    tab = context.new_page()
    if accept_dialogs:
        tab.on("dialog", lambda dialog: dialog.accept())
    return tab


@contextmanager
def open_page(browser: Browser, base: str, *, csp_check: bool = True, **options: Any) -> Iterator[Page]:
    """new_page, closed afterwards; with csp_check, the pages' Content-Security-Policy must never have had to
    block anything the workspace itself wrote."""
    tab = new_page(browser, base, **options)
    blocked: list[str] = []
    if csp_check:
        tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    tab.context.close()
    assert blocked == [], blocked


def sign_in(page: Page, who: str, password: str = PASSWORD, *, confirm: bool = False) -> None:
    """Sign in through the login form; with confirm, wait until the header names who signed in."""
    page.goto("/login")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if confirm:
        from playwright.sync_api import expect

        expect(page.locator("header .who")).to_contain_text(who)


def nordalu_interested_in_vejle(served: Any) -> None:
    """Nordalu (a firm user) expresses interest in a published Vejle profile, through the API of `served`."""
    api = httpx.Client(base_url=served.base + "/api/v1", timeout=30)
    wanted = api.get(
        "/profiles",
        params={"firm": "dk-vejle-praecision", "status": "published"},
        headers={"X-API-Key": served.keys["dac-advisor"]},
    ).json()["items"][0]["reference"]
    sent = api.post(
        "/interests",
        json={"profile": wanted, "message": "We extrude the profiles you machine."},
        headers={"X-API-Key": served.keys["nordalu"]},
    )
    assert sent.status_code == 201, sent.text
