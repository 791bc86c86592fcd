"""The one-pass recognition of a batch the libraries send: what it lets through, the full checks
would let through too, and the worker reads the same calls from what is kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.events.rules import EventIn
from ember.tracking.keys import KeyScope
from ember.tracking.mapping import event_map
from ember.tracking.plain_batch import plain_batch
from ember.tracking.segment import MAX_MESSAGE_BYTES, Sender, checked_batch, parse_calls

NOW = "2026-12-03T10:00:00.123+00:00"
SENDER = Sender("site", KeyScope.SERVER, event_map("segment", None), "identity-key", lambda token: None)


def _call(**fields: Any) -> dict[str, Any]:
    return {"type": "page", "messageId": "m1", "anonymousId": "anon-1", "timestamp": NOW, "name": "Pricing",
            "properties": {"url": "https://acme.example/pricing"}, **fields}


def _body(*calls: dict[str, Any], **top: Any) -> bytes:
    return json.dumps({"batch": list(calls), "sentAt": NOW, **top}).encode()


def _events(text: bytes) -> list[EventIn]:
    parsed = parse_calls(SENDER, json.loads(text), None, datetime(2026, 12, 3, 10, 0, 1, tzinfo=UTC), len(text))
    assert parsed.problems == []
    return parsed.events


def test_what_the_libraries_send_is_recognised_and_kept_as_it_came() -> None:
    segment_python = _body(_call(userId=None, integrations={}, context={"library": {"name": "analytics-python"}}),
                           _call(type="track", event="Signed Up", messageId="m2", userId="u1", anonymousId=None),
                           _call(type="identify", messageId="m3", userId="u1", traits={"email": "a@b.example"}))
    rudderstack = _body(_call(userId="", channel="server", integrations={"All": True}, originalTimestamp=NOW))
    for body in (segment_python, rudderstack, _body()):
        plain = plain_batch(body)
        assert plain is not None and plain.text == body and plain.write_key is None
    assert plain_batch(segment_python).calls == 3  # type: ignore[union-attr]


def test_a_key_in_the_body_is_read_and_left_out_of_what_is_kept() -> None:
    body = _body(_call(), _call(type="track", event="Demo Booked", messageId="m2"), writeKey="wk_secret",
                 context={"library": {"name": "analytics-python"}})
    plain = plain_batch(body)
    assert plain is not None and plain.write_key == "wk_secret"
    assert b"wk_secret" not in plain.text
    assert _events(plain.text) == _events(body)
    no_sent_at = json.dumps({"writeKey": "wk_secret", "batch": [_call()]}).encode()
    kept = plain_batch(no_sent_at)
    assert kept is not None and json.loads(kept.text) == {"batch": [_call()], "sentAt": None}


@pytest.mark.parametrize("body", [
    _body(_call(timestamp="yesterday")),
    _body(_call(timestamp="2026-12-03T10:00:00z")),  # read by the full checks' second try: theirs to say
    _body(_call(sentAt=12)),
    _body(_call(), sentAt="soon"),
    _body(_call(anonymousId="   ")),
    _body(_call(anonymousId=None)),
    _body(_call(anonymousId=True)),
    _body(_call(anonymousId="x" * 201)),
    _body(_call(type="track")),
    _body(_call(type="track", event="  ")),
    _body(_call(type="alias", userId="u1", previousId="anon-1")),
    _body(_call(type="purchase")),
    json.dumps({"batch": [_call(name="Café")]}, ensure_ascii=False).encode(),  # not ASCII: written again
    _body(_call(), writeKey=7),
    _body(*[_call(properties={"blob": "x" * 20_000})] * 2),  # calls within the limit, but too large to be sure
    b'{"batch": {"type": "page"}}',
    b'{"calls": []}',
    b'[1, 2]',
    b'{"batch": [null]}',
    b'not json',
], ids=lambda body: body[:60].decode(errors="replace"))
def test_anything_unusual_is_left_to_the_full_checks(body: bytes) -> None:
    assert plain_batch(body) is None


_ids = st.one_of(st.none(), st.text(alphabet=" ab\t\u00a0", max_size=3), st.integers(-5, 5), st.booleans(),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(min_size=199, max_size=202, alphabet="a "))
_times = st.one_of(st.none(), st.just(""), st.just(NOW), st.just("2026-12-03"), st.just("2026-12-03T10:00:00Z"),
                   st.just("2026-12-03T10:00:00z"), st.just("12/03/2026"), st.just("2026-13-01T00:00:00"),
                   st.integers(0, 2))
_changes = st.lists(st.one_of(
    *(st.tuples(st.just(name), _ids) for name in ("userId", "anonymousId", "messageId", "previousId")),
    *(st.tuples(st.just(name), _times) for name in ("timestamp", "originalTimestamp", "sentAt")),
    st.tuples(st.just("event"), st.one_of(st.none(), st.text(alphabet="aB ", max_size=3), st.integers(0, 3))),
    st.tuples(st.just("properties"), st.dictionaries(st.sampled_from(["url", "n"]), st.one_of(
        st.text(max_size=5), st.floats(allow_nan=False), st.integers()), max_size=2)),
), max_size=2).map(dict)
# Calls as the libraries make them, each with up to two fields changed to something odd (or not).
_calls = st.builds(lambda kind, changes: {**_call(type=kind, event="Demo Booked", userId="u1"), **changes},
                   st.sampled_from(["track", "page", "screen", "identify", "group", "alias", "other"]), _changes)


@settings(max_examples=400, deadline=None)
@given(calls=st.lists(_calls, max_size=4), sent_at=_times,
       write_key=st.one_of(st.none(), st.just("wk_k")), big=st.booleans())
def test_what_is_let_through_passes_every_check_and_reads_the_same(calls: list[Any], sent_at: Any,
                                                                    write_key: str | None, big: bool) -> None:
    top: dict[str, Any] = {"batch": calls, "sentAt": sent_at}
    if write_key:
        top["writeKey"] = write_key
    if big:  # past the size where the full checks measure each call
        top["padding"] = "p" * MAX_MESSAGE_BYTES
    body = json.dumps(top).encode()
    plain = plain_batch(body)
    if plain is None:
        return
    assert checked_batch(json.loads(body), None, len(body))[1] == []
    assert plain.calls == len(calls)
    assert _events(plain.text) == _events(body)
