"""Reading one email: a reply, an automatic reply, a bounce, or a request to be removed?

Rules first — headers a machine sets (``Auto-Submitted``, ``X-Autoreply``, a
``multipart/report`` delivery status per RFC 3464) — then wording. Every
verdict carries its reason in words a rep can check. Pure: no I/O, no clock.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import getaddresses
from enum import StrEnum

import dateparser


class MailKind(StrEnum):
    REPLY = "reply"
    OUT_OF_OFFICE = "out_of_office"
    BOUNCE_HARD = "bounce_hard"
    BOUNCE_SOFT = "bounce_soft"
    UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class Verdict:
    kind: MailKind
    reason: str
    return_on: date | None = None  # out of office: the first day they are back
    bounced: tuple[str, ...] = ()  # addresses a delivery report names as failed
    needs_confirmation: bool = False  # a removal asked in free text waits for the rep


# Delivery failures that say nothing bad about the address: retry later.
_SOFT_PERMANENT = frozenset({"5.2.2", "5.2.3", "5.3.4"})  # mailbox full, message too big
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
_OOO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(?:matic)?[- ]?(?:reply|response)|auto:|out of (?:the )?office|abwesend|"
    r"abwesenheitsnotiz|r[ée]ponse automatique|respuesta autom[áa]tica)", re.IGNORECASE)
_OOO_WORDS = re.compile(
    r"\b(out of (?:the )?office|on (?:annual |parental |sick |maternity |paternity )?leave|on vacation|"
    r"on holiday|away from (?:the office|my desk|email)|limited access to (?:my )?e-?mail)\b", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliverable|undelivered mail|delivery status notification \(failure\)|mail delivery (?:failed|failure)|"
    r"returned mail|delivery has failed|failure notice)", re.IGNORECASE)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
_HARD_WORDS = re.compile(
    r"(user unknown|no such user|does not exist|address rejected|unknown recipient|recipient not found|"
    r"mailbox unavailable|invalid recipient|account (?:has been )?disabled)", re.IGNORECASE)
_REMOVE_WORDS = re.compile(
    r"\b(unsubscribe|remove me|take me off|opt(?:-| )?out|stop (?:e-?mailing|contacting|sending|writing)|"
    r"do not (?:contact|e-?mail|write)|don'?t (?:contact|e-?mail|write)|no (?:further|more) (?:e-?mails|contact))\b",
    re.IGNORECASE)
# Where the new text of a reply ends and the quoted conversation begins.
_QUOTE_START = re.compile(
    r"^(>|on .{4,200} wrote:\s*$|-{2,}\s*original message\s*-{2,}|_{10,}|from:\s.+|am .{4,120} schrieb .*:\s*$|"
    r"le .{4,120} a écrit\s*:\s*$)", re.IGNORECASE)
_BACK_ON = re.compile(
    r"\b(?:back|return(?:ing)?|in the office|available|reachable)\s+(?:again\s+)?(?:on|from|by|as of)?\s*"
    r"(?P<date>[^\n.;!?]{3,60})", re.IGNORECASE)
_AWAY_UNTIL = re.compile(r"\b(?:until|till|through|thru)\s+(?P<date>[^\n.;!?]{3,60})", re.IGNORECASE)
_DATE_SETTINGS = {"PREFER_DATES_FROM": "future", "REQUIRE_PARTS": ["day", "month"],
                  "RETURN_AS_TIMEZONE_AWARE": False}
_MAX_AWAY = timedelta(days=180)


def classify(message: Message, *, received_at: datetime, text: str | None = None) -> Verdict:
    """What this inbound message is, and why (rules first, then wording). ``text``: its
    :func:`new_text`, when the caller has read it already."""
    report = _delivery_report(message)
    if report is not None:
        return report
    subject = str(message.get("Subject", "") or "")
    text = new_text(message) if text is None else text
    auto = _auto_header(message)
    if auto is not None:
        return _out_of_office(f"automatic reply ({auto})", text, received_at)
    if _BOUNCE_SENDER.match(_sender(message)) or _BOUNCE_SUBJECT.search(subject):
        return _worded_bounce(message, subject, text)
    if _OOO_SUBJECT.search(subject):
        return _out_of_office(f"automatic reply (subject {subject.strip()!r})", text, received_at)
    if subject.strip().lower() == "unsubscribe" and len(text) < 200:
        return Verdict(MailKind.UNSUBSCRIBE, "the subject is exactly \"unsubscribe\" (a one-click removal request)")
    removal = _REMOVE_WORDS.search(text)
    if removal is not None:
        return Verdict(MailKind.UNSUBSCRIBE, f"asks to be removed in their own words (\"{_around(text, removal)}\"); "
                                             "confirm before Ember stops emailing", needs_confirmation=True)
    ooo = _OOO_WORDS.search(text)
    if ooo is not None and len(text) < 600:
        return _out_of_office(f"reads as an away message (\"{ooo.group(0)}\")", text, received_at)
    return Verdict(MailKind.REPLY, "a person's answer: no automatic-reply headers, no delivery report, "
                                   "no away or removal wording")


def _sender(message: Message) -> str:
    found = getaddresses([str(message.get("From", "") or "")])
    return found[0][1] if found else ""


def _auto_header(message: Message) -> str | None:
    auto_submitted = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in _AUTO_HEADERS:
        if message.get(name) is not None:
            return f"{name}: {str(message.get(name)).strip()}"
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    if precedence == "auto_reply":
        return "Precedence: auto_reply"
    return None


# Delivery reports (RFC 3464) --------------------------------------------------------------------

def _delivery_report(message: Message) -> Verdict | None:
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "") or "").lower() != "delivery-status":
        return None
    recipients = [fields for part in message.walk() if part.get_content_type() == "message/delivery-status"
                  for fields in _status_blocks(part)[1:]]
    failed = [(f, _status(f)) for f in recipients if str(f.get("Action", "")).strip().lower() in ("failed", "delayed")]
    if not failed:
        return None
    hard = [(f, s) for f, s in failed if _is_hard(str(f.get("Action", "")), s)]
    chosen = hard or failed
    addresses = tuple(a for a in (_recipient(f) for f, _ in chosen) if a)
    fields, status = chosen[0]
    diagnostic = " ".join(str(fields.get("Diagnostic-Code", "") or "").split())[:200]
    detail = f"Action {str(fields.get('Action', '')).strip()}, Status {status or 'not given'}"
    if diagnostic:
        detail += f", {diagnostic}"
    who = ", ".join(addresses) or "the recipient"
    if hard:
        return Verdict(MailKind.BOUNCE_HARD, f"delivery report (RFC 3464) for {who}: {detail}: the address does not "
                                             "take mail; the next touch goes by phone", bounced=addresses)
    return Verdict(MailKind.BOUNCE_SOFT, f"delivery report (RFC 3464) for {who}: {detail}: a passing failure; "
                                         "the email is retried later", bounced=addresses)


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _status(fields: Message) -> str | None:
    found = _STATUS.search(str(fields.get("Status", "") or ""))
    return found.group(0) if found else None


def _is_hard(action: str, status: str | None) -> bool:
    if action.strip().lower() != "failed":
        return False
    return status is None or (status.startswith("5.") and status not in _SOFT_PERMANENT)


def _recipient(fields: Message) -> str | None:
    for name in ("Final-Recipient", "Original-Recipient"):
        value = str(fields.get(name, "") or "")
        if value:
            address = value.split(";", 1)[-1].strip().strip("<>").lower()
            return address or None
    return None


def _worded_bounce(message: Message, subject: str, text: str) -> Verdict:
    failed = str(message.get("X-Failed-Recipients", "") or "")
    addresses = tuple(a.lower() for _, a in getaddresses([failed]) if a)
    status = _STATUS.search(text)
    code = status.group(0) if status else None
    hard_words = _HARD_WORDS.search(text)
    where = f"subject {subject.strip()!r}" if subject.strip() else f"sender {_sender(message)}"
    if (code and code.startswith("5.") and code not in _SOFT_PERMANENT) or (code is None and hard_words):
        evidence = code or hard_words.group(0)  # type: ignore[union-attr]
        return Verdict(MailKind.BOUNCE_HARD, f"bounce message ({where}, \"{evidence}\"): the address does not take "
                                             "mail; the next touch goes by phone", bounced=addresses)
    return Verdict(MailKind.BOUNCE_SOFT, f"bounce message ({where}{', ' + code if code else ''}) without a permanent "
                                         "failure: the email is retried later", bounced=addresses)


# Out of office ----------------------------------------------------------------------------------

def _out_of_office(why: str, text: str, received_at: datetime) -> Verdict:
    back = return_date(text, received_at)
    if back is None:
        return Verdict(MailKind.OUT_OF_OFFICE, f"{why}; no return date stated, so the plan stays as it is")
    return Verdict(MailKind.OUT_OF_OFFICE, f"{why}; back on {back:%a %d %b %Y}, so the next touch waits until then",
                   return_on=back)


def return_date(text: str, received_at: datetime) -> date | None:
    """The first day the sender is back, when an away message states it."""
    base = received_at.replace(tzinfo=None)
    for pattern, extra in ((_BACK_ON, 0), (_AWAY_UNTIL, 1)):
        for found in pattern.finditer(text):
            day = _first_date(found.group("date"), base)
            if day is not None and base.date() <= day <= (base + _MAX_AWAY).date():
                return day + timedelta(days=extra)
    return None


def _first_date(phrase: str, base: datetime) -> date | None:
    # The date is at the start of the phrase; try the longest start that reads as a date.
    words = phrase.replace(",", " ").split()[:6]
    for size in range(len(words), 0, -1):
        candidate = " ".join(words[:size])
        if not any(ch.isdigit() for ch in candidate) and not _MONTH_OR_DAY.search(candidate):
            continue
        parsed = dateparser.parse(candidate, languages=["en"], settings={**_DATE_SETTINGS, "RELATIVE_BASE": base})
        if parsed is not None:
            return parsed.date()
    return None


_MONTH_OR_DAY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|tomorrow|next)", re.IGNORECASE)


# Text -------------------------------------------------------------------------------------------

def body_text(message: Message) -> str:
    """The readable text of a message: its plain part, else its HTML part stripped of tags."""
    part: Message | None = message
    if isinstance(message, EmailMessage) and message.is_multipart():
        part = message.get_body(preferencelist=("plain", "html"))
    if part is None or part.is_multipart():
        return ""
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        content = raw.decode(charset, errors="replace")
    except LookupError:
        content = raw.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        content = re.sub(r"(?is)<(script|style).*?</\1>", " ", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)
        content = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return content


def new_text(message: Message) -> str:
    """What the sender wrote this time: the text above the quoted conversation."""
    lines: list[str] = []
    for line in body_text(message).splitlines():
        if _QUOTE_START.match(line.strip()) and any(lines):
            break
        if line.strip().startswith(">"):
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def quote(text: str, *, lines: int = 3, limit: int = 300) -> str:
    """The first lines of a reply, for the Today queue."""
    kept = [line.strip() for line in text.splitlines() if line.strip()][:lines]
    joined = " / ".join(kept)
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


def _around(text: str, found: re.Match[str]) -> str:
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    return " ".join(text[start:end if end != -1 else len(text)].split())[:120]
