"""Adding a contact from the pages (from the contact list, a company or a deal), checked as the API checks it."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ember.accounts.service import get_account, list_accounts
from ember.api.deps import Db
from ember.contacts import service as contact_service
from ember.contacts.schemas import ContactCreate
from ember.deals import service as deal_service
from ember.deals.schemas import StakeholderIn
from ember.errors import Conflict, EmberError, InvalidInput, NotFound, Problem
from ember.models import Contact, Deal
from ember.users.access import Actor
from ember.vocabulary import DecisionRole, PreferredChannel
from ember.web.desk import PageUser, checked_form, done, failed
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

# The boxes of the contact form, as the API names them; a box left empty means "not known".
FIELDS = ("first_name", "last_name", "title", "email", "phone", "mobile_phone", "other_phone", "timezone",
          "country", "preferred_channel", "decision_role", "decision_role_evidence")
ACCOUNT_CHOICES = 1000  # a longer company list is typed as an id in the API; the page offers the first ones
ZONES = sorted(available_timezones() - {"localtime", "Factory"})


def form_choices() -> dict[str, Any]:
    """What the contact form's selects and suggestions offer."""
    return {"roles": [r.value for r in DecisionRole], "preferred": [p.value for p in PreferredChannel],
            "zones": ZONES}


def invalid_fields(exc: ValidationError, message: str) -> InvalidInput:
    """The schema's complaints as problems named after the form's boxes, each with what to do."""
    problems = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error.get("loc") else "form"
        what, _, fix = str(error.get("msg", "not valid")).removeprefix("Value error, ").partition("; ")
        problems.append(Problem(where, what, fix or "correct it and save again"))
    return InvalidInput(message, problems)


def choice(value: str, field: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInput("the form is not valid", [Problem(field, f"{value!r} is not a choice",
                                                             "pick one from the list")])
    return int(value)


def account_choices(db: Session, actor: Actor) -> list[tuple[int, str]]:
    return sorted(((a.id, a.name) for a in list_accounts(db, actor, limit=ACCOUNT_CHOICES)),
                  key=lambda pair: pair[1].lower())


def _context(db: Session, actor: Actor, values: dict[str, Any], deal: Deal | None) -> dict[str, Any]:
    accounts = account_choices(db, actor)
    chosen = values.get("account_id")
    if chosen and all(i != chosen for i, _ in accounts):  # a company beyond the list, picked from its page
        try:
            accounts.insert(0, (chosen, get_account(db, actor, chosen).name))
        except NotFound:
            values["account_id"] = None  # not one of theirs: the form offers only what they may see
    return {"values": values, "deal": deal, "accounts": accounts, **form_choices()}


def _deal(db: Session, actor: Actor, deal_id: int | None) -> Deal | None:
    return deal_service.get_deal(db, actor, deal_id) if deal_id is not None else None


@router.get("/contacts/new")
def new_contact_form(request: Request, db: Db, actor: PageUser, account: str = "", deal: str = "") -> Response:
    found = _deal(db, actor, choice(deal, "deal"))
    account_id = choice(account, "account") or (found.account_id if found else None)
    if account_id is not None:
        get_account(db, actor, account_id)  # a company the rep cannot see is answered as missing
    values: dict[str, Any] = {"account_id": account_id, "decision_role": "unknown"}
    return render(request, "contact_new.html", **_context(db, actor, values, found))


def _existing_link(db: Session, actor: Actor, email: str) -> str | None:
    """The rep's own contact behind a taken address, to open instead; nothing about anyone else's."""
    try:
        return f"/contacts/{contact_service.get_contact_by_email(db, actor, email).id}"
    except NotFound:
        return None


def _created(db: Session, actor: Actor, values: dict[str, Any], deal: Deal | None) -> Contact:
    try:
        data = ContactCreate(**{k: v for k, v in values.items() if v is not None or k == "email"})
    except ValidationError as exc:
        raise invalid_fields(exc, "the contact was not added") from None
    contact = contact_service.create_contact(db, actor, data)
    if deal is not None:
        deal_service.add_stakeholder(db, actor, deal.id, StakeholderIn(
            contact_id=contact.id, role=DecisionRole(contact.decision_role)))
    return contact


@router.post("/contacts/new")
async def create_contact_form(request: Request, db: Db, actor: PageUser) -> Response:
    form = await request.form()
    checked_form(request, str(form.get("csrf", "")))
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() or None for name in FIELDS}
    values["email"] = values["email"] or ""  # a missing address is named as such, not as "null"
    deal_id: int | None = None
    try:
        values["account_id"] = choice(str(form.get("account_id", "")), "account_id")
        deal_id = choice(str(form.get("deal_id", "")), "deal_id")
        found = _deal(db, actor, deal_id)
        contact = _created(db, actor, values, found)
    except EmberError as exc:
        db.rollback()
        existing = _existing_link(db, actor, values["email"]) if isinstance(exc, Conflict) else None
        return failed(request, db, "contact_new.html", exc, existing=existing,
                      **_context(db, actor, values, _deal(db, actor, deal_id)))
    added = f"{contact.full_name or contact.email} added" + (f" to {found.name}" if found else "") + "."
    return done(request, added, f"/contacts/{contact.id}")
