"""Who may see which planning areas, decided in one function.

Today only the ministry's admin token reaches the planning routes, and it sees every area.
An organisation (a Jugendamt) will see the municipalities it serves: the sign-in hooks in by
returning `organisation_principal(org.name, org.ags, ministry=…)` from the routes' principal
dependency; `allowed_areas` and `check_area` need no change.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from hub.core.errors import AccessDenied
from hub.core.settings import Settings
from hub.planning.areas import Area


class AllAreas(Enum):
    """The answer for the ministry: no restriction."""

    ALL = "all"


ALL = AllAreas.ALL


@dataclass(frozen=True)
class Principal:
    """Whoever asks: the ministry (admin token) or an organisation with the AGS it serves."""

    kind: Literal["admin", "organisation"]
    name: str
    ags: frozenset[str] = frozenset()


ADMIN = Principal("admin", "Ministerium")


def organisation_principal(name: str, ags: Iterable[str], *, ministry: bool) -> Principal:
    """The principal of a signed-in organisation: the ministry sees all, a Jugendamt its AGS."""
    if ministry:
        return Principal("admin", name)
    return Principal("organisation", name, frozenset(ags))


def principal_from_token(settings: Settings, authorization: str | None) -> Principal | None:
    """The principal an `Authorization: Bearer …` header names: the admin token is the
    ministry; anything else is nobody (organisation sign-in will add its principals here)."""
    given = (authorization or "").removeprefix("Bearer ").strip()
    expected = settings.admin_token.get_secret_value()
    if given and hmac.compare_digest(given.encode(), expected.encode()):
        return ADMIN
    return None


def allowed_areas(principal: Principal) -> frozenset[str] | AllAreas:
    """The municipalities (AGS) `principal` may see planning figures of, or `ALL`."""
    if principal.kind == "admin":
        return ALL
    return frozenset(principal.ags)


def check_area(principal: Principal, area: Area) -> None:
    """Refuse (403) an area with any municipality outside what `principal` may see."""
    allowed = allowed_areas(principal)
    if isinstance(allowed, AllAreas):
        return
    outside = [ags for ags in area.members if ags not in allowed]
    if outside:
        raise AccessDenied(
            f"{principal.name} may not see planning area {area.code}",
            message_de=f"Das Gebiet „{area.label}“ gehört nicht zu den Gemeinden Ihrer "
            "Organisation. Sie sehen nur die Planungsdaten Ihrer eigenen Gemeinden.",
        )
