"""The reading of single messages: rules first (headers, delivery reports), then wording."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser

from ember.inbox.rules import MailKind, classify, new_text, return_date

RECEIVED = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # a Thursday


def _message(headers: str, body: str):  # type: ignore[no-untyped-def]
    raw = f"From: Marco <marco@harbor.example>\nTo: dana@acme.example\n{headers}\n{body}\n".encode()
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_headers_decide_before_wording() -> None:
    verdict = classify(_message("Subject: Re: pricing\nX-Autoreply: yes\n", "Sounds good, let's talk."),
                       received_at=RECEIVED)
    assert verdict.kind is MailKind.OUT_OF_OFFICE and "X-Autoreply: yes" in verdict.reason


def test_a_person_saying_out_of_office_in_a_long_answer_is_a_reply() -> None:
    body = "Thanks! " + "We reviewed the proposal with finance and the board in detail. " * 12 + \
        "I was out of office last week, sorry for the delay."
    assert classify(_message("Subject: Re: proposal\n", body), received_at=RECEIVED).kind is MailKind.REPLY


def test_return_dates_in_the_usual_phrasings() -> None:
    assert return_date("I am out of the office until 12 March.", RECEIVED) == date(2026, 3, 13)
    assert return_date("Back on Monday 16 March, limited email until then.", RECEIVED) == date(2026, 3, 16)
    assert return_date("I will return on 2026-03-20.", RECEIVED) == date(2026, 3, 20)
    assert return_date("I'm away with limited access to email.", RECEIVED) is None


def test_removal_wording_in_the_quoted_part_is_not_a_removal() -> None:
    body = "Yes, Tuesday works.\n\nOn Mon, Dana wrote:\n> To unsubscribe, reply STOP"
    message = _message("Subject: Re: demo\n", body)
    assert new_text(message) == "Yes, Tuesday works."
    assert classify(message, received_at=RECEIVED).kind is MailKind.REPLY


def test_a_bare_unsubscribe_needs_no_confirmation_but_free_text_does() -> None:
    bare = classify(_message("Subject: unsubscribe\n", ""), received_at=RECEIVED)
    worded = classify(_message("Subject: Re: hello\n", "Please remove me from your list."), received_at=RECEIVED)
    assert bare.kind is worded.kind is MailKind.UNSUBSCRIBE
    assert not bare.needs_confirmation and worded.needs_confirmation


def test_a_bounce_without_a_report_is_read_from_its_wording() -> None:
    message = _message("Subject: Undeliverable: pricing\nX-Failed-Recipients: marco@harbor.example\n",
                       "Delivery has failed to these recipients: 550 5.1.10 RecipientNotFound")
    verdict = classify(message, received_at=RECEIVED)
    assert verdict.kind is MailKind.BOUNCE_HARD and verdict.bounced == ("marco@harbor.example",)
    full = _message("Subject: Undeliverable: pricing\n", "452 4.2.2 mailbox full, try again later")
    assert classify(full, received_at=RECEIVED).kind is MailKind.BOUNCE_SOFT
