"""Registration and modes read from German wording (phrases written for these tests)."""

from __future__ import annotations

import pytest

from hub.ingest.extract.flags import extract_modes, extract_registration
from hub.ingest.extract.page import read_page


@pytest.mark.parametrize(
    "description",
    [
        "<p>Die Plätze sind knapp, daher ist eine Anmeldung erforderlich.</p>",
        "<p>Um Anmeldung wird gebeten.</p>",
        "<p>Bitte melden Sie sich bis zum 3. März im Sekretariat an.</p>",
        "<p>Anmeldung unter 02933 4411-0 bei Frau Berger.</p>",
        "<p><strong>Anmeldung:</strong> im Büro des Familienzentrums</p>",
        "<p>Anmeldeschluss ist eine Woche vor Beginn.</p>",
    ],
)
def test_registration_required_phrases_say_true(description: str) -> None:
    assert extract_registration(read_page("Elternabend", "", description)) is True


@pytest.mark.parametrize(
    "description",
    [
        "<p>Der Spieltreff läuft ohne Anmeldung.</p>",
        "<p>Ein offener Treff: einfach vorbeikommen.</p>",
        "<p>Keine Anmeldung nötig, bringen Sie nur gute Laune mit.</p>",
        "<p><strong>Anmeldung:</strong> nicht erforderlich</p>",
        "<p>Sie können ohne Anmeldng dazukommen.</p>",  # typo as editors write it
    ],
)
def test_open_offer_phrases_say_false(description: str) -> None:
    assert extract_registration(read_page("Spielenachmittag", "", description)) is False


def test_explicit_no_registration_outweighs_an_appointment_line() -> None:
    page = read_page(
        "Familiencafé",
        "Kommen Sie einfach vorbei, eine Anmeldung ist nicht nötig.",
        "<p>Für Einzelgespräche: Terminvereinbarung unter Tel. 0211 8899-1.</p>",
    )
    assert extract_registration(page) is False


def test_an_instruction_to_book_means_registration() -> None:
    page = read_page("Schuldnerberatung", "", "<p>Terminvereinbarung bitte unter 02331 207-0.</p>")
    assert extract_registration(page) is True


def test_office_hours_by_arrangement_alone_say_nothing() -> None:
    page = read_page("Servicebüro", "", "<p>Sprechzeiten: Termine nach Vereinbarung.</p>")
    assert extract_registration(page) is None


def test_a_service_that_comes_unasked_needs_no_registration() -> None:
    page = read_page(
        "Begrüßung", "", "<p>Jede Familie bekommt nach der Geburt automatisch einen Brief.</p>"
    )
    assert extract_registration(page) is False


def test_registration_in_the_title_is_a_topic_not_a_requirement() -> None:
    page = read_page("Schulanmeldung über das Portal", "So melden Kinder an.", "")
    assert extract_registration(page) is None


@pytest.mark.parametrize("description", ["", "<p>Wir freuen uns auf Sie.</p>", "<<<>>>", "\x00"])
def test_unsaid_or_bad_input_is_none(description: str) -> None:
    assert extract_registration(read_page("Angebot", "", description)) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Der Abend findet per Zoom statt.",
        "Unser Online-Kurs startet im Mai.",
        "Die Veranstaltung findet rein digital statt.",
        "Videoberatung dienstags von 9 bis 12 Uhr.",
        "Der Vortrag wird im Livestream übertragen.",
        "Unser Online-Kurs per Zoom; Anmeldung unter kurs@fbs-beispiel.de",
    ],
)
def test_online_only_where_the_text_says_so(sentence: str) -> None:
    modes = extract_modes(read_page("Elternabend", "", f"<p>{sentence}</p>"))
    assert modes is not None and modes.online


def test_video_as_one_more_way_is_not_an_online_offer() -> None:
    modes = extract_modes(
        read_page(
            "Beratung", "", "<p>Ort: Markt 2, Hagen. Gespräche sind auch per Video möglich.</p>"
        )
    )
    assert modes is not None
    assert (modes.online, modes.online_optional, modes.in_person) == (False, True, True)


@pytest.mark.parametrize(
    "sentence",
    [
        "Fragen gern an info@familie-beispiel.de.",
        "Anmeldung online über das Kita-Portal.",
        "Der Antrag kann auch online gestellt werden.",
        "Wir sprechen über digitale Medien im Kinderzimmer.",
        "Online-Terminbuchung rund um die Uhr.",
        "Vortrag mit Video und Fragerunde im Rathaus.",
    ],
)
def test_email_portal_or_media_topic_is_not_online(sentence: str) -> None:
    modes = extract_modes(read_page("Infoabend", "", f"<p>{sentence}</p>"))
    assert modes is None or not modes.online


def test_a_referral_to_another_helpline_is_no_phone_offer() -> None:
    page = read_page("Schreibabys", "", "<p>Hilfe finden Sie auch beim Elterntelefon.</p>")
    modes = extract_modes(page)
    assert modes is None or not modes.phone
    own = extract_modes(read_page("Das Elterntelefon", "Anonym und kostenlos.", ""))
    assert own is not None and own.phone


def test_call_us_is_a_phone_offer_unless_it_is_to_book() -> None:
    talk = extract_modes(read_page("Elterntelefon", "", "<p>Rufen Sie uns einfach an.</p>"))
    book = extract_modes(
        read_page("Kurs", "", "<p>Rufen Sie an, um einen Termin zu vereinbaren.</p>")
    )
    assert talk is not None and talk.phone
    assert book is None or not book.phone


def test_phone_offer_but_not_a_phone_number_to_register() -> None:
    hotline = extract_modes(
        read_page("Elternberatung", "", "<p>Telefonische Beratung montags.</p>")
    )
    booking = extract_modes(read_page("Kurs", "", "<p>Anmeldung unter Tel. 0231 5566-7.</p>"))
    assert hotline is not None and hotline.phone
    assert booking is None or not booking.phone


def test_place_line_means_in_person() -> None:
    modes = extract_modes(
        read_page("Treff", "", "<p><strong>Ort:</strong> Gemeindehaus, Kirchweg 3</p>")
    )
    assert modes is not None and modes.in_person and not modes.online


def test_nothing_said_gives_none() -> None:
    assert extract_modes(read_page("Angebot", "", "<p>Schön, dass Sie da sind.</p>")) is None
