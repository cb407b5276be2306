"""Areas of a report resolved from the gazetteer, and the comparison groups."""

from __future__ import annotations

import pytest

from hub.core.errors import UnknownPlace
from hub.planning.areas import municipality_type, resolve_area, size_class


def test_a_district_key_brings_its_member_municipalities() -> None:
    area = resolve_area("05962")  # Märkischer Kreis
    assert area.kind == "district" and len(area.members) == 15
    assert all(ags.startswith("05962") for ags in area.members)


def test_a_district_name_and_the_state_resolve() -> None:
    assert resolve_area("Märkischer Kreis").code == "05962"
    state = resolve_area("nrw")
    assert state.kind == "state" and len(state.members) == 396


def test_a_list_of_codes_is_a_youth_office_area() -> None:
    area = resolve_area("05962024, 05962004")
    assert area.kind == "office" and area.members == ("05962004", "05962024")


@pytest.mark.parametrize("text", ["05999999", "0511", "Atlantis", "05113000,12345678", ""])
def test_unknown_areas_say_so_in_german(text: str) -> None:
    with pytest.raises(UnknownPlace) as caught:
        resolve_area(text)
    assert "Gemeindeschlüssel" in caught.value.message_de


def test_types_come_from_the_gazetteer() -> None:
    assert municipality_type("05113000") == "kreisfreie Stadt"  # Essen
    assert municipality_type("05962024") == "Stadt"  # Iserlohn
    assert municipality_type("05999000") == "kreisfreie Stadt"  # unknown: by AGS structure
    assert (size_class(9_999), size_class(10_000), size_class(500_000)) == (
        "unter 10.000",
        "10.000–20.000",
        "100.000 und mehr",
    )
