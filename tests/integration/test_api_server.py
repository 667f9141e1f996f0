"""The real server: `partnermatch serve` in a subprocess, over loopback TCP, on SQLite and PostgreSQL;
concurrent writers on PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from apikit import API, PASSWORD, seed
from conftest import TODAY

BIN = Path(sys.executable).parent / "partnermatch"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(request, tmp_path):
    """Seeded database behind `partnermatch serve` (2 workers on PostgreSQL); yields (base URL, API keys)."""
    backend = getattr(request, "param", "sqlite")
    url = f"sqlite:///{tmp_path / 'srv.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    _, keys = seed(url, tmp_path / "out", TODAY, match=False)
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, PARTNERMATCH_TODAY=TODAY.isoformat())
    workers = "1" if backend == "sqlite" else "2"
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port), "--workers", workers, "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"server did not start:\n{proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.2)
    yield base, keys
    proc.terminate()
    proc.wait(timeout=15)


def test_serve_answers_over_loopback_with_password_sign_in(server):
    base, _ = server
    with httpx.Client(base_url=base + API, timeout=10) as client:
        token = client.post("/auth/token", data={"username": "nordalu", "password": PASSWORD}).json()["access_token"]
        me = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["firm"] == "dk-nordalu"
        bad = client.post(
            "/profiles",
            content=b'{"title": ',
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


@pytest.mark.postgres
@pytest.mark.parametrize("server", ["postgres"], indirect=True)
def test_concurrent_writers_on_postgres(server):
    base, keys = server
    dac = {"X-API-Key": keys["dac-advisor"]}
    admin = {"X-API-Key": keys["admin"]}
    with httpx.Client(base_url=base + API, timeout=30) as client:
        # two advisors (same cluster) edit the same bid from the same version: one wins, one is told
        bid = client.get("/bids/bid-battery-tray", headers=dac).json()
        body = {
            k: bid[k]
            for k in (
                "title",
                "customer",
                "customer_country",
                "delivery_country",
                "description",
                "volume_per_year",
                "min_size",
                "max_size",
                "min_countries",
                "requirements",
            )
        }
        body["requirements"] = [{k: v for k, v in r.items() if v is not None} for r in body["requirements"]]
        second = client.post(
            "/users",
            headers=admin,
            json={
                "username": "dac-advisor-2",
                "password": PASSWORD,
                "role": "advisor",
                "cluster": "Danish Aluminium Cluster",
            },
        )
        assert second.status_code == 201, second.text
        token2 = client.post("/auth/token", data={"username": "dac-advisor-2", "password": PASSWORD}).json()
        editors = [dac, {"Authorization": f"Bearer {token2['access_token']}"}]
        results: list[int] = []
        barrier = threading.Barrier(2)

        def edit(headers, size):
            barrier.wait()
            r = httpx.put(
                f"{base}{API}/bids/bid-battery-tray",
                headers={**headers, "If-Match": bid["version"]},
                json=dict(body, max_size=size),
                timeout=30,
            )
            results.append(r.status_code)

        threads = [threading.Thread(target=edit, args=(h, s)) for h, s in zip(editors, (3, 4), strict=False)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(results) == [200, 412]
        after = client.get("/bids/bid-battery-tray", headers=dac).json()
        assert after["max_size"] in (3, 4) and after["version"] != bid["version"]
        trail = client.get("/audit", headers=dac, params={"entity": "bid", "key": "bid-battery-tray"}).json()
        assert [e["action"] for e in trail["items"]].count("update") == 1

        # many profiles published at once still get distinct EEN references
        nordalu = {"X-API-Key": keys["nordalu"]}
        keys_ = [f"dk-nordalu-race-{i}" for i in range(8)]
        for k in keys_:
            assert (
                client.post(
                    "/profiles",
                    headers=nordalu,
                    json={"key": k, "type": "BO", "title": f"Offer {k}", "summary": "Anodising capacity"},
                ).status_code
                == 201
            )
        refs: list[str] = []

        def publish(k):
            r = httpx.post(f"{base}{API}/profiles/{k}/publish", headers=nordalu, timeout=30)
            assert r.status_code == 200, r.text
            refs.append(r.json()["reference"])

        threads = [threading.Thread(target=publish, args=(k,)) for k in keys_]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert len(refs) == 8 and len(set(refs)) == 8

        # a bulk upload while another client reads: readers see the old or the new set, never half
        before = client.get("/profiles", headers=admin, params={"per_page": 1}).json()["total"]
        rows = [
            {
                "key": f"dk-nordalu-bulk-{i}",
                "firm": "dk-nordalu",
                "type": "BO",
                "status": "published",
                "title": f"Bulk offer {i}",
                "summary": "Anodising and bending of profiles",
            }
            for i in range(400)
        ]
        upload = json.dumps({"profiles": rows}).encode()
        seen: set[int] = set()
        done = threading.Event()

        def read():
            with httpx.Client(base_url=base + API, timeout=30) as reader:
                while not done.is_set():
                    seen.add(reader.get("/profiles", headers=admin, params={"per_page": 1}).json()["total"])

        reader_thread = threading.Thread(target=read)
        reader_thread.start()
        r = client.post("/uploads", headers=nordalu, files={"file": ("bulk.json", upload, "application/json")})
        time.sleep(0.3)
        done.set()
        reader_thread.join()
        assert r.status_code == 200, r.text
        assert seen <= {before, before + 400} and before + 400 in seen
