"""The Today queue through the JSON API: what is due, why, and who may open it."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.factories import make_user
from tests.touches.test_touch_service import MONDAY, _contact, _log


def test_today_queue_shows_due_items_and_managers_can_open_it(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", team="East")
    boss = make_user(engine, "boss@ember.example", role="manager", team="East")
    other = make_user(engine, "west@ember.example", team="West")
    with time_machine.travel(MONDAY, tick=False):
        contact = _contact(client, rep)
        _log(client, rep, contact, "call", "gatekeeper")
    with time_machine.travel(MONDAY + timedelta(days=10), tick=False):
        queue = client.get("/api/today", headers=rep.headers).json()
        assert len(queue) == 1
        item = queue[0]
        assert item["contact"] == "Maren" and item["label"] == "FTC #2" and item["variant"]
        assert item["reason"] and item["purpose"] and item["overdue"] is True
        assert client.get("/api/today?rep=rep@ember.example", headers=boss.headers).json() == queue
        assert client.get("/api/today?rep=rep@ember.example", headers=other.headers).status_code == 404
