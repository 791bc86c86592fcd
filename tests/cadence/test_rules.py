"""Planning the next touch: persistence, timing, channels, "no" and triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.cadence.attempts import TouchFact, label_touches
from ember.cadence.rules import (
    CadenceSettings,
    ContactFacts,
    Decision,
    Plan,
    StopReason,
    TriggerFact,
    decision_power_gap,
    plan_next,
)
from ember.cadence.timing import CallPhase, in_working_hours, window_at
from ember.messages.defaults import default_library
from ember.messages.rules import Exhausted, VariantLibrary
from ember.vocabulary import (
    Channel,
    ContactStatus,
    DecisionRole,
    MessagePhase,
    MessageSituation,
    Outcome,
    PreferredChannel,
)

S = CadenceSettings()
LIB = default_library()
BERLIN = ZoneInfo("Europe/Berlin")
CONTACT = ContactFacts(timezone="Europe/Berlin", country="DE")
MONDAY = datetime(2025, 5, 12, 9, tzinfo=BERLIN)


def touch(id: int, at: datetime, outcome: str, channel: str = "call", *,
          deal_id: int | None = None, variant: str | None = None,
          callback_at: datetime | None = None) -> TouchFact:
    return TouchFact(id, at, outcome, channel, deal_id, variant, callback_at)


def plan_of(decision: Decision) -> Plan:
    assert decision.plan is not None, decision.reason
    return decision.plan


def plan(history: list[TouchFact], now: datetime = MONDAY, contact: ContactFacts = CONTACT,
         received: set[str] | None = None, s: CadenceSettings = S, **kw: object) -> Decision:
    return plan_next(history, contact, now, s, received or set(), LIB, **kw)  # type: ignore[arg-type]


def situation_of(key: str) -> MessageSituation:
    variant = LIB.get(key)
    assert variant is not None
    return variant.situation


def in_a_call_window(p: Plan, phase: CallPhase, contact: ContactFacts = CONTACT) -> bool:
    return window_at(p.at, contact.timezone, phase, S) is not None


def test_worked_scenario_from_the_issue() -> None:
    """Gatekeeper, voicemail, email: FTC #1-#3 with three different messages;
    then a conversation plans follow-up #1 in a good window; then "no"."""
    history: list[TouchFact] = []
    received: set[str] = set()
    proposals: list[str] = []
    now = MONDAY
    for outcome, channel in [("gatekeeper", "call"), ("voicemail", "call"),
                             ("email-sent", "email")]:
        p = plan_of(plan(history, now, received=received))
        assert p.variant_key is not None
        proposals.append(p.variant_key)
        received.add(p.variant_key)
        history.append(touch(len(history) + 1, p.at, outcome, channel, variant=p.variant_key))
        now = p.at + timedelta(minutes=5)
    labels = label_touches(history)
    assert [labels[t.id].text for t in history] == ["FTC #1", "FTC #2", "FTC #3"]
    assert len(set(proposals)) == 3
    assert [situation_of(key) for key in proposals] == [
        MessageSituation.VOICEMAIL, MessageSituation.GATEKEEPER, MessageSituation.EMAIL]

    history.append(touch(4, now + timedelta(days=2), "conversation"))
    follow_up = plan_of(plan(history, now + timedelta(days=2), received=received))
    assert follow_up.label.text == "follow-up #1"
    assert follow_up.channel is Channel.CALL
    assert in_a_call_window(follow_up, CallPhase.QUALIFYING)
    assert follow_up.at >= now + timedelta(days=2) and follow_up.at.tzinfo == BERLIN
    assert follow_up.variant_key not in received
    assert follow_up.reason.startswith("Follow-up #1: last spoke on")
    assert "call window in Berlin" in follow_up.reason

    history.append(touch(5, follow_up.at, "said-no"))
    no = plan(history, follow_up.at + timedelta(minutes=10), received=received)
    assert no.plan is None and no.stop is StopReason.NURTURE
    assert no.contact_status is ContactStatus.NURTURE
    assert "nurture list" in no.reason


def test_first_attempt_goes_to_wednesday_four_pm_local() -> None:
    p = plan_of(plan([]))
    assert (p.label.text, p.channel) == ("FTC #1", Channel.CALL)
    assert p.at == datetime(2025, 5, 14, 16, tzinfo=BERLIN)
    assert p.reason == ("FTC #1: first attempt to reach this contact; Wednesday 16:00 is the "
                        "best call window in Berlin.")
    assert p.purpose == "Get a first conversation"


def test_ftc_spacing_counts_calendar_days() -> None:
    wed = datetime(2025, 5, 14, 16, 5, tzinfo=BERLIN)
    p = plan_of(plan([touch(1, wed, "no-answer")], wed))
    assert p.at == datetime(2025, 5, 15, 16, tzinfo=BERLIN)  # ftc_spacing_days[0] == 1
    slow = CadenceSettings(ftc_spacing_days=(7,))
    assert plan_of(plan([touch(1, wed, "no-answer")], wed, s=slow)).at == datetime(
        2025, 5, 21, 16, tzinfo=BERLIN)


def test_voicemail_brings_its_paired_email_right_away() -> None:
    wed = datetime(2025, 5, 14, 16, 5, tzinfo=BERLIN)
    p = plan_of(plan([touch(1, wed, "voicemail", variant="vm-ftc-1")], wed, received={"vm-ftc-1"}))
    assert (p.channel, p.variant_key) == (Channel.EMAIL, "em-ftc-1")
    assert p.at == datetime(2025, 5, 14, 16, 5, tzinfo=BERLIN)
    assert "right after the voicemail" in p.reason
    at_email_hour = CadenceSettings(pair_email_at_once=False)
    later = plan_of(plan([touch(1, wed, "voicemail")], wed, s=at_email_hour))
    assert later.at == datetime(2025, 5, 15, 9, tzinfo=BERLIN)


def test_email_in_ftc_is_followed_by_a_call_with_a_standalone_voicemail_ready() -> None:
    wed = datetime(2025, 5, 14, 9, tzinfo=BERLIN)
    p = plan_of(plan([touch(1, wed, "email-sent", "email")], wed))
    assert p.channel is Channel.CALL and p.situation is MessageSituation.VOICEMAIL


def test_an_email_with_no_voicemail_before_it_never_claims_one() -> None:
    contact = ContactFacts("Europe/Berlin", "DE", PreferredChannel.EMAIL)
    history = [touch(1, MONDAY, "email-sent", "email"), touch(2, MONDAY, "conversation")]
    received: set[str] = set()
    for n in range(3, 12):
        decision = plan(history, MONDAY, contact, received)
        p = plan_of(decision)
        if isinstance(p.variant, Exhausted):
            break
        assert p.channel is Channel.EMAIL and "voicemail" not in p.variant.variant.body
        received.add(p.variant.key)
        history.append(touch(n, p.at, "email-replied", "email"))


def test_five_unanswered_follow_ups_stall_the_deal() -> None:
    t = MONDAY
    history = [touch(1, t, "conversation", deal_id=9)]
    for n in range(2, 6):
        history.append(touch(n, t + timedelta(days=n * 3), "no-answer", deal_id=9))
    p = plan_of(plan(history, t + timedelta(days=16), deal_id=9))
    assert p.label.text == "follow-up #5"
    assert "4 of 5 follow-ups unanswered since the last conversation on Mon 12 May" in p.reason
    history.append(touch(6, t + timedelta(days=18), "voicemail", deal_id=9))
    stalled = plan(history, t + timedelta(days=19), deal_id=9)
    assert stalled.plan is None and stalled.deal_stalled and stalled.stop is StopReason.STALLED
    assert stalled.contact_status is ContactStatus.ACTIVE
    assert "5 follow-ups in a row without a reply" in stalled.reason
    # A reply resets the count.
    history.append(touch(7, t + timedelta(days=20), "email-replied", "email", deal_id=9))
    assert plan(history, t + timedelta(days=20), deal_id=9).plan is not None
    # The limit is a setting.
    assert plan(history[:4], t + timedelta(days=20), deal_id=9,
                s=CadenceSettings(follow_ups_before_stalled=3)).deal_stalled


def test_the_email_after_a_voicemail_is_not_a_separate_unanswered_attempt() -> None:
    t = MONDAY
    history = [touch(1, t, "conversation"), touch(2, t + timedelta(days=2), "voicemail"),
               touch(3, t + timedelta(days=2, minutes=3), "email-sent", "email")]
    p = plan_of(plan(history, t + timedelta(days=3)))
    assert "1 of 5 follow-ups unanswered" in p.reason
    assert p.label.text == "follow-up #3"


def test_silence_turns_follow_ups_into_nudges() -> None:
    t = MONDAY
    history = [touch(1, t, "conversation"), touch(2, t + timedelta(days=13), "no-answer")]
    p = plan_of(plan(history, t + timedelta(days=13)))
    assert p.message_phase is MessagePhase.NUDGE and p.purpose.startswith("Nudge after silence")
    recent = plan_of(plan([history[0], touch(2, t + timedelta(days=2), "no-answer")],
                          t + timedelta(days=2)))
    assert recent.message_phase is MessagePhase.FOLLOW_UP


def test_said_no_stops_everything_until_a_trigger_event() -> None:
    history = [touch(1, MONDAY, "conversation"), touch(2, MONDAY + timedelta(days=3), "said-no")]
    later = MONDAY + timedelta(days=10)
    assert plan(history, later).stop is StopReason.NURTURE
    nurtured = ContactFacts("Europe/Berlin", "DE", status=ContactStatus.NURTURE)
    assert plan(history[:1], later, nurtured).stop is StopReason.NURTURE
    stale = TriggerFact(MONDAY + timedelta(days=1), "looked at the pricing page")
    old_interest = ContactFacts("Europe/Berlin", "DE", last_trigger=stale)
    assert plan(history, later, old_interest).plan is None

    saturday = datetime(2025, 5, 24, 11, tzinfo=BERLIN)
    fresh = TriggerFact(saturday, "looked at the pricing page")
    contact = ContactFacts("Europe/Berlin", "DE", status=ContactStatus.NURTURE,
                           last_trigger=fresh)
    decision = plan(history, saturday, contact)
    p = plan_of(decision)
    assert decision.contact_status is ContactStatus.ACTIVE
    assert p.message_phase is MessagePhase.TRIGGER and p.channel is Channel.CALL
    assert p.at == datetime(2025, 5, 26, 8, tzinfo=BERLIN)  # first working moment, Monday
    assert "they looked at the pricing page on Sat 24 May" in p.reason
    assert "{trigger}" in p.variant.variant.body  # type: ignore[union-attr]


def test_do_not_contact_plans_nothing() -> None:
    contact = ContactFacts("Europe/Berlin", "DE", status=ContactStatus.DO_NOT_CONTACT,
                           last_trigger=TriggerFact(MONDAY, "opened the newsletter"))
    decision = plan([], MONDAY, contact)
    assert decision.plan is None and decision.stop is StopReason.DO_NOT_CONTACT


def test_not_now_calls_back_on_the_date_said() -> None:
    at_time = datetime(2025, 6, 3, 10, 30, tzinfo=BERLIN)
    p = plan_of(plan([touch(1, MONDAY, "not-now", callback_at=at_time)]))
    assert p.at == at_time and p.purpose == "Call back as agreed"
    assert 'asked to be called on Tue 3 Jun' in p.reason
    bare_date = datetime(2025, 6, 4, tzinfo=BERLIN)  # a Wednesday
    assert plan_of(plan([touch(1, MONDAY, "not-now", callback_at=bare_date)])).at == datetime(
        2025, 6, 4, 16, tzinfo=BERLIN)
    monday_date = datetime(2025, 6, 2, tzinfo=BERLIN)
    p = plan_of(plan([touch(1, MONDAY, "not-now", callback_at=monday_date)], qualifying=False))
    assert p.at == datetime(2025, 6, 2, 8, tzinfo=BERLIN)  # that day, even with no window
    sunday_evening = datetime(2025, 6, 1, 20, tzinfo=BERLIN)
    p = plan_of(plan([touch(1, MONDAY, "not-now", callback_at=sunday_evening)]))
    assert p.at == datetime(2025, 6, 2, 8, tzinfo=BERLIN)  # never outside working hours


def test_not_now_without_a_date_waits_the_default_delay() -> None:
    p = plan_of(plan([touch(1, MONDAY, "not-now")]))
    assert p.at.date() >= (MONDAY + timedelta(days=S.not_now_default_days)).date()
    assert "without a date" in p.reason
    short = CadenceSettings(not_now_default_days=2)
    assert plan_of(plan([touch(1, MONDAY, "not-now")], s=short)).at == datetime(
        2025, 5, 14, 16, tzinfo=BERLIN)


def test_wrong_number_switches_to_email_and_says_why() -> None:
    p = plan_of(plan([touch(1, MONDAY, "wrong-number")]))
    assert p.channel is Channel.EMAIL
    assert "by email because the number on file was wrong" in p.reason
    assert p.variant.variant.pairs_with is None  # type: ignore[union-attr]
    # A later call that gets through means the number was fixed.
    fixed = [touch(1, MONDAY, "wrong-number"), touch(2, MONDAY + timedelta(hours=1), "no-answer")]
    assert plan_of(plan(fixed)).channel is Channel.CALL


def test_bounced_email_switches_to_a_call() -> None:
    contact = ContactFacts("Europe/Berlin", "DE", PreferredChannel.EMAIL)
    history = [touch(1, MONDAY, "conversation"), touch(2, MONDAY, "email-bounced", "email")]
    p = plan_of(plan(history, contact=contact))
    assert p.channel is Channel.CALL and "the last email bounced" in p.reason
    # With no working phone or email and no social profile, nothing can be planned.
    dead = [*history, touch(3, MONDAY, "wrong-number")]
    decision = plan(dead, contact=contact)
    assert decision.stop is StopReason.NO_CHANNEL and "find new contact details" in decision.reason
    social = ContactFacts("Europe/Berlin", "DE", PreferredChannel.EMAIL, has_social=True)
    assert plan_of(plan(dead, contact=social)).channel is Channel.SOCIAL


@pytest.mark.parametrize(
    ("preferred", "channel", "purpose"),
    [
        (PreferredChannel.EMAIL, Channel.EMAIL, "Re-open the sale"),
        (PreferredChannel.VIDEO_DEMO, Channel.MEETING, "Offer the video demo"),
        (PreferredChannel.SELF_SERVE_DEMO, Channel.EMAIL, "Send the self-serve demo"),
        (PreferredChannel.SOCIAL, Channel.SOCIAL, "Re-open the sale"),
        (PreferredChannel.SMS, Channel.SMS, "Re-open the sale"),
        (PreferredChannel.CALL, Channel.CALL, "Re-open the sale"),
    ],
)
def test_the_prospects_preferred_channel_comes_first(
    preferred: PreferredChannel, channel: Channel, purpose: str
) -> None:
    contact = ContactFacts("Europe/Berlin", "DE", preferred)
    p = plan_of(plan([touch(1, MONDAY, "conversation")], contact=contact))
    assert p.channel is channel and p.purpose.startswith(purpose)
    if channel in (Channel.EMAIL, Channel.SOCIAL, Channel.SMS):
        assert p.at.time() == S.email_hour and "messages go out at 09:00" in p.reason


def test_gatekeeper_last_time_prepares_a_gatekeeper_line() -> None:
    p = plan_of(plan([touch(1, MONDAY, "gatekeeper")]))
    assert p.situation is MessageSituation.GATEKEEPER and p.variant_key == "gk-ftc-2"


def test_referral_uses_referral_texts_then_ftc_texts() -> None:
    contact = ContactFacts("Europe/Berlin", "DE", referred_by="Dana Ruiz")
    p = plan_of(plan([], contact=contact))
    assert p.message_phase is MessagePhase.REFERRAL and "Dana Ruiz" in p.purpose
    assert "{referrer}" in p.variant.variant.body  # type: ignore[union-attr]
    used = {v.key for v in LIB.for_phase(MessageSituation.VOICEMAIL, MessagePhase.REFERRAL)}
    fallback = plan_of(plan([], contact=contact, received=used))
    assert fallback.variant_key == "vm-ftc-1"


def test_exhausted_library_still_plans_and_says_so() -> None:
    p = plan_of(plan([], received={v.key for v in LIB.variants}))
    assert isinstance(p.variant, Exhausted) and p.variant_key is None
    assert "already received every voicemail message" in p.variant.message


def test_ftc_attempts_pause_after_the_limit() -> None:
    history = [touch(n, MONDAY + timedelta(days=n), "no-answer") for n in range(1, 4)]
    s = CadenceSettings(ftc_attempts_before_pause=3)
    decision = plan(history, MONDAY + timedelta(days=5), s=s)
    assert decision.stop is StopReason.PAUSED and decision.plan is None
    assert plan(history, MONDAY + timedelta(days=5),
                s=CadenceSettings(ftc_attempts_before_pause=None)).plan is not None


def test_follow_ups_outside_qualification_skip_the_morning_window() -> None:
    tuesday = MONDAY + timedelta(days=1)
    history = [touch(1, tuesday, "conversation")]  # two days later: Thursday
    assert plan_of(plan(history, tuesday)).at == datetime(2025, 5, 15, 8, tzinfo=BERLIN)
    assert plan_of(plan(history, tuesday, qualifying=False)).at == datetime(
        2025, 5, 15, 16, tzinfo=BERLIN)


def test_custom_outcomes_can_end_the_ftc_phase() -> None:
    history = [touch(1, MONDAY, "demo-booked")]
    assert plan_of(plan(history)).label.text == "FTC #2"
    assert plan_of(plan(history, custom_outcomes={"demo-booked": True})).label.text == (
        "follow-up #1")


def test_planning_never_reads_the_clock() -> None:
    history = [touch(1, MONDAY, "voicemail")]
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        first = plan(history, MONDAY)
    with time_machine.travel(datetime(2019, 7, 4, tzinfo=UTC), tick=False):
        second = plan(history, MONDAY)
    assert first == second


def test_naive_datetimes_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="aware"):
        plan([], datetime(2025, 5, 12, 9))
    naive_trigger = ContactFacts("Europe/Berlin", last_trigger=TriggerFact(
        datetime(2025, 5, 12, 9), "opened the newsletter"))
    with pytest.raises(ValueError, match="last_trigger"):
        plan([touch(1, MONDAY, "no-answer")], contact=naive_trigger)
    with pytest.raises(ValueError, match="callback_at"):
        plan([touch(1, MONDAY, "not-now", callback_at=datetime(2025, 6, 2, 10))])


def test_decision_power_gap() -> None:
    assert decision_power_gap([DecisionRole.INFO_GATHERER, DecisionRole.END_USER])
    assert decision_power_gap(["unknown", "influencer", "champion"])
    assert not decision_power_gap([DecisionRole.END_USER, "decision_maker"])
    assert not decision_power_gap([])


# --- properties -------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
COUNTRIES = [None, "DE", "US", "AU", "IN", "XX"]
OUTCOMES = [o.value for o in Outcome if o is not Outcome.SAID_NO]
CHANNEL_OF = {Outcome.EMAIL_SENT: "email", Outcome.EMAIL_REPLIED: "email",
              Outcome.EMAIL_BOUNCED: "email", Outcome.MEETING_HELD: "meeting"}


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(COUNTRIES),
       st.sampled_from([None, *PreferredChannel]),
       st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC)),
       st.lists(st.tuples(st.sampled_from(OUTCOMES), st.integers(0, 72 * 60)), max_size=30))
def test_a_simulated_contact_never_gets_a_variant_twice_and_plans_stay_in_bounds(
    tz: str, country: str | None, preferred: PreferredChannel | None, start: datetime,
    steps: list[tuple[str, int]],
) -> None:
    contact = ContactFacts(tz, country, preferred, has_social=True)
    history: list[TouchFact] = []
    received: list[str] = []
    now = start
    library: VariantLibrary = LIB
    for n, (outcome, delay) in enumerate(steps, start=1):
        decision = plan_next(history, contact, now, S, set(received), library)
        if decision.plan is None:
            assert decision.stop in (StopReason.STALLED, StopReason.PAUSED)
            break
        p = decision.plan
        assert p.at.timestamp() >= now.timestamp()
        assert p.at.utcoffset() == p.at.astimezone(ZoneInfo(tz)).utcoffset()
        assert in_working_hours(p.at, tz, country, S)
        if p.channel is Channel.CALL and p.message_phase is not MessagePhase.TRIGGER and (
                "right after" not in p.reason and "time they named" not in p.reason):
            assert window_at(p.at, tz, CallPhase.QUALIFYING, S) is not None
        if p.variant_key is not None:
            received.append(p.variant_key)
        channel = CHANNEL_OF.get(Outcome(outcome), p.channel.value)
        history.append(TouchFact(n, p.at, outcome, channel, variant_key=p.variant_key))
        now = p.at + timedelta(minutes=delay)
    assert len(received) == len(set(received))


def test_an_opt_out_from_calls_plans_email_and_says_why() -> None:
    contact = ContactFacts("Europe/Berlin", "DE", do_not_call=True)
    chosen = plan_of(plan([], contact=contact))
    assert chosen.channel is Channel.EMAIL
    assert "asked not to be called" in plan([], contact=contact).reason
    both = plan([], contact=ContactFacts("Europe/Berlin", "DE", do_not_call=True, do_not_email=True))
    assert both.plan is None or both.plan.channel is Channel.SOCIAL
