"""`hub planning report|snapshot|demand` as a planner or operator runs them (child processes)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hub.core.settings import Settings
from hub.dev.processes import settings_env
from tests.hub.planning.support import offer
from tests.support.own_index import own_index

HUB = str(Path(sys.executable).parent / "hub")


@pytest.fixture(scope="module")
def own(services: None, settings: Settings) -> Iterator[Settings]:
    midwife = offer(
        "hebamme-altena",
        topics=["hebammen"],
        age_min_months=0,
        age_max_months=12,
        locations=[{"ags": "05962004", "lat": 51.2987, "lon": 7.6736}],
    )
    with own_index(settings, "pcli", [midwife]) as found:
        yield found


def run_hub(own: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = settings_env(own, COLUMNS="200")
    return subprocess.run([HUB, *args], env=env, capture_output=True, text=True, timeout=120)


def test_report_prints_the_matrix_and_writes_the_workbook(own: Settings, tmp_path: Path) -> None:
    target = tmp_path / "mk.xlsx"
    done = run_hub(own, "planning", "report", "05962", "--xlsx", str(target))
    assert done.returncode == 0, done.stderr
    assert (
        "Märkischer Kreis (05962), 410.222 Einwohner, 10 km" in done.stdout
        and "Gemeindemittelpunkte" in done.stdout
    )
    gaps = [line for line in done.stdout.splitlines() if line.startswith("Lücke: ")]
    # the largest town first; the midwife offer 8.6 km from its centre reaches it
    assert gaps and all(g.startswith("Lücke: Iserlohn (92.174 Einw.)") for g in gaps)
    assert not any("Hebammen, Baby" in g for g in gaps)
    assert load_workbook(target).sheetnames[0] == "Matrix"


def test_unknown_area_is_a_german_message_not_a_traceback(own: Settings) -> None:
    done = run_hub(own, "planning", "report", "Atlantis")
    assert done.returncode == 1
    assert "kein bekannter Gemeindeschlüssel" in done.stderr and "Traceback" not in done.stderr


def test_snapshot_is_written_once_a_month(own: Settings) -> None:
    first = run_hub(own, "planning", "snapshot")
    second = run_hub(own, "planning", "snapshot")
    assert first.returncode == 0 and "396 municipalities written" in first.stdout
    assert "exists already" in second.stdout


def test_demand_lists_zero_result_texts(own: Settings) -> None:
    done = run_hub(own, "planning", "demand", "--zero")
    assert done.returncode == 0, done.stderr
    assert "Suchen von" in done.stdout and "zero" in done.stdout
