"""The ministry's first account: its organisation (admin rights) and one person in it."""

from __future__ import annotations

from hub.accounts.organisations import Organisation, OrganisationKind, OrganisationStore
from hub.accounts.passwords import password_problem
from hub.accounts.users import Role, User, UserStore
from hub.core.errors import ConfigError
from hub.search.engine import SearchEngine
from hub.search.indices import ensure_indices

MINISTRY_NAME = (
    "Ministerium für Kinder, Jugend, Familie, Gleichstellung, Flucht und Integration NRW"
)


def create_admin(engine: SearchEngine, email: str, password: str) -> tuple[Organisation, User]:
    """An admin of the ministry (its organisation created on first use)."""
    problem = password_problem(password)
    if problem:
        raise ConfigError("weak password", message_de=problem)
    ensure_indices(engine)
    orgs = OrganisationStore(engine)
    ministry = orgs.ministry() or orgs.create(MINISTRY_NAME, OrganisationKind.MINISTRY, [])
    user = UserStore(engine).create(email, password, ministry.id, [Role.ADMIN])
    return ministry, user
