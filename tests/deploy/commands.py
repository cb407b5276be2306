"""Whether a `hub …` command line of a deployment file names a real command of the CLI."""

from __future__ import annotations

from typer.testing import CliRunner

from hub.cli.main import app


def hub_command_exists(argv: list[str]) -> bool:
    """`hub <argv> --help` answers without error (an unknown command or option fails)."""
    assert argv and argv[0] == "hub", argv
    result = CliRunner().invoke(app, [*argv[1:], "--help"])
    return result.exit_code == 0 and "Usage" in result.output
