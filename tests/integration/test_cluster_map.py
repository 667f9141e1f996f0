"""The cluster map end to end on SQLite and PostgreSQL: the demo's findings, relations through the API
and the pages, the report formats, the command, and what firm users may see."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from apikit import PASSWORD, exchange
from conftest import TODAY, postgres_schema
from fastapi.testclient import TestClient
from pypdf import PdfReader
from webkit import hidden_identities, leaks, sign_in_form

DAC = "Danish Aluminium Cluster"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def ex(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("map")
    if request.param == "sqlite":
        yield exchange(f"sqlite:///{tmp / 'map.db'}", tmp / "out", TODAY)
        return
    with postgres_schema() as url:
        yield exchange(url, tmp / "out", TODAY)


def pages(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def test_demo_map_shows_the_vulnerable_firm_and_the_joint_purchasing_group(ex):
    m = ex.get("dac-advisor", "/map").json()
    assert m["title"] == DAC and m["relations"] >= 30
    give = next(c for c in m["dependency"] if c["firm"] == "dk-give-montage" and c["direction"] == "customer")
    assert give["flagged"] and give["top_name"] == "Südwerk Automotive GmbH"
    assert give["top_share"] == pytest.approx(0.68) and give["hhi"] == pytest.approx(0.68**2 + 0.12**2 + 0.08**2)
    billets = next(g for g in m["joint_purchasing"] if g["basis"] == "same supplier" and "Nordic Billet" in g["what"])
    assert billets["firms"] == ["dk-aabenraa-profil", "dk-nordalu", "dk-skagerrak-strengpres"]
    assert billets["firm_equivalents"] == pytest.approx(0.55 + 0.6 + 0.45)
    sudwerk = next(s for s in m["shared"] if s["direction"] == "customer" and s["name"] == "Südwerk Automotive GmbH")
    assert len(sudwerk["firms"]) == 4
    lead = next(d for d in m["diversification"] if d["firm"] == "dk-give-montage")
    assert lead["top"] == "Südwerk Automotive GmbH" and lead["matches"]
    for key in ("rare", "bridges", "gaps", "seeds"):
        assert m[key] and all(x["text"] for x in m[key]), key


def test_relations_through_the_api_with_rights_and_validation(ex):
    r = ex.post(
        "vejle",
        "/firms/dk-vejle-praecision/relations",
        json={
            "direction": "supplier",
            "counterpart": "Nordisk Skaerevaerktoej A/S",
            "item": "cutting tools",
            "share": "25%",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["counterpart"] == "Nordisk Skæreværktøj A/S"  # the spelling already known, one counterpart
    relations = ex.get("vejle", "/firms/dk-vejle-praecision/relations").json()
    assert sum(1 for x in relations if x["counterpart"] == "Nordisk Skæreværktøj A/S") == 1
    r = ex.post(
        "vejle",
        "/firms/dk-vejle-praecision/relations",
        json={"direction": "customer", "counterpart": "Someone", "share": 2},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "share"
    r = ex.post("vejle", "/firms/dk-vejle-praecision/relations", json={"direction": "sideways", "counterpart": "X"})
    assert r.status_code == 422
    assert ex.get("vejle", "/firms/dk-nordalu/relations").status_code == 404
    assert ex.get("nmcn-advisor", "/firms/dk-vejle-praecision/relations").status_code in (403, 404)
    created = ex.post(
        "dac-advisor",
        "/firms/dk-vejle-praecision/relations",
        json={"direction": "customer", "counterpart": "Kattegat Engineering ApS", "share": 0.05},
    ).json()
    assert created["counterpart_in_exchange"] and created["counterpart_firm"] == "dk-kattegat-engineering"
    assert ex.delete("nordalu", f"/relations/{created['id']}").status_code == 404
    assert ex.delete("vejle", f"/relations/{created['id']}").status_code == 204


def test_other_clusters_and_firm_users_see_only_what_they_may(ex):
    assert ex.get("nmcn-advisor", "/map", params={"cluster": DAC}).status_code == 403
    assert ex.get("nordalu", "/map").status_code == 403
    mine = ex.get("nordalu", "/map/mine").json()
    assert mine["firm"] == "Nordalu Extrusion A/S" and mine["peers_with_relations"] >= 5
    billets = next(r for r in mine["relations"] if r["item"] == "aluminium billets")
    assert billets["others"] == 2
    hidden = hidden_identities(ex.settings.database_url, {"dk-nordalu"})
    assert leaks(str(mine), hidden) == []
    html = pages(ex, "nordalu").get("/map").text
    assert "Your suppliers and customers" in html and "Nordic Billet Supply AS" in html
    assert leaks(html, hidden) == []
    for ref in ("dk-aabenraa-profil", "dk-give-montage"):
        assert ref not in html


def test_report_formats_and_the_picture(ex):
    for fmt, start in (
        ("md", b"# Cluster map: Danish Aluminium Cluster"),
        ("html", b"<!doctype html>"),
        ("pdf", b"%PDF-"),
        ("svg", b"<svg"),
    ):
        r = ex.get("dac-advisor", "/map/report", params={"format": fmt})
        assert r.status_code == 200 and r.content.startswith(start), fmt
    pdf = ex.get("dac-advisor", "/map/report", params={"format": "pdf"}).content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Give Montage A/S" in text and "Nordic Billet Supply AS" in text and "Joint purchasing" in text
    chosen = ex.get("dac-advisor", "/map", params={"firm": ["dk-nordalu", "dk-aabenraa-profil"]}).json()
    assert [f["key"] for f in chosen["firms"]] == ["dk-nordalu", "dk-aabenraa-profil"]
    assert ex.get("dac-advisor", "/map", params={"firm": ["no-valdres-dorfabrikk"]}).status_code in (403, 404)


def test_pages_add_and_remove_a_relation_and_show_the_findings(ex):
    client = pages(ex, "dac-advisor")
    html = client.get("/firms/dk-give-montage").text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    assert "Südwerk Automotive GmbH" in html and 'id="relation-form"' in html
    r = client.post(
        "/firms/dk-give-montage/relations",
        data={"csrf": token, "direction": "customer", "counterpart": "Ringkøbing Boats", "share": "90"},
    )
    assert r.status_code == 422 and "write percentages with a % sign" in r.text and 'value="Ringkøbing Boats"' in r.text
    r = client.post(
        "/firms/dk-give-montage/relations",
        data={"csrf": token, "direction": "customer", "counterpart": "Ringkøbing Boats", "share": "5%"},
    )
    assert r.status_code == 303
    html = client.get("/firms/dk-give-montage").text
    assert "Ringkøbing Boats" in html
    found = re.findall(r'<td>customer</td><td>Ringkøbing Boats.*?action="/relations/(\d+)/delete"', html, re.S)
    assert found
    assert client.post(f"/relations/{found[0]}/delete", data={"csrf": token}).status_code == 303
    assert "Ringkøbing Boats" not in client.get("/firms/dk-give-montage").text
    m = client.get("/map").text
    assert (
        'id="relations-network"' in m
        and "<td>Give Montage A/S</td><td>customers</td><td>Südwerk Automotive GmbH</td>" in m
    )
    assert client.get("/map/report.pdf").content.startswith(b"%PDF-")


def test_map_command_writes_the_report(ex, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "partnermatch"),
            "--database-url",
            ex.settings.database_url,
            "--output-dir",
            str(out),
            "map",
            "--cluster",
            DAC,
        ],
        capture_output=True,
        text=True,
        env={"PARTNERMATCH_TODAY": TODAY.isoformat(), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    assert "Give Montage A/S" in done.stdout and "Joint purchasing" in done.stdout
    for suffix in ("md", "html", "pdf", "svg"):
        assert (out / "map" / f"danish-aluminium-cluster.{suffix}").stat().st_size > 500
    bad = subprocess.run(
        [str(Path(sys.executable).parent / "partnermatch"), "--database-url", ex.settings.database_url, "map"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--cluster" in bad.stderr
