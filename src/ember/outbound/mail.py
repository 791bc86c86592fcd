"""Building the email (text, HTML, .ics invite) and handing it to the SMTP server."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from icalendar import Calendar, Event, vCalAddress, vText

from ember.outbound.rules import html_from_text, invite_description
from ember.settings import Settings

INVITE_MINUTES = 30


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # none | starttls | ssl
    user: str | None = None
    password: str | None = None
    mail_from: str | None = None  # None: each rep sends from their own address
    timeout_s: float = 30.0
    max_attempts: int = 5
    retry_base_s: int = 60

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        mail = settings.mail
        return cls(host=mail.smtp_host, port=mail.smtp_port, tls=mail.smtp_tls, user=mail.smtp_user,
                   password=mail.smtp_password, mail_from=mail.mail_from, timeout_s=mail.smtp_timeout_s,
                   max_attempts=mail.send_max_attempts, retry_base_s=mail.send_retry_base_s)


@dataclass(frozen=True)
class Letter:
    """Everything one email needs, read from the stored row and the people it joins."""

    message_id: str
    sender_name: str
    sender_email: str
    reply_to: str
    to_name: str
    to_email: str
    subject: str
    text: str
    sent_at: datetime
    invite_at: datetime | None = None
    contact_zone: str = "UTC"
    rep_zone: str = "UTC"


def _address(name: str, email: str) -> Address:
    user, _, domain = email.partition("@")
    return Address(display_name=name, username=user, domain=domain)


def build_message(letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = letter.message_id
    message["Date"] = format_datetime(letter.sent_at)
    message["From"] = _address(letter.sender_name, letter.sender_email)
    message["To"] = _address(letter.to_name, letter.to_email)
    if letter.reply_to != letter.sender_email:
        message["Reply-To"] = letter.reply_to
    message["Subject"] = letter.subject
    message.set_content(letter.text)
    message.add_alternative(html_from_text(letter.text), subtype="html")
    if letter.invite_at is not None:
        message.add_attachment(build_invite(letter), maintype="text", subtype="calendar", filename="invite.ics",
                               params={"method": "REQUEST"})
    return message


def build_invite(letter: Letter) -> bytes:
    assert letter.invite_at is not None
    calendar = Calendar()
    calendar.add("prodid", "-//Ember//follow-up//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", letter.message_id.strip("<>"))
    event.add("dtstamp", letter.sent_at)
    event.add("dtstart", letter.invite_at)
    event.add("dtend", letter.invite_at + timedelta(minutes=INVITE_MINUTES))
    event.add("summary", letter.subject)
    event.add("description", invite_description(letter.invite_at, contact_zone=letter.contact_zone,
                                                rep_zone=letter.rep_zone, rep_name=letter.sender_name))
    organizer = vCalAddress(f"mailto:{letter.reply_to}")
    organizer.params["cn"] = vText(letter.sender_name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{letter.to_email}")
    attendee.params["cn"] = vText(letter.to_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def transmit(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand the message to the SMTP server; raises smtplib.SMTPException or OSError on failure."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.tls == "ssl":
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    with smtp:
        if config.tls == "starttls":
            smtp.starttls(context=context)
        if config.user:
            smtp.login(config.user, config.password or "")
        smtp.send_message(message)


def is_permanent(error: BaseException) -> bool:
    """A 5xx refusal of the recipient or of the message will not change by retrying; everything else
    (network, 4xx, login and sender problems an admin can fix) might."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def plain_failure(error: BaseException, config: SmtpConfig) -> str:
    """Why a hand-over to the mail server failed, in words a rep can act on (the raw error is kept in the log)."""
    server = f"the mail server {config.host}:{config.port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"{server} refused Ember's login; an administrator must check EMBER_SMTP_USER and EMBER_SMTP_PASSWORD"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{address} ({code} {reply.decode(errors='replace')})"
                          for address, (code, reply) in error.recipients.items())
        return f"{server} refused the address: {codes}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"{server} refused the sender address {error.sender}"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
        return f"{server} answered {error.smtp_code}: {text}"
    if isinstance(error, ssl.SSLError):
        return f"the secure connection to {server} failed ({error.reason or error}); check EMBER_SMTP_TLS"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{server} did not answer within {config.timeout_s:.0f} seconds"
    if isinstance(error, ConnectionRefusedError):
        return f"{server} refused the connection: nothing is listening there, or it is down"
    if isinstance(error, socket.gaierror):
        return f"the mail server's name {config.host!r} could not be found; check EMBER_SMTP_HOST"
    if isinstance(error, OSError | smtplib.SMTPException):
        return f"{server} could not be reached ({error})"
    return f"{type(error).__name__}: {error}"
