"""Partnering achievements and the outcomes report through the HTTP API, the workspace pages and the
command line: who may record, list and delete, what a firm sees of its partner, bad input stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from apikit import BBI, DAC, NMCN, PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner
from webkit import hidden_identities, leaks, sign_in_form

from api.actions.context import Context
from api.actions.outcomes import report
from profiles.db import session_scope
from profiles.settings import Settings
from profiles.tables import (
    AccountRow,
    AchievementRow,
    BidRow,
    FirmRow,
    InterestRow,
    ProfileRow,
    ProposalRow,
)
from profiles.visibility import Role, Viewer


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("achievements")
    return exchange(f"sqlite:///{tmp / 'achievements.db'}", tmp / "out", TODAY, match=False)


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    return response.json()["error"]


def _total(ex) -> int:
    return ex.get("admin", "/achievements").json()["total"]


def _alias(ex, key: str) -> str:
    return ex.get("admin", f"/firms/{key}").json()["alias"]


def _published(ex, firm: str) -> str:
    items = ex.get("admin", "/profiles", params={"firm": firm, "status": "published"}).json()["items"]
    assert items, firm
    return items[0]["reference"]


def _introduce(ex, sender: str, owner_key: str, owner_user: str, advisor: str) -> int:
    sent = ex.post(sender, "/interests", json={"profile": _published(ex, owner_key)})
    assert sent.status_code == 201, sent.text
    interest = sent.json()["id"]
    assert ex.post(advisor, f"/interests/{interest}/forward").status_code == 200
    assert ex.post(owner_user, f"/interests/{interest}/accept").status_code == 200
    return interest


# HTTP --------------------------------------------------------------------------------------
def test_an_agreement_after_an_introduction_names_the_partner_for_the_firm_without_contacts(ex):
    interest = _introduce(ex, "valdres", "dk-nordalu", "nordalu", "dac-advisor")
    created = ex.post(
        "dac-advisor",
        "/achievements",
        json={
            "firm": "dk-nordalu",
            "interest_id": interest,
            "agreement_type": "Supplier agreement",
            "signed_on": TODAY.isoformat(),
            "note": "Three-year frame agreement.",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["agreement_type"] == "supplier agreement" and body["signed_on"] == TODAY.isoformat()
    assert body["partner"]["key"] == "no-valdres-dorfabrikk" and body["recorded_by"] == "dac-advisor"
    mine = ex.get("nordalu", "/achievements").json()
    seen = next(a for a in mine["items"] if a["id"] == body["id"])
    assert seen["partner"]["name"] == "Valdres Dørfabrikk AS"  # introduced: the firm may know its partner
    payload = ex.get("nordalu", "/achievements").text
    valdres = ex.get("admin", "/firms/no-valdres-dorfabrikk").json()
    assert all(v not in payload for v in (valdres["contact_email"], valdres["contact_phone"], "contact_"))
    trail = ex.get("dac-advisor", "/audit", params={"entity": "achievement", "key": str(body["id"])}).json()
    assert [e["action"] for e in trail["items"]] == ["record"]
    # the interest's cluster (the profile owner's) counts the introduction and the agreement
    dac = ex.get("dac-advisor", "/outcomes").json()["clusters"]
    assert [c["cluster"] for c in dac] == [DAC]
    assert dac[0]["interests"]["accepted"] >= 1 and dac[0]["interests"]["conversion"] == 1.0
    assert dac[0]["achievements"]["by_type"]["supplier agreement"] >= 1


def test_a_firm_sees_an_unintroduced_partner_only_by_alias(ex):
    falu = ex.get("admin", "/firms/se-falu-robot").json()
    created = ex.post(
        "dac-advisor",
        "/achievements",
        json={
            "firm": "dk-vejle-praecision",
            "partner": falu["alias"],
            "agreement_type": "subcontracting",
            "signed_on": (TODAY - timedelta(days=3)).isoformat(),
            "note": f"Signed with {falu['name']}, contact {falu['contact_email']}.",
        },
    )
    assert created.status_code == 201, created.text
    for who in ("vejle", "dac-advisor"):
        listing = ex.get(who, "/achievements")
        item = next(a for a in listing.json()["items"] if a["id"] == created.json()["id"])
        assert item["partner"] == {
            "in_exchange": True,
            "alias": falu["alias"],
            "country": "SE",
            "size_class": falu["size_class"],
        }
        visible = {
            f["key"] for f in ex.get(who, "/firms", params={"per_page": 200}).json()["items"] if f["identity_visible"]
        }
        assert not leaks(listing.text, hidden_identities(ex.settings.database_url, visible)), who
    assert (
        next(a for a in ex.get("admin", "/achievements").json()["items"] if a["id"] == created.json()["id"])["partner"][
            "name"
        ]
        == falu["name"]
    )
    # another firm of the same cluster does not see it at all
    nordalu = ex.get("nordalu", "/achievements").json()["items"]
    assert all(a["firm"].get("key") == "dk-nordalu" for a in nordalu)


def test_bad_achievements_name_every_field_and_store_nothing(ex):
    before = _total(ex)
    r = ex.post(
        "dac-advisor",
        "/achievements",
        json={
            "firm": _alias(ex, "no-valdres-dorfabrikk"),
            "partner_name": "Outside GmbH",
            "agreement_type": "handshake",
            "signed_on": (TODAY + timedelta(days=1)).isoformat(),
        },
    )
    fields = {d["field"]: d["reason"] for d in _error(r, 422)["details"]}
    assert "unknown agreement type" in fields["agreement_type"] and "joint venture" in fields["agreement_type"]
    assert "future" in fields["signed_on"] and "not a firm of your cluster" in fields["firm"]
    base = {"agreement_type": "joint venture", "signed_on": TODAY.isoformat()}
    for body, field, reason in (
        ({"firm": "no-such-firm", "partner_name": "X"}, "firm", "no such firm"),
        ({"firm": "se-ludvika-maskin", "partner_name": "X"}, "firm", "no such firm"),  # a hidden key
        ({"firm": "dk-nordalu", "partner": "dk-nordalu"}, "partner", "another firm"),
        ({"firm": "dk-nordalu", "partner": "se-falu-robot"}, "partner", "no such firm"),  # a hidden key
        (
            {"firm": "dk-nordalu", "partner": _alias(ex, "se-falu-robot"), "partner_name": "X"},
            "partner_name",
            "not both",
        ),
        ({"firm": "dk-nordalu"}, "partner", "required"),
        ({"firm": "dk-nordalu", "interest_id": 999_999}, "interest_id", "no expression of interest"),
        ({"firm": "dk-nordalu", "partner_name": "X", "proposal_id": 999_999}, "proposal_id", "no proposal"),
    ):
        details = _error(ex.post("dac-advisor", "/achievements", json={**base, **body}), 422)["details"]
        assert any(d["field"] == field and reason in d["reason"] for d in details), (body, details)
    sent = ex.post("nordalu", "/interests", json={"profile": _published(ex, "dk-vejle-praecision")}).json()
    details = _error(
        ex.post("dac-advisor", "/achievements", json={**base, "firm": "dk-nordalu", "interest_id": sent["id"]}), 422
    )["details"]
    assert "not agreed" in details[0]["reason"]
    _error(ex.post("dac-advisor", "/achievements", json={**base, "firm": "dk-nordalu", "signed_on": "2026-13-01"}), 422)
    _error(
        ex.post("dac-advisor", "/achievements", json={**base, "firm": "dk-nordalu", "partner_name": "X", "extra": 1}),
        422,
    )
    _error(ex.post("nordalu", "/achievements", json={**base, "firm": "dk-nordalu", "partner_name": "X"}), 403)
    _error(ex.client.post("/api/v1/achievements", json={**base, "firm": "dk-nordalu", "partner_name": "X"}), 401)
    assert _total(ex) == before


def test_only_the_clusters_advisor_deletes_and_the_deletion_is_audited(ex):
    made = ex.post(
        "dac-advisor",
        "/achievements",
        json={
            "firm": "dk-nordalu",
            "partner_name": "Südwerk GmbH",
            "agreement_type": "licence",
            "signed_on": "2026-06-01",
        },
    )
    assert made.status_code == 201 and made.json()["partner"] == {"in_exchange": False, "name": "Südwerk GmbH"}
    ident = made.json()["id"]
    assert ident not in [a["id"] for a in ex.get("nmcn-advisor", "/achievements").json()["items"]]
    _error(ex.get("nmcn-advisor", "/achievements", params={"cluster": DAC}), 403)
    _error(ex.delete("nmcn-advisor", f"/achievements/{ident}"), 404)
    _error(ex.delete("nordalu", f"/achievements/{ident}"), 403)
    assert ex.delete("dac-advisor", f"/achievements/{ident}").status_code == 204
    _error(ex.delete("dac-advisor", f"/achievements/{ident}"), 404)
    actions = [
        e["action"]
        for e in ex.get("admin", "/audit", params={"entity": "achievement", "key": str(ident)}).json()["items"]
    ]
    assert actions == ["delete", "record"]


def test_outcomes_endpoint_keeps_advisors_to_their_cluster_and_checks_the_period(ex):
    _error(ex.get("dac-advisor", "/outcomes", params={"cluster": NMCN}), 403)
    _error(ex.get("nordalu", "/outcomes"), 403)
    everyone = ex.get("admin", "/outcomes").json()
    assert {c["cluster"] for c in everyone["clusters"]} == {DAC, NMCN, BBI}
    bbi = ex.get("admin", "/outcomes", params={"cluster": BBI}).json()["clusters"]
    assert bbi[0]["interests"]["expressed"] == 0 and bbi[0]["interests"]["conversion"] is None
    assert bbi[0]["proposals"]["share_accepted"] is None and bbi[0]["achievements"] == {"total": 0, "by_type": {}}
    assert _error(ex.get("admin", "/outcomes", params={"cluster": "Nowhere"}), 422)["details"][0]["field"] == "cluster"
    late = _error(ex.get("admin", "/outcomes", params={"since": "2026-11-02", "until": "2026-11-01"}), 422)
    assert late["details"][0]["field"] == "since"
    _error(ex.get("admin", "/outcomes", params={"since": "last year"}), 422)
    old = ex.get("dac-advisor", "/outcomes", params={"until": "2020-01-01"}).json()["clusters"][0]
    assert old["interests"]["expressed"] == 0 and old["achievements"]["total"] == 0


# workspace pages ---------------------------------------------------------------------------
def _browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def test_the_firm_page_records_an_agreement_keeping_input_on_errors(ex):
    advisor = _browser(ex, "dac-advisor")
    page = advisor.get("/firms/dk-herning-joining")
    assert page.status_code == 200 and 'id="achievement-form"' in page.text
    form = {
        "agreement_type": "research cooperation",
        "partner_name": "Aalborg University",
        "signed_on": (TODAY + timedelta(days=5)).isoformat(),
        "note": "EU project",
    }
    assert advisor.post("/firms/dk-herning-joining/achievements", data=form).status_code == 400  # no form token
    token = _csrf(page.text)
    bad = advisor.post("/firms/dk-herning-joining/achievements", data={**form, "csrf": token})
    assert bad.status_code == 422 and "lies in the future" in bad.text and 'value="Aalborg University"' in bad.text
    assert "Traceback" not in bad.text
    good = advisor.post(
        "/firms/dk-herning-joining/achievements", data={**form, "signed_on": TODAY.isoformat(), "csrf": token}
    )
    assert good.status_code == 303 and good.headers["location"] == "/firms/dk-herning-joining#achievements"
    shown = advisor.get("/firms/dk-herning-joining").text
    assert "research cooperation" in shown and "Aalborg University" in shown
    ident = next(
        a["id"] for a in ex.get("dac-advisor", "/achievements", params={"firm": "dk-herning-joining"}).json()["items"]
    )
    assert advisor.post(f"/achievements/{ident}/delete", data={"csrf": token}).status_code == 303
    assert "Aalborg University" not in advisor.get("/firms/dk-herning-joining").text
    # the firm's own users see the list, but no form to record or delete
    vejle = _browser(ex, "vejle").get("/firms/dk-vejle-praecision").text
    assert 'id="achievement-list"' in vejle and 'id="achievement-form"' not in vejle
    assert "/delete" not in vejle.split('id="achievement-list"')[1].split("</table>")[0]


def test_the_cluster_page_shows_outcomes_and_checks_the_period(ex):
    advisor = _browser(ex, "dac-advisor")
    page = advisor.get("/map")
    assert page.status_code == 200 and 'id="outcomes-table"' in page.text and DAC in page.text
    assert NMCN not in page.text.split('id="outcomes-table"')[1]
    bad = advisor.get("/map", params={"since": "2026-12-01", "until": "2026-11-01"})
    assert bad.status_code == 422 and "lies after until" in bad.text
    assert advisor.get("/map", params={"since": "someday"}).status_code == 422


# command line -------------------------------------------------------------------------------
def test_command_line_adds_lists_and_reports(tmp_path, monkeypatch):
    from api.actions import imports
    from api.actions.operator import open_database, operator
    from api.cli import app as cli_app
    from api.cli.app import app

    # the consoles take their width when the module is first imported, maybe by an earlier test
    monkeypatch.setattr(cli_app.console, "width", 220)
    monkeypatch.setattr(cli_app.errors, "width", 220)

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    settings = Settings(DATABASE_URL=url, output_dir=tmp_path / "out", today=TODAY)
    imports.import_path(operator(open_database(settings), settings), imports.demo_files()[0])
    runner = CliRunner()

    def said(result) -> str:
        """The output with line breaks the terminal width put in taken out."""
        return " ".join(result.stdout.split())

    def cli(*args: str):
        return runner.invoke(
            app,
            ["--database-url", url, "--output-dir", str(tmp_path / "out"), *args],
            env={"COLUMNS": "220", "PARTNERMATCH_TODAY": TODAY.isoformat()},
        )

    bad = cli(
        "achievements",
        "add",
        "dk-nordalu",
        "--type",
        "handshake",
        "--signed-on",
        "2099-01-01",
        "--partner",
        "no-such-firm",
    )
    assert bad.exit_code == 1 and "3 error(s); nothing was stored" in bad.stderr
    assert "unknown agreement type" in bad.stderr and "lies in the future" in bad.stderr
    assert "no such firm of the exchange" in bad.stderr
    added = cli(
        "achievements",
        "add",
        "dk-nordalu",
        "--type",
        "joint venture",
        "--signed-on",
        "2026-11-01",
        "--partner",
        "se-falu-robot",
        "--note",
        "battery trays",
    )
    assert added.exit_code == 0, added.stderr
    assert "Nordalu Extrusion A/S signed a joint venture with Falu Robotintegration AB" in said(added)
    listed = cli("achievements", "list", "--cluster", DAC)
    assert listed.exit_code == 0 and "joint venture" in said(listed) and "command line" in said(listed)
    shown = cli("outcomes", "--since", "2026-01-01")
    assert shown.exit_code == 0, shown.stderr
    assert "2026-01-01 to now" in said(shown) and DAC in said(shown) and "joint venture 1" in said(shown)
    one = cli("outcomes", "--cluster", NMCN)
    assert DAC not in said(one) and NMCN in said(one)
    assert cli("outcomes", "--since", "soon").exit_code == 1
    assert cli("achievements", "delete", "1").exit_code == 0
    assert "0 achievement(s)" in said(cli("achievements", "list"))


# the report's queries on both databases ------------------------------------------------------
def test_outcome_queries_read_the_period_and_clusters_alike_on_both_databases(any_engine, tmp_path):
    at = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)
    with session_scope(any_engine) as session:
        firms = [
            FirmRow(
                key=k,
                name=k.upper(),
                country="DK",
                alias=f"A{i}",
                cluster=c,
                content_hash="x",
                created_at=at,
                updated_at=at,
            )
            for i, (k, c) in enumerate((("a", "North"), ("b", "North"), ("c", "South")))
        ]
        session.add_all(firms)
        session.flush()
        account = AccountRow(username="u", password_hash="x", role="advisor", cluster="North", created_at=at)
        profile = ProfileRow(
            key="p",
            firm_id=firms[0].id,
            type="BO",
            title="t",
            summary="s",
            status="published",
            content_hash="x",
            created_at=at,
            updated_at=at,
        )
        bid = BidRow(
            key="bid",
            title="t",
            customer="c",
            customer_country="DE",
            delivery_country="DE",
            status="open",
            cluster="North",
            content_hash="x",
            created_at=at,
            updated_at=at,
        )
        session.add_all([account, profile, bid])
        session.flush()
        for sender, status, created, hours in (
            (1, "accepted", at, 6),
            (1, "declined", at, 30),
            (2, "sent", at, None),
            (2, "accepted", at - timedelta(days=30), 1),
        ):
            session.add(
                InterestRow(
                    profile_id=profile.id,
                    owner_firm_id=firms[0].id,
                    sender_firm_id=firms[sender].id,
                    status=status,
                    created_at=created,
                    created_by=account.id,
                    decided_at=created + timedelta(hours=hours) if hours else None,
                )
            )
        for status, decided in (("accepted", at), ("rejected", at), ("proposed", None)):
            session.add(
                ProposalRow(
                    bid_id=bid.id,
                    batch="b1",
                    rank=1,
                    status=status,
                    feasible=True,
                    solver="cbc",
                    solver_status="Optimal",
                    created_at=at,
                    decided_at=decided,
                )
            )
        session.add(
            AchievementRow(
                firm_id=firms[0].id,
                partner_firm_id=firms[2].id,
                agreement_type="joint venture",
                signed_on=at.date(),
                recorded_at=at,
                cluster="North",
            )
        )
    admin = Context(
        any_engine,
        Settings(DATABASE_URL="sqlite://", output_dir=tmp_path, today=TODAY),
        Viewer(account_id=None, username="t", role=Role.ADMIN),
    )
    result = report(admin, None, at.date(), at.date())
    north, south = result["clusters"]
    assert (north["cluster"], south["cluster"]) == ("North", "South")
    assert (north["interests"]["expressed"], north["interests"]["accepted"], north["interests"]["open"]) == (3, 1, 1)
    assert north["interests"]["conversion"] == 0.5 and north["interests"]["median_hours"] == 18.0
    assert north["proposals"] == {"accepted": 1, "rejected": 1, "share_accepted": 0.5}
    assert north["achievements"] == {"total": 1, "by_type": {"joint venture": 1}}
    assert south["interests"]["expressed"] == 0 and south["achievements"]["total"] == 0
    everything = report(admin, "North")["clusters"][0]
    assert everything["interests"]["expressed"] == 4
    with session_scope(any_engine, readonly=True) as session:
        assert len(session.exec(select(AchievementRow)).all()) == 1
