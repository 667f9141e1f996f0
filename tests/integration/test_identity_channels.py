"""One firm, several channels: a cluster's own firm list, then a JSON upload and a network (EEN) record with
its organisation, resolved against what is stored, on SQLite and on PostgreSQL.

(a) the same firm under another legal form with the same VAT number is linked automatically at import,
    audited as link_firms, its profile under the stored firm, and the link is undone over HTTP;
(b) a plausible firm (similar name, same city, no identifier) is queued for an advisor, who decides
    "different firms": it is never queued again;
(c) a look-alike competitor with a conflicting VAT number is a new firm, no pair;
(d) importing every file again changes nothing;
(e) a bad VAT number is refused with row, field and reason, and nothing of that file is stored.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from api.actions import imports, security
from api.actions.accounts import bootstrap_user
from api.actions.operator import operator
from api.http.app import create_app
from profiles.db import session_scope
from profiles.errors import ValidationFailed
from profiles.repository import accounts as account_store
from profiles.settings import Settings
from profiles.tables import AuditRow, DuplicatePairRow, FirmRow, ProfileRow

TODAY = date(2026, 11, 21)
CLUSTER = "Danish Plastics Cluster"
PASSWORD = "correct horse battery"
EEN_RECORDS = json.loads((Path(__file__).parents[1] / "data" / "een" / "profiles.json").read_text(encoding="utf-8"))

# The cluster's own list: three member firms.
CLUSTER_CSV = (
    "key,name,country,city,cluster,vat_number,capabilities\n"
    f"dk-moller,Møller Plast A/S,DK,Kolding,{CLUSTER},DK31234567,injection moulding\n"
    f"dk-fyns,Fyns Formstøbning ApS,DK,Odense,{CLUSTER},,rotational moulding\n"
    f"dk-nordic-polymer,Nordic Polymer Components A/S,DK,Aarhus,{CLUSTER},DK29876543,injection moulding\n"
)


def _profile(key: str, firm: str, title: str) -> dict:
    return {
        "key": key,
        "firm": firm,
        "type": "BO",
        "title": title,
        "summary": "A Danish plastics firm offers injection moulding of technical parts to automotive suppliers.",
        "status": "published",
        "published_on": "2026-10-01",
        "expires_on": "2027-10-01",
    }


# A second channel: the firms as another office uploads them, each with a profile.
UPLOAD = {
    "firms": [
        # (a) the same firm: another legal form, the VAT number written with spaces
        {
            "key": "upl-moller-plast",
            "name": "Møller Plast ApS",
            "country": "DK",
            "city": "Kolding",
            "cluster": CLUSTER,
            "vat_number": "DK 31 23 45 67",
        },
        # (b) similar name, same city, no identifier
        {"key": "upl-fyn-form", "name": "Fyn Formstøbning", "country": "DK", "city": "Odense", "cluster": CLUSTER},
        # (c) the competitor next door: nearly the same name, another VAT number
        {
            "key": "upl-nordic-polymer",
            "name": "Nordic Polymer Component ApS",
            "country": "DK",
            "city": "Aarhus",
            "cluster": CLUSTER,
            "vat_number": "DK40111222",
        },
    ],
    "profiles": [
        _profile("upl-moller-bo", "upl-moller-plast", "Danish moulder offers two-component injection moulding"),
        _profile("upl-fyn-bo", "upl-fyn-form", "Danish firm offers rotational moulding of tanks"),
        _profile("upl-nordic-bo", "upl-nordic-polymer", "Danish moulder offers insert moulding of housings"),
    ],
}


def _een_record() -> dict:
    """A network record whose organisation is Møller Plast again, as the EEN office writes it."""
    record = dict(EEN_RECORDS["items"][0])
    record["organisation"] = {"name": "Moeller Plast A/S", "city": "Kolding", "vatNumber": "DK-31234567"}
    return record


@pytest.fixture
def world(any_engine, tmp_path):
    url = any_engine.url.render_as_string(hide_password=False)
    settings = Settings(DATABASE_URL=url, output_dir=tmp_path / "out", today=TODAY)
    files = {
        "csv": tmp_path / "cluster-firms.csv",
        "json": tmp_path / "upload.json",
        "een": tmp_path / "een-profiles.json",
    }
    files["csv"].write_text(CLUSTER_CSV, encoding="utf-8")
    files["json"].write_text(json.dumps(UPLOAD, ensure_ascii=False), encoding="utf-8")
    files["een"].write_text(json.dumps([_een_record()], ensure_ascii=False), encoding="utf-8")
    return any_engine, settings, files


def _accounts(engine, settings: Settings) -> tuple[TestClient, dict[str, str]]:
    """The cluster's advisor and an administrator, with API keys, and the app (once the cluster exists)."""
    keys = {}
    for name, role, cluster in (("dpc-advisor", "advisor", CLUSTER), ("admin", "admin", None)):
        bootstrap_user(engine, settings, name, PASSWORD, role, None, cluster, None)
        with session_scope(engine) as session:
            account = account_store.account_by_username(session, name)
            assert account is not None and account.id is not None
            keys[name] = security.create_api_key(session, account.id, "tests", settings.now()).secret
    return TestClient(create_app(settings), raise_server_exceptions=False), keys


def _firms(engine) -> dict[str, FirmRow]:
    with session_scope(engine, readonly=True) as session:
        return {f.key: f for f in session.exec(select(FirmRow)).all()}


def _owner(engine, profile_key: str) -> str:
    with session_scope(engine, readonly=True) as session:
        profile = session.exec(select(ProfileRow).where(ProfileRow.key == profile_key)).one()
        return session.exec(select(FirmRow.key).where(FirmRow.id == profile.firm_id)).one()


def _pairs(engine) -> list[DuplicatePairRow]:
    with session_scope(engine, readonly=True) as session:
        return list(session.exec(select(DuplicatePairRow).order_by(DuplicatePairRow.id)).all())


def _audited(engine, action: str) -> list[AuditRow]:
    with session_scope(engine, readonly=True) as session:
        return list(session.exec(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)).all())


def _counts(engine) -> tuple[int, int, int]:
    with session_scope(engine, readonly=True) as session:
        return tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (FirmRow, ProfileRow, DuplicatePairRow)
        )


def test_one_firm_through_several_channels(world):
    engine, settings, files = world
    as_operator = operator(engine, settings)

    def api(who: str, method: str, path: str, **kw):
        return client.request(method, "/api/v1" + path, headers={"X-API-Key": keys[who]}, **kw)

    first = imports.import_path(as_operator, files["csv"])
    assert first.counts["firms"]["created"] == 3 and not first.linked and not first.duplicates
    client, keys = _accounts(engine, settings)

    # The JSON upload: (a) linked, (b) queued, (c) new.
    upload = imports.import_path(as_operator, files["json"])
    assert [(link.kept, link.merged) for link in upload.linked] == [("dk-moller", "upl-moller-plast")]
    assert "same VAT number" in upload.linked[0].explanation
    assert [(d.first, d.second) for d in upload.duplicates] == [("dk-fyns", "upl-fyn-form")]
    firms = _firms(engine)
    assert "upl-moller-plast" not in firms and firms["dk-moller"].vat_number == "DK31234567"
    assert _owner(engine, "upl-moller-bo") == "dk-moller"  # (a)'s profile is under the stored firm
    assert firms["upl-nordic-polymer"].vat_number == "DK40111222"  # (c) a firm of its own ...
    assert not any("upl-nordic-polymer" in (p.first_key, p.second_key) for p in _pairs(engine))  # ... and no pair
    linked = _audited(engine, "link_firms")
    assert len(linked) == 1 and linked[0].entity_key == "dk-moller"
    pair_id = linked[0].detail["pair"]
    assert linked[0].detail["undo"] == f"POST /api/v1/duplicates/{pair_id}/undo"
    assert linked[0].detail["other"] == "upl-moller-plast"

    # The network record's organisation is Møller Plast too: linked, its profile under the stored firm.
    een = imports.import_path(as_operator, files["een"])
    assert [link.kept for link in een.linked] == ["dk-moller"] and not een.duplicates
    assert _owner(engine, EEN_RECORDS["items"][0]["reference"].lower()) == "dk-moller"
    assert len(_audited(engine, "link_firms")) == 2

    # The advisor sees both kinds of pair, with the evidence in words.
    shown = {p["id"]: p for p in api("dpc-advisor", "GET", "/duplicates", params={"status": "all"}).json()}
    auto = shown[pair_id]
    assert auto["status"] == "same" and auto["linked_automatically"] and auto["can_undo"]
    assert "same VAT number" in auto["explanation"] and auto["kept"] == "dk-moller"
    (open_pair,) = [p for p in shown.values() if p["status"] == "open"]
    assert open_pair["explanation"] == "names 97% alike, same city" and not open_pair["linked_automatically"]
    assert 0.45 <= open_pair["score"] < 0.85

    # (b) decided "different" by the advisor.
    decided = api("dpc-advisor", "POST", f"/duplicates/{open_pair['id']}/resolve", json={"decision": "different"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "different"

    # (d) every file again: nothing changes, nothing is linked or queued again.
    before = (_counts(engine), {k: f.content_hash for k, f in _firms(engine).items()})
    for name in ("csv", "json", "een"):
        again = imports.import_path(as_operator, files[name])
        assert again.changed == 0 and not again.linked and not again.duplicates, (name, again.counts)
    assert (_counts(engine), {k: f.content_hash for k, f in _firms(engine).items()}) == before
    assert len(_audited(engine, "link_firms")) == 2
    assert [p.status for p in _pairs(engine) if p.id == open_pair["id"]] == ["different"]

    # (a) undone over HTTP: both firms are back, each with its VAT number, and the pair is open.
    undone = api("dpc-advisor", "POST", f"/duplicates/{pair_id}/undo")
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "open"
    firms = _firms(engine)
    assert firms["dk-moller"].name == "Møller Plast A/S" and firms["upl-moller-plast"].name == "Møller Plast ApS"
    assert firms["upl-moller-plast"].vat_number == firms["dk-moller"].vat_number == "DK31234567"
    assert api("dpc-advisor", "GET", "/firms/upl-moller-plast").json()["key"] == "upl-moller-plast"
    assert [a.detail["pair"] for a in _audited(engine, "undo_merge")] == [pair_id]
    # Importing the upload again does not link what the advisor unlinked.
    assert not imports.import_path(as_operator, files["json"]).linked
    assert "upl-moller-plast" in _firms(engine)

    # (e) a bad VAT number: refused with row, field and reason; nothing of the file is stored.
    bad = {
        "firms": [
            {"key": "upl-good", "name": "Kolding Værktøj ApS", "country": "DK", "city": "Kolding"},
            {"key": "upl-bad", "name": "Vejen Plast ApS", "country": "DK", "vat_number": "12345678"},
        ],
        "profiles": [_profile("upl-bad-bo", "upl-bad", "Danish firm offers blow moulding of bottles")],
    }
    path = files["json"].with_name("bad.json")
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    counts = _counts(engine)
    with pytest.raises(ValidationFailed) as refused:
        imports.import_path(as_operator, path)
    (error,) = [e for e in refused.value.errors if e.field == "vat_number"]
    assert error.field == "vat_number" and error.value == "12345678" and "not a VAT number" in error.reason
    assert error.row == "firms[1]"
    assert _counts(engine) == counts and "upl-good" not in _firms(engine)
