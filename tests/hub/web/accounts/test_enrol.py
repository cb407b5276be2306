"""The ministry's enrolment links and a Jugendamt's sign-up, through the pages."""

from __future__ import annotations

import re

from hub.accounts.organisations import OrganisationStore
from hub.search.engine import SearchEngine
from tests.support.accounts import PASSWORD, Clients, csrf_of, form_token, make_person

LINK = re.compile(r"http://\S+/registrieren/([A-Za-z0-9_-]+)")


def issue(browser: Clients, engine: SearchEngine, name: str, ags: str) -> tuple[str, str]:
    """Sign in as the ministry, issue a link; the page and the link's path."""
    ministry = browser.signed_in(make_person(engine, ministry=True))
    token = form_token(ministry, "/ministerium")
    answer = ministry.post(
        "/ministerium/einladungen", data={"csrf_token": token, "name": name, "ags": ags}
    )
    assert answer.status_code == 200, answer.text
    found = LINK.search(answer.text)
    assert found, answer.text
    return answer.text, f"/registrieren/{found.group(1)}"


def sign_up(browser: Clients, path: str, email: str) -> tuple[int, str, str]:
    client = browser()
    form = client.get(path)
    if form.status_code != 200:
        return form.status_code, form.text, ""
    data = {
        "csrf_token": csrf_of(form.text),
        "email": email,
        "password": PASSWORD,
        "password_repeat": PASSWORD,
    }
    answer = client.post(path, data=data)
    return answer.status_code, answer.text, answer.headers.get("location", "")


def test_a_jugendamt_signs_up_once_with_the_link_the_ministry_issued(
    browser: Clients, engine: SearchEngine
) -> None:
    page, path = issue(browser, engine, "Jugendamt Kreis Beispiel", "05374000, 05374004")
    assert "nur jetzt angezeigt" in page

    status, _, location = sign_up(browser, path, "leitung@kreis-beispiel.example")
    again, text, _ = sign_up(browser, path, "zweite@kreis-beispiel.example")

    assert (status, location) == (303, "/kommune/quellen/neu")
    assert again == 404 and "ungültig, abgelaufen oder wurde schon benutzt" in text
    orgs = [o for o in OrganisationStore(engine).all() if o.name == "Jugendamt Kreis Beispiel"]
    assert len(orgs) == 1 and orgs[0].ags == ["05374000", "05374004"]


def test_the_ministry_sees_the_state_of_its_links_but_never_the_token_again(
    browser: Clients, engine: SearchEngine
) -> None:
    ministry = make_person(engine, ministry=True)
    client = browser.signed_in(ministry)
    token = form_token(client, "/ministerium")
    issued = client.post(
        "/ministerium/einladungen",
        data={"csrf_token": token, "name": "Jugendamt Stadt Zustand", "ags": "05315000"},
    )
    secret = LINK.search(issued.text)
    assert secret
    later = client.get("/ministerium")
    assert "Jugendamt Stadt Zustand" in later.text and "offen" in later.text
    assert secret.group(1) not in later.text


def test_a_jugendamt_may_not_open_the_ministry_page(browser: Clients, engine: SearchEngine) -> None:
    client = browser.signed_in(make_person(engine))
    answer = client.get("/ministerium")
    assert answer.status_code == 403
    assert "dem Ministerium vorbehalten" in answer.text


def test_a_link_for_ags_outside_nrw_is_refused_with_a_german_reason(
    browser: Clients, engine: SearchEngine
) -> None:
    client = browser.signed_in(make_person(engine, ministry=True))
    token = form_token(client, "/ministerium")
    answer = client.post(
        "/ministerium/einladungen",
        data={"csrf_token": token, "name": "Jugendamt München", "ags": "09162000"},
    )
    assert answer.status_code == 422
    assert "nicht erkannt: 09162000" in answer.text
    assert not LINK.search(answer.text)


def test_an_invented_link_gets_a_german_page(browser: Clients) -> None:
    answer = browser().get("/registrieren/erfunden")
    assert answer.status_code == 404 and "Anmeldelink ist ungültig" in answer.text


def test_a_hub_error_on_a_page_is_a_german_page_not_json(
    browser: Clients, engine: SearchEngine
) -> None:
    client = browser.signed_in(make_person(engine, ministry=True))
    token = form_token(client, "/ministerium")
    answer = client.post(
        "/ministerium/einladungen/gibt-es-nicht/zurueckziehen", data={"csrf_token": token}
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Diese Adresse gibt es nicht." in answer.text
