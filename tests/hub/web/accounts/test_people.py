"""An admin invites a colleague by e-mail; the colleague sets her password and sees the
organisation's sources; an editor may not invite."""

from __future__ import annotations

import re

from hub.accounts.users import Role, UserStore
from hub.search.engine import SearchEngine
from tests.hub.web.accounts.conftest import Inbox
from tests.support.accounts import PASSWORD, Clients, Person, csrf_of, form_token, make_person
from tests.support.stack import wait_for


def test_an_invited_colleague_sets_her_password_and_signs_in(
    mail_clients: Clients, engine: SearchEngine, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    admin = make_person(engine)
    client = mail_clients.signed_in(admin)
    email = f"kollege-{admin.org.id[-8:]}@amt.example"
    invited = client.post(
        "/kommune/personen",
        data={"csrf_token": form_token(client, "/kommune"), "email": email, "role": "editor"},
    )
    again = client.post(
        "/kommune/personen",
        data={"csrf_token": form_token(client, "/kommune"), "email": email, "role": "editor"},
    )

    assert invited.status_code == 200 and f"{email} ist eingeladen" in invited.text
    assert "bereits ein Konto" in again.text
    to, body = wait_for(lambda: box.mails and box.mails[-1], timeout=10, what="the invitation")
    assert to == [email] and admin.org.name in body
    token = re.search(r"/passwort-neu\?token=(\S+)", body)
    assert token
    colleague = mail_clients()
    form = colleague.get(f"/passwort-neu?token={token.group(1)}")
    done = colleague.post(
        "/passwort-neu",
        data={
            "csrf_token": csrf_of(form.text),
            "token": token.group(1),
            "password": PASSWORD,
            "password_repeat": PASSWORD,
        },
    )
    assert done.status_code == 200
    user = UserStore(engine).by_email(email)
    assert user is not None and user.roles == [Role.EDITOR]
    signed = mail_clients.signed_in(Person(admin.org, user))
    assert admin.org.name in signed.get("/kommune").text


def test_an_editor_may_not_invite(browser: Clients, engine: SearchEngine) -> None:
    admin = make_person(engine)
    editor = UserStore(engine).create(
        f"redaktion-{admin.org.id[-8:]}@amt.example", PASSWORD, admin.org.id, [Role.EDITOR]
    )
    client = browser.signed_in(Person(admin.org, editor))
    page = client.get("/kommune").text
    assert 'action="/kommune/personen"' not in page
    answer = client.post(
        "/kommune/personen",
        data={"csrf_token": csrf_of(page), "email": "x@amt.example", "role": "admin"},
    )
    assert answer.status_code == 403
