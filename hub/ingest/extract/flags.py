"""Registration and the modes an offer is held in (online, by phone, in person).

Both are read sentence by sentence with weighted cues rather than first match: a page that
says "ohne Anmeldung" in its summary and "Terminvereinbarung unter Tel. …" in a footer is an
open offer, because an explicit "ohne Anmeldung" outweighs an appointment line. Cues match
the folded text (lower case, umlauts as ae/oe/ue), and tolerate the usual typos
("Anmeldng", "anmelung").
"""

from __future__ import annotations

import re

from hub.core.vocab import fold
from hub.ingest.extract.facts import Modes
from hub.ingest.extract.page import Page

_REG = r"(?:vor)?anmel\w*"  # "anmeldung", "anmeldng", "anmelung", "voranmeldung"
# Weighted cues, strongest first; an explicit statement counts 3, a booking line 1 or 2.
# An explicit "no" also silences any "yes" cue of its own sentence ("Eine Anmeldung unter …
# ist nicht nötig").
_EXPLICIT_NO = re.compile(
    rf"\bohne (vorherige |vorige )?{_REG}"
    rf"|\bkeine? (vorherige )?{_REG} (ist |sind |wird )?(noetig|notwendig|erforderlich)"
    rf"|\b{_REG} (\w+ ){{0,4}}(ist |sind |wird )?nicht (vorher )?(noetig|notwendig|erforderlich)"
    r"|\banmeldefrei\b|\bohne (vorherige )?terminvereinbarung\b"
)
_NOT_REQUIRED: tuple[tuple[re.Pattern[str], int], ...] = (
    (_EXPLICIT_NO, 3),
    (re.compile(r"\beinfach (vorbei|vorbeikommen|vorbeischauen|dazukommen|kommen)\b"), 2),
    (re.compile(r"\b(kommen|schauen) sie (doch )?(gern |gerne )?einfach (vorbei|dazu)\b"), 2),
    (re.compile(r"\bohne termin\b|\bjederzeit (willkommen|dazukommen)\b"), 2),
    (re.compile(r"\boffene[rns]? (treff|treffpunkt|sprechstunde|angebot|cafe)\b"), 1),
    # The service comes to every family unasked: "Alle Familien erhalten ein Terminangebot",
    # "Sie werden angeschrieben"; nobody has to register for it.
    (
        re.compile(
            r"\b(erhalten|erhaelt|bekommen|bekommt) (\w+ ){0,6}(automatisch|terminangebot|"
            r"einladung|willkommensschreiben)\w*"
            r"|\bwerden (\w+ ){0,3}(automatisch )?(angeschrieben|eingeladen)\b"
        ),
        2,
    ),
)
_REQUIRED: tuple[tuple[re.Pattern[str], int], ...] = (
    (
        re.compile(
            rf"\b{_REG} (ist |wird )?(unbedingt |dringend )?(erforderlich|notwendig|noetig|"
            r"erbeten|gewuenscht|verpflichtend|vorausgesetzt)"
        ),
        3,
    ),
    (re.compile(rf"\bum (vorherige |rechtzeitige )?{_REG} wird gebeten"), 3),
    (re.compile(r"\bmelden sie sich (bitte )?(\w+ ){0,8}an\b"), 3),
    (re.compile(rf"\b{_REG} (bitte )?(unter|bei|bis|per|ueber|an|telefonisch|online)\b"), 3),
    (re.compile(r"\b(anmeldeschluss|anmeldefrist|anmeldeformular|verbindliche anmeldung)\b"), 3),
    (re.compile(r"\bbegrenzte teilnehmer(zahl|innenzahl)\b|\bplaetze sind begrenzt\b"), 1),
    # An instruction to book, with its channel, is a registration: "Terminvereinbarung unter
    # Tel. …", "vereinbaren Sie einen Termin". Office hours that merely add "Termine nach
    # Vereinbarung" describe the service, not this offer's entry, and count nothing.
    (
        re.compile(
            r"\btermin(vereinbarung|absprache|buchung)? (bitte )?"
            r"(unter|bei|per|ueber|telefonisch|online)\b"
        ),
        2,
    ),
    (re.compile(r"\bvereinbaren sie (bitte )?(\w+ ){0,3}termin\b"), 2),
    # "nur nach (vorheriger) Terminvereinbarung": a booking the page insists on. Office hours
    # "Termine nach (telefonischer) Vereinbarung" describe the service and still count nothing.
    (
        re.compile(
            r"\bnur (nach|mit) (vorheriger |telefonischer |persoenlicher )?"
            r"(anmeldung|terminvereinbarung|vereinbarung|termin|absprache)\b"
        ),
        3,
    ),
    (re.compile(r"\bnach vorheriger (anmeldung|terminvereinbarung|absprache)\b"), 2),
    (re.compile(r"\btermine? (\w+ ){0,2}(telefonisch |online )?vereinbart werden\b"), 1),
)
_LABELS = ("anmeldung", "anmeldungen", "voranmeldung")
_NOT_A_REGISTRATION = re.compile(r"^(keine|nicht|entfaellt|ohne|nein)\b")

_ONLINE = re.compile(
    r"\b(per|via|ueber) (zoom|teams|microsoft teams|jitsi|webex|skype|bigbluebutton|"
    r"videokonferenz|videochat|video|videotelefonie)\b"
    r"|\bonline ?(kurs|seminar|beratung|sprechstunde|treff|gruppe|vortrag|veranstaltung|angebot|"
    r"elternabend|infoabend|workshop|format|meeting|sitzung|training|elternkurs)\w*"
    r"|\bonlinekurs\w*|\bwebinar\w*|\blive ?stream\w*|\bvideo ?(beratung|sprechstunde|konferenz|"
    r"chat|termin|gespraech)\w*|\bchat ?beratung\b|\bper chat\b"
    r"|\b(findet|finden) (\w+ ){0,3}(online|digital|virtuell) statt\b"
    r"|\b(rein |ausschliesslich |nur )?(online|digital|virtuell) (statt|stattfinden|teilnehmen|"
    r"durchgefuehrt)\b"
    r"|\bdigitale[rsn]? (kurs|treff|angebot|elternabend|veranstaltung|sprechstunde|beratung|"
    r"infoabend|format)\b"
)
# The offer meets in person and online is one more way in ("Gespräche sind auch per Video
# möglich"): that is not an online offer.
_ALTERNATIVE = re.compile(r"\b(auch|alternativ|wahlweise|oder vor ort|ebenfalls|bei bedarf)\b")
# Online paperwork is no online offer ("Der Antrag geht auch über das Online-Portal").
_ONLINE_IS_OTHER = re.compile(r"\b\w*(antrag|portal|buchung|formular|bestellung)\b")
_PHONE = re.compile(
    r"\btelefonische (beratung|sprechstunde|unterstuetzung|begleitung)\b"
    r"|\b(beratung|sprechstunde|gespraeche?) (\w+ ){0,2}(per|am|ueber das) telefon\b"
    # A named line is this offer's unless the page refers to another ("Hilfe beim Elterntelefon").
    r"|(?<!beim )(?<!zum )(?<!vom )\b(hotline|(beratungs|sorgen|eltern|notruf|krisen)telefon)\b"
    r"|\btelefonisch beraten\b"
)
# "Rufen Sie an" offers a talk by phone, unless the call is to book or to register.
_CALL_US = re.compile(r"\brufen sie (uns )?(einfach |gern |gerne |jederzeit )?an\b")
_CALL_TO_BOOK = re.compile(r"\b(termin\w*|anmeld\w*|vereinbar\w*)\b")
_IN_PERSON = re.compile(
    r"\bvor ort\b|\bpersoenlich\w*|\bin praesenz\b|\bpraesenz\w*|\bbei ihnen zu ?hause\b"
    r"|\bbesucht sie\b|\bhausbesuch\w*"
)
_PLACE_LABELS = ("ort", "wo", "treffpunkt", "adresse", "veranstaltungsort", "wann und wo")


def extract_registration(page: Page) -> bool | None:
    """True/False where the page says whether one must register; None when unsaid."""
    score = _label_vote(page) - _weight(_NOT_REQUIRED, fold(page.title))
    # A title names a topic ("Kita-Anmeldung über das Portal"), so only the body can require.
    body = Page(summary=page.summary, lines=page.lines)
    for sentence in body.sentences():
        folded = fold(sentence)
        score -= _weight(_NOT_REQUIRED, folded)
        if not _EXPLICIT_NO.search(folded):
            score += _weight(_REQUIRED, folded)
    if score == 0:
        return None
    return score > 0


def _label_vote(page: Page) -> int:
    """An "Anmeldung:" line says yes unless its value says no ("Anmeldung: nicht nötig")."""
    score = 0
    for value in page.labelled(*_LABELS):
        folded = fold(value)
        if any(p.search(folded) for p, _ in _NOT_REQUIRED) or _NOT_A_REGISTRATION.match(folded):
            score -= 3
        elif folded:
            score += 3
    return score


def _weight(cues: tuple[tuple[re.Pattern[str], int], ...], folded: str) -> int:
    """The strongest cue in one sentence (a sentence is one statement, counted once)."""
    return max((w for pattern, w in cues if pattern.search(folded)), default=0)


def extract_modes(page: Page) -> Modes | None:
    """Online / phone / in person, only as far as the page says so; None when unsaid."""
    online = optional = phone = False
    for sentence in page.sentences():
        folded = fold(sentence)
        if _ONLINE.search(folded) and not _ONLINE_IS_OTHER.search(folded):
            if _ALTERNATIVE.search(folded):
                optional = True
            else:
                online = True
        if _PHONE.search(folded) or (_CALL_US.search(folded) and not _CALL_TO_BOOK.search(folded)):
            phone = True
    in_person = _meets_in_person(page)
    if not (online or optional or phone or in_person):
        return None
    return Modes(online=online, phone=phone, in_person=in_person, online_optional=optional)


def _meets_in_person(page: Page) -> bool:
    """A place to go to (an address block, an "Ort:" line) or words for meeting in person."""
    places = [fold(v) for v in page.labelled(*_PLACE_LABELS)]
    if page.addresses or any(v and not _ONLINE.search(v) and "online" not in v for v in places):
        return True
    return any(_IN_PERSON.search(fold(s)) for s in page.sentences())
