"""`hub accounts`: the ministry's bootstrap account (the web pages do the rest)."""

from __future__ import annotations

import os

import typer

from hub.accounts.bootstrap import create_admin as create_admin_account
from hub.cli.common import console, engine

app = typer.Typer(help="Organisations and people who sign in.", no_args_is_help=True)
PASSWORD_ENV = "HUB_ADMIN_PASSWORD"


@app.command("create-admin")
def create_admin(email: str = typer.Argument(..., help="E-mail of the ministry's admin.")) -> None:
    """Create a ministry admin; the password comes from $HUB_ADMIN_PASSWORD or a prompt."""
    password = os.environ.get(PASSWORD_ENV) or typer.prompt(
        "Passwort", hide_input=True, confirmation_prompt=True
    )
    org, user = create_admin_account(engine(), email, password)
    console.print(f"Konto {user.email} angelegt (Organisation {org.id}).")
