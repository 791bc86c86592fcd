"""Every route and page, as a rep, a manager and an admin, against records of their own, of their
team and of another team — ids in paths, in queries, in forms and inside request bodies.

A record the caller may see answers as usual (2xx). A record they may not see answers exactly as a
record that does not exist: the same status and the same words (the id aside), and nothing changes.
A new route fails ``test_every_route_and_page_is_in_the_matrix`` until it is listed here.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ember.conversation import analyze_text
from ember.db import unit_of_work
from ember.events.service import ensure_default_rules
from ember.models import (
    Account,
    Alert,
    ApiToken,
    Call,
    Contact,
    Deal,
    DealStakeholder,
    InboundEvent,
    NextStep,
    NurtureMembership,
    PlannedTouch,
    Touch,
    TriggerRule,
    User,
)
from ember.tracking.service import add_source
from tests.compose_support import smtp_server
from tests.factories import TestUser, make_user

PASSWORD = "correct horse battery"
MISSING = 6_999_999  # no record has this id: what "not found" looks like
_ids = count(7_000_001)  # explicit, distinct ids, so an id never matches other digits in an answer
VTT = "WEBVTT\n\n00:00.000 --> 00:04.000\n<v Vera>We will send the pricing by Friday.\n\n" \
      "00:04.000 --> 00:08.000\n<v Sam>Great, talk then.\n"
# Stored as a real call's is: the shape GET /api/calls/{id} documents.
ANALYSIS = analyze_text(VTT, fmt="vtt", reps=("Vera",), call_date=datetime(2026, 1, 5, tzinfo=UTC)).to_dict()

CALLERS = ("rep", "manager", "admin")
SCOPES = ("own", "team", "other")
# Who may see whose records: a rep their own, a manager their team's, an admin everyone's.
VISIBLE = {("rep", "own"), ("manager", "own"), ("manager", "team"), ("admin", "own"), ("admin", "team"),
           ("admin", "other")}


@dataclass(frozen=True)
class Records:
    """One owner's records, made for one (caller, scope) case."""

    owner_email: str
    account_id: int
    contact_id: int
    contact_email: str
    nurture_contact_id: int
    deal_id: int
    deal_external_id: str
    account_domain: str
    touch_id: int
    call_id: int
    alert_id: int
    user_id: int  # the owner, as a person others may manage
    token_id: int  # one of the owner's API tokens
    step_id: int  # a next step promised on the call
    plan_id: int  # the next touch planned for a contact of theirs (snoozed, then logged, from Today)
    skip_plan_id: int  # the next touch planned for another contact of theirs (skipped from Today)
    event_id: int  # a call their phone system sent that matched no contact
    rule_id: int  # a trigger rule of their team
    tag: str  # in every name of these records

    def ids(self) -> dict[str, int]:
        return {"step_id": self.step_id, "account_id": self.account_id, "contact_id": self.contact_id,
                "deal_id": self.deal_id, "touch_id": self.touch_id, "call_id": self.call_id, "alert_id": self.alert_id,
                "nurture_contact_id": self.nurture_contact_id, "user_id": self.user_id, "token_id": self.token_id,
                "plan_id": self.plan_id, "skip_plan_id": self.skip_plan_id, "event_id": self.event_id,
                "rule_id": self.rule_id}


def _records(engine: Engine, owner_id: int, owner_email: str, tag: str) -> Records:
    with unit_of_work(engine) as session:
        ensure_default_rules(session)
        rule_id = session.scalars(select(TriggerRule.id)).first()
        account = Account(id=next(_ids), name=f"Acct {tag}", domain=f"{tag}.example", owner_id=owner_id,
                          external_id=f"A-{tag}")
        session.add(account)
        session.flush()
        contact = Contact(id=next(_ids), owner_id=owner_id, account_id=account.id, first_name="Vera",
                          last_name=f"Case{tag}", email=f"vera@{tag}.example", title="CFO")
        nurtured = Contact(id=next(_ids), owner_id=owner_id, first_name="Nina", last_name=f"Case{tag}",
                           email=f"nina@{tag}.example", status="nurture")
        deal = Deal(id=next(_ids), owner_id=owner_id, account_id=account.id, name=f"Deal {tag}",
                    qualification={}, external_id=f"D-{tag}")
        session.add_all([contact, nurtured, deal])
        session.flush()
        session.add(NurtureMembership(contact_id=nurtured.id, reason="manual",
                                      started_at=datetime(2026, 1, 2, tzinfo=UTC)))
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id, role="decision_maker"))
        touch = Touch(id=next(_ids), contact_id=contact.id, deal_id=deal.id, rep_id=owner_id, channel="call",
                      outcome="conversation", occurred_at=datetime(2026, 1, 5, tzinfo=UTC))
        session.add(touch)
        session.flush()
        call = Call(id=next(_ids), touch_id=touch.id, transcript_text=VTT, transcript_format="vtt",
                    transcript_source="call.vtt", analysis=ANALYSIS)
        alert = Alert(id=next(_ids), dedup_key=f"alert-{tag}", contact_id=contact.id, rep_id=owner_id,
                      rule_id=rule_id, summary=f"visited pricing {tag}")
        token = ApiToken(id=next(_ids), user_id=owner_id, token_hash=f"unused-{tag}", name=f"sync {tag}")
        session.add_all([call, alert, token])
        session.flush()
        step = NextStep(id=next(_ids), contact_id=contact.id, deal_id=deal.id, rep_id=owner_id,
                        type="documents", owner_side="rep", quote=f"We will send the pricing {tag}")
        session.add(step)
        plans = [_planned(session, owner_id, first_name, tag) for first_name in ("Pia", "Quinn")]
        event = InboundEvent(id=next(_ids), source="dialer:generic", external_id=f"call-{tag}", type="call",
                             occurred_at=datetime(2026, 1, 6, tzinfo=UTC), status="unmatched",
                             payload=_dialer_call(tag, owner_email))
        rule = TriggerRule(id=next(_ids), team_id=session.get_one(User, owner_id).team_id, name=f"Rule {tag}",
                           event_type="page_view", url_pattern=f"*/{tag}*")
        session.add_all([event, rule])
        session.flush()
        return Records(owner_email, account.id, contact.id, contact.email or "", nurtured.id, deal.id,
                       deal.external_id or "", account.domain or "", touch.id, call.id, alert.id, owner_id, token.id,
                       step.id, plans[0], plans[1], event.id, rule.id, tag)


def _planned(session: Any, owner_id: int, first_name: str, tag: str) -> int:
    """A contact of the owner's whose next call is due now: only the Today probes touch it."""
    contact = Contact(id=next(_ids), owner_id=owner_id, first_name=first_name, last_name=f"Case{tag}",
                      email=f"{first_name.lower()}@{tag}.example")
    session.add(contact)
    session.flush()
    plan = PlannedTouch(id=next(_ids), contact_id=contact.id, rep_id=owner_id, kind="ftc", channel="call",
                        due_at=datetime.now(UTC), label="FTC #1", purpose="get a first conversation")
    session.add(plan)
    session.flush()
    return plan.id


def _dialer_call(tag: str, rep_email: str) -> dict[str, Any]:
    """What the dialer intake keeps of a call whose number matched no contact."""
    number = f"+1555{zlib.crc32(tag.encode()) % 10**7:07d}"
    return {"provider": "generic", "external_id": f"call-{tag}", "number": number,
            "direction": "outbound", "started_at": "2026-01-06T10:00:00+00:00", "duration_s": 40,
            "outcome": "no-answer", "reason": None, "rep_email": rep_email, "recording_url": None}


@dataclass
class Caller:
    role: str
    user: TestUser
    own_contact_id: int
    own_deal_id: int
    browser: TestClient
    csrf: str
    own: Records  # the caller's own records, for probes that change one of theirs to point at the target's


def _log_in(app: FastAPI, email: str) -> tuple[TestClient, str]:
    browser = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text).group(1)  # type: ignore[union-attr]
    response = browser.post("/login", data={"email": email, "password": PASSWORD, "csrf": token},
                            follow_redirects=False)
    assert response.status_code == 303, response.text
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/contacts").text).group(1)  # type: ignore[union-attr]
    return browser, token


# ---- the probes: one request each, given the target records (or MISSING ids) ----------------------------

@dataclass(frozen=True)
class Probe:
    route: tuple[str, str]  # (method, path) as the app declares it
    name: str
    send: Callable[[TestClient, Caller, dict[str, Any]], Any]
    changes: bool = False  # run after the reads: it may delete or change the target
    refs_in_body: bool = False
    # Who counts as seeing the target, when it is not the record rule (people pages: managers and admins).
    sees: Callable[[str, str], bool] | None = None
    # Changes a person (password, active) or shows views with their own tests: only the hidden cases are run.
    hidden_only: bool = False
    # Names the record by a unique key (email, domain, external id): a key no record holds creates a new
    # record, so a hidden one is compared with nothing; it must be refused without a word about its owner.
    by_unique_key: bool = False


def _api(method: str, path: str, body: Any = None, **kw: Any) -> Callable[[TestClient, Caller, dict[str, Any]], Any]:
    def send(client: TestClient, caller: Caller, t: dict[str, Any]) -> Any:
        fill = {**t, "own_contact_id": caller.own_contact_id, "own_deal_id": caller.own_deal_id}
        payload = body(fill) if callable(body) else body
        params = {k: (v(fill) if callable(v) else v) for k, v in kw.get("params", {}).items()}
        data = kw["form"](fill) if "form" in kw else None
        files = {"file": ("call.vtt", VTT.encode())} if kw.get("upload") else None
        return client.request(method, path.format(**fill), headers=caller.user.headers, json=payload,
                              params=params, data=data, files=files)
    return send


def _page(method: str, path: str, form: Callable[[dict[str, Any]], dict[str, str]] | None = None, *,
          htmx: bool = False, upload: bool = False,
          **params: Callable[[dict[str, Any]], str]) -> Callable[[TestClient, Caller, dict[str, Any]], Any]:
    """A page or form as the browser sends it; ``htmx`` as a row action sends it (the answer is the row,
    or the error, in place); ``upload`` with a transcript attached."""
    def send(client: TestClient, caller: Caller, t: dict[str, Any]) -> Any:
        fill = {**t, "own_contact_id": caller.own_contact_id, "own_deal_id": caller.own_deal_id,
                "own_contact_email": caller.own.contact_email, "own_tag": caller.own.tag}
        query = {k: v(fill) for k, v in params.items()}
        headers = {"accept": "text/html", **({"HX-Request": "true"} if htmx else {})}
        if method == "GET":
            return caller.browser.get(path.format(**fill), params=query, headers=headers)
        files = {"file": ("call.vtt", VTT.encode())} if upload else None
        return caller.browser.post(path.format(**fill), data={**(form(fill) if form else {}), "csrf": caller.csrf},
                                   files=files, headers=headers, follow_redirects=False)
    return send


def _import(kind: str, csv: Callable[[dict[str, Any]], str]) -> Callable[[TestClient, Caller, dict[str, Any]], Any]:
    def send(client: TestClient, caller: Caller, t: dict[str, Any]) -> Any:
        return client.post(f"/api/import/{kind}", headers=caller.user.headers, params={"all_or_nothing": "true"},
                           files={"file": (f"{kind}.csv", io.BytesIO(csv(t).encode()), "text/csv")})
    return send


PROBES: list[Probe] = [
    # contacts
    Probe(("GET", "/api/contacts/{contact_id}"), "read contact", _api("GET", "/api/contacts/{contact_id}")),
    Probe(("GET", "/api/contacts/{contact_id}/touches"), "contact's touches",
          _api("GET", "/api/contacts/{contact_id}/touches")),
    Probe(("POST", "/api/contacts"), "new contact in their account", refs_in_body=True, send=_api(
        "POST", "/api/contacts", lambda t: {"email": f"new{t['account_id']}@lead.example",
                                            "account_id": t["account_id"]})),
    Probe(("PATCH", "/api/contacts/{contact_id}"), "move own contact to their account", refs_in_body=True,
          send=_api("PATCH", "/api/contacts/{own_contact_id}", lambda t: {"account_id": t["account_id"]})),
    Probe(("PATCH", "/api/contacts/{contact_id}"), "change contact", changes=True,
          send=_api("PATCH", "/api/contacts/{contact_id}", {"title": "Changed"})),
    # accounts
    Probe(("GET", "/api/accounts/{account_id}"), "read account", _api("GET", "/api/accounts/{account_id}")),
    Probe(("PATCH", "/api/accounts/{account_id}"), "change account", changes=True,
          send=_api("PATCH", "/api/accounts/{account_id}", {"industry": "Changed"})),
    # deals
    Probe(("GET", "/api/deals/{deal_id}"), "read deal", _api("GET", "/api/deals/{deal_id}")),
    Probe(("GET", "/api/deals/{deal_id}/stakeholders"), "deal's people",
          _api("GET", "/api/deals/{deal_id}/stakeholders")),
    Probe(("POST", "/api/deals"), "new deal in their account", refs_in_body=True,
          send=_api("POST", "/api/deals", lambda t: {"name": "New", "account_id": t["account_id"]})),
    Probe(("POST", "/api/deals"), "new deal referred by their contact", refs_in_body=True,
          send=_api("POST", "/api/deals", lambda t: {"name": "New", "referred_by_contact_id": t["contact_id"]})),
    Probe(("PATCH", "/api/deals/{deal_id}"), "own deal to their account", refs_in_body=True,
          send=_api("PATCH", "/api/deals/{own_deal_id}", lambda t: {"account_id": t["account_id"]})),
    Probe(("PATCH", "/api/deals/{deal_id}"), "own deal referred by their contact", refs_in_body=True,
          send=_api("PATCH", "/api/deals/{own_deal_id}", lambda t: {"referred_by_contact_id": t["contact_id"]})),
    Probe(("POST", "/api/deals/{deal_id}/stakeholders"), "their contact on own deal", refs_in_body=True,
          send=_api("POST", "/api/deals/{own_deal_id}/stakeholders", lambda t: {"contact_id": t["contact_id"]})),
    Probe(("POST", "/api/deals/{deal_id}/stakeholders"), "own contact on their deal", changes=True,
          send=_api("POST", "/api/deals/{deal_id}/stakeholders", lambda t: {"contact_id": t["own_contact_id"]})),
    Probe(("PATCH", "/api/deals/{deal_id}"), "change deal", changes=True,
          send=_api("PATCH", "/api/deals/{deal_id}", {"product": "Changed"})),
    # touches and calls
    Probe(("POST", "/api/touches"), "touch on their contact", refs_in_body=True, send=_api(
        "POST", "/api/touches", lambda t: {"contact_id": t["contact_id"], "channel": "call", "outcome": "no-answer"})),
    Probe(("POST", "/api/touches"), "own touch on their deal", refs_in_body=True, send=_api(
        "POST", "/api/touches", lambda t: {"contact_id": t["own_contact_id"], "deal_id": t["deal_id"],
                                           "channel": "call", "outcome": "no-answer"})),
    Probe(("GET", "/api/calls/{call_id}"), "read call", _api("GET", "/api/calls/{call_id}")),
    Probe(("PUT", "/api/calls/{call_id}/sides"), "set call sides", changes=True,
          send=_api("PUT", "/api/calls/{call_id}/sides", {"rep": ["Sam"]})),
    Probe(("POST", "/api/calls"), "call with their contact", refs_in_body=True, send=_api(
        "POST", "/api/calls", form=lambda t: {"contact_id": str(t["contact_id"])}, upload=True)),
    Probe(("POST", "/api/calls"), "own call on their deal", refs_in_body=True, send=_api(
        "POST", "/api/calls", form=lambda t: {"contact_id": str(t["own_contact_id"]), "deal_id": str(t["deal_id"])},
        upload=True)),
    # next steps promised on calls
    Probe(("GET", "/api/steps/{step_id}"), "read next step", _api("GET", "/api/steps/{step_id}")),
    Probe(("PATCH", "/api/steps/{step_id}"), "redate next step", changes=True,
          send=_api("PATCH", "/api/steps/{step_id}", {"due_at": "2031-03-04T10:00:00Z"})),
    Probe(("POST", "/api/steps/{step_id}/done"), "next step done", _api("POST", "/api/steps/{step_id}/done"),
          changes=True),
    Probe(("POST", "/api/steps/{step_id}/reopen"), "next step reopened",
          _api("POST", "/api/steps/{step_id}/reopen"), changes=True),
    # the same from a Today row (in place, as htmx sends it), between re-opening and cancelling
    Probe(("POST", "/today/steps/{step_id}/redate"), "next step redated from Today", changes=True, send=_page(
        "POST", "/today/steps/{step_id}/redate",
        lambda t: {"due": f"{datetime.now(UTC) + timedelta(days=10):%Y-%m-%d}"}, htmx=True)),
    Probe(("POST", "/today/steps/{step_id}/{action}"), "next step done from Today", changes=True,
          send=_page("POST", "/today/steps/{step_id}/done", htmx=True)),
    Probe(("POST", "/api/steps/{step_id}/cancel"), "next step cancelled",
          _api("POST", "/api/steps/{step_id}/cancel"), changes=True),
    Probe(("POST", "/api/dialer/touches/{touch_id}/gatekeeper"), "their call was a gatekeeper", changes=True,
          send=_api("POST", "/api/dialer/touches/{touch_id}/gatekeeper")),
    Probe(("GET", "/calls/{call_id}"), "call page", _page("GET", "/calls/{call_id}")),
    Probe(("GET", "/api/steps"), "their owner's next steps",
          _api("GET", "/api/steps", params={"rep": lambda t: t["owner"]})),
    Probe(("GET", "/calls/new"), "call form for their contact",
          _page("GET", "/calls/new", contact_id=lambda t: str(t["contact_id"]))),
    Probe(("GET", "/calls/new"), "call form for their deal",
          _page("GET", "/calls/new", deal_id=lambda t: str(t["deal_id"]))),
    Probe(("POST", "/calls"), "call form with their contact", changes=True, refs_in_body=True, send=_page(
        "POST", "/calls", lambda t: {"contact_id": str(t["contact_id"])}, upload=True)),
    Probe(("POST", "/calls"), "call form for own contact on their deal", changes=True, refs_in_body=True, send=_page(
        "POST", "/calls", lambda t: {"contact_id": str(t["own_contact_id"]), "deal_id": str(t["deal_id"])},
        upload=True)),
    Probe(("POST", "/calls/{call_id}/sides"), "call sides form", changes=True,
          send=_page("POST", "/calls/{call_id}/sides", lambda t: {"rep": "Sam"})),
    # alerts, nurture, writing and sending
    Probe(("POST", "/api/alerts/{alert_id}/seen"), "mark alert seen", _api("POST", "/api/alerts/{alert_id}/seen"),
          changes=True),
    Probe(("DELETE", "/api/nurture/{contact_id}"), "take their contact off nurture", changes=True,
          send=_api("DELETE", "/api/nurture/{nurture_contact_id}")),
    Probe(("POST", "/api/compose"), "write to their contact", refs_in_body=True,
          send=_api("POST", "/api/compose", lambda t: {"kind": "brief", "contact_id": t["contact_id"]})),
    Probe(("GET", "/api/outbound"), "emails to their contact",
          _api("GET", "/api/outbound", params={"contact_id": lambda t: t["contact_id"]})),
    Probe(("POST", "/api/send"), "send to their contact", refs_in_body=True, changes=True, send=_api(
        "POST", "/api/send", lambda t: {"contact_id": t["contact_id"], "subject": "Hello", "body": "Hi Vera"})),
    Probe(("GET", "/api/today"), "their owner's Today",
          _api("GET", "/api/today", params={"rep": lambda t: t["owner"]})),
    Probe(("GET", "/api/alerts"), "their owner's alerts",
          _api("GET", "/api/alerts", params={"rep": lambda t: t["owner"]})),
    # imports name records by email, domain and external id
    Probe(("POST", "/api/import/{kind}"), "import over their contact", changes=True, refs_in_body=True,
          by_unique_key=True,
          send=_import("contacts", lambda t: f"email,title\n{t['contact_email']},Changed\n")),
    Probe(("POST", "/api/import/{kind}"), "import over their account", changes=True, refs_in_body=True,
          by_unique_key=True,
          send=_import("accounts", lambda t: f"name,domain\nChanged,{t['account_domain']}\n")),
    Probe(("POST", "/api/import/{kind}"), "import over their deal", changes=True, refs_in_body=True,
          by_unique_key=True,
          send=_import("deals", lambda t: f"name,external_id\nChanged,{t['deal_external_id']}\n")),
    Probe(("POST", "/api/import/{kind}"), "import touches of their contact", changes=True, refs_in_body=True,
          send=_import("touches", lambda t: f"contact,channel,outcome,date\n{t['contact_email']},call,no-answer,"
                                            "2026-01-06\n")),
    # pages
    Probe(("GET", "/contacts/{contact_id}"), "contact page", _page("GET", "/contacts/{contact_id}")),
    Probe(("GET", "/contacts/{contact_id}/compose"), "compose page", _page("GET", "/contacts/{contact_id}/compose")),
    Probe(("GET", "/today"), "Today page of their owner", _page("GET", "/today", rep=lambda t: t["owner"])),
    Probe(("POST", "/contacts/{contact_id}/touches"), "log touch form", changes=True, refs_in_body=True,
          send=_page("POST", "/contacts/{contact_id}/touches", lambda t: {"channel": "call", "outcome": "no-answer"})),
    Probe(("POST", "/contacts/{contact_id}/send"), "send form", changes=True, refs_in_body=True,
          send=_page("POST", "/contacts/{contact_id}/send", lambda t: {"subject": "Hi", "body": "Hello Vera"})),
    Probe(("GET", "/deals/{deal_id}"), "deal page", _page("GET", "/deals/{deal_id}")),
    Probe(("POST", "/deals/{deal_id}/people/{contact_id}/role"), "role on their deal form", changes=True,
          send=_page("POST", "/deals/{deal_id}/people/{contact_id}/role", lambda t: {"role": "influencer"})),
    Probe(("GET", "/contacts/new"), "new contact form in their account",
          _page("GET", "/contacts/new", account=lambda t: str(t["account_id"]))),
    Probe(("GET", "/contacts/new"), "new contact form on their deal",
          _page("GET", "/contacts/new", deal=lambda t: str(t["deal_id"]))),
    Probe(("POST", "/contacts/new"), "new contact in their account form", changes=True, refs_in_body=True,
          send=_page("POST", "/contacts/new", lambda t: {"email": f"page.{t['account_id']}@lead.example",
                                                         "account_id": str(t["account_id"])})),
    Probe(("POST", "/contacts/new"), "new contact on their deal form", changes=True, refs_in_body=True,
          send=_page("POST", "/contacts/new", lambda t: {"email": f"page.{t['deal_id']}@lead.example",
                                                         "deal_id": str(t["deal_id"])})),
    Probe(("POST", "/contacts/{contact_id}/edit"), "edit contact form", changes=True, send=_page(
        "POST", "/contacts/{contact_id}/edit", lambda t: {"first_name": "Vera", "last_name": f"Case{t['tag']}",
                                                          "email": t["contact_email"], "title": "Changed"})),
    Probe(("POST", "/contacts/{contact_id}/edit"), "own contact to their account form", changes=True,
          refs_in_body=True, send=_page("POST", "/contacts/{own_contact_id}/edit", lambda t: {
              "first_name": "Vera", "last_name": f"Case{t['own_tag']}", "email": t["own_contact_email"],
              "account_id": str(t["account_id"])})),
    # a Today row: snooze, then log, the next touch planned for one contact; skip another's
    Probe(("GET", "/today/more"), "more of their owner's Today",
          _page("GET", "/today/more", group=lambda t: "due", rep=lambda t: t["owner"])),
    Probe(("POST", "/today/plans/{plan_id}/snooze"), "snooze their planned touch", changes=True, send=_page(
        "POST", "/today/plans/{plan_id}/snooze",
        lambda t: {"until": f"{datetime.now(UTC) + timedelta(days=2):%Y-%m-%dT%H:%M}"}, htmx=True)),
    Probe(("POST", "/today/plans/{plan_id}/log"), "log their planned touch", changes=True, send=_page(
        "POST", "/today/plans/{plan_id}/log", lambda t: {"channel": "call", "outcome": "no-answer"}, htmx=True)),
    Probe(("POST", "/today/plans/{plan_id}/skip"), "skip their planned touch", changes=True, send=_page(
        "POST", "/today/plans/{skip_plan_id}/skip", lambda t: {"reason": "travelling this week"}, htmx=True)),
    # a call the phone system could not match, taken onto one's own contact
    Probe(("POST", "/api/dialer/unmatched/{event_id}/attach"), "take their unmatched call", changes=True,
          send=_api("POST", "/api/dialer/unmatched/{event_id}/attach", lambda t: {"contact_id": t["own_contact_id"]})),
    # trigger rules are their team's: a manager changes their own team's, an admin any; a rep none
    Probe(("POST", "/settings/rules/{rule_id}"), "edit their team's rule", changes=True,
          send=_page("POST", "/settings/rules/{rule_id}", lambda t: {
              "name": f"Rule {t['tag']}", "event_type": "page_view", "url_pattern": "*/changed*", "min_count": "2",
              "window_hours": "48", "audience": "any"}),
          sees=lambda role, scope: role != "rep" and (role, scope) in VISIBLE),
    Probe(("POST", "/settings/rules/{rule_id}/active"), "switch off their team's rule", changes=True,
          send=_page("POST", "/settings/rules/{rule_id}/active", lambda t: {"active": "0"}),
          sees=lambda role, scope: role != "rep" and (role, scope) in VISIBLE),
    Probe(("GET", "/alerts/{alert_id}/row"), "alert row", _page("GET", "/alerts/{alert_id}/row")),
    Probe(("POST", "/deals/{deal_id}/stage"), "deal stage form", changes=True,
          send=_page("POST", "/deals/{deal_id}/stage", lambda t: {"stage": "qualification"})),
    Probe(("POST", "/alerts/{alert_id}/seen"), "alert seen form", changes=True,
          send=_page("POST", "/alerts/{alert_id}/seen")),
    # people: a manager manages their team, an admin everyone; anyone else is answered as a missing user
    Probe(("GET", "/settings/users/{user_id}"), "person page", _page("GET", "/settings/users/{user_id}"),
          sees=lambda role, scope: role != "rep" and (role, scope) in VISIBLE),
    Probe(("POST", "/settings/users/{user_id}/tokens"), "token for a person", changes=True,
          send=_page("POST", "/settings/users/{user_id}/tokens", lambda t: {"token_name": "probe"}),
          sees=lambda role, scope: role != "rep" and (role, scope) in VISIBLE),
    Probe(("GET", "/settings/alerts"), "a person's alert channels",
          _page("GET", "/settings/alerts", user=lambda t: str(t["user_id"])),
          sees=lambda role, scope: scope == "own" or (role != "rep" and (role, scope) in VISIBLE)),
    Probe(("POST", "/settings/alerts/{user_id}"), "remove a person's channel", changes=True,
          send=_page("POST", "/settings/alerts/{user_id}", lambda t: {"remove": ""}),
          sees=lambda role, scope: scope == "own" or (role != "rep" and (role, scope) in VISIBLE)),
    Probe(("POST", "/settings/alerts/{user_id}/test"), "test a person's channel", hidden_only=True,
          send=_page("POST", "/settings/alerts/{user_id}/test", lambda t: {"url": "json://127.0.0.1/x"})),
    Probe(("POST", "/settings/users/{user_id}"), "change a person", hidden_only=True, send=_page(
        "POST", "/settings/users/{user_id}", lambda t: {"name": "Changed", "role": "rep", "timezone": "UTC"})),
    Probe(("POST", "/settings/users/{user_id}/active"), "deactivate a person", hidden_only=True,
          send=_page("POST", "/settings/users/{user_id}/active", lambda t: {"active": "0"})),
    Probe(("POST", "/settings/users/{user_id}/password"), "reset a person's password", hidden_only=True,
          send=_page("POST", "/settings/users/{user_id}/password")),
    Probe(("POST", "/settings/users/{user_id}/tokens/{token_id}/revoke"), "revoke a person's token",
          hidden_only=True, send=_page("POST", "/settings/users/{user_id}/tokens/{token_id}/revoke")),
    Probe(("GET", "/team"), "team numbers of their owner", hidden_only=True,
          send=_page("GET", "/team", rep=lambda t: t["owner"])),
    Probe(("GET", "/team/deals"), "deals behind a figure of their owner", hidden_only=True,
          send=_page("GET", "/team/deals", rep=lambda t: t["owner"], figure=lambda t: "ftc", value=lambda t: "1")),
    Probe(("POST", "/settings/templates/{name}/preview"), "template preview on their contact", refs_in_body=True,
          send=_page("POST", "/settings/templates/note/preview",
                     lambda t: {"body": "Subject: Hello\n\nHi {{ first_name }}", "contact_id": str(t["contact_id"])}),
          sees=lambda role, scope: role != "rep" and (role, scope) in VISIBLE),
    # the contact leaves the cadence, then deletions: they remove the records the other probes use
    Probe(("POST", "/api/nurture"), "put their contact on nurture", refs_in_body=True, changes=True,
          send=_api("POST", "/api/nurture", lambda t: {"contact_id": t["contact_id"]})),
    Probe(("POST", "/nurture/{contact_id}/reopen"), "nurture reopen form", changes=True,
          send=_page("POST", "/nurture/{contact_id}/reopen", lambda t: {"reason": "asked"})),
    Probe(("POST", "/settings/rules/{rule_id}/delete"), "delete their team's rule", changes=True,
          send=_page("POST", "/settings/rules/{rule_id}/delete"),
          sees=lambda role, scope: role != "rep" and (role, scope) in VISIBLE),
    Probe(("DELETE", "/api/touches/{touch_id}"), "delete touch", _api("DELETE", "/api/touches/{touch_id}"),
          changes=True),
    Probe(("DELETE", "/api/deals/{deal_id}"), "delete deal", _api("DELETE", "/api/deals/{deal_id}"), changes=True),
    Probe(("DELETE", "/api/contacts/{contact_id}"), "delete contact", _api("DELETE", "/api/contacts/{contact_id}"),
          changes=True),
]

# Lists: the target shows up exactly when the caller may see it (checked by the marker in the answer).
LISTS: dict[tuple[str, str], tuple[str, Callable[[Records], str]]] = {
    ("GET", "/api/contacts"): ("/api/contacts?limit=1000", lambda r: r.contact_email),
    ("GET", "/api/accounts"): ("/api/accounts?limit=1000", lambda r: r.account_domain),
    ("GET", "/api/deals"): ("/api/deals?limit=1000", lambda r: r.deal_external_id),
    ("GET", "/api/nurture"): ("/api/nurture", lambda r: f"nina@{r.account_domain}"),
    ("GET", "/api/nurture/export"): ("/api/nurture/export", lambda r: f"nina@{r.account_domain}"),
    ("GET", "/api/export/{kind}"): ("/api/export/contacts", lambda r: r.contact_email),
    ("GET", "/api/alerts"): ("/api/alerts", lambda r: f"visited pricing {r.account_domain.split('.')[0]}"),
    ("GET", "/api/users"): ("/api/users", lambda r: r.owner_email),
    ("GET", "/contacts"): ("/contacts", lambda r: r.contact_email),
    ("GET", "/nurture"): ("/nurture", lambda r: f"nina@{r.account_domain}"),
    ("GET", "/nurture/export.csv"): ("/nurture/export.csv", lambda r: f"nina@{r.account_domain}"),
    ("GET", "/alerts"): ("/alerts", lambda r: f"visited pricing {r.tag}"),
    ("GET", "/calls"): ("/calls", lambda r: f"Vera Case{r.tag}"),
    ("GET", "/deals"): ("/deals", lambda r: f"Deal {r.tag}"),
    ("GET", "/api/dialer/unmatched"): ("/api/dialer/unmatched", lambda r: f'"id":{r.event_id},'),
}
# Lists of the caller's own work (another person's is asked for by name, in PROBES): the target shows
# up exactly when it is the caller's own.
OWN_LISTS: dict[tuple[str, str], tuple[str, Callable[[Records], str]]] = {
    ("GET", "/api/steps"): ("/api/steps?status=", lambda r: f"We will send the pricing {r.tag}"),
    ("GET", "/today/more"): ("/today/more?group=due", lambda r: f"Pia Case{r.tag}"),
}

# Routes that name no record of a user: the caller's own settings, shared team material (covered by
# the team tests), sign-in, health, webhooks and the tracking snippet.
NO_RECORD = {
    ("GET", "/healthz"), ("GET", "/api/me"), ("GET", "/api/me/notify"), ("PUT", "/api/me/notify"),
    ("GET", "/api/alerts/stream"), ("POST", "/api/accounts"), ("POST", "/events"), ("GET", "/api/rules"),
    ("POST", "/api/rules"), ("PATCH", "/api/rules/{rule_id}"), ("GET", "/api/messages"), ("POST", "/api/messages"),
    ("PUT", "/api/messages/{key}"), ("POST", "/api/messages/{key}/active"), ("GET", "/api/templates"),
    ("GET", "/api/templates/{name}"), ("PUT", "/api/templates/{name}"), ("GET", "/api/stories"),
    ("POST", "/api/stories"), ("PUT", "/api/stories/{story_id}"), ("DELETE", "/api/stories/{story_id}"),
    ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/"), ("GET", "/t.js"),
    ("POST", "/t/collect"),
    # the desk: team material and the team itself (their scoping is tested with the team settings)
    ("GET", "/settings"), ("GET", "/settings/messages"), ("POST", "/settings/messages"),
    ("POST", "/settings/messages/{key}/active"), ("GET", "/settings/rules"), ("POST", "/settings/rules"),
    ("GET", "/settings/sources"), ("POST", "/settings/sources"),
    ("GET", "/settings/stories"), ("POST", "/settings/stories"), ("POST", "/settings/stories/{story_id}/delete"),
    ("GET", "/settings/teams"), ("POST", "/settings/teams"), ("POST", "/settings/teams/{team_id}"),
    ("GET", "/settings/templates"), ("POST", "/settings/templates/{name}"), ("GET", "/settings/users"),
    ("POST", "/settings/users"),
    # sources: the installation's, admins only; the mailbox, a measured recording (nothing is stored)
    # and re-planning old overdue touches: only the caller's own
    ("POST", "/api/calls/recording/analyze"), ("POST", "/today/replan-overdue"),
    ("POST", "/settings/sources/{name}/keys"), ("POST", "/settings/sources/{name}/keys/{prefix}/revoke"),
    ("POST", "/settings/sources/{name}/rotate"), ("POST", "/settings/sources/{name}/secret"),
    ("GET", "/settings/mailbox"), ("POST", "/settings/mailbox"), ("POST", "/settings/mailbox/disconnect"),
    ("GET", "/calls/recording"), ("POST", "/calls/recording"),
}


# Reached by other systems, proven by a signature or a write key instead of a user: refused unsigned.
SIGNED = {
    ("POST", "/hooks/{source}"), ("POST", "/v1/b"), ("POST", "/v1/batch"), ("POST", "/v1/{call}"),
    ("POST", "/webhooks/dialer/aircall"), ("POST", "/webhooks/dialer/generic"), ("POST", "/webhooks/dialer/twilio"),
    ("POST", "/webhooks/dialer/ringcentral"),
}
# Answer no one in particular and change nothing: a provider's URL check and the browser's preflight.
OPEN = {("GET", "/hooks/{source}"), ("OPTIONS", "/v1/{path:path}")}
# The installation's own settings (sources feed every team; the audit trail covers everyone): admins only.
ADMIN_ONLY = {
    ("GET", "/admin/audit"), ("GET", "/api/sources"), ("POST", "/api/sources"), ("GET", "/api/sources/{name}"),
    ("POST", "/api/sources/{name}/keys"), ("DELETE", "/api/sources/{name}/keys/{prefix}"),
    ("PUT", "/api/sources/{name}/secret"), ("GET", "/api/sources/{name}/mapping"),
    ("PATCH", "/api/sources/{name}/mapping"),
}
# The desk's team settings: managers (their team) and admins; a rep is refused.
MANAGER_DESK = {
    ("GET", "/settings/analysis"), ("POST", "/settings/analysis"), ("GET", "/settings/cadence"),
    ("POST", "/settings/cadence"), ("POST", "/settings/cadence/replan"), ("GET", "/settings/cadence/replan/{run_id}"),
    ("GET", "/settings/import"), ("POST", "/settings/import"), ("POST", "/settings/import/{token}"),
    ("GET", "/settings/import/{token}/rejected.csv"), ("GET", "/settings/smtp"), ("POST", "/settings/smtp"),
    ("POST", "/settings/smtp/test"),
}
# Event sources on the desk: admins only, like the sources API.
ADMIN_ONLY |= {("POST", "/settings/sources/{name}/keys"), ("POST", "/settings/sources/{name}/keys/{prefix}/revoke"),
               ("POST", "/settings/sources/{name}/rotate"), ("POST", "/settings/sources/{name}/secret")}
def _app_routes(app: FastAPI) -> set[tuple[str, str]]:
    routes = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    for included in app.routes:  # pages are left out of the OpenAPI document
        router = getattr(included, "original_router", None)
        for route in getattr(router, "routes", []):
            if not getattr(route, "include_in_schema", True):
                routes |= {(m, getattr(router, "prefix", "") + route.path) for m in route.methods if m != "HEAD"}
    return routes


def test_every_route_and_page_is_in_the_matrix(client) -> None:
    covered = {p.route for p in PROBES} | set(LISTS) | set(OWN_LISTS) | NO_RECORD | SIGNED | OPEN | ADMIN_ONLY | \
        MANAGER_DESK
    missing = _app_routes(client.app) - covered
    assert not missing, f"add these routes to the access matrix: {sorted(missing)}"
    assert len({p.route for p in PROBES if p.refs_in_body}) >= 10


# ---- running it -----------------------------------------------------------------------------------

def _said(text: str) -> str:
    """What an answer says: for a page, the error itself (the layout around it holds small numbers and
    the caller's own messages of a moment ago)."""
    error = re.search(r'<section class="card narrow" id="error-page">.*?</section>', text, re.S)
    return error.group(0) if error else text


def _normal(text: str, records: Records | None, who: str) -> str:
    """An answer with the ids (or user) it was about taken out, to compare with the answer for missing ones."""
    text = re.sub(r'name="csrf" value="[^"]+"', "", _said(text)).replace(who, "<who>")
    for number in [MISSING, *(records.ids().values() if records else ())]:
        # record ids are large and distinct; a user's id is small, so only where it names a user
        pattern = rf"\b{number}\b" if number >= MISSING else rf"(?<=[Uu]ser ){number}\b"
        text = re.sub(pattern, "<id>", text)
    return text


@dataclass
class World:
    callers: dict[str, Caller]
    records: dict[tuple[str, str], Records]


@pytest.fixture
def world(client, engine) -> Iterator[World]:  # type: ignore[no-untyped-def]
    east_rep = make_user(engine, "rep@east.example", team="East", password=PASSWORD)
    mate = make_user(engine, "mate@east.example", team="East", password=PASSWORD)
    boss = make_user(engine, "boss@east.example", role="manager", team="East", password=PASSWORD)
    root = make_user(engine, "root@east.example", role="admin", team="East", password=PASSWORD)
    west = make_user(engine, "rep@west.example", team="West", password=PASSWORD)
    users = {"rep": east_rep, "manager": boss, "admin": root}
    # The owner of the records in each case: a rep's teammate is another rep; a manager's and an
    # admin's teammate is the rep.
    owners = {("rep", "own"): east_rep, ("rep", "team"): mate, ("manager", "own"): boss, ("manager", "team"): east_rep,
              ("admin", "own"): root, ("admin", "team"): east_rep}
    callers: dict[str, Caller] = {}
    for role, user in users.items():
        base = _records(engine, user.id, user.email, f"base-{role}")
        browser, token = _log_in(client.app, user.email)
        callers[role] = Caller(role, user, base.contact_id, base.deal_id, browser, token, base)
    records = {(role, scope): _records(engine, owners.get((role, scope), west).id,
                                       owners.get((role, scope), west).email, f"{role}-{scope}")
               for role in CALLERS for scope in SCOPES}
    yield World(callers, records)


def _target(records: Records) -> dict[str, Any]:
    return {**records.ids(), "owner": records.owner_email, "contact_email": records.contact_email,
            "account_domain": records.account_domain, "deal_external_id": records.deal_external_id, "tag": records.tag}


def _missing(records: Records) -> dict[str, Any]:
    fake = {key: MISSING for key in records.ids()}
    return {**fake, "owner": "nobody@east.example", "contact_email": "nobody@nowhere.example",
            "account_domain": "nowhere.example", "deal_external_id": "D-nowhere", "tag": "nowhere"}


def _answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.text


def test_access_matrix(client, engine, settings, world) -> None:
    """3 callers x 3 scopes x every probe, plus every list."""
    checked = 0
    with smtp_server() as (_mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        for role in CALLERS:
            caller = world.callers[role]
            for scope in SCOPES:
                records = world.records[(role, scope)]
                visible = (role, scope) in VISIBLE
                lists = [(route, path, marker, visible) for route, (path, marker) in LISTS.items()]
                lists += [(route, path, marker, scope == "own") for route, (path, marker) in OWN_LISTS.items()]
                for route, path, marker, shown in lists:
                    checked += 1
                    if route == ("GET", "/api/users") and role == "rep":  # reps manage no one
                        assert client.get(path, headers=caller.user.headers).status_code == 403
                        continue
                    listed = (caller.browser.get(path) if not path.startswith("/api") else
                              client.get(path, headers=caller.user.headers))
                    assert listed.status_code == 200, (role, scope, route)
                    assert (marker(records) in listed.text) is shown, (role, scope, route)
                ordered = sorted(PROBES, key=lambda p: p.changes)  # reads first, then changes, deletions last
                for probe in ordered:
                    target = _target(records)
                    where = (role, scope, probe.name)
                    seen = probe.sees(role, scope) if probe.sees else visible
                    if seen and probe.hidden_only:
                        checked += 1
                        continue
                    response = probe.send(client, caller, target)
                    if seen:
                        assert response.status_code < 400, (where, response.text[:500])
                    elif probe.by_unique_key:
                        assert response.status_code == 422, (where, response.text[:500])
                        assert records.owner_email not in response.text and "Case" not in response.text, where
                    else:
                        missing = probe.send(client, caller, _missing(records))
                        assert response.status_code == missing.status_code, (where, response.text[:500])
                        assert response.status_code in (403, 404, 422), (where, response.text[:500])
                        for text in (target["contact_email"], target["account_domain"], target["deal_external_id"]):
                            assert text not in _said(response.text), (where, text)
                        assert _normal(response.text, records, target["owner"]) == \
                            _normal(missing.text, None, _missing(records)["owner"]), where
                    checked += 1
    assert checked == 3 * 3 * (len(LISTS) + len(OWN_LISTS) + len(PROBES))


def test_hidden_records_are_unchanged_after_the_matrix(client, engine, settings, world) -> None:
    """The rep tries every probe on a teammate's and another team's records: nothing changes anywhere."""
    def snapshot() -> list[tuple[Any, ...]]:
        with unit_of_work(engine) as session:
            return [tuple(sorted((k, str(v)) for k, v in vars(obj).items() if not k.startswith("_")))
                    for model in (Account, Contact, Deal, DealStakeholder, Touch, Call, Alert, NurtureMembership,
                                  NextStep, PlannedTouch, InboundEvent, TriggerRule)
                    for obj in session.scalars(select(model).order_by(model.id))]

    caller = world.callers["rep"]
    with smtp_server() as (mailbox, port):
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
        for scope in ("team", "other"):
            before = snapshot()
            for probe in PROBES:
                assert probe.send(client, caller, _target(world.records[("rep", scope)])).status_code >= 400
            assert snapshot() == before, scope
    assert mailbox.received == []


# ---- who may call at all: anonymous callers, reps on the desk, managers on the installation's settings ----

# Routes anyone may call without signing in (sign-in itself, health, the tracking snippet and beacon).
SIGNED_IN_NOT_NEEDED = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("GET", "/t.js"),
                        ("POST", "/t/collect"), ("POST", "/events"), ("POST", "/logout")} | SIGNED | OPEN


_WORDS = {"{action}": "done", "{call}": "page", "{source}": "website", "{kind}": "contacts", "{name}": "website"}


def _filled(path: str) -> str:
    """A concrete URL for a route: every parameter a made-up value."""
    return re.sub(r"\{[^}]+\}", lambda m: _WORDS.get(m.group(0), str(MISSING)), path)


def _refused(response: Any) -> bool:
    """Refused, as an API (401/403) or as a page (sent to sign in). A page whose form or query lacks a
    required field is refused for its shape (422) before the caller is looked at: nothing is read."""
    if response.status_code in (401, 403):
        return True
    if response.status_code == 422 and "Field required" in response.text:
        return True
    return response.status_code in (302, 303, 307) and response.headers.get("location", "").endswith("/login")


def test_anonymous_callers_are_refused_everywhere_but_the_public_routes(client) -> None:
    client.cookies.clear()
    leaks = []
    for method, path in sorted(_app_routes(client.app) - SIGNED_IN_NOT_NEEDED):
        for headers in ({}, {"accept": "text/html"}):
            response = client.request(method, _filled(path), headers=headers, follow_redirects=False)
            if not _refused(response):
                leaks.append((method, path, headers.get("accept", "json"), response.status_code))
    assert leaks == [], leaks


def test_signed_routes_refuse_unsigned_requests(client) -> None:
    client.cookies.clear()
    for method, path in sorted(SIGNED):
        response = client.request(method, _filled(path), json={"type": "page"})
        assert response.status_code in (401, 404), (path, response.status_code, response.text[:200])


def test_reps_are_refused_the_desk_and_managers_the_installation_settings(client, engine) -> None:
    rep = make_user(engine, "rep@east.example", team="East", password=PASSWORD)
    boss = make_user(engine, "boss@east.example", role="manager", team="East", password=PASSWORD)
    with unit_of_work(engine) as session:  # a source that exists: refused is not the same as not found
        add_source(session, _WORDS["{name}"], "webhook", provider_secret=None, base_url="http://ember.test")
    for user, routes in ((rep, MANAGER_DESK | ADMIN_ONLY), (boss, ADMIN_ONLY)):
        browser, token = _log_in(client.app, user.email)
        for method, path in sorted(routes):
            url = _filled(path)
            if path.startswith("/api/"):
                body = {"name": "x", "events": {}, "secret": "a-secret-from-the-tool", "scope": "server"}
                response = client.request(method, url, headers=user.headers, json=body)
            elif method == "GET":
                response = browser.get(url, headers={"accept": "text/html"}, follow_redirects=False)
            else:
                response = browser.post(url, data={"csrf": token}, headers={"accept": "text/html"},
                                        follow_redirects=False)
            # 404: a page the caller's role has no link to answers as if it did not exist.
            assert response.status_code in (403, 404), (user.email, method, path, response.status_code)
