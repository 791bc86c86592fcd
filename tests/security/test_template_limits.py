"""A manager's template cannot freeze the server: costly constructs are refused when saved (422, saying
what and where), and a costly template stored earlier fails alone, within the time cap, while the
server keeps answering."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from ember.compose.sandbox import RENDER_SECONDS
from ember.db import unit_of_work
from ember.models import ComposeTemplate
from tests.compose_support import add_contact
from tests.factories import make_user

BIG_POWER = "Subject: Pricing\n\n{% if 9**(9**7) > 0 %}Hi {{ first_name }}{% endif %}\n"


def _health_while(work, base: str) -> tuple[object, float]:  # type: ignore[no-untyped-def]
    """Run ``work`` in a thread and time /healthz meanwhile: the slowest answer, in seconds."""
    result: dict[str, object] = {}
    worker = threading.Thread(target=lambda: result.setdefault("answer", work()), daemon=True)
    worker.start()
    slowest = 0.0
    with httpx.Client(base_url=base, timeout=30) as probe:
        while worker.is_alive():
            started = time.monotonic()
            assert probe.get("/healthz").status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.05)
    worker.join()
    return result["answer"], slowest


def test_a_big_power_is_refused_at_save_and_the_server_stays_responsive(server_url, engine) -> None:
    manager = make_user(engine, "boss@ember.example", role="manager")
    with httpx.Client(base_url=server_url, headers=manager.headers, timeout=30) as api:
        started = time.monotonic()
        answer, slowest = _health_while(lambda: api.put("/api/templates/email-nudge", json={"body": BIG_POWER}),
                                        server_url)
        took = time.monotonic() - started
        assert isinstance(answer, httpx.Response)
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["error"]["problems"]
        assert problem["where"] == "template email-nudge" and "power" in problem["what"], problem
        assert took < 5 and slowest < 2.5, (took, slowest)  # unguarded, the power alone takes 20 s here
        assert "9**" not in api.get("/api/templates/email-nudge").json()["body"]


@pytest.mark.parametrize("body, what", [
    ("{{ 'spam ' * 10**8 }}", "repeated"),
    ("{% for i in range(10**7) %}.{% endfor %}", "range"),
    ("{% for a in people %}{% for b in people %}{% for c in people %}.{% endfor %}{% endfor %}{% endfor %}", "nested"),
    ("{{ first_name.center(10**9) }}", "width"),
    ("{{ first_name|center(10**9) }}", "width"),
    ("{% if first_name == 'nobody' %}{{ 7**123456789 }}{% endif %}", "power"),  # a branch test renders never take
])
def test_costly_constructs_are_refused_at_save(client, engine, body: str, what: str) -> None:
    manager = make_user(engine, "boss@ember.example", role="manager")
    started = time.monotonic()
    answer = client.put("/api/templates/email-nudge", headers=manager.headers,
                        json={"body": f"Subject: Hello\n\nHi {{{{ first_name }}}}, {body}\n"})
    assert answer.status_code == 422, answer.text
    assert what in str(answer.json()["error"]["problems"]) and time.monotonic() - started < 3 * RENDER_SECONDS


def test_a_slow_template_stored_earlier_fails_alone_within_the_cap(server_url, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = add_contact(engine, rep.id)
    # Far past the cap on any machine: the cap, not the machine's speed, must end it.
    slow = ("Subject: Hello\n\n{% set r = [1] * 6000 %}{% for i in r %}{% for j in r %}{{ '' }}{% endfor %}"
            "{% endfor %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}Hi\n")
    with unit_of_work(engine) as session:  # as if saved before these checks existed
        session.add(ComposeTemplate(name="note", body=slow))
    with httpx.Client(base_url=server_url, headers=rep.headers, timeout=30) as api:
        started = time.monotonic()
        answer, slowest = _health_while(lambda: api.post("/api/compose", json={"kind": "note",
                                                                               "contact_id": contact_id}), server_url)
        took = time.monotonic() - started
    assert isinstance(answer, httpx.Response) and answer.status_code == 422, answer
    assert "longer than" in answer.text and took < RENDER_SECONDS + 3
    assert slowest < 2.5, slowest
