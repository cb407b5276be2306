"""A Jugendamt signs up with its enrolment link: its organisation and first account at once."""

from __future__ import annotations

from dataclasses import dataclass

from hub.accounts.enrolment_links import INVALID_DE, EnrolmentLinks
from hub.accounts.organisations import Organisation, OrganisationKind, OrganisationStore
from hub.accounts.passwords import password_problem
from hub.accounts.users import Role, User, UserStore, valid_email
from hub.core.errors import ConfigError
from hub.search.engine import SearchEngine


@dataclass(frozen=True)
class SignedUp:
    organisation: Organisation
    user: User


def sign_up(engine: SearchEngine, token: str, email: str, password: str, repeated: str) -> SignedUp:
    """Check the input, claim the link (once), create the organisation and its first admin;
    `ConfigError` with a German message for anything the person can correct."""
    links, users = EnrolmentLinks(engine), UserStore(engine)
    found = links.open_link(token)
    if found is None:
        raise ConfigError("enrolment link not usable", message_de=INVALID_DE)
    if not valid_email(email):
        raise ConfigError("invalid e-mail", message_de="Die E-Mail-Adresse ist ungültig.")
    problem = password_problem(password, repeated)
    if problem:
        raise ConfigError("weak password", message_de=problem)
    if users.by_email(email) is not None:
        raise ConfigError(
            "e-mail taken", message_de="Für diese E-Mail-Adresse gibt es bereits ein Konto."
        )
    if not links.use(found, organisation_id=""):
        raise ConfigError("enrolment link raced", message_de=INVALID_DE)
    link = found.doc
    org = OrganisationStore(engine).create(
        link.organisation_name, OrganisationKind.JUGENDAMT, link.ags
    )

    def owned(doc: object) -> None:
        doc.organisation_id = org.id  # type: ignore[attr-defined]

    links.docs.update(link.id, owned)
    user = users.create(email, password, org.id, [Role.ADMIN])
    return SignedUp(org, user)
