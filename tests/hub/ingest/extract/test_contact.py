"""Provider contact from German pages (numbers and addresses written for these tests)."""

from __future__ import annotations

import time

import pytest

from hub.ingest.extract.contact import extract_contact
from hub.ingest.extract.page import read_page


@pytest.mark.parametrize(
    "number",
    ["02352 7509-5", "(0221) 123 45 67", "+49 231 998877", "0211/445566", "+49 (0) 2151 33 44"],
)
def test_german_phone_formats_are_kept_as_written(number: str) -> None:
    contact = extract_contact(read_page("Kurs", "", f"<p>Telefon: {number}</p>"))
    assert contact is not None and contact.phone == number


def test_kontakt_line_gives_phone_and_email() -> None:
    page = read_page(
        "Babytreff", "", "<p><strong>Kontakt:</strong> 02941 3030-12, treff@fz-lippetal.de</p>"
    )
    contact = extract_contact(page)
    assert contact is not None
    assert (contact.phone, contact.email) == ("02941 3030-12", "treff@fz-lippetal.de")


def test_provider_name_from_a_traeger_label() -> None:
    page = read_page(
        "Kurs", "", "<p>Träger: Familienbildungsstätte Lindenau e.V., Tel. 05251 1234</p>"
    )
    contact = extract_contact(page)
    assert contact is not None and contact.name == "Familienbildungsstätte Lindenau e.V."


def test_contact_in_an_address_block() -> None:
    page = read_page(
        "Beratung",
        "",
        "<address>Beratungsstelle Mitte<br>Tel. 0209 5050-0<br>post@bs-mitte.de</address>",
    )
    contact = extract_contact(page)
    assert (
        contact is not None
        and contact.phone == "0209 5050-0"
        and contact.email == "post@bs-mitte.de"
    )


def test_fax_is_not_a_phone() -> None:
    contact = extract_contact(read_page("Amt", "", "<p>Fax: 02361 50-1234</p>"))
    assert contact is None or contact.phone is None


@pytest.mark.parametrize(
    "text",
    [
        "Treffpunkt: 44135 Dortmund, Kursbeginn 12.01.2027 um 10:30 Uhr.",
        "Kosten: 120 € für 10 Termine, Kurs-Nr. 4711.",
        "",
        "@@@ 0 0 0 ((( ",
    ],
)
def test_postcodes_dates_and_noise_are_not_contacts(text: str) -> None:
    assert extract_contact(read_page("Kurs", "", f"<p>{text}</p>")) is None


def test_kontakt_line_with_only_a_number_gives_no_name() -> None:
    contact = extract_contact(read_page("Kurs", "", "<p>Kontakt: 0231 778899</p>"))
    assert contact is not None and contact.name is None


def test_a_page_of_dots_is_read_in_linear_time() -> None:
    page = read_page("Kurs", "", "a." * 25_000)  # every dot could start an address
    started = time.perf_counter()
    assert extract_contact(page) is None
    assert time.perf_counter() - started < 1.0  # quadratic scanning took seconds
