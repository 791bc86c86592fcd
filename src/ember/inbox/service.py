"""Inbox sync use cases: connect a mailbox, and act on one message that concerned a contact.

What a message means for the contact:

* a reply is the prospect answering (an ``email-replied`` touch, which ends the
  FTC attempts); their planned touches are paused and "replied: read and answer"
  tops Today until the rep logs their answer;
* an away message moves the next touch to the day they are back;
* a hard bounce logs ``email-bounced`` (the planner then turns to the phone); a
  soft bounce puts Ember's email back in the retry queue;
* a removal request in free text waits for the rep's confirmation; a bare
  "unsubscribe" stops email at once;
* an email the rep sent from their own mail program is logged as ``email-sent``.

Services flush; the sync job commits one message at a time (see sync.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.cadence import repository as cadence_repository
from ember.cadence.service import replan
from ember.contacts import repository as contact_repository
from ember.contacts.repository import contact_by_id
from ember.deals.repository import deal_by_id
from ember.errors import InvalidInput, NotFound, Problem
from ember.inbox import imap, oauth, repository, secrets
from ember.inbox.rules import MailKind, Verdict, quote
from ember.messages.rules import VariantLibrary
from ember.messages.service import TeamLibraries, library_for
from ember.models import Contact, Deal, InboundMail, Mailbox, PlannedTouch, User
from ember.settings import Settings
from ember.settings.cadence import CadenceSettings
from ember.touches import repository as touch_repository
from ember.touches.service import RecordedTouch, record_touch
from ember.users.access import Actor, can_see_owner
from ember.users.repository import user_by_id
from ember.vocabulary import Channel, ContactStatus, Outcome, PlannedTouchStatus

REPLY_PURPOSE = "replied: read and answer"
REMOVAL_PURPOSE = "asked to stop emails: confirm, then answer"
SOFT_BOUNCE_RETRY = timedelta(hours=4)


@dataclass(frozen=True)
class MailboxView:
    """A mailbox as people may see it: never the secret."""

    user: str
    host: str
    port: int
    security: str
    username: str
    auth: str
    inbox_folder: str
    sent_folder: str | None
    status: str
    last_error: str | None
    last_sync_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


def view(mailbox: Mailbox, user: User) -> MailboxView:
    return MailboxView(user.email, mailbox.host, mailbox.port, mailbox.security, mailbox.username, mailbox.auth,
                       mailbox.inbox_folder, mailbox.sent_folder, mailbox.status, mailbox.last_error,
                       mailbox.last_sync_at)


def _check(host: str, port: int, security: str, auth: str, username: str, secret: str, *,
           refresh_token: str | None = None, provider: str | None = None, settings: Settings | None = None) -> None:
    problems = []
    if not host.strip() or any(c.isspace() for c in host.strip()):
        problems.append(Problem("host", f"{host!r} is not a host name", "give the IMAP server, e.g. imap.gmail.com"))
    if not 0 < port < 65536:
        problems.append(Problem("port", f"{port} is not a port", "993 for TLS, 143 for STARTTLS"))
    if security not in ("ssl", "starttls"):
        problems.append(Problem("security", f"{security!r} is not offered",
                                "use ssl (TLS from the start, port 993) or starttls (port 143); "
                                "plain connections are refused so the password never travels in clear"))
    if auth not in ("password", "xoauth2"):
        problems.append(Problem("auth", f"{auth!r} is not offered", "use password or xoauth2"))
    if not username.strip():
        problems.append(Problem("user", "is empty", "give the mailbox login, usually the email address"))
    if not secret and not refresh_token and auth == "xoauth2":
        problems.append(Problem("refresh_token", "is empty", "give the refresh token your provider issued "
                                "(or at least an access token, which works until it expires)"))
    elif not secret and not refresh_token:
        problems.append(Problem("password", "is empty", "give the password or app password"))
    if auth == "xoauth2" and (refresh_token or provider):
        problems += _oauth_problems(refresh_token, provider, settings)
    if problems:
        raise InvalidInput("the mailbox cannot be connected", problems)


def _oauth_problems(refresh_token: str | None, provider: str | None, settings: Settings | None) -> list[Problem]:
    if provider not in oauth.PROVIDERS:
        return [Problem("provider", f"{provider!r} is not a provider Ember refreshes tokens with" if provider
                        else "is not chosen", "choose google or microsoft")]
    if not refresh_token:
        return [Problem("refresh_token", "is empty", "give the refresh token your provider issued with the access "
                        "token, so Ember can get a new one every hour")]
    missing = oauth.missing_client(settings, provider) if settings is not None else "no settings were given"
    if missing:
        return [Problem("provider", missing, "ask whoever runs Ember to set them (see the configuration guide)")]
    return []


def try_mailbox(connection: imap.Connection, *, inbox_folder: str = "INBOX",
                sent_folder: str | None = None) -> str | None:
    """Log in and open the folders, storing nothing; the sent folder found. InvalidInput with the server's
    answer when it refuses."""
    _check(connection.host, connection.port, connection.security, connection.auth, connection.username,
           connection.secret)
    try:
        with imap.connect(connection) as client:
            imap.open_folder(client, inbox_folder)
            sent = sent_folder or imap.sent_folder(client)
            if sent_folder:
                imap.open_folder(client, sent_folder)
            return sent
    except imap.MailServerError as exc:
        raise InvalidInput("the mail server did not accept these details; nothing was stored",
                           [Problem("mailbox", str(exc), "check the host, port, user and password "
                                    "(Google and Microsoft 365 need an app password or an OAuth2 token)")]) from exc
    except Exception as exc:  # a missing folder is the server's "NO" to SELECT
        raise InvalidInput("the mail server did not accept these details; nothing was stored",
                           [Problem("folder", str(exc), "check the folder names")]) from exc


def connect_mailbox(session: Session, actor: Actor, *, host: str, username: str, secret: str, key: str | None,
                    port: int = 993, security: str = "ssl", auth: str = "password", sent_folder: str | None = None,
                    inbox_folder: str = "INBOX", ca_file: str | None = None, timeout: float = 30.0,
                    refresh_token: str | None = None, provider: str | None = None,
                    settings: Settings | None = None) -> MailboxView:
    """Log in once to prove the details, then store them (the secret encrypted) as the actor's mailbox.

    An OAuth2 mailbox given a refresh token (and its provider) keeps both: the access token
    is refreshed before this first login when none was given, and once more when the
    server refuses it.
    """
    refresh_token = (refresh_token or "").strip() or None
    provider = (provider or "").strip().lower() or None
    _check(host, port, security, auth, username, secret, refresh_token=refresh_token, provider=provider,
           settings=settings)
    secrets.encrypt(key, "")  # fails early, before the server or the provider sees anything, without a key
    tokens = oauth.OAuthTokens(secret.strip(), refresh_token, provider) if refresh_token else None

    def attempt(access: str) -> str | None:
        connection = imap.Connection(host.strip(), port, security, username.strip(), auth, access, ca_file, timeout)
        return try_mailbox(connection, inbox_folder=inbox_folder, sent_folder=sent_folder)

    if tokens is not None:
        assert settings is not None  # _check refuses a refresh token without settings
        tokens, sent = _with_fresh_token(tokens, settings, attempt)
        stored = tokens.seal_text()
    else:
        sent, stored = attempt(secret), secret
    mailbox = repository.mailbox_of(session, actor.id) or Mailbox(user_id=actor.id)
    mailbox.host, mailbox.port, mailbox.security = host.strip(), port, security
    mailbox.username, mailbox.auth, mailbox.secret = username.strip(), auth, secrets.encrypt(key, stored)
    mailbox.inbox_folder, mailbox.sent_folder = inbox_folder, sent
    mailbox.status, mailbox.last_error = "new", None
    session.add(mailbox)
    session.flush()
    user = user_by_id(session, actor.id)
    assert user is not None
    return view(mailbox, user)


def _with_fresh_token(tokens: oauth.OAuthTokens, settings: Settings,
                      attempt: Callable[[str], str | None]) -> tuple[oauth.OAuthTokens, str | None]:
    """The first login with the given access token (or a refreshed one when none was given, or when the
    server refused it); the tokens that worked and the sent folder found."""
    refreshed = False
    if not tokens.access_token:
        tokens, refreshed = _refreshed_for_form(tokens, settings), True
    try:
        return tokens, attempt(tokens.access_token)
    except InvalidInput:
        if refreshed:
            raise
    tokens = _refreshed_for_form(tokens, settings)
    return tokens, attempt(tokens.access_token)


def _refreshed_for_form(tokens: oauth.OAuthTokens, settings: Settings) -> oauth.OAuthTokens:
    try:
        return oauth.refresh(tokens, settings)
    except oauth.RefreshFailed as exc:
        raise InvalidInput("no access token could be had with this refresh token; nothing was stored",
                           [Problem("refresh_token", str(exc), "check the provider and the refresh token, "
                                    "or make a new one")]) from exc


def disconnect_mailbox(session: Session, actor: Actor) -> None:
    mailbox = repository.mailbox_of(session, actor.id)
    if mailbox is None:
        raise NotFound(f"{actor.email} has no mailbox connected")
    session.delete(mailbox)
    session.flush()


def mailbox_view(session: Session, actor: Actor) -> MailboxView | None:
    mailbox = repository.mailbox_of(session, actor.id)
    user = user_by_id(session, actor.id)
    return view(mailbox, user) if mailbox is not None and user is not None else None


def mailbox_id_of(session: Session, actor: Actor) -> int:
    mailbox = repository.mailbox_of(session, actor.id)
    if mailbox is None:
        raise NotFound(f"{actor.email} has no mailbox connected; connect one with `ember inbox connect`")
    return mailbox.id


def all_mailbox_ids(session: Session) -> list[int]:
    return repository.mailbox_ids(session)


def connection_of(mailbox: Mailbox, key: str | None, ca_file: str | None, timeout: float,
                  access_token: str | None = None) -> imap.Connection:
    """How to log in: the password, or the access token of an OAuth2 mailbox (``access_token`` when
    the caller has just refreshed it)."""
    secret = access_token
    if secret is None:
        secret = secrets.decrypt(key, mailbox.secret)
        if mailbox.auth == "xoauth2":
            secret = oauth.tokens_from(secret).access_token
    return imap.Connection(mailbox.host, mailbox.port, mailbox.security, mailbox.username, mailbox.auth,
                           secret, ca_file, timeout)


def oauth_tokens(mailbox: Mailbox, key: str | None) -> oauth.OAuthTokens | None:
    """The stored tokens of an OAuth2 mailbox; None for a password."""
    return oauth.tokens_from(secrets.decrypt(key, mailbox.secret)) if mailbox.auth == "xoauth2" else None


def store_tokens(session: Session, mailbox_id: int, tokens: oauth.OAuthTokens, key: str | None) -> str:
    """Keep freshly refreshed tokens, sealed like the rest of the secret; the sealed secret."""
    sealed = secrets.encrypt(key, tokens.seal_text())
    mailbox = repository.mailbox_by_id(session, mailbox_id)
    if mailbox is not None:
        mailbox.secret = sealed
        session.flush()
    return sealed


# Acting on one message --------------------------------------------------------------------------

@dataclass(frozen=True)
class Incoming:
    """One message of the rep's mailbox, matched to a contact."""

    mailbox_id: int
    folder: str
    uidvalidity: int
    uid: int
    message: Message
    message_id: str | None
    from_email: str | None
    subject: str
    received_at: datetime
    contact_id: int
    outbound_id: int | None
    text: str  # what the sender wrote this time, above the quoted conversation


@dataclass
class MailPlans:
    """What a batch of mail changes in contacts' plans, made once per contact after the batch.

    Each message logs its touch at once (labels follow), but the next plan of a contact is made
    again only when the batch is done, through :func:`replan`, from the contact's whole history:
    a contact with several messages in a batch is planned once, not once per message. A message
    that settles the plan itself (a reply pauses it, an out-of-office moves it, a removal stops
    email) takes the contact off the list, as the last word on it.

    It also keeps what every message of the batch would otherwise read again (see
    :func:`read_ahead`): the Message-IDs already stored, the contacts with their owners, and
    each team's outcomes.
    """

    cadence: CadenceSettings
    libraries: TeamLibraries = field(default_factory=TeamLibraries)  # each team's, read once
    pending: dict[int, tuple[Contact, Deal | None, int]] = field(default_factory=dict)
    stored_ids: set[str] = field(default_factory=set)  # Message-IDs this folder has processed
    visible: dict[int, Contact] = field(default_factory=dict)  # contacts the mailbox owner may see
    owners: dict[int, User] = field(default_factory=dict)  # theirs (held here: the session keeps them weakly)
    outcomes: dict[int | None, dict[str, bool]] = field(default_factory=dict)  # each team's own
    # Each contact's plans an answer pauses, read for the whole batch; good for the contact's first
    # message only (what a message does may plan anew), so each is dropped once a message is handled.
    waiting: dict[int, repository.OpenPlans] = field(default_factory=dict)

    def library(self, session: Session, contact: Contact) -> VariantLibrary:
        return self.libraries.of_team(session, self.team_of(session, contact))

    def team_of(self, session: Session, contact: Contact) -> int | None:
        owner = self.owners.get(contact.owner_id) or user_by_id(session, contact.owner_id)
        return owner.team_id if owner is not None else None

    def custom_outcomes(self, session: Session, contact: Contact) -> dict[str, bool]:
        team_id = self.team_of(session, contact)
        if team_id not in self.outcomes:
            self.outcomes[team_id] = cadence_repository.custom_outcomes(session, team_id)
        return self.outcomes[team_id]

    def open_plans(self, session: Session, contact_id: int) -> repository.OpenPlans:
        found = self.waiting.pop(contact_id, None)
        return found if found is not None else repository.open_plans_and_replies(session, [contact_id])[contact_id]

    def logged(self, recorded: RecordedTouch) -> None:
        self.pending[recorded.contact.id] = (recorded.contact, recorded.deal, recorded.touch.id)

    def settled(self, contact_id: int) -> None:
        self.pending.pop(contact_id, None)

    def replan_all(self, session: Session, now: datetime) -> int:
        """Plan each contact on the list again; how many."""
        for contact, deal, touch_id in self.pending.values():
            replan(session, contact, deal, now=now, settings=self.cadence, library=self.library(session, contact),
                   caused_by=touch_id)
        count = len(self.pending)
        self.pending.clear()
        return count


def read_ahead(session: Session, plans: MailPlans, actor: Actor, *, mailbox_id: int, folder: str,
               message_ids: Iterable[str | None], contact_ids: Iterable[int]) -> None:
    """Read at once, for a batch's messages, what each would otherwise look up on its own."""
    plans.stored_ids |= repository.stored_message_ids(session, mailbox_id, folder, message_ids)
    for found in contact_repository.contacts_with_owners(session, contact_ids):
        if can_see_owner(actor, found.owner):
            plans.visible[found.contact.id], plans.owners[found.owner.id] = found.contact, found.owner
    plans.waiting = repository.open_plans_and_replies(session, plans.visible)


def record(session: Session, incoming: Incoming, verdict: Verdict | None, *, owner: User,
           plans: MailPlans, now: datetime) -> InboundMail | None:
    """Store the message once and do what it means; None when it was already processed.
    The contacts whose plan it changed are re-planned by ``plans.replan_all`` when the batch is done."""
    if incoming.message_id in plans.stored_ids:  # processed under another UID: the server renumbered the folder
        return None
    kind = verdict.kind.value if verdict else "sent"
    quoted = verdict is not None and verdict.kind in _QUOTED
    mail = repository.insert_mail(session, {
        "mailbox_id": incoming.mailbox_id, "folder": incoming.folder, "uidvalidity": incoming.uidvalidity,
        "uid": incoming.uid, "message_id": incoming.message_id, "from_email": incoming.from_email,
        "subject": incoming.subject[:300], "received_at": incoming.received_at, "contact_id": incoming.contact_id,
        "outbound_message_id": incoming.outbound_id, "kind": kind, "reason": verdict.reason if verdict else "",
        "quote": _text_quote(incoming) if quoted else "", "status": "done", "created_at": now,
    })
    if mail is None:
        return None
    if incoming.message_id:
        plans.stored_ids.add(incoming.message_id)
    contact = contact_by_id(session, incoming.contact_id)
    assert contact is not None
    actor = Actor.of(owner)
    if verdict is None:
        _sent_by_rep(session, actor, mail, contact, plans, now)
    elif contact.status == ContactStatus.DO_NOT_CONTACT.value:
        mail.reason += "; the contact is do-not-contact, so nothing was logged"
    else:
        _ACTIONS[verdict.kind](session, actor, mail, contact, verdict, incoming, plans, now)
    plans.waiting.pop(contact.id, None)
    session.flush()
    return mail


def _text_quote(incoming: Incoming) -> str:
    return quote(incoming.text)


def _log(session: Session, actor: Actor, contact: Contact, outcome: str, mail: InboundMail, notes: str,
         plans: MailPlans, now: datetime) -> RecordedTouch:
    recorded = record_touch(session, actor, contact_id=contact.id, channel=Channel.EMAIL.value, outcome=outcome,
                            library=plans.library(session, contact), occurred_at=min(mail.received_at, now),
                            # the mail server's date is a fact, even before the contact was added
                            notes=notes, now=now, confirm_date=True, contact=plans.visible.get(contact.id),
                            custom_outcomes=plans.custom_outcomes(session, contact))
    mail.touch_id = recorded.touch.id
    plans.logged(recorded)
    return recorded


def _pause_for_answer(session: Session, contact: Contact, mail: InboundMail, purpose: str, plans: MailPlans,
                      deal: Deal | None, open_plans: repository.OpenPlans) -> None:
    """Planned touches wait; the answer to write tops Today until the rep logs it (about ``deal``,
    the contact's open deal the reply was logged on)."""
    plans.settled(contact.id)
    for plan in open_plans.plans:
        plan.status = PlannedTouchStatus.CANCELLED.value
    when = f"{mail.received_at:%a %d %b %H:%M} UTC"
    reason = f'They wrote on {when}: "{mail.quote}"' if mail.quote else f"They wrote on {when} ({mail.subject})"
    existing = open_plans.reply
    if existing is not None:
        existing.due_at, existing.reason, existing.purpose = mail.received_at, reason, purpose
        existing.caused_by_touch_id = mail.touch_id or existing.caused_by_touch_id
        return
    session.add(PlannedTouch(contact_id=contact.id, deal_id=deal.id if deal else None, rep_id=contact.owner_id,
                             kind=repository.REPLY_KIND, channel=Channel.EMAIL.value, due_at=mail.received_at,
                             label=None, purpose=purpose, reason=reason, caused_by_touch_id=mail.touch_id))


def _reply(session: Session, actor: Actor, mail: InboundMail, contact: Contact, verdict: Verdict,
           incoming: Incoming, plans: MailPlans, now: datetime) -> None:
    waiting = plans.open_plans(session, contact.id)  # read before the touch closes one
    recorded = _log(session, actor, contact, Outcome.EMAIL_REPLIED.value, mail,
                    f"Reply by email: {mail.subject}\n{mail.quote}".strip(), plans, now)
    mail.reason += "; planned touches paused until you answer"
    _pause_for_answer(session, contact, mail, REPLY_PURPOSE, plans, recorded.deal, waiting)


def _out_of_office(session: Session, actor: Actor, mail: InboundMail, contact: Contact, verdict: Verdict,
                   incoming: Incoming, mail_plans: MailPlans, now: datetime) -> None:
    if verdict.return_on is None:
        return
    back = _morning(verdict.return_on, contact_repository.contact_timezone(session, contact), mail_plans.cadence)
    mail.return_at = back
    plans = repository.open_plans(session, contact.id)
    if not plans or plans[0].due_at >= back:
        mail.reason += "; the next touch was already after that"
        return
    deal = deal_by_id(session, plans[0].deal_id) if plans[0].deal_id else None
    planned = replan(session, contact, deal, now=max(back, now), settings=mail_plans.cadence,
                     library=mail_plans.library(session, contact), caused_by=plans[0].caused_by_touch_id)
    mail_plans.settled(contact.id)
    if planned.row is not None:
        planned.row.reason = f"{planned.row.reason} (moved: away until {verdict.return_on:%a %d %b})".strip()
        mail.reason += f"; next touch moved to {planned.row.due_at:%a %d %b %H:%M} UTC"


def _morning(day: date, zone: str, cadence: CadenceSettings) -> datetime:
    start = cadence.working_hours[0] if cadence.working_hours else time(8)
    return datetime.combine(day, start, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _hard_bounce(session: Session, actor: Actor, mail: InboundMail, contact: Contact, verdict: Verdict,
                 incoming: Incoming, plans: MailPlans, now: datetime) -> None:
    _log(session, actor, contact, Outcome.EMAIL_BOUNCED.value, mail,
         f"Bounced: {contact.email} does not take mail ({mail.reason})", plans, now)


def _soft_bounce(session: Session, actor: Actor, mail: InboundMail, contact: Contact, verdict: Verdict,
                 incoming: Incoming, plans: MailPlans, now: datetime) -> None:
    message = repository.outbound_message(session, incoming.outbound_id) if incoming.outbound_id else None
    if message is None or message.status != "sent":
        mail.reason += "; no email of Ember's to retry"
        return
    message.status, message.next_attempt_at = "failed", now + SOFT_BOUNCE_RETRY
    message.last_error = f"soft bounce: {verdict.reason}"
    mail.reason += f"; retried after {message.next_attempt_at:%a %d %b %H:%M} UTC"


def _unsubscribe(session: Session, actor: Actor, mail: InboundMail, contact: Contact, verdict: Verdict,
                 incoming: Incoming, plans: MailPlans, now: datetime) -> None:
    if not verdict.needs_confirmation:
        _stop_email(session, contact, now, plans.cadence)
        plans.settled(contact.id)
        mail.reason += "; no more emails to this contact"
        return
    # Words like "take me off" are an answer too: logged as one, and email waits for the rep.
    waiting = plans.open_plans(session, contact.id)  # read before the touch closes one
    recorded = _log(session, actor, contact, Outcome.EMAIL_REPLIED.value, mail,
                    f"Reply by email: {mail.subject}\n{mail.quote}".strip(), plans, now)
    mail.status = "to_confirm"
    _pause_for_answer(session, contact, mail, REMOVAL_PURPOSE, plans, recorded.deal, waiting)


def _sent_by_rep(session: Session, actor: Actor, mail: InboundMail, contact: Contact, plans: MailPlans,
                 now: datetime) -> None:
    if contact.status == ContactStatus.DO_NOT_CONTACT.value:
        mail.reason = "sent from your own mail program; the contact is do-not-contact, so nothing was logged"
        return
    mail.reason = "sent from your own mail program: logged as an email touch"
    _log(session, actor, contact, Outcome.EMAIL_SENT.value, mail, f"Sent from own mail program: {mail.subject}",
         plans, now)


def _stop_email(session: Session, contact: Contact, now: datetime, cadence: CadenceSettings) -> None:
    contact.do_not_email = True
    deal_id = touch_repository.default_deal_id(session, contact.id)
    replan(session, contact, deal_by_id(session, deal_id) if deal_id else None, now=now, settings=cadence,
           library=library_for(session, contact))


_QUOTED = frozenset({MailKind.REPLY, MailKind.OUT_OF_OFFICE, MailKind.UNSUBSCRIBE})  # kept with their first lines
_ACTIONS = {
    MailKind.REPLY: _reply,
    MailKind.OUT_OF_OFFICE: _out_of_office,
    MailKind.BOUNCE_HARD: _hard_bounce,
    MailKind.BOUNCE_SOFT: _soft_bounce,
    MailKind.UNSUBSCRIBE: _unsubscribe,
}


def confirm_removal(session: Session, actor: Actor, mail_id: int, *, stop: bool, cadence: CadenceSettings,
                    now: datetime | None = None) -> InboundMail:
    """The rep's decision on a removal asked in free text: stop emailing, or keep going."""
    now = now or datetime.now(UTC)
    mail = repository.mail(session, mail_id)
    mailbox = repository.mailbox_by_id(session, mail.mailbox_id) if mail else None
    if mail is None or mailbox is None or mailbox.user_id != actor.id or mail.contact_id is None:
        raise NotFound(f"no message {mail_id} in your mailbox")
    if mail.status != "to_confirm":
        raise InvalidInput(f"message {mail_id} waits for no decision", [Problem(
            "message", f"its status is {mail.status}",
            "list the ones waiting with `ember inbox messages --to-confirm`")])
    contact = contact_by_id(session, mail.contact_id)
    assert contact is not None
    if stop:
        _stop_email(session, contact, now, cadence)
    mail.status = "confirmed" if stop else "declined"
    mail.reason += "; you confirmed: no more emails" if stop else "; you decided to keep emailing"
    session.flush()
    return mail


def recent_mail(session: Session, actor: Actor, *, to_confirm: bool = False, limit: int = 100) -> list[InboundMail]:
    mailbox = repository.mailbox_of(session, actor.id)
    if mailbox is None:
        raise NotFound(f"{actor.email} has no mailbox connected", [Problem(
            "mailbox", "none", "connect one with `ember inbox connect`")])
    return repository.mails(session, mailbox.id, status="to_confirm" if to_confirm else None, limit=limit)


@dataclass(frozen=True)
class ReplyItem:
    """One answer to write, for the top of the Today queue."""

    plan_id: int
    contact_id: int
    contact: str
    contact_email: str | None
    deal_id: int | None
    purpose: str
    reason: str
    received_at: datetime


def replies_for(session: Session, rep_id: int, limit: int = 50) -> list[ReplyItem]:
    items = []
    for due in repository.replies_due(session, rep_id, limit):
        name = f"{due.first_name} {due.last_name}".strip() or (due.email or f"contact {due.contact_id}")
        items.append(ReplyItem(due.plan_id, due.contact_id, name, due.email, due.deal_id, due.purpose, due.reason,
                               due.due_at))
    return items
