"""Pure rules for outbound email: who may receive what, the idempotency key, retry timing.

No I/O here; ``ember.outbound.service`` applies these to stored rows.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ember.compose.sandbox import placeholders_in
from ember.errors import Problem
from ember.vocabulary import ContactStatus

KINDS = ("email", "newsletter")
STATUSES = ("queued", "sending", "sent", "failed", "refused")


# The stored column's width: a longer subject is refused, never cut short in silence.
SUBJECT_MAX = 300


@dataclass(frozen=True)
class Refusal:
    reason: str


def refusal(*, contact_status: str, contact_email: str | None, kind: str, subject: str,
            body: str, do_not_email: bool = False) -> Refusal | None:
    """Why this message must not go out, or None. Checked before anything is stored."""
    if kind not in KINDS:
        return Refusal(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if contact_status == ContactStatus.DO_NOT_CONTACT.value:
        return Refusal("this contact is marked do-not-contact; nothing is ever sent to them")
    if do_not_email:
        return Refusal("this contact opted out of email; nothing is sent to them by email")
    if contact_status == ContactStatus.NURTURE.value and kind != "newsletter":
        return Refusal("this contact said no and is on the nurture list: they get the newsletter only "
                       "(kind newsletter); a trigger event re-opens them")
    if not contact_email:
        return Refusal("this contact has no email address; add one to the contact first")
    if not subject.strip():
        return Refusal("the subject is empty; write a subject line")
    if len(subject) > SUBJECT_MAX:
        return Refusal(f"the subject has {len(subject)} characters, more than {SUBJECT_MAX}; shorten it")
    if not body.strip():
        return Refusal("the body is empty; write the email first")
    left = placeholders_in(subject, body)
    if left:
        return Refusal(f"fill in the placeholders first: {', '.join(left)}")
    return None


LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def header_problems(headers: dict[str, str | None]) -> list[Problem]:
    """Values that would go into an email header but hold a line break.

    A line break there would start a header of the sender's choosing (header injection);
    the mail library refuses such a value at send time, so it would only fail and be
    retried over and over. Refused before anything is stored instead."""
    return [Problem(where, "contains a line break", "write it on one line")
            for where, value in headers.items() if value and LINE_BREAKS.search(value)]


def idempotency_key(*, rep_id: int, contact_id: int, subject: str, body: str) -> str:
    """Same rep, contact, subject and body: the same message, whatever clicked or retried it.

    Whitespace at the ends does not make a message different (a textarea adds a newline).
    """
    body_hash = hashlib.sha256(body.strip().replace("\r\n", "\n").encode()).hexdigest()
    raw = f"{rep_id}|{contact_id}|{subject.strip()}|{body_hash}"
    return "auto:" + hashlib.sha256(raw.encode()).hexdigest()


def next_attempt(attempts: int, now: datetime, *, base_s: int, max_attempts: int,
                 cap_s: int = 6 * 3600) -> datetime | None:
    """Exponential backoff after the ``attempts``-th failure (base, 2×base, 4×base, ...); None: give up."""
    if attempts >= max_attempts:
        return None
    return now + timedelta(seconds=min(cap_s, base_s * 2 ** max(0, attempts - 1)))


def html_from_text(text: str) -> str:
    """The HTML part: the same words, paragraphs kept, nothing added."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(f"<p>{'<br>'.join(html.escape(line) for line in p.splitlines())}</p>" for p in paragraphs)
    return f'<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.4">\n{body}\n</body></html>\n'


def local_time(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local.tzname()} ({zone})"


def invite_description(moment: datetime, *, contact_zone: str, rep_zone: str, rep_name: str) -> str:
    """Both clocks, so neither side converts time zones in their head."""
    return (f"Your time: {local_time(moment, contact_zone)}\n"
            f"{rep_name}'s time: {local_time(moment, rep_zone)}")
