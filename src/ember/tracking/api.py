"""Event sources over HTTP, for the settings page and scripts.

Admins create sources, make and revoke write keys and store tools' secrets;
and change a source's mapping (a source feeds every team); everyone else gets 403.
A write key is in the answer that made it, and never again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ember.api.deps import CurrentActor, Db
from ember.tracking import service
from ember.tracking.mapping import EventMap

router = APIRouter(prefix="/api/sources", tags=["sources"])


class KeyOut(BaseModel):
    prefix: str
    scope: str
    created_at: str
    revoked: bool


class SourceOut(BaseModel):
    name: str
    kind: str
    address: str = Field(description="What to paste into the tool (for segment sources, the API host)")
    secret: str | None = Field(None, description="The secret the tool signs with, when Ember made it")
    write_key: str | None = Field(None, description="Only in the answer that made the key")
    needs_secret: bool = Field(description="The tool makes the secret: store it with PUT .../secret")
    steps: list[str]
    keys: list[KeyOut]


class SourceCreate(BaseModel):
    name: str = Field(max_length=100)
    kind: str = Field("webhook", description="webhook, segment, mailchimp, kit, zoom, calendly, hubspot, typeform")
    secret: str | None = Field(None, max_length=300, description="The tool's own secret (Zoom, HubSpot, Kit)")


class KeyCreate(BaseModel):
    scope: str = Field("server", description="server (kept on your servers) or browser (published in pages)")


class SecretIn(BaseModel):
    secret: str = Field(max_length=300)


class MappingOut(BaseModel):
    kind: str
    events: dict[str, str | None] = Field(description="Tool event name -> Ember event type (null: ignored)")
    url_from: list[str]


class Revoked(BaseModel):
    revoked: int = Field(description="How many keys were revoked (0: it was revoked already)")


class MappingChange(BaseModel):
    events: dict[str, str | None] = Field(default_factory=dict)
    url_from: list[str] | None = None
    reset: bool = False


def _base(request: Request) -> str:
    return (request.app.state.settings.server.public_url or str(request.base_url)).rstrip("/")


def _out(setup: service.SourceSetup) -> SourceOut:
    return SourceOut.model_validate(setup.as_dict())


def _mapping(mapping: EventMap) -> MappingOut:
    return MappingOut.model_validate(mapping.as_dict())


@router.get("")
def list_sources(request: Request, db: Db, actor: CurrentActor) -> list[SourceOut]:
    service.require_admin(actor)
    return [SourceOut.model_validate(row) for row in service.source_rows(db, _base(request))]


@router.post("", status_code=201)
def add_source(request: Request, db: Db, actor: CurrentActor, body: SourceCreate) -> SourceOut:
    service.require_admin(actor)
    return _out(service.add_source(db, body.name, body.kind, provider_secret=body.secret, base_url=_base(request)))


@router.get("/{name}")
def show_source(request: Request, db: Db, actor: CurrentActor, name: str) -> SourceOut:
    service.require_admin(actor)
    return _out(service.describe(db, service.get_source(db, name), _base(request)))


@router.post("/{name}/keys", status_code=201)
def add_key(request: Request, db: Db, actor: CurrentActor, name: str, body: KeyCreate) -> SourceOut:
    service.require_admin(actor)
    return _out(service.add_write_key(db, name, body.scope, base_url=_base(request)))


@router.delete("/{name}/keys/{prefix}")
def revoke_key(db: Db, actor: CurrentActor, name: str, prefix: str) -> Revoked:
    service.require_admin(actor)
    return Revoked(revoked=service.revoke_write_key(db, name, prefix))


@router.put("/{name}/secret", status_code=204)
def set_secret(db: Db, actor: CurrentActor, name: str, body: SecretIn) -> Response:
    service.require_admin(actor)
    service.set_provider_secret(db, name, body.secret)
    return Response(status_code=204)


@router.get("/{name}/mapping")
def show_mapping(db: Db, actor: CurrentActor, name: str) -> MappingOut:
    service.require_admin(actor)  # like every source: the installation's, read by admins only
    return _mapping(service.mapping_of(db, name))


@router.patch("/{name}/mapping")
def change_mapping(db: Db, actor: CurrentActor, name: str, body: MappingChange) -> MappingOut:
    if body.reset:
        return _mapping(service.reset_mapping(db, actor, name))
    return _mapping(service.update_mapping(db, actor, name, body.events, body.url_from))
