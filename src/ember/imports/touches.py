"""Touch history from CSV: each row checked against the contacts the importer may see;
afterwards every touched contact is relabelled and replanned once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.cadence.service import replan
from ember.contacts.repository import contact_by_id
from ember.deals.repository import deal_by_id
from ember.errors import Problem
from ember.imports import repository
from ember.imports.rules import RowResult
from ember.messages.service import TeamLibraries
from ember.models import Touch
from ember.settings.cadence import CadenceSettings
from ember.touches.service import relabel
from ember.users.access import Actor, can_see_owner
from ember.vocabulary import Outcome

_BUILT_IN = {o.value for o in Outcome}


def check_touch_rows(session: Session, actor: Actor, batch: list[RowResult]) -> None:
    """Resolve contact and deal; the rep is the one named, else the contact's owner."""
    contacts = repository.contacts_by_email(session, [str(r.values["contact_email"]) for r in batch
                                                      if "contact_email" in r.values])
    deals = repository.deals_by_external(session, [str(r.values.get("deal_external_id") or "") for r in batch])
    owners = repository.users_by_id(session)
    for result in batch:
        email = result.values.get("contact_email")
        found = contacts.get(str(email)) if email else None
        where = f"line {result.line}"
        if email and (found is None or not can_see_owner(actor, owners[found.owner_id])):
            result.problems.append(Problem(f"{where}, column contact", "no contact you can see has this email",
                                           "import the contact first or check the address"))
            continue
        if found is None:
            continue
        result.values["contact_id"] = found.id
        if "owner_id" not in result.values:
            result.values["owner_id"] = found.owner_id
        deal_key = result.values.get("deal_external_id")
        deal = deals.get(str(deal_key)) if deal_key else None
        if deal_key and (deal is None or not can_see_owner(actor, owners[deal.owner_id])):
            result.problems.append(Problem(f"{where}, column deal", f"no deal you can see has id {deal_key}",
                                           "use the deal's external id or leave it empty"))
        elif deal is not None:
            result.values["deal_id"] = deal.id
        if result.values.get("outcome") not in _BUILT_IN:
            result.problems.append(Problem(f"{where}, column outcome", f"{result.values.get('outcome')!r} is unknown",
                                           f"use one of: {', '.join(sorted(_BUILT_IN))}"))


def write_touches(session: Session, rows: list[dict[str, Any]], now: datetime) -> set[int]:
    records = [{"contact_id": r["contact_id"], "deal_id": r.get("deal_id"), "rep_id": r["owner_id"],
                "channel": r["channel"], "outcome": r["outcome"], "occurred_at": r["occurred_at"],
                "notes": r.get("notes"), "label": None, "message_variant_id": None, "callback_at": None,
                "created_at": now} for r in rows]
    repository.insert_rows(session, Touch, records)
    return {r["contact_id"] for r in rows}


def replan_touched(session: Session, contact_ids: Iterable[int], cadence: CadenceSettings) -> None:
    now = datetime.now(UTC)
    libraries = TeamLibraries()
    for contact_id in sorted(contact_ids):
        contact = contact_by_id(session, contact_id)
        if contact is None:
            continue
        relabel(session, contact)
        deal_id = repository.latest_deal_of_touches(session, contact_id)
        replan(session, contact, deal_by_id(session, deal_id) if deal_id else None, now=now, settings=cadence,
               library=libraries.of_contact(session, contact))
