"""deploy/production/systemd/install.sh in a scratch root: units, user, folders and the settings
file land where systemd looks for them, a second run keeps the operator's settings, and the
installed units pass `systemd-analyze verify` (and a parse of their own)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.commands import hub_command_exists
from tests.support.paths import ROOT

INSTALL = ROOT / "deploy" / "production" / "systemd" / "install.sh"
UNITS = ("familienhub-api", "familienhub-worker", "familienhub-events", "familienhub-beat")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    done = subprocess.run(
        ["sh", str(INSTALL), "--root", str(root), "--app-dir", str(ROOT)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root


def unit(scratch: Path, name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)  # Environment= may repeat
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(scratch / "etc" / "systemd" / "system" / f"{name}.service", encoding="utf-8")
    return parser


def test_files_land_where_systemd_reads_them(scratch: Path) -> None:
    for name in UNITS:
        assert (scratch / "etc" / "systemd" / "system" / f"{name}.service").is_file()
    assert (scratch / "usr" / "lib" / "sysusers.d" / "familienhub.conf").is_file()
    assert (scratch / "usr" / "lib" / "tmpfiles.d" / "familienhub.conf").is_file()
    env = scratch / "etc" / "familienhub" / "familienhub.env"
    assert env.stat().st_mode & 0o777 == 0o640
    assert "HUB_ENVIRONMENT=production" in env.read_text()


@pytest.mark.skipif(not shutil.which("systemd-sysusers"), reason="no systemd-sysusers here")
def test_the_user_and_folders_are_created_in_the_root(scratch: Path) -> None:
    passwd = (scratch / "etc" / "passwd").read_text()
    assert any(line.startswith("familienhub:") for line in passwd.splitlines())
    assert (scratch / "var" / "lib" / "familienhub").is_dir()
    assert (scratch / "run" / "familienhub-metrics").is_dir()


def test_a_second_run_keeps_the_operators_settings(scratch: Path) -> None:
    env = scratch / "etc" / "familienhub" / "familienhub.env"
    env.write_text("HUB_ADMIN_TOKEN=operators-own\n")
    again = ["sh", str(INSTALL), "--root", str(scratch), "--app-dir", str(ROOT)]
    subprocess.run(again, check=True, capture_output=True, timeout=60)
    assert env.read_text() == "HUB_ADMIN_TOKEN=operators-own\n"


def test_units_run_existing_hub_commands_with_shared_metrics(scratch: Path) -> None:
    for name in UNITS:
        parsed = unit(scratch, name)
        assert {"Unit", "Service", "Install"} <= set(parsed.sections())
        service = parsed["Service"]
        argv = service["ExecStart"].split()
        assert argv[0] == f"{ROOT}/.venv/bin/hub"
        assert hub_command_exists(["hub", *argv[1:]]), argv
        assert service["User"] == "familienhub"
        assert "/run/familienhub-metrics" in service["ReadWritePaths"].split()
        assert parsed["Install"]["WantedBy"] == "multi-user.target"
    text = (scratch / "etc" / "systemd" / "system" / "familienhub-worker.service").read_text()
    assert "Environment=PROMETHEUS_MULTIPROC_DIR=/run/familienhub-metrics" in text.splitlines()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_units_pass_systemd_analyze_verify(scratch: Path) -> None:
    folder = scratch / "etc" / "systemd" / "system"
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(folder / f"{name}.service") for name in UNITS)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # verify exits 0 on unknown keys and bad values too; it reports them on stderr
    assert done.returncode == 0 and done.stderr.strip() == "" and done.stdout.strip() == ""
