"""Which CSV columns mean what, for our own files and HubSpot and Salesforce exports.

Headers are matched case-insensitively, ignoring surrounding spaces,
underscores and hyphens, as the CRMs' own importers do. The same table is
printed in docs/import.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ember import validation
from ember.imports.values import parse_export_datetime, parse_flag
from ember.vocabulary import Channel, ContactStatus, DealOutcome, DealSource, DealStage, DecisionRole, PreferredChannel


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]
    parse: Callable[[str], object] | None = None  # None: kept as trimmed text
    max_length: int = 255


def _enum(enum, aliases: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    known = {normalise_header(k): v for k, v in (aliases or {}).items()}
    return lambda value: validation.parse_enum(enum, known.get(normalise_header(value)) or value).value


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


def normalise_header(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lstrip("\ufeff").lower())


# The CRMs' own pipeline stage names, to ours.
STAGE_NAMES = {
    "appointmentscheduled": "discovery", "qualifiedtobuy": "qualification", "presentationscheduled": "demo",
    "decisionmakerboughtin": "proposal", "contractsent": "negotiation", "closedwon": "closed_won",
    "closedlost": "closed_lost", "closed won": "closed_won", "closed lost": "closed_lost",
    "needs analysis": "discovery", "value proposition": "proposal", "id. decision makers": "qualification",
    "perception analysis": "discovery", "proposal/price quote": "proposal", "negotiation/review": "negotiation",
}
SOURCE_NAMES = {
    "outbound prospecting": "outbound", "cold call": "outbound", "web": "inbound", "website": "inbound",
    "organic search": "inbound", "direct traffic": "inbound", "phone inquiry": "inbound",
    "partner referral": "partner", "employee referral": "referral", "external referral": "referral",
    "word of mouth": "referral", "trade show": "event", "seminar - internal": "event", "webinar": "event",
    "offline sources": "event",
}

PHONE_FIELDS = ("phone", "mobile_phone", "home_phone", "other_phone", "assistant_phone")

CONTACT_COLUMNS = (
    Column("first_name", ("first_name", "first name", "firstname"), max_length=100),
    Column("last_name", ("last_name", "last name", "lastname"), max_length=100),
    Column("email", ("email", "email address", "e-mail"), validation.parse_email, 320),
    Column("phone", ("phone", "phone number", "business phone", "work phone"), max_length=50),
    Column("mobile_phone", ("mobile_phone", "mobile phone number", "mobilephone", "mobile phone", "mobile"),
           max_length=50),
    Column("home_phone", ("home_phone", "homephone", "home phone"), max_length=50),
    Column("other_phone", ("other_phone", "otherphone", "other phone"), max_length=50),
    Column("assistant_phone", ("assistant_phone", "assistantphone", "assistant phone", "asst. phone"),
           max_length=50),
    Column("title", ("title", "job title", "jobtitle"), max_length=200),
    Column("linkedin_url", ("linkedin_url", "linkedin url", "linkedin"), _url, 500),
    Column("account_name", ("company", "company name", "account name", "accountname", "account")),
    Column("account_domain", ("company_domain", "company domain name", "website", "website url", "account_domain",
                              "company domain"), _domain),
    Column("account_external_id", ("account_external_id", "accountid", "account id", "associated company id",
                                   "company id"), max_length=100),
    Column("country", ("country", "country/region", "mailing country", "mailingcountry"), validation.parse_country),
    Column("timezone", ("timezone", "time zone", "time_zone"), validation.parse_timezone),
    Column("decision_role", ("decision_role", "decision role", "buying role"), _enum(DecisionRole)),
    Column("preferred_channel", ("preferred_channel", "preferred channel"), _enum(PreferredChannel)),
    Column("status", ("status", "ember status"), _enum(ContactStatus)),
    Column("owner", ("owner", "owner_email", "contact owner", "contactowner", "owner email", "owner name")),
    Column("external_id", ("external_id", "record id", "record id - contact", "contact id", "id", "contactid"),
           max_length=100),
    Column("do_not_call", ("do_not_call", "donotcall", "do not call"), parse_flag),
    Column("do_not_email", ("do_not_email", "email_opt_out", "hasoptedoutofemail", "email opt out",
                            "unsubscribed from all email", "opted out of all email"), parse_flag),
    Column("is_deleted", ("isdeleted", "is deleted", "deleted"), parse_flag),
)

# A "contacts with company" export repeats some headers: the first column is the
# contact's, the repeat is the associated company's, read into these fields
# (None: the company's value is not kept).
COMPANY_REPEATS: dict[str, str | None] = {
    "account_name": "account_name", "country": "account_country", "external_id": "account_external_id",
    "account_domain": "account_domain", "phone": None, "owner": None,
}

ACCOUNT_COLUMNS = (
    Column("name", ("name", "company name", "account name", "accountname", "company"), max_length=200),
    Column("domain", ("domain", "company domain name", "website", "website url"), _domain),
    Column("country", ("country", "country/region", "billing country", "billingcountry"), validation.parse_country),
    Column("timezone", ("timezone", "time zone"), validation.parse_timezone),
    Column("industry", ("industry",), max_length=100),
    Column("size", ("size", "employees", "number of employees", "numberofemployees"), validation.parse_int),
    Column("owner", ("owner", "owner_email", "company owner", "account owner")),
    Column("external_id", ("external_id", "record id", "record id - company", "account id", "id", "company id"),
           max_length=100),
    Column("is_deleted", ("isdeleted", "is deleted", "deleted"), parse_flag),
)

DEAL_COLUMNS = (
    Column("name", ("name", "deal name", "opportunity name", "dealname"), max_length=200),
    Column("account_name", ("account", "account name", "company", "company name", "associated company")),
    Column("account_domain", ("account_domain", "company domain name"), _domain),
    Column("account_external_id", ("account_external_id", "accountid", "associated company id"), max_length=100),
    Column("product", ("product",), max_length=100),
    Column("amount", ("amount", "deal amount"), validation.parse_amount),
    Column("currency", ("currency", "opportunity currency", "currencyisocode"), max_length=3),
    Column("stage", ("stage", "deal stage", "dealstage", "stagename"), _enum(DealStage, STAGE_NAMES)),
    Column("source", ("source", "lead source", "leadsource"), _enum(DealSource, SOURCE_NAMES)),
    Column("referred_by_name", ("referred_by", "referred by"), max_length=200),
    Column("created_at", ("created", "created_at", "create date", "created date", "createddate"),
           parse_export_datetime),
    Column("closed_at", ("closed", "closed_at", "close date", "closedate"), parse_export_datetime),
    Column("outcome", ("outcome",), _enum(DealOutcome)),
    Column("outcome_reason", ("outcome_reason", "closed lost reason", "loss reason"), max_length=2000),
    Column("owner", ("owner", "owner_email", "deal owner", "opportunity owner")),
    Column("external_id", ("external_id", "record id", "record id - deal", "deal id", "opportunity id", "id"),
           max_length=100),
    Column("is_deleted", ("isdeleted", "is deleted", "deleted"), parse_flag),
)

TOUCH_COLUMNS = (
    Column("contact_email", ("contact", "contact_email", "contact email", "email"), validation.parse_email, 320),
    Column("channel", ("channel", "type", "activity type"), _enum(Channel)),
    Column("outcome", ("outcome", "result", "call outcome"), lambda v: v.strip().lower(), 40),
    Column("occurred_at", ("occurred_at", "when", "date", "activity date", "timestamp"), parse_export_datetime),
    Column("deal_external_id", ("deal", "deal_id", "deal id", "deal external id"), max_length=100),
    Column("notes", ("notes", "note", "comments", "description"), max_length=5000),
    Column("owner", ("rep", "rep email", "owner", "activity owner", "assigned to")),
)

COLUMNS = {"contacts": CONTACT_COLUMNS, "accounts": ACCOUNT_COLUMNS, "deals": DEAL_COLUMNS, "touches": TOUCH_COLUMNS}
# Each row needs one of these fields (contacts: an email or any phone number).
REQUIRED_ANY = {"contacts": ("email", *PHONE_FIELDS), "accounts": ("name",), "deals": ("name",)}
REQUIRED_ALL = {"touches": ("contact_email", "channel", "outcome", "occurred_at")}
# Columns of our own rejected-rows file: read back silently when a user fixes and re-imports it.
REJECT_COLUMNS = ("ember line", "ember reason")
