"""The operator: who the command line and other server-side tools act as."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from api.actions.context import Context
from profiles.db import make_engine, upgrade
from profiles.settings import Settings
from profiles.visibility import Role, Viewer

OPERATOR = "command line"


def open_database(settings: Settings) -> Engine:
    """Engine for the configured database, with the schema migrated to the newest revision."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def operator(engine: Engine, settings: Settings) -> Context:
    """The operator sees every firm and may do everything; their changes are audited as 'command line'."""
    return Context(engine, settings, Viewer(account_id=None, username=OPERATOR, role=Role.ADMIN))
