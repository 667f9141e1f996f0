"""Privacy rules as pure functions, and the migration that gave existing firms their aliases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from api.actions.views import scrub
from profiles.db import make_engine, upgrade
from profiles.tables import FirmRow
from profiles.visibility import Role, Viewer

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _firm(**kw) -> FirmRow:
    base = {
        "id": 7,
        "key": "dk-limfjord-svejs",
        "name": "Limfjord Svejseteknik ApS",
        "country": "DK",
        "alias": "F1",
        "cluster": "Danish Aluminium Cluster",
        "content_hash": "x",
        "created_at": NOW,
        "updated_at": NOW,
        "website": "https://limfjord.example",
        "contact_email": "post@limfjord.example",
    }
    return FirmRow(**(base | kw))


ids = st.integers(1, 20)
clusters = st.sampled_from(["A", "B", None])


@given(
    role=st.sampled_from(list(Role)),
    own_firm=ids,
    own_cluster=clusters,
    firm=ids,
    firm_cluster=clusters,
    introduced=st.frozensets(ids, max_size=3),
)
def test_identity_follows_management_or_introduction(role, own_firm, own_cluster, firm, firm_cluster, introduced):
    viewer = Viewer(
        1,
        "u",
        role,
        firm_id=own_firm if role == Role.FIRM else None,
        cluster=own_cluster if role == Role.ADVISOR else None,
        introduced=introduced,
    )
    sees = viewer.sees_identity(firm, firm_cluster)
    if role == Role.ADMIN:
        assert sees
    elif role == Role.FIRM:
        assert sees == (firm == own_firm or firm in introduced)
    else:
        assert sees == ((own_cluster is not None and firm_cluster == own_cluster) or firm in introduced)
    # an introduction opens the identity, never the right to change: the same viewer without it manages the same
    without = Viewer(1, "u", role, firm_id=viewer.firm_id, cluster=viewer.cluster)
    assert viewer.manages(firm, firm_cluster) == without.manages(firm, firm_cluster)


def test_firm_users_never_manage_bids_and_advisors_only_their_own():
    assert not Viewer(1, "f", Role.FIRM, firm_id=3).owns_bid("A")
    assert Viewer(2, "a", Role.ADVISOR, cluster="A").owns_bid("A")
    assert not Viewer(2, "a", Role.ADVISOR, cluster="A").owns_bid("B")
    assert not Viewer(2, "a", Role.ADVISOR, cluster=None).owns_bid(None)


def test_scrub_takes_name_with_and_without_legal_form_and_contacts_out():
    firm = _firm()
    text_in = (
        "Limfjord Svejseteknik ApS has 35 employees. LIMFJORD SVEJSETEKNIK welds frames; "
        "see limfjord.example or write to post@limfjord.example."
    )
    out = scrub(text_in, firm)
    assert "limfjord" not in out.lower() and out.count("the company") == 4


def test_migration_gives_existing_firms_aliases_and_concepts(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        for key, phrase in (("a", "anodizing"), ("b", "CNC milling")):
            conn.execute(
                text(
                    "INSERT INTO firm (key, name, country, kind, nace, capabilities, certifications, languages, "
                    "export_countries, max_concurrent_bids, excluded_partners, content_hash, created_at, updated_at) "
                    "VALUES (:k, :k, 'DK', 'company', '[]', :caps, '[]', '[]', '[]', 1, '[]', 'h', :now, :now)"
                ),
                {"k": key, "caps": f'[{{"phrase": "{phrase}", "capacity_per_year": null}}]', "now": NOW},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, alias, former_alias, concepts FROM firm ORDER BY key")).all()
    assert len({r.alias for r in rows}) == 2 and all(
        re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+ \d\d", r.alias) for r in rows
    )
    assert all(r.former_alias.startswith("F") for r in rows)  # the random alias of migration 0002, kept
    assert "anodising" in rows[0].concepts and "milling" in rows[1].concepts
