"""Trigger rule matching, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ember.events.rules import (
    DEFAULT_RULES,
    ContactState,
    EventFact,
    RuleSpec,
    dedup_key,
    fired_rules,
    url_matches,
    what_happened,
)

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
PRICING = RuleSpec(1, "Pricing page visit", "page_view", "*/pricing*")
THREE_VISITS = RuleSpec(2, "Three visits", "page_view", None, min_count=3, window_hours=24, audience="nurture")
NURTURE = ContactState("nurture", stalled=False)


def test_url_globs_match_path_or_whole_url_ignoring_case_and_query() -> None:
    assert url_matches("*/pricing*", "https://acme.example/Pricing?plan=team")
    assert url_matches("*/pricing*", "/pricing")
    assert url_matches("*/case-stud*, */customers/*", "https://acme.example/customers/globex")
    assert not url_matches("*/pricing*", "https://acme.example/blog/why-pricing-matters-less")
    assert not url_matches("*/pricing*", None)
    assert url_matches(None, None)


def test_a_hot_page_fires_once_it_is_seen() -> None:
    view = EventFact("page_view", "https://acme.example/pricing", NOW)
    assert fired_rules([PRICING], view, [view], NURTURE) == [PRICING]
    other = EventFact("webinar_rsvp", "https://acme.example/pricing", NOW)
    assert fired_rules([PRICING], other, [other], NURTURE) == []


def test_count_within_the_window() -> None:
    views = [EventFact("page_view", f"/p{i}", NOW - timedelta(hours=h)) for i, h in enumerate((30, 5, 1))]
    latest = EventFact("page_view", "/p3", NOW)
    assert fired_rules([THREE_VISITS], latest, [*views, latest], NURTURE) == [THREE_VISITS]
    assert fired_rules([THREE_VISITS], latest, [views[0], latest], NURTURE) == []  # the old one is outside 24 h


def test_audience_and_do_not_contact() -> None:
    latest = EventFact("page_view", "/x", NOW)
    history = [latest] * 3
    assert fired_rules([THREE_VISITS], latest, history, ContactState("active", False)) == []
    stalled = RuleSpec(3, "Stalled deal", "page_view", None, audience="stalled")
    assert fired_rules([stalled], latest, history, ContactState("active", True)) == [stalled]
    anyone = RuleSpec(4, "Any", "page_view")
    assert fired_rules([anyone], latest, history, ContactState("do-not-contact", False)) == []
    assert fired_rules([RuleSpec(5, "Off", "page_view", is_active=False)], latest, history, NURTURE) == []


def test_one_dedup_key_per_contact_rule_and_window() -> None:
    assert dedup_key(7, PRICING, NOW) == dedup_key(7, PRICING, NOW + timedelta(hours=1))
    assert dedup_key(7, PRICING, NOW) != dedup_key(8, PRICING, NOW)
    assert dedup_key(7, PRICING, NOW) != dedup_key(7, PRICING, NOW + timedelta(days=8))


def test_defaults_cover_every_signal_and_words_complete_they() -> None:
    assert {rule.event_type.value for rule in DEFAULT_RULES} >= {
        "page_view", "newsletter_subscribe", "podcast_subscribe", "webinar_rsvp", "content_share", "demo_use",
        "email_reply", "email_click"}
    assert what_happened("page_view", "https://acme.example/pricing?x=1") == "visited the pricing page (/pricing)"
    assert what_happened("webinar_rsvp", None) == "signed up for a webinar or event"
    assert what_happened("page_view", "/about", 3) == "visited the page /about (3 times)"
