"""Event sources as admins manage them: the list with snippet keys, and new sources.

Sources belong to the whole installation (not to a team), so only admins
create them or read their secrets.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ember.errors import Forbidden
from ember.events import repository
from ember.events.ingest import add_source
from ember.events.links import identity_secret, site_key
from ember.users.access import Actor


@dataclass(frozen=True)
class SourceKeys:
    name: str
    site_key: str
    secret: str | None = None  # only right after it was created
    identity_secret: str | None = None


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only admins manage event sources")


def list_sources(session: Session, actor: Actor) -> list[SourceKeys]:
    _require_admin(actor)
    return [SourceKeys(s.name, site_key(s.secret)) for s in repository.all_sources(session)]


def create_source(session: Session, actor: Actor, name: str) -> SourceKeys:
    """A new source with its signing secret, identity secret and snippet key (shown once on the desk)."""
    _require_admin(actor)
    source = add_source(session, name)
    return SourceKeys(source.name, site_key(source.secret), source.secret, identity_secret(source.secret))
