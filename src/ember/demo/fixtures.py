"""The fixed part of the demo: the team, its users, event sources, rules and stories."""

from __future__ import annotations

import base64
import math
import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ember.compose.defaults import SAMPLE_TITLES
from ember.demo import repository
from ember.demo.context import Rep
from ember.demo.repository import Writer
from ember.messages.service import ensure_defaults
from ember.users.passwords import hash_password
from ember.users.service import add_user
from ember.vocabulary import EventType, Role

DEMO_PASSWORD = "ember-demo"
TEAM = "Harborlight Sales"
DOMAIN = "harborlight.example"
ADMIN_EMAIL = f"admin@{DOMAIN}"
MANAGER_EMAIL = f"maya.chen@{DOMAIN}"

# (email, name, role, time zone): a manager and reps spread over the regions they cover.
USERS: tuple[tuple[str, str, Role, str], ...] = (
    (ADMIN_EMAIL, "Alex Morgan", Role.ADMIN, "Europe/London"),
    (MANAGER_EMAIL, "Maya Chen", Role.MANAGER, "America/New_York"),
    (f"sam.okafor@{DOMAIN}", "Sam Okafor", Role.REP, "America/New_York"),
    (f"lena.fischer@{DOMAIN}", "Lena Fischer", Role.REP, "Europe/Berlin"),
    (f"diego.ramirez@{DOMAIN}", "Diego Ramírez", Role.REP, "America/Sao_Paulo"),
)
CONTACTS_PER_REP = 270  # the default data set: 800 contacts over three reps
EXTRA_TEAM_SIZE = 8


def create_users(session: Session) -> list[Rep]:
    """The named demo users, with the demo password (argon2-hashed by the service)."""
    reps = []
    for email, name, role, tz in USERS:
        team = None if role == Role.ADMIN else TEAM
        user = add_user(session, email=email, name=name, role=role.value, team=team,
                        timezone=tz, password=DEMO_PASSWORD)
        if role == Role.REP:
            reps.append(Rep(user.id, user.name, user.email))
    return reps


def extra_reps(writer: Writer, contacts: int, now: datetime) -> list[Rep]:
    """For large data sets: more reps (teams of eight with a manager each) to share the load.

    They all share one password hash: hashing with argon2 thousands of times
    would take minutes and prove nothing.
    """
    wanted = math.ceil(contacts / CONTACTS_PER_REP) - 3
    if wanted <= 0:
        return []
    digest = hash_password(DEMO_PASSWORD)
    reps: list[Rep] = []
    for team_no in range(math.ceil(wanted / EXTRA_TEAM_SIZE)):
        team_id = writer.add("teams", {"name": f"Field Sales {team_no + 2}", "created_at": now})
        _user(writer, f"manager{team_no + 2}@{DOMAIN}", f"Manager {team_no + 2}", Role.MANAGER,
              team_id, digest, now)
        for _ in range(min(EXTRA_TEAM_SIZE, wanted - len(reps))):
            number = len(reps) + 4
            email = f"rep{number}@{DOMAIN}"
            rep_id = _user(writer, email, f"Rep {number}", Role.REP, team_id, digest, now)
            reps.append(Rep(rep_id, f"Rep {number}", email))
    return reps


def _user(writer: Writer, email: str, name: str, role: Role, team_id: int, digest: str,
          now: datetime) -> int:
    return writer.add("users", {
        "email": email, "name": name, "role": role.value, "team_id": team_id,
        "timezone": "UTC", "password_hash": digest, "notify_urls": [], "is_active": True,
        "created_at": now,
    })


def whsec(rng: random.Random) -> str:
    """A Standard Webhooks secret: "whsec_" and base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(rng.randbytes(24)).decode()


def event_sources(writer: Writer, rng: random.Random, now: datetime, existing: set[str]) -> None:
    """The three sources the demo events come from (a team's own ones are kept as they are)."""
    for name in ("website", "newsletter", "webinar"):
        secret = whsec(rng)
        if name not in existing:
            writer.add("event_sources", {"name": name, "secret": secret,
                                         "created_at": now - timedelta(days=270)})


# (name, event type, url pattern, min count, window hours, audience)
TRIGGER_RULES: tuple[tuple[str, EventType, str | None, int, int, str], ...] = (
    ("Pricing page visit", EventType.PAGE_VIEW, "*/pricing*", 1, 24 * 7, "any"),
    ("Demo page visit", EventType.PAGE_VIEW, "*/demo*", 1, 24 * 7, "any"),
    ("Two case studies in a week", EventType.PAGE_VIEW, "*/case-studies/*", 2, 24 * 7, "any"),
    ("Webinar RSVP", EventType.WEBINAR_RSVP, None, 1, 24 * 14, "any"),
    ("Newsletter subscribe (nurture)", EventType.NEWSLETTER_SUBSCRIBE, None, 1, 24 * 30,
     "nurture"),
)


def trigger_rules(writer: Writer, team_id: int | None, now: datetime) -> None:
    """The team's rules; only called when the database has none (migrations add defaults)."""
    for name, kind, pattern, count, hours, audience in TRIGGER_RULES:
        writer.add("trigger_rules", {
            "team_id": team_id, "name": name, "event_type": kind.value, "url_pattern": pattern,
            "min_count": count, "window_hours": hours, "audience": audience, "is_active": True,
            "created_at": now - timedelta(days=270),
        })


# Customer stories a rep can tell; invented for the demo, in our own words.
PROOF_POINTS: tuple[tuple[str, str, str | None, str, str], ...] = (
    ("story", "Onboarding from six weeks to two", "Logistics",
     "onboarding, handover, delays",
     "A freight company with 300 staff ran onboarding from a shared inbox; new customers "
     "waited six weeks for their first shipment report. After a one-region pilot the "
     "handover took under two weeks, and the other regions asked to join the next quarter."),
    ("story", "The Monday report, automated", "Software",
     "reporting, spreadsheets, managers' time",
     "Sales managers at a software company lost every Monday morning to a hand-built report. "
     "We set up the three reports they used and nothing else; six weeks later the report was "
     "ready before anyone logged in, and the weekly meeting got shorter."),
    ("story", "After the in-house tool", "Healthcare",
     "in-house tool, maintenance, security review",
     "A clinic group had built its own tracker; when its author left, nobody maintained it. "
     "We ran the security review before the first demo, migrated their data in two weeks, "
     "and first-quarter churn went down that year."),
    ("proof", "Five follow-ups", None, "persistence, follow-up, cadence",
     "Across our customers, most closed deals needed five or more follow-ups after the first "
     "conversation, while most reps stop after one to four. Persistence pays if every "
     "follow-up brings something new."),
    ("story", "Adoption that stuck", "Retail",
     "adoption, rollout, change management",
     "A retailer had abandoned a tool after three months. This time they began with one "
     "store team and one problem; usage grew because people asked for it, and a year on "
     "nine out of ten stores use it weekly."),
    ("proof", "Next steps on discovery calls", None, "next steps, discovery, win rate",
     "Deals our customers won had about five concrete next steps set on the discovery call; "
     "lost ones had about two. Ending a call with dates and owners is the habit that shows."),
)


def drop_sample_stories(session: Session) -> None:
    """The demo brings its own story library; the samples a new database starts
    with would only crowd it (stories a team wrote itself stay)."""
    repository.drop_stories(session, list(SAMPLE_TITLES))


def proof_points(writer: Writer, now: datetime) -> None:
    for kind, title, industry, keywords, text in PROOF_POINTS:
        writer.add("proof_points", {"kind": kind, "title": title, "industry": industry,
                                    "problem_keywords": keywords, "text": text,
                                    "created_at": now - timedelta(days=200)})


def message_library(session: Session) -> dict[str, int]:
    """The default message library, added through the messages service: {key: id}."""
    ensure_defaults(session)
    return repository.variant_ids_by_key(session)
