"""Which CSV columns mean what, for our own files and HubSpot and Salesforce exports.

Headers are matched case-insensitively, ignoring surrounding spaces,
underscores and hyphens. The same table is printed in docs/import.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ember import validation
from ember.vocabulary import Channel, ContactStatus, DealOutcome, DealSource, DealStage, DecisionRole, PreferredChannel


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]
    parse: Callable[[str], object] | None = None  # None: kept as trimmed text
    max_length: int = 255


def _enum(enum):  # type: ignore[no-untyped-def]
    return lambda value: validation.parse_enum(enum, value).value


def _url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value.strip()):
        raise ValueError(f"{value!r} is not a web address; start it with https://")
    return value.strip()


def _domain(value: str) -> str:
    text = value.strip().lower().removeprefix("http://").removeprefix("https://").removeprefix("www.")
    text = text.split("/")[0]
    if not re.match(r"^[a-z0-9.-]+\.[a-z]{2,}$", text):
        raise ValueError(f"{value!r} is not a domain; use a name like acme.com")
    return text


CONTACT_COLUMNS = (
    Column("first_name", ("first_name", "first name", "firstname"), max_length=100),
    Column("last_name", ("last_name", "last name", "lastname"), max_length=100),
    Column("email", ("email", "email address"), validation.parse_email, 320),
    Column("phone", ("phone", "phone number", "mobile phone number", "mobilephone"), max_length=50),
    Column("title", ("title", "job title", "jobtitle"), max_length=200),
    Column("linkedin_url", ("linkedin_url", "linkedin url", "linkedin"), _url, 500),
    Column("account_name", ("company", "company name", "account name", "accountname", "account")),
    Column("account_domain", ("company_domain", "company domain name", "website", "account_domain"), _domain),
    Column("country", ("country", "country/region", "mailing country", "mailingcountry"), validation.parse_country),
    Column("timezone", ("timezone", "time zone", "time_zone"), validation.parse_timezone),
    Column("decision_role", ("decision_role", "decision role", "buying role"), _enum(DecisionRole)),
    Column("preferred_channel", ("preferred_channel", "preferred channel"), _enum(PreferredChannel)),
    Column("status", ("status", "ember status"), _enum(ContactStatus)),
    Column("owner_email", ("owner", "owner_email", "contact owner", "contactowner", "owner email")),
    Column("external_id", ("external_id", "record id", "contact id", "id", "contactid"), max_length=100),
)

ACCOUNT_COLUMNS = (
    Column("name", ("name", "company name", "account name", "accountname", "company"), max_length=200),
    Column("domain", ("domain", "company domain name", "website"), _domain),
    Column("country", ("country", "country/region", "billing country", "billingcountry"), validation.parse_country),
    Column("timezone", ("timezone", "time zone"), validation.parse_timezone),
    Column("industry", ("industry",), max_length=100),
    Column("size", ("size", "employees", "number of employees", "numberofemployees"), validation.parse_int),
    Column("owner_email", ("owner", "owner_email", "company owner", "account owner")),
    Column("external_id", ("external_id", "record id", "account id", "id", "company id"), max_length=100),
)

DEAL_COLUMNS = (
    Column("name", ("name", "deal name", "opportunity name", "dealname"), max_length=200),
    Column("account_name", ("account", "account name", "company", "company name", "associated company")),
    Column("account_domain", ("account_domain", "company domain name"), _domain),
    Column("product", ("product",), max_length=100),
    Column("amount", ("amount", "deal amount"), validation.parse_amount),
    Column("currency", ("currency", "opportunity currency"), max_length=3),
    Column("stage", ("stage", "deal stage", "dealstage"), _enum(DealStage)),
    Column("source", ("source", "lead source", "leadsource"), _enum(DealSource)),
    Column("referred_by_name", ("referred_by", "referred by"), max_length=200),
    Column("created_at", ("created", "created_at", "create date", "created date"), validation.parse_datetime),
    Column("closed_at", ("closed", "closed_at", "close date"), validation.parse_datetime),
    Column("outcome", ("outcome",), _enum(DealOutcome)),
    Column("outcome_reason", ("outcome_reason", "closed lost reason", "loss reason"), max_length=2000),
    Column("owner_email", ("owner", "owner_email", "deal owner", "opportunity owner")),
    Column("external_id", ("external_id", "record id", "deal id", "opportunity id", "id"), max_length=100),
)

TOUCH_COLUMNS = (
    Column("contact_email", ("contact", "contact_email", "contact email", "email"), validation.parse_email, 320),
    Column("channel", ("channel", "type", "activity type"), _enum(Channel)),
    Column("outcome", ("outcome", "result", "call outcome"), lambda v: v.strip().lower(), 40),
    Column("occurred_at", ("occurred_at", "when", "date", "activity date", "timestamp"), validation.parse_datetime),
    Column("deal_external_id", ("deal", "deal_id", "deal id", "deal external id"), max_length=100),
    Column("notes", ("notes", "note", "comments", "description"), max_length=5000),
    Column("owner_email", ("rep", "rep email", "owner", "activity owner", "assigned to")),
)

COLUMNS = {"contacts": CONTACT_COLUMNS, "accounts": ACCOUNT_COLUMNS, "deals": DEAL_COLUMNS, "touches": TOUCH_COLUMNS}
REQUIRED = {"contacts": ("email",), "accounts": ("name",), "deals": ("name",),
            "touches": ("contact_email", "channel", "outcome", "occurred_at")}


def normalise_header(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lstrip("\ufeff").lower())
