"""`hub accounts create-admin`: the ministry's first account, password from the environment."""

from __future__ import annotations

import os
import subprocess
import uuid

from hub.accounts.organisations import OrganisationStore
from hub.accounts.users import UserStore
from hub.search.engine import SearchEngine
from tests.hub.cli.test_connector import HUB


def create_admin(email: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_ADMIN_PASSWORD": password}
    return subprocess.run(
        [HUB, "accounts", "create-admin", email],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_admin_makes_a_ministry_account_that_signs_in(engine: SearchEngine) -> None:
    email = f"chefin-{uuid.uuid4().hex[:6]}@ministerium.example"
    done = create_admin(email, "ein-sicheres-passwort")
    again = create_admin(email, "ein-sicheres-passwort")

    assert done.returncode == 0, done.stderr
    users = UserStore(engine)
    user = users.authenticate(email, "ein-sicheres-passwort")
    assert user is not None
    assert OrganisationStore(engine).get(user.organisation_id).is_ministry
    assert again.returncode == 1 and "bereits ein Konto" in again.stderr
    assert "Traceback" not in again.stderr


def test_create_admin_refuses_a_short_password(engine: SearchEngine) -> None:
    done = create_admin(f"kurz-{uuid.uuid4().hex[:6]}@ministerium.example", "kurz")
    assert done.returncode == 1 and "mindestens 12 Zeichen" in done.stderr
