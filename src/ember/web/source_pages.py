"""The desk's event sources (admins): every kind of source the intake reads, its secret or write key shown once.

A source is made of a kind (Standard Webhooks, a Segment-compatible library, or
one of the tools' webhooks); the page shows the address to paste into the tool,
how to do it there, when the last event arrived, and lets an admin rotate a
secret Ember made, store a secret the tool made, and make or revoke write keys.
Secrets and keys appear once, on the answer that made them, never in the list.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ember.api.deps import Db
from ember.errors import EmberError, NotFound, Problem
from ember.events.rules import identity_secret, site_key
from ember.tracking import repository as tracking_repository
from ember.tracking import service
from ember.tracking.guides import GUIDES
from ember.tracking.intake import tracking_cache
from ember.tracking.mapping import SourceKind
from ember.tracking.providers.mailchimp import KEY_PARAMETER
from ember.tracking.providers.registry import PROVIDERS
from ember.users.access import Actor
from ember.web.desk import DeskUser, checked_form, done, failed
from ember.web.settings_pages import desk, sections_for

router = APIRouter(include_in_schema=False)


def _admin(actor: DeskUser) -> Actor:
    service.require_admin(actor)  # sources feed every team: a manager is refused too, as in the API
    return actor


SourceAdmin = Annotated[Actor, Depends(_admin)]
FormText = Annotated[str, Form()]
TEMPLATE = "settings/sources.html"
# The service names the CLI's arguments; the form's fields are called otherwise.
FIELDS = {"NAME": "name", "--kind": "kind", "--scope": "scope", "secret": "secret"}


def base_url(request: Request) -> str:
    """The address tools call: EMBER_PUBLIC_URL behind a proxy, else where this page was asked for."""
    public = request.app.state.settings.server.public_url
    return (public or str(request.base_url)).rstrip("/")


def _listed_address(row: dict[str, Any]) -> str:
    """A Mailchimp address carries its key: the list shows it without, like every other secret."""
    if row["kind"] == SourceKind.MAILCHIMP:
        return row["address"].split(f"?{KEY_PARAMETER}=")[0] + f"?{KEY_PARAMETER}=…"
    return str(row["address"])


def _rows(db: Db, request: Request) -> list[dict[str, Any]]:
    last = tracking_repository.last_received(db)
    rows = service.source_rows(db, base_url(request))
    for row in rows:
        kind = row["kind"]
        row.update(listed_address=_listed_address(row), last_event=last.get(row["name"]), guide=GUIDES[kind],
                   rotates=kind == SourceKind.WEBHOOK or (kind in PROVIDERS and PROVIDERS[kind].ember_makes_secret),
                   takes_secret=kind in PROVIDERS and not PROVIDERS[kind].ember_makes_secret)
    return rows


def _context(db: Db, request: Request, actor: Actor) -> dict[str, Any]:
    return {"section": "sources", "sources": _rows(db, request), "base": base_url(request),
            "kinds": [(k.value, GUIDES[k].title) for k in SourceKind], "guides": GUIDES,
            "zone": actor.timezone}


def _shown(db: Db, setup: service.SourceSetup, why: str) -> dict[str, Any]:
    """What the answer that made a secret shows, this once: the setup, and the snippet keys of a webhook."""
    source = service.get_source(db, setup.name)
    extra = ({"site_key": site_key(source.secret), "identity_secret": identity_secret(source.secret)}
             if setup.kind == SourceKind.WEBHOOK else {})
    return {**setup.as_dict(), **extra, "why": why, "guide": GUIDES[setup.kind]}


def _failed(request: Request, db: Db, actor: Actor, exc: EmberError, form: dict[str, str],
            default_field: str) -> Response:
    exc.problems[:] = [Problem(FIELDS.get(p.where, p.where), p.what, p.fix) for p in exc.problems]
    if not exc.problems:
        exc.problems.append(Problem(default_field, exc.message, "see the list of sources above"))
    db.rollback()
    return failed(request, db, TEMPLATE, exc, sections=sections_for(actor, request), form=form,
                  **_context(db, request, actor))


@router.get("/settings/sources")
def sources_page(request: Request, db: Db, actor: SourceAdmin) -> Response:
    return desk(request, TEMPLATE, actor, form={"kind": "webhook"}, **_context(db, request, actor))


@router.post("/settings/sources")
def add_source(request: Request, db: Db, actor: SourceAdmin, name: FormText = "", kind: FormText = "webhook",
               secret: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    form = {"name": name, "kind": kind}
    try:
        setup = service.add_source(db, name, kind, provider_secret=secret.strip() or None,
                                   base_url=base_url(request))
    except EmberError as exc:
        return _failed(request, db, actor, exc, form, "name")
    shown = _shown(db, setup, f"Source {setup.name} is ready")
    return desk(request, TEMPLATE, actor, shown=shown, form={"kind": "webhook"}, **_context(db, request, actor))


def _source_action(request: Request, db: Db, actor: Actor, name: str, csrf: str) -> None:
    checked_form(request, csrf)
    service.get_source(db, name)  # 404 for a name that is not there
    # This server reads keys and secrets afresh on its next call (others within seconds): a revoked
    # key stops, a new secret works, at once.
    tracking_cache(request.app).forget()


@router.post("/settings/sources/{name}/rotate")
def rotate_secret(request: Request, db: Db, actor: SourceAdmin, name: str, csrf: FormText = "") -> Response:
    _source_action(request, db, actor, name, csrf)
    try:
        setup = service.rotate_secret(db, name, base_url=base_url(request))
    except EmberError as exc:
        return _failed(request, db, actor, exc, {"kind": "webhook"}, "secret")
    shown = _shown(db, setup, f"New secret for {name}: the old one no longer works")
    return desk(request, TEMPLATE, actor, shown=shown, form={"kind": "webhook"}, **_context(db, request, actor))


@router.post("/settings/sources/{name}/keys")
def add_key(request: Request, db: Db, actor: SourceAdmin, name: str, scope: FormText = "server",
            csrf: FormText = "") -> Response:
    _source_action(request, db, actor, name, csrf)
    try:
        setup = service.add_write_key(db, name, scope, base_url=base_url(request))
    except EmberError as exc:
        return _failed(request, db, actor, exc, {"kind": "webhook"}, "scope")
    shown = _shown(db, setup, f"New {scope} write key for {name}")
    return desk(request, TEMPLATE, actor, shown=shown, form={"kind": "webhook"}, **_context(db, request, actor))


@router.post("/settings/sources/{name}/keys/{prefix}/revoke")
def revoke_key(request: Request, db: Db, actor: SourceAdmin, name: str, prefix: str, csrf: FormText = "") -> Response:
    _source_action(request, db, actor, name, csrf)
    try:
        service.revoke_write_key(db, name, prefix)
    except NotFound as exc:
        return _failed(request, db, actor, exc, {"kind": "webhook"}, "key")
    return done(request, f"Write key {prefix}… of {name} revoked: calls made with it are refused within seconds.",
                f"/settings/sources#source-{name}")


@router.post("/settings/sources/{name}/secret")
def store_secret(request: Request, db: Db, actor: SourceAdmin, name: str, secret: FormText = "",
                 csrf: FormText = "") -> Response:
    _source_action(request, db, actor, name, csrf)
    try:
        source = service.set_provider_secret(db, name, secret)
    except EmberError as exc:
        return _failed(request, db, actor, exc, {"kind": "webhook", "secret_for": name}, "secret")
    return done(request, f"Secret of {source.name} stored: its deliveries are checked with it from now on.",
                f"/settings/sources#source-{name}")
