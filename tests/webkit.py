"""Helpers for workspace tests: a real `partnermatch serve` on a free port, and what a page may not contain."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlmodel import select

from profiles.db import make_engine, session_scope
from profiles.tables import FirmRow

CHROMIUM = Path("/usr/bin/chromium")


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
                r.key: [v for v in (r.name, r.contact_email, r.contact_phone, r.website, r.contact_name) if v]
                for r in rows
                if r.key not in visible_keys
            }
    finally:
        engine.dispose()


def leaks(text: str, hidden: dict[str, list[str]]) -> list[str]:
    return sorted(f"{key}: {value}" for key, values in hidden.items() for value in values if value in text)
