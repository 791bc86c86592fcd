"""`ember templates`: the follow-up templates and their wording."""

from __future__ import annotations

from pathlib import Path

import typer

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, library_reader, print_json, transaction
from ember.compose import service as compose_service
from ember.compose.rules import TEMPLATE_NAMES
from ember.errors import InvalidInput, Problem

templates_app = typer.Typer(help="Follow-up templates: list, show and edit their wording.", no_args_is_help=True)


@templates_app.command("list")
def list_templates(as_json: bool = JSON_OPTION, as_user: str | None = AS_OPTION) -> None:
    """Every template, and whose wording applies: your team's copy, the shared wording or the shipped one."""
    with transaction() as session:
        rows = compose_service.list_templates(session, library_reader(session, as_user))
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"{row['name']:<20} {row['wording']}", highlight=False)


@templates_app.command("show")
def show(name: str = typer.Argument(..., help=f"One of: {', '.join(TEMPLATE_NAMES)}."),
         default: bool = typer.Option(False, "--default", help="Show what resetting goes back to: for a team "
                                      "the shared wording, for the shared wording the shipped one."),
         as_user: str | None = AS_OPTION) -> None:
    """Print a template's wording (Jinja2) for your team; edit a copy and save it with `ember templates edit`."""
    with transaction() as session:
        template = compose_service.get_template(session, library_reader(session, as_user), name)
    typer.echo(template["default"] if default else template["body"], nl=False)


@templates_app.command("edit")
def edit(name: str = typer.Argument(..., help=f"One of: {', '.join(TEMPLATE_NAMES)}."),
         file: Path = typer.Option(..., "--file", help="The new wording (Jinja2)."),
         as_user: str | None = AS_OPTION) -> None:
    """Replace a template's wording: a manager her team's copy, an admin the shared wording. Unknown
    variables or syntax errors are refused now."""
    with transaction() as session:
        if not file.is_file():
            raise InvalidInput(f"{file} does not exist", [Problem("--file", "no such file", "give a template file")])
        actor = acting_user(session, as_user)
        compose_service.save_template(session, actor, name, file.read_text(encoding="utf-8"))
    console.print(f"Saved template {name}.")


@templates_app.command("reset")
def reset(name: str = typer.Argument(..., help="The template to put back to the wording one level up."),
          as_user: str | None = AS_OPTION) -> None:
    """Drop your level's wording: a manager's team goes back to the shared wording, an admin's shared
    wording back to the shipped one."""
    with transaction() as session:
        compose_service.reset_template(session, acting_user(session, as_user), name)
    console.print(f"Template {name} is back to the wording one level up.")
