"""`ember sources`: the systems that send events."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ember.cli.common import JSON_OPTION, console, err_console, print_json, transaction
from ember.events import service
from ember.events.rules import identity_secret, site_key

sources_app = typer.Typer(help="Systems that send events (website, newsletter, webinar tool).", no_args_is_help=True)


@sources_app.command("add")
def add_source(name: str, as_json: bool = JSON_OPTION) -> None:
    """Create an event source and print its signing secret (whsec_...) and snippet site key."""
    with transaction() as session:
        source = service.add_source(session, name)
        data = {"name": source.name, "secret": source.secret, "site_key": site_key(source.secret),
                "identity_secret": identity_secret(source.secret)}
    if as_json:
        print_json(data)
        return
    print(data["secret"])
    err_console.print(f"Source {name} added. Sign webhooks to POST /events with the secret above "
                      f"(Standard Webhooks). Website snippet: <script src=\"https://EMBER-HOST/t.js\" "
                      f"data-site=\"{data['site_key']}\" async></script>. To tie visitors to contacts with "
                      f"ember.identify(email, {{hash}}), your server computes hash as the hex HMAC-SHA256 of the "
                      f"lower-cased email with the identity secret {data['identity_secret']} (keep it private).",
                      highlight=False, markup=False)


@sources_app.command("list")
def list_sources(as_json: bool = JSON_OPTION, show_secrets: bool = typer.Option(
        False, "--show-secrets", help="Also print the signing and identity secrets.")) -> None:
    """List event sources with their snippet site keys (and, asked, their secrets)."""
    with transaction() as session:
        rows: list[dict[str, Any]] = [
            {"name": s.name, "site_key": site_key(s.secret),
             **({"secret": s.secret, "identity_secret": identity_secret(s.secret)} if show_secrets else {})}
            for s in service.repository.all_sources(session)]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "site key", *(["secret", "identity secret"] if show_secrets else []))
    for row in rows:
        table.add_row(row["name"], row["site_key"],
                      *([row["secret"], row["identity_secret"]] if show_secrets else []))
    console.print(table)
