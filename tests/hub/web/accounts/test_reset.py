"""Password reset by e-mail through a real SMTP server on 127.0.0.1 (aiosmtpd): the same answer
for known and unknown addresses, a mail only to the known one, a single-use link."""

from __future__ import annotations

import re

from hub.accounts.reset import ANSWER_DE
from hub.search.engine import SearchEngine
from tests.hub.web.accounts.conftest import Inbox
from tests.support.accounts import Clients, csrf_of, make_person
from tests.support.stack import wait_for


def ask_reset(clients: Clients, email: str) -> tuple[int, str]:
    client = clients()
    token = csrf_of(client.get("/passwort-vergessen").text)
    answer = client.post("/passwort-vergessen", data={"csrf_token": token, "email": email})
    main = answer.text.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]
    return answer.status_code, re.sub(r'name="csrf_token" value="[^"]+"', "", main)


def test_reset_answers_alike_and_mails_only_a_known_address(
    mail_clients: Clients, engine: SearchEngine, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    person = make_person(engine)
    known = ask_reset(mail_clients, person.user.email)
    unknown = ask_reset(mail_clients, "gibt-es-nicht@amt.example")

    assert known == unknown
    assert known[0] == 200 and ANSWER_DE in known[1]
    wait_for(lambda: box.mails, timeout=10, what="the reset mail")
    assert [to for to, _ in box.mails] == [[person.user.email]]


def test_the_reset_link_sets_a_password_once_and_ends_old_sessions(
    mail_clients: Clients, engine: SearchEngine, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    person = make_person(engine)
    old_session = mail_clients.signed_in(person)
    ask_reset(mail_clients, person.user.email)
    _, body = wait_for(lambda: box.mails and box.mails[-1], timeout=10, what="the reset mail")
    link = re.search(r"http://\S+/passwort-neu\?token=(\S+)", body)
    assert link, body
    client = mail_clients()
    form = client.get(f"/passwort-neu?token={link.group(1)}")
    assert 'name="password_repeat"' in form.text
    new = "ein-ganz-neues-passwort"
    data = {"token": link.group(1), "password": new, "password_repeat": new}

    done = client.post("/passwort-neu", data={**data, "csrf_token": csrf_of(form.text)})
    again = client.post("/passwort-neu", data={**data, "csrf_token": csrf_of(form.text)})

    assert done.status_code == 200 and "Ihr Passwort ist geändert" in done.text
    assert (
        again.status_code == 400 and "ungültig, abgelaufen oder wurde schon benutzt" in again.text
    )
    assert old_session.get("/kommune").status_code == 303  # signed out everywhere
    fresh = mail_clients()
    token = csrf_of(fresh.get("/anmelden").text)
    signed = fresh.post(
        "/anmelden", data={"csrf_token": token, "email": person.user.email, "password": new}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/kommune"
