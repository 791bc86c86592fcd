"""Follow-up writing use cases: compose for a contact, read and edit templates.

Reads what Ember knows about a contact (the last analysed call, or the rep's
notes when there is none; the deal, its stakeholders, the story library) and
hands plain data to ``ember.compose.rules``. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.alerts import repository as alert_repository
from ember.cadence import repository as cadence_repository
from ember.compose import repository, rules
from ember.compose.defaults import default_source
from ember.compose.facts import (
    CallFacts,
    Person,
    Story,
    facts_from_analysis,
    facts_from_notes,
    format_due,
    parse_keywords,
)
from ember.compose.sandbox import Rendered
from ember.contacts import repository as contact_repository
from ember.contacts.service import get_contact
from ember.deals import repository as deal_repository
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import ComposeTemplate, Contact, Deal
from ember.models.base import scope_of
from ember.touches import repository as touch_repository
from ember.users.access import Actor, can_see_owner, library_team, require_library_keeper, require_manager
from ember.vocabulary import CONVERSATION_OUTCOMES

TRIGGER_FRESH_DAYS = 14  # an alert older than this no longer makes an email a "trigger" email


@dataclass(frozen=True)
class Composed:
    kind: str
    template: str
    situation: str | None
    rendered: Rendered
    meeting_at: datetime | None  # the agreed meeting, as an instant: what an invite would book
    email: Rendered | None = None  # the voicemail's companion email

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "template": self.template}
        if self.situation:
            data["situation"] = self.situation
        if self.rendered.subject is not None:
            data["subject"] = self.rendered.subject
        data.update(text=self.rendered.text, facts=self.rendered.facts, placeholders=self.rendered.placeholders)
        if self.email is not None:
            data["email"] = {"subject": self.email.subject, "text": self.email.text, "facts": self.email.facts,
                             "placeholders": self.email.placeholders}
        data["meeting_at"] = self.meeting_at.isoformat() if self.meeting_at else None
        return data


def compose(session: Session, actor: Actor, *, kind: str, contact_id: int, situation: str | None = None,
            nudge_after_days: int = 14, now: datetime | None = None) -> Composed:
    """Write one follow-up (note, opener, brief, email, voicemail pair) for a contact."""
    now = now or datetime.now(UTC)
    name = rules.template_name(kind, situation)
    contact = get_contact(session, actor, contact_id)
    zone = ZoneInfo(contact_repository.contact_timezone(session, contact))
    gathered = _gather(session, actor, contact, zone, now)
    if kind == "email" and situation is None:
        situation = _infer_situation(session, contact, gathered, nudge_after_days, now)
        name = rules.template_name(kind, situation)
    inp = gathered.with_situation(situation or "post-meeting")
    # The wording of the team that owns the contact: its copy where it keeps one.
    team_id = gathered.team_id
    rendered = rules.compose(template_source(session, name, team_id), inp)
    email = rules.compose(template_source(session, "voicemail-email", team_id), inp) if kind == "voicemail" else None
    return Composed(kind, name, situation if kind == "email" else None, rendered,
                    _meeting_instant(gathered.call, zone, now), email)


@dataclass(frozen=True)
class _Gathered:
    inp: rules.ComposeInput
    call: CallFacts | None
    deal: Deal | None
    team_id: int | None  # the contact owner's team, whose templates and stories apply

    def with_situation(self, situation: str) -> rules.ComposeInput:
        return replace(self.inp, situation=situation)


def _gather(session: Session, actor: Actor, contact: Contact, zone: ZoneInfo, now: datetime) -> _Gathered:
    account = repository.account_of(session, contact)
    deal = repository.deal(session, touch_repository.default_deal_id(session, contact.id))
    analysed = repository.last_analysed_call(session, contact.id)
    call: CallFacts | None = facts_from_analysis(analysed.analysis or {}) if analysed else None
    if call is None and (notes := repository.touch_notes(session, contact.id)):
        call = facts_from_notes(notes)
    spoke = repository.last_touch_with_outcome(session, contact.id, [o.value for o in CONVERSATION_OUTCOMES])
    alert = alert_repository.latest_alert(session, contact.id)
    fresh_alert = alert is not None and (now - alert.created_at).days <= TRIGGER_FRESH_DAYS
    plan = cadence_repository.open_plan(session, contact.id)
    team_id = repository.team_of(session, contact.owner_id)
    inp = rules.ComposeInput(
        contact_name=contact.full_name, first_name=contact.first_name or None, rep_name=actor.name,
        rep_email=actor.email, today=now.astimezone(zone).date(), company=account.name if account else None,
        industry=account.industry if account else None, preferred_channel=contact.preferred_channel, call=call,
        last_conversation=spoke.occurred_at.astimezone(zone).date() if spoke else None,
        people=tuple(_people(session, contact, deal)), qualification=deal.qualification if deal else None,
        stories=tuple(_stories(session, team_id)), referrer=_referrer(session, actor, deal),
        trigger=alert.summary if alert is not None and fresh_alert and alert.summary else None,
        next_touch=format_due(plan.due_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")) if plan else None,
    )
    return _Gathered(inp, call, deal, team_id)


def _people(session: Session, contact: Contact, deal: Deal | None) -> list[Person]:
    people = deal_repository.stakeholders(session, deal.id, by_name=False) if deal else []
    found = [_person(p.contact, p.link.role) for p in people]
    return found if any(p.contact.id == contact.id for p in people) else [_person(contact, None), *found]


def _person(contact: Contact, deal_role: str | None) -> Person:
    role = deal_role if deal_role and deal_role != "unknown" else contact.decision_role
    return Person(contact.full_name, contact.title, role, contact.decision_role_evidence)


def _referrer(session: Session, actor: Actor, deal: Deal | None) -> str | None:
    """Who referred the deal, as the actor may know it: a stored contact is named only when the actor
    can see that contact (a link made before references were checked must not leak a name)."""
    if deal is None:
        return None
    if deal.referred_by_name:
        return deal.referred_by_name
    found = contact_repository.contact_with_owner(session, deal.referred_by_contact_id) \
        if deal.referred_by_contact_id else None
    return found.contact.full_name if found and can_see_owner(actor, found.owner) else None


def _stories(session: Session, team_id: int | None) -> list[Story]:
    return [Story(row.title, row.text, row.industry, parse_keywords(row.problem_keywords))
            for row in repository.proof_points(session, team_id)]


def _infer_situation(session: Session, contact: Contact, gathered: _Gathered, nudge_after_days: int,
                     now: datetime) -> str:
    spoke = gathered.inp.last_conversation
    days = (now.date() - spoke).days if spoke else None
    deal = gathered.deal
    referred = bool(deal and (deal.referred_by_name or deal.referred_by_contact_id or deal.source == "referral"))
    return rules.infer_situation(has_conversation=spoke is not None, days_since_conversation=days,
                                 nudge_after_days=nudge_after_days, recent_trigger=gathered.inp.trigger is not None,
                                 referred=referred)


def _meeting_instant(call: CallFacts | None, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The first agreed meeting or demo with a time, still ahead: what the email's invite books."""
    for step in call.steps if call else ():
        if step.type in {"meeting", "demo"} and step.due and "T" in step.due:
            moment = datetime.fromisoformat(step.due).replace(tzinfo=zone).astimezone(UTC)
            if moment > now:
                return moment
    return None


# Templates -----------------------------------------------------------------------------------------


def template_source(session: Session, name: str, team_id: int | None) -> str:
    """The team's copy of a template if it keeps one, else the shared edit, else the shipped file."""
    override = repository.template_overrides(session, team_id).get(name)
    return override.body if override is not None else default_source(name)


def _source_above(session: Session, name: str, team_id: int | None) -> str:
    """What a level falls back to without its own wording: a team the shared one, the shared the file."""
    return template_source(session, name, None) if team_id is not None else default_source(name)


def _wording(name: str, overrides: dict[str, ComposeTemplate]) -> str:
    row = overrides.get(name)
    if row is None:
        return "shipped"
    return "shared" if row.team_id is None else "team"


def _check_name(name: str) -> None:
    if name not in rules.TEMPLATE_NAMES:
        raise NotFound(f"no template named {name!r}; templates are: {', '.join(rules.TEMPLATE_NAMES)}")


def list_templates(session: Session, actor: Actor | None) -> list[dict[str, Any]]:
    """The templates as the actor's team writes with them. ``edited``: changed at the actor's own level
    (a manager: her team's copy; an admin: the shared wording); ``wording``: team, shared or shipped."""
    team_id = library_team(actor)
    overrides = repository.template_overrides(session, team_id)
    own = {name for name, row in overrides.items() if row.team_id == team_id}
    return [{"name": name, "edited": name in own, "wording": _wording(name, overrides),
             "updated_at": overrides[name].updated_at if name in overrides else None,
             "email": name in rules.EMAIL_TEMPLATES} for name in rules.TEMPLATE_NAMES]


def get_template(session: Session, actor: Actor | None, name: str) -> dict[str, Any]:
    """A template's wording for the actor's team; ``default`` is what resetting goes back to."""
    _check_name(name)
    team_id = library_team(actor)
    overrides = repository.template_overrides(session, team_id)
    own = repository.template_override(session, name, team_id)
    return {"name": name, "edited": own is not None, "wording": _wording(name, overrides),
            "body": template_source(session, name, team_id), "default": _source_above(session, name, team_id),
            "variables": rules.VARIABLES}


def save_template(session: Session, actor: Actor, name: str, body: str) -> ComposeTemplate:
    """Replace a template's wording; refused, with every problem listed, if it would fail later.
    A manager writes her team's copy; an admin the wording every team shares."""
    team_id = require_library_keeper(session, actor)
    _check_name(name)
    problems = rules.problems_with_template(name, body)
    if problems:
        raise InvalidInput(f"template {name} was not saved", problems)
    row = repository.template_override(session, name, team_id)
    if row is None:
        row = ComposeTemplate(name=name, body=body, scope=scope_of(team_id), team_id=team_id)
        session.add(row)
    else:
        row.body = body
        row.updated_at = datetime.now(UTC)
    session.flush()
    return row


def preview_template(session: Session, actor: Actor, name: str, body: str, contact_id: int,
                     *, now: datetime | None = None) -> Rendered:
    """A draft template written for one real contact the actor may see; InvalidInput when it would
    not render (the same checks as saving, then this contact's own facts)."""
    require_manager(actor)
    _check_name(name)
    problems = rules.problems_with_template(name, body)
    if problems:
        raise InvalidInput(f"template {name} does not render", problems)
    now = now or datetime.now(UTC)
    contact = get_contact(session, actor, contact_id)
    zone = ZoneInfo(contact_repository.contact_timezone(session, contact))
    situation = name.removeprefix("email-") if name.startswith("email-") else "post-meeting"
    inp = _gather(session, actor, contact, zone, now).with_situation(situation)
    try:
        return rules.compose(body, inp)
    except Exception as exc:  # a sandbox or filter error on this contact's facts
        raise InvalidInput(f"template {name} does not render for {contact.full_name}", [Problem(
            "body", str(exc) or type(exc).__name__, "change the template where it uses that value")]) from exc


def reset_template(session: Session, actor: Actor, name: str) -> None:
    """Back to the wording one level up: a team to the shared wording, the shared to the shipped file."""
    team_id = require_library_keeper(session, actor)
    _check_name(name)
    row = repository.template_override(session, name, team_id)
    if row is not None:
        session.delete(row)
        session.flush()
