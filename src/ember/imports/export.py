"""CSV export in the same shapes the importer reads, so a file round-trips."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from ember.csvcells import SafeWriter
from ember.imports import repository
from ember.users.access import Actor

# Header names per format; "ours" is what docs/import.md documents.
HEADERS = {
    "contacts": {
        "ours": ["first_name", "last_name", "email", "phone", "title", "linkedin_url", "company", "company_domain",
                 "country", "timezone", "decision_role", "preferred_channel", "status", "owner", "external_id",
                 "mobile_phone", "home_phone", "other_phone", "assistant_phone", "do_not_call", "do_not_email"],
        "hubspot": ["First Name", "Last Name", "Email", "Phone Number", "Job Title", "LinkedIn URL", "Company Name",
                    "Company Domain Name", "Country/Region", "Time Zone", "Decision Role", "Preferred Channel",
                    "Ember Status", "Contact owner", "Record ID", "Mobile Phone Number", "Home Phone", "Other Phone",
                    "Assistant Phone", "Do Not Call", "Unsubscribed from all email"],
        "salesforce": ["FirstName", "LastName", "Email", "Phone", "Title", "LinkedIn", "AccountName", "Website",
                       "MailingCountry", "Time Zone", "Decision Role", "Preferred Channel", "Ember Status",
                       "Contact Owner", "Contact ID", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone",
                       "DoNotCall", "HasOptedOutOfEmail"],
    },
    "accounts": {"ours": ["name", "domain", "country", "timezone", "industry", "size", "owner", "external_id"]},
    "deals": {"ours": ["name", "account", "product", "amount", "currency", "stage", "source", "referred_by",
                       "created", "closed", "outcome", "outcome_reason", "owner", "external_id"]},
}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _contact_rows(session: Session, actor: Actor) -> Iterator[list[Any]]:
    for row in repository.contacts_to_export(session, actor):
        yield [_flag(v) for v in row]


def _flag(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _account_rows(session: Session, actor: Actor) -> Iterator[list[Any]]:
    for row in repository.accounts_to_export(session, actor):
        yield list(row)


def _deal_rows(session: Session, actor: Actor) -> Iterator[list[Any]]:
    for row in repository.deals_to_export(session, actor):
        yield [_iso(v) for v in row]


ROWS = {"contacts": _contact_rows, "accounts": _account_rows, "deals": _deal_rows}


def export_lines(session: Session, actor: Actor, kind: str, fmt: str = "ours") -> Iterator[str]:
    """CSV text, a chunk at a time, of what the actor may see."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)  # cells that would run as spreadsheet formulas are quoted
    writer.writerow(HEADERS[kind][fmt])
    for index, row in enumerate(ROWS[kind](session, actor)):
        writer.writerow(row)
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
