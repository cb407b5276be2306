"""Noise detection: placeholders, legal pages, job ads, council news, closures and drafts are
rejected; real offers with footer boilerplate, closure times or "Bewerbung" in them are kept."""

from __future__ import annotations

import time

import pytest

from hub.ingest.extract.noise import noise_reason
from hub.ingest.extract.page import read_page

FOOTER = (
    "<p><small>Datenschutz | Impressum | Cookie-Einstellungen</small></p>"
    "<p>Hinweise zum Datenschutz: Ihre Anmeldedaten verarbeiten wir nach der DSGVO.</p>"
)


def reason(title: str, html: str = "", url: str | None = None, summary: str = "") -> str | None:
    return noise_reason(read_page(title, summary, html), url)


@pytest.mark.parametrize(
    ("title", "html", "url", "expected"),
    [
        (
            "Hello world!",
            "<p>Welcome to WordPress. This is your first post.</p>",
            None,
            "Platzhalter",
        ),
        (
            "Hallo Welt!",
            "<p>Willkommen bei WordPress. Dies ist dein erster Beitrag.</p>",
            None,
            "Platzhalter",
        ),
        ("Beispiel-Seite", "<p>Dies ist eine Beispielseite.</p>", None, "Platzhalter"),
        (
            "Neuigkeiten",
            "<p>Lorem ipsum dolor sit amet, consetetur sadipscing elitr.</p>",
            None,
            "Platzhalter",
        ),
        (
            "Start",
            "<p>Text folgt.</p>",
            "https://familie.example/2026/05/hallo-welt-2/",
            "Platzhalter",
        ),
        ("Impressum", "<p>Stadt Beispielhausen, Markt 1</p>", None, "Impressum"),
        (
            "Kontakt & Verantwortung",
            "<p>Angaben gemäß § 5 TMG: Stadt Beispielhausen</p>",
            None,
            "Impressum",
        ),
        ("Rechtliches", "<p>Kurzer Text.</p>", "https://familie.example/impressum/", "Impressum"),
        (
            "Datenschutzerklärung",
            "<p>Wir nehmen den Schutz Ihrer Daten ernst.</p>",
            None,
            "Datenschutz",
        ),
        ("Datenschutz", "<p>Nach Art. 13 DSGVO informieren wir Sie …</p>", None, "Datenschutz"),
        ("Cookie-Richtlinie (EU)", "<p>Diese Website verwendet Cookies.</p>", None, "Cookie"),
        ("Erklärung zur Barrierefreiheit", "<p>Die Stadt ist bemüht …</p>", None, "Datenschutz"),
        (
            "Erzieherin / Erzieher (m/w/d) für unsere Kita gesucht",
            "<p>Teilzeit.</p>",
            None,
            "Stellenanzeige",
        ),
        (
            "Stellenausschreibung Sozialarbeiter",
            "<p>Wir suchen ab sofort …</p>",
            None,
            "Stellenanzeige",
        ),
        (
            "Verstärkung gesucht",
            "<p>Wir suchen eine pädagogische Fachkraft (w/m/d). Ihre Bewerbung senden Sie bis "
            "zum 30.06. an das Personalamt.</p>",
            None,
            "Stellenanzeige",
        ),
        (
            "Neues Team",
            "<p>Die Vergütung erfolgt nach Entgeltgruppe S 8a TVöD.</p>",
            None,
            "Stellenanzeige",
        ),
        (
            "Ratssitzung am 14. März",
            "<p>Der Rat tagt öffentlich im Rathaus.</p>",
            None,
            "Ratsinformation",
        ),
        ("Jugendhilfeausschuss tagt", "<p>Beginn 17 Uhr, Ratssaal.</p>", None, "Ratsinformation"),
        (
            "Aus dem Rathaus",
            "<p>Die Tagesordnung der nächsten Sitzung des Jugendhilfeausschusses liegt aus.</p>",
            None,
            "Ratsinformation",
        ),
        ("Öffentliche Bekanntmachung", "<p>Haushaltssatzung 2027</p>", None, "Ratsinformation"),
        (
            "Familienbüro bleibt am Rosenmontag geschlossen",
            "<p>Ab Dienstag wieder da.</p>",
            None,
            "Schließung",
        ),
        ("Betriebsferien im Familienzentrum", "<p>Vom 20.07. bis 07.08.</p>", None, "Schließung"),
        ("Schließung der Stadtteilbibliothek", "<p>Wegen Umbau.</p>", None, "Schließung"),
        (
            "Hinweis",
            "<p>Wir machen Pause.</p>",
            "https://stadt.example/aktuell/kita-bleibt-geschlossen",
            "Schließung",
        ),
        ("ENTWURF: Elterncafé neu", "<p>Text kommt noch</p>", None, "Entwurf"),
        ("Test", "<p>asdf</p>", None, "Entwurf"),
        ("Kopie von Babymassage", "<p>…</p>", None, "Entwurf"),
        ("Sommerfest", "<p>Bitte noch nicht veröffentlichen, Termin offen.</p>", None, "Entwurf"),
    ],
)
def test_noise_is_rejected_with_a_german_reason(
    title: str, html: str, url: str | None, expected: str
) -> None:
    found = reason(title, html, url)
    assert found is not None and expected in found


@pytest.mark.parametrize(
    ("title", "html", "url"),
    [
        (
            "Babymassage für Eltern mit Kindern von 0 bis 12 Monaten",
            "<p><strong>Kosten:</strong> kostenlos</p><p><strong>Ort:</strong> Rathausplatz 1, "
            "51643 Gummersbach</p>" + FOOTER,
            "https://familie.example/2026/01/babymassage/",
        ),
        (
            "Ferienbetreuung während der Kita-Schließzeiten",
            "<p>In den Kita-Schließzeiten im Sommer bieten wir eine Ferienbetreuung an. "
            "Die Schließung der Kitas dauert drei Wochen.</p>",
            None,
        ),
        ("Notbetreuung bei Kita-Schließung", "<p>Für berufstätige Eltern.</p>", None),
        ("Datenschutz-Workshop für Eltern: Sicher im Netz", "<p>Ein Abend für Eltern.</p>", None),
        (
            "Medienkompetenz: Was Eltern über Cookies und Apps wissen sollten",
            "<p>Vortrag mit Diskussion.</p>",
            "https://familie.example/medienkompetenz-cookies/",
        ),
        (
            "Bewerbungstraining für Jugendliche",
            "<p>Wir üben Bewerbungen und Vorstellungsgespräche.</p>",
            None,
        ),
        ("Internationales Elterncafé", "<p>Jeden Dienstag, 15–17 Uhr.</p>", None),
        ("Hörtest für Neugeborene", "<p>Beratung durch die Hebamme.</p>", None),
        ("Geschlossene Gruppe: Trauercafé für verwaiste Eltern", "<p>Nach Vorgespräch.</p>", None),
        (
            "Krabbelgruppe im Familienzentrum",
            "<p><strong>Alter:</strong> 6 bis 18 Monate</p><p>Angaben gemäß § 5 TMG siehe "
            "Impressum. Lorem ipsum dolor kommt hier nicht vor.</p>",
            None,
        ),
        (
            "Spielenachmittag für Familien",
            "<p>Brettspiele für Groß und Klein.</p><p>Samstags im Jugendzentrum.</p>"
            "<p>Bringt gern eigene Spiele mit.</p><p>Impressum: Angaben gemäß § 5 TMG – "
            "Stadt Beispielhausen</p>",
            None,
        ),
        (
            "Kinder- und Jugendparlament",
            "<p>Jugendliche ab 12 Jahren gestalten ihre Stadt mit.</p>",
            None,
        ),
    ],
)
def test_real_offers_with_boilerplate_are_kept(title: str, html: str, url: str | None) -> None:
    assert reason(title, html, url) is None


def test_offer_labels_outweigh_noise_phrases_in_the_text() -> None:
    html = (
        "<p><strong>Anmeldung:</strong> bis 1.3.</p>"
        "<p>Erzieher (m/w/d) begleiten, Bewerbung nicht nötig.</p>"
    )
    assert reason("Waldspielgruppe", html) is None
    assert reason("Waldspielgruppe", html.replace("<strong>Anmeldung:</strong>", "")) is not None


def test_a_noise_title_needs_no_text() -> None:
    assert reason("Impressum") == "Impressum-Seite erkannt"


def test_a_huge_page_of_near_misses_is_judged_quickly() -> None:
    near_misses = "Erzieher (m/w/d) Tagesordnung Sitzung des Bei " * 5000
    started = time.perf_counter()
    assert reason("Elternabend", f"<p>{near_misses}</p>") is None
    assert time.perf_counter() - started < 2.0  # linear: a few milliseconds in practice
