"""`ember sources`: the systems that send events, and what to paste into each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, err_console, print_json, transaction
from ember.events.rules import identity_secret, site_key
from ember.settings import Settings, get_settings
from ember.tracking import service
from ember.tracking.mapping import EventMap

sources_app = typer.Typer(help="Systems that send events: website, Segment-style libraries, newsletter, "
                               "webinar, scheduling and form tools.", no_args_is_help=True)
KIND_HELP = "webhook (signed, our schema), segment, mailchimp, kit, zoom, calendly, hubspot or typeform."


def base_url(settings: Settings | None = None) -> str:
    """The address tools call: EMBER_PUBLIC_URL, else where `ember serve` listens."""
    settings = settings or get_settings()
    return (settings.server.public_url or f"http://{settings.server.host}:{settings.server.port}").rstrip("/")


def _print_setup(setup: service.SourceSetup, *, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    data = {**setup.as_dict(), **(extra or {})}
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{setup.name}[/] ({setup.kind})", highlight=False)
    console.print(f"  address:   {setup.address}", highlight=False, markup=False)
    if setup.write_key:
        console.print(f"  write key: {setup.write_key}   (shown this once; keep it)", highlight=False, markup=False)
    if setup.secret:
        console.print(f"  secret:    {setup.secret}", highlight=False, markup=False)
    if setup.needs_secret:
        console.print(f"  secret:    not set yet: `ember sources secret {setup.name}`", highlight=False,
                      markup=False)
    for key in setup.keys:
        state = "revoked" if key["revoked"] else "live"
        console.print(f"  key {key['prefix']}… ({key['scope']}, {state})", highlight=False, markup=False)
    for label, value in (extra or {}).items():
        console.print(f"  {label.replace('_', ' ')}: {value}", highlight=False, markup=False)
    for step in setup.steps:
        err_console.print(f"  - {step}", highlight=False, markup=False)


@sources_app.command("add")
def add_source(
    name: str,
    kind: str = typer.Option("webhook", "--kind", help=KIND_HELP),
    secret: str | None = typer.Option(None, "--secret", help="The tool's own secret, for tools that make it "
                                                             "(Zoom, HubSpot, Kit); or set it later."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an event source and print what to paste into the tool (address, secret or write key)."""
    with transaction() as session:
        setup = service.add_source(session, name, kind, provider_secret=secret, base_url=base_url())
        source = service.get_source(session, name)
        extra = ({"site_key": site_key(source.secret), "identity_secret": identity_secret(source.secret)}
                 if setup.kind in ("webhook", "segment") else {})
    _print_setup(setup, as_json=as_json, extra=extra)


@sources_app.command("show")
def show_source(name: str, as_json: bool = JSON_OPTION) -> None:
    """What to paste into the tool for this source, and its write keys (never the keys themselves)."""
    with transaction() as session:
        setup = service.describe(session, service.get_source(session, name), base_url())
    _print_setup(setup, as_json=as_json)


@sources_app.command("list")
def list_sources(as_json: bool = JSON_OPTION, show_secrets: bool = typer.Option(
        False, "--show-secrets", help="Also print the signing and identity secrets.")) -> None:
    """List event sources: kind, address and snippet site key (and, asked, their secrets)."""
    with transaction() as session:
        rows = service.source_rows(session, base_url())
        if show_secrets:
            for row in rows:
                source = service.get_source(session, row["name"])
                row.update(secret=source.secret, identity_secret=identity_secret(source.secret))
    if as_json:
        print_json(rows)
        return
    table = Table("name", "kind", "address", "site key", *(["secret", "identity secret"] if show_secrets else []))
    for row in rows:
        table.add_row(row["name"], row["kind"], row["address"], row["site_key"],
                      *([row["secret"], row["identity_secret"]] if show_secrets else []))
    console.print(table)


@sources_app.command("key")
def add_key(name: str, scope: str = typer.Option("server", "--scope", help="server (kept on your servers) or "
                                                                           "browser (published in web pages)."),
            as_json: bool = JSON_OPTION) -> None:
    """Make another write key for a segment source; it is shown this once."""
    with transaction() as session:
        setup = service.add_write_key(session, name, scope, base_url=base_url())
    _print_setup(setup, as_json=as_json)


@sources_app.command("revoke")
def revoke_key(name: str, prefix: str = typer.Argument(..., help="The key's first characters, as "
                                                                  "`ember sources show` lists them.")) -> None:
    """Revoke a write key: calls made with it are refused within seconds."""
    with transaction() as session:
        count = service.revoke_write_key(session, name, prefix)
    console.print(f"Revoked {count} key(s) of {name} starting {prefix}.", highlight=False, markup=False)


@sources_app.command("secret")
def set_secret(name: str, secret: str = typer.Option(..., "--secret", prompt="The tool's secret", hide_input=True,
                                                     help="Zoom's Secret Token, HubSpot's client secret, Kit's "
                                                          "endpoint secret.")) -> None:
    """Store the secret a tool made for its webhooks (asked for without echo when not given)."""
    with transaction() as session:
        service.set_provider_secret(session, name, secret)
    console.print(f"Secret of {name} stored; its deliveries are checked with it from now on.", highlight=False)


def _print_mapping(mapping: EventMap, as_json: bool) -> None:
    if as_json:
        print_json(mapping.as_dict())
        return
    table = Table("tool event", "Ember event")
    for name, type_ in sorted(mapping.events.items()):
        table.add_row(name, type_ or "(off)")
    console.print(table)
    if mapping.kind == "segment":
        console.print(f"URL for rules from: {', '.join(mapping.url_from)}", highlight=False)


def _changes(pairs: list[str]) -> dict[str, str | None]:
    changes: dict[str, str | None] = {}
    for pair in pairs:
        event, sep, type_ = pair.rpartition("=")
        if not sep or not event.strip():
            err_console.print(f"[bold red]error:[/] {pair!r}: write EVENT=TYPE, e.g. 'Demo Requested=form_submit' "
                              "or 'invitee.canceled=off'", highlight=False)
            raise typer.Exit(1)
        changes[event.strip()] = None if type_.strip().lower() in ("off", "none", "") else type_.strip()
    return changes


@sources_app.command("map")
def map_events(
    name: str,
    pairs: list[str] = typer.Argument(None, help="EVENT=TYPE pairs; TYPE 'off' ignores the event."),
    url_from: str | None = typer.Option(None, "--url-from", help="Segment: properties that give the URL rules "
                                                                 "match, first found wins (e.g. url,path)."),
    reset: bool = typer.Option(False, "--reset", help="Back to the defaults of the source's kind."),
    as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION,
) -> None:
    """Show or change which tool event becomes which Ember event (admins change it)."""
    with transaction() as session:
        if reset:
            mapping = service.reset_mapping(session, acting_user(session, as_user), name)
        elif pairs or url_from:
            fields = [p.strip() for p in url_from.split(",")] if url_from else None
            mapping = service.update_mapping(session, acting_user(session, as_user), name, _changes(pairs or []),
                                             fields)
        else:
            mapping = service.mapping_of(session, name)
    _print_mapping(mapping, as_json)


@sources_app.command("test")
def test_source(
    name: str,
    email: str = typer.Option("sample.person@example.com", "--email", help="Whom the sample is about; a "
                                                                          "contact's email raises a real alert."),
    url: str | None = typer.Option(None, "--url", help="Ember's address (default EMBER_PUBLIC_URL or "
                                                       "where `ember serve` listens)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a sample event, shaped and signed as the tool sends it, to the running Ember."""
    now = datetime.now(UTC)
    with transaction() as session:
        request = service.sample_request(session, name, email, url or base_url(), now)
    try:
        response = httpx.post(request.url, content=request.body, headers=request.headers, timeout=15)
    except httpx.HTTPError as exc:
        err_console.print(f"[bold red]error:[/] could not reach {request.url}: {exc}; is `ember serve` running "
                          "there? (--url sets the address)", highlight=False)
        raise typer.Exit(1) from None
    finally:
        if request.temporary_key:
            with transaction() as session:
                service.forget_temporary_key(session, name, request.temporary_key, now)
    result = {"status": response.status_code, "answer": _json_or_text(response)}
    if as_json:
        print_json(result)
    else:
        console.print(f"{request.url} answered {response.status_code}: {result['answer']}", highlight=False,
                      markup=False)
    if response.status_code >= 300:
        raise typer.Exit(1)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]
