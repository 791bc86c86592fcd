"""Accounts, contacts and deals: who the demo team sells to."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ember.demo import names
from ember.demo.cadence import Shape, Weighted
from ember.demo.context import Context, Rep
from ember.vocabulary import (
    ContactStatus,
    DealOutcome,
    DealSource,
    DealStage,
    DecisionRole,
    PreferredChannel,
)

_COUNTRY: Weighted[names.Country] = Weighted([(c, c.weight) for c in names.COUNTRIES])
_ZONES: dict[str, Weighted[str]] = {c.code: Weighted(list(c.zones)) for c in names.COUNTRIES}
_SIZE: Weighted[tuple[int, int]] = Weighted([((lo, hi), w) for lo, hi, w in names.SIZE_BANDS])
_CONTACTS_PER_ACCOUNT: Weighted[int] = Weighted([(1, 25), (2, 27), (3, 22), (4, 14), (5, 8), (6, 4)])
_DEALS_PER_ACCOUNT: Weighted[int] = Weighted([(0, 10), (1, 48), (2, 33), (3, 9)])
EXTRA_STAKEHOLDERS: Weighted[int] = Weighted([(0, 50), (1, 35), (2, 15)])
_PRIMARY_ROLE: Weighted[DecisionRole] = Weighted([
    (DecisionRole.DECISION_MAKER, 30), (DecisionRole.CHAMPION, 20),
    (DecisionRole.INFLUENCER, 20), (DecisionRole.INFO_GATHERER, 18),
    (DecisionRole.END_USER, 7), (DecisionRole.UNKNOWN, 5),
])
_OTHER_ROLE: Weighted[DecisionRole] = Weighted([
    (DecisionRole.DECISION_MAKER, 12), (DecisionRole.CHAMPION, 8),
    (DecisionRole.INFLUENCER, 20), (DecisionRole.INFO_GATHERER, 20),
    (DecisionRole.END_USER, 20), (DecisionRole.UNKNOWN, 20),
])
_PREFERRED: Weighted[PreferredChannel | None] = Weighted([
    (None, 30), (PreferredChannel.CALL, 22), (PreferredChannel.EMAIL, 22),
    (PreferredChannel.VIDEO_DEMO, 12), (PreferredChannel.SELF_SERVE_DEMO, 6),
    (PreferredChannel.SOCIAL, 5), (PreferredChannel.SMS, 3),
])
_SOURCE: Weighted[DealSource] = Weighted([
    (DealSource.OUTBOUND, 45), (DealSource.INBOUND, 25), (DealSource.REFERRAL, 14),
    (DealSource.EVENT, 10), (DealSource.PARTNER, 6),
])
_STAGE: Weighted[DealStage] = Weighted([
    (DealStage.PROSPECTING, 8), (DealStage.QUALIFICATION, 9), (DealStage.DISCOVERY, 9),
    (DealStage.DEMO, 8), (DealStage.PROPOSAL, 7), (DealStage.NEGOTIATION, 5),
    (DealStage.CLOSED_WON, 22), (DealStage.CLOSED_LOST, 32),
])
# Follow-ups after the first conversation, by how far the deal has come.
_FOLLOW_UPS: dict[DealStage, tuple[int, int]] = {
    DealStage.PROSPECTING: (0, 0), DealStage.QUALIFICATION: (0, 2),
    DealStage.DISCOVERY: (1, 3), DealStage.DEMO: (2, 5), DealStage.PROPOSAL: (3, 7),
    DealStage.NEGOTIATION: (4, 9), DealStage.CLOSED_WON: (4, 10),
    DealStage.CLOSED_LOST: (0, 6),
}
PROBLEMS: tuple[str, ...] = (
    "the slow handover from sales to onboarding", "reporting that takes every Monday morning",
    "customers waiting weeks for a first call", "deals going quiet after the demo",
    "forecasts nobody trusts", "three tools for one checklist",
)


@dataclass(slots=True)
class AccountFacts:
    id: int
    name: str
    country: str
    tz: str
    industry: str
    owner: Rep
    problem: str
    domain: str


@dataclass(slots=True)
class ContactFacts:
    id: int
    first: str
    last: str
    country: str
    tz: str
    role: str
    row: dict[str, Any]  # the buffered row, still editable until the next flush
    preferred: str | None
    received: set[str] = field(default_factory=set)  # message variant keys sent so far

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(slots=True)
class DealPlan:
    id: int
    stage: DealStage
    source: DealSource
    row: dict[str, Any]
    primary: ContactFacts
    others: list[ContactFacts]
    end: int  # working-day offset of the last touch
    stalled: bool


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalpha())


def make_account(ctx: Context) -> AccountFacts:
    rng = ctx.rng
    country: names.Country = _COUNTRY.pick(rng)
    industry, words = rng.choice(names.INDUSTRIES)
    root, word = rng.choice(names.NAME_ROOTS), rng.choice(words)
    suffix = rng.choice(country.company_suffixes)
    name = f"{root} {word} {suffix}".strip()
    # Slugs hold letters only, so appending a number can never collide.
    base = slug(root + word)
    used = ctx.domains.get(base + country.tld, 0)
    ctx.domains[base + country.tld] = used + 1
    domain = f"{base}{used + 1 if used else ''}{country.tld}"
    low, high = _SIZE.pick(rng)
    owner = rng.choice(ctx.reps)
    tz: str = _ZONES[country.code].pick(rng)
    created = ctx.calendar.instant(country.code, tz, 200 + int(rng.random() * 60), 600)
    account_id = ctx.writer.add("accounts", {
        "name": name, "domain": domain, "country": country.code, "timezone": tz,
        "industry": industry, "size": rng.randint(low, high), "owner_id": owner.id,
        "external_id": None, "created_at": created, "updated_at": created,
    })
    return AccountFacts(account_id, name, country.code, tz, industry, owner,
                        rng.choice(PROBLEMS), domain)


def contacts_for(ctx: Context, account: AccountFacts, count: int) -> list[ContactFacts]:
    country = next(c for c in names.COUNTRIES if c.code == account.country)
    people: list[ContactFacts] = []
    taken: set[str] = set()
    for index in range(count):
        role = (_PRIMARY_ROLE if index == 0 else _OTHER_ROLE).pick(ctx.rng)
        people.append(_contact(ctx, account, country, account.domain, role, taken))
    return people


def _contact(ctx: Context, account: AccountFacts, country: names.Country, domain: str,
             role: DecisionRole, taken: set[str]) -> ContactFacts:
    rng = ctx.rng
    first, last = rng.choice(country.first_names), rng.choice(country.last_names)
    local = f"{slug(first)}.{slug(last)}"
    if local in taken:  # two people of one name at one company
        local = f"{slug(first)[:1]}{slug(last)}{len(taken)}"
    taken.add(local)
    choice = _PREFERRED.pick(rng)
    preferred = choice.value if choice else None
    evidence = rng.choice(names.ROLE_EVIDENCE[role]) or None
    created = ctx.calendar.instant(account.country, account.tz, 200, 600)
    row = {
        "account_id": account.id, "owner_id": account.owner.id, "first_name": first,
        "last_name": last, "title": rng.choice(names.TITLES[role]),
        "email": f"{local}@{domain}", "phone": _phone(rng, country.phone),
        "linkedin_url": f"https://www.linkedin.com/in/{local.replace('.', '-')}-{rng.randrange(16**6):06x}",
        "country": account.country, "timezone": account.tz, "decision_role": role.value,
        "decision_role_evidence": evidence, "decision_role_source": "manual" if evidence else None,
        "preferred_channel": preferred, "status": ContactStatus.ACTIVE.value,
        "external_id": None, "created_at": created, "updated_at": created,
    }
    contact_id = ctx.writer.add("contacts", row)
    ctx.contacts_made += 1
    return ContactFacts(contact_id, first, last, account.country, account.tz, role.value, row,
                        preferred)


def _phone(rng: random.Random, prefix: str) -> str:
    return prefix + " ".join(str(rng.randrange(100, 1000)) for _ in range(3))


def contact_count(ctx: Context) -> int:
    return _CONTACTS_PER_ACCOUNT.pick(ctx.rng)


def deal_count(ctx: Context) -> int:
    return _DEALS_PER_ACCOUNT.pick(ctx.rng)


def pick_stage(ctx: Context) -> DealStage:
    """Every stage appears: the first deals walk through all of them in order."""
    stages = list(DealStage)
    if ctx.deals_made < len(stages):
        return stages[ctx.deals_made]
    return _STAGE.pick(ctx.rng)


def plan_deal(ctx: Context, account: AccountFacts, primary: ContactFacts,
              others: list[ContactFacts]) -> DealPlan:
    rng = ctx.rng
    stage = pick_stage(ctx)
    ctx.deals_made += 1
    source: DealSource = _SOURCE.pick(rng)
    product, low, high = rng.choice(names.PRODUCTS)
    country = next(c for c in names.COUNTRIES if c.code == account.country)
    amount = Decimal(round(rng.uniform(low, high) * country.per_usd, -2)).quantize(Decimal("1.00"))
    closed = stage in (DealStage.CLOSED_WON, DealStage.CLOSED_LOST)
    stalled = not closed and rng.random() < 0.12
    end = (1 + int(rng.random() * 150)) if closed else (
        12 + int(rng.random() * 24) if stalled else 1 + int(rng.random() * 6))
    row: dict[str, Any] = {
        "account_id": account.id, "owner_id": account.owner.id,
        "name": f"{account.name} – {product}",
        "product": product, "amount": amount, "currency": country.currency,
        "stage": stage.value, "source": source.value, "referred_by_contact_id": None,
        "referred_by_name": None, "closed_at": None, "outcome": None, "outcome_reason": None,
        "stalled_at": None, "qualification": {}, "external_id": None,
    }
    _referral(ctx, row, source)
    if stage == DealStage.CLOSED_WON:
        row["outcome"], row["outcome_reason"] = DealOutcome.WON.value, rng.choice(names.WON_REASONS)
    elif stage == DealStage.CLOSED_LOST:
        row["outcome"] = DealOutcome.LOST.value
        row["outcome_reason"] = rng.choice(names.LOST_REASONS)
    deal_id = ctx.writer.add("deals", row)
    return DealPlan(deal_id, stage, source, row, primary, others, end, stalled)


def _referral(ctx: Context, row: dict[str, Any], source: DealSource) -> None:
    if source != DealSource.REFERRAL:
        return
    if ctx.referrers and ctx.rng.random() < 0.7:
        contact_id, name = ctx.rng.choice(tuple(ctx.referrers))
        row["referred_by_contact_id"], row["referred_by_name"] = contact_id, name
    else:
        row["referred_by_name"] = ctx.rng.choice(names.REFERRAL_PARTNERS)


def primary_shape(ctx: Context, plan: DealPlan) -> Shape:
    rng = ctx.rng
    warm = plan.source in (DealSource.INBOUND, DealSource.REFERRAL, DealSource.EVENT)
    misses = int(rng.random() * 3) if warm else 1 + min(int(rng.expovariate(0.45)), 7)
    if plan.stage == DealStage.PROSPECTING:
        return Shape(ctx.stretch(misses + 1), False, 0, "open")
    low, high = _FOLLOW_UPS[plan.stage]
    follow_ups = ctx.stretch(rng.randint(low, high))
    ending = "open"
    if plan.stage == DealStage.CLOSED_WON:
        ending = "won"
    elif plan.stage == DealStage.CLOSED_LOST:
        ending = "said_no" if rng.random() < 0.4 else "silent"
    return Shape(ctx.stretch(misses), True, follow_ups, ending)


def secondary_shape(ctx: Context, plan: DealPlan) -> Shape:
    rng = ctx.rng
    early = plan.stage in (DealStage.PROSPECTING, DealStage.QUALIFICATION)
    misses = int(rng.random() * 3)
    if early:
        return Shape(ctx.stretch(misses + 1), False, 0, "open")
    ending = "won" if plan.stage == DealStage.CLOSED_WON else "open"
    return Shape(ctx.stretch(misses), True, ctx.stretch(int(rng.random() * 3)), ending)


def mark_closed(plan: DealPlan, last_touch: datetime, first_touch: datetime,
                rng: random.Random, now: datetime) -> None:
    """Dates on the deal row that follow from its touches."""
    plan.row["created_at"] = first_touch - timedelta(minutes=5)
    plan.row["updated_at"] = last_touch
    if plan.row["outcome"]:
        closed = min(last_touch + timedelta(hours=2 + int(rng.random() * 46)), now)
        plan.row["closed_at"] = closed
        plan.row["updated_at"] = closed
    elif plan.stalled:
        plan.row["stalled_at"] = min(last_touch + timedelta(days=10), now)
