"""Password guessing is limited per account and per address, shared by every app process,
and an unknown email takes as long to refuse as a known one."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import time_machine
from fastapi.testclient import TestClient

from tests.factories import make_user
from tests.web.test_login import _csrf

EMAIL, PASSWORD = "rep@ember.example", "correct horse"


def _attempt(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    token = _csrf(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf": token}, follow_redirects=False)


def test_an_account_is_locked_after_five_wrong_passwords_and_says_when_to_retry(client, engine, settings) -> None:
    make_user(engine, EMAIL, password=PASSWORD)
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        limit = settings.login.login_max_failures_per_account
        assert [_attempt(client, EMAIL, f"guess {i}").status_code for i in range(limit)] == [401] * limit
        locked = _attempt(client, EMAIL, PASSWORD)  # even the right password waits
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) == settings.login.login_lockout_s
        assert "try again in 15 minutes" in locked.text
        clock.shift(timedelta(seconds=settings.login.login_lockout_s - 60))
        assert _attempt(client, EMAIL, PASSWORD).headers["retry-after"] == "60"
        clock.shift(timedelta(seconds=61))
        assert _attempt(client, EMAIL, PASSWORD).status_code == 303


def test_a_success_clears_the_count_and_unknown_emails_lock_the_same_way(client, engine, settings) -> None:
    make_user(engine, EMAIL, password=PASSWORD)
    for _ in range(settings.login.login_max_failures_per_account - 1):
        assert _attempt(client, EMAIL, "wrong").status_code == 401
    assert _attempt(client, EMAIL, PASSWORD).status_code == 303
    assert _attempt(client, EMAIL, "wrong").status_code == 401  # counting starts again
    nobody = [_attempt(client, "nobody@ember.example", "x").status_code for _ in range(6)]
    assert nobody == [401] * 5 + [429]  # no difference that tells the email has no account


def test_one_address_trying_many_accounts_is_locked(engine, settings) -> None:
    from ember.app import create_app

    limit = 6  # the default (20) takes as long again to reach; the rule is the same
    strict = settings.model_copy(update={"login_max_failures_per_address": limit})
    with TestClient(create_app(strict, engine)) as client:
        answers = [_attempt(client, f"user{i}@ember.example", "x").status_code for i in range(limit + 1)]
        assert answers == [401] * limit + [429]
        assert "try again in" in _attempt(client, "someone.else@ember.example", "x").text


def test_counts_are_shared_by_every_app_process(settings, engine) -> None:
    from ember.app import create_app

    make_user(engine, EMAIL, password=PASSWORD)
    with TestClient(create_app(settings, engine)) as first, TestClient(create_app(settings, engine)) as second:
        for i in range(settings.login.login_max_failures_per_account):
            assert _attempt(first if i % 2 else second, EMAIL, "wrong").status_code == 401
        assert _attempt(first, EMAIL, PASSWORD).status_code == 429
        assert _attempt(second, EMAIL, PASSWORD).status_code == 429


def _refusal_s(client: TestClient, email: str) -> float:
    token = _csrf(client.get("/login").text)
    start = time.perf_counter()
    client.post("/login", data={"email": email, "password": "wrong", "csrf": token})
    return time.perf_counter() - start


def test_unknown_and_known_emails_take_as_long_to_refuse(settings, engine) -> None:
    from ember.app import create_app

    make_user(engine, EMAIL, password=PASSWORD)
    relaxed = settings.model_copy(update={"login_max_failures_per_account": 1000,
                                          "login_max_failures_per_address": 1000})
    known: list[float] = []
    unknown: list[float] = []
    with TestClient(create_app(relaxed, engine)) as client:
        _refusal_s(client, EMAIL)  # warm up
        for _ in range(9):  # alternated, so that a busy moment on the machine weighs on both alike
            known.append(_refusal_s(client, EMAIL))
            unknown.append(_refusal_s(client, "nobody@ember.example"))
    known_s, unknown_s = statistics.median(known), statistics.median(unknown)
    print(f"median refusal: known email {known_s * 1000:.1f} ms, unknown email {unknown_s * 1000:.1f} ms")
    assert 0.5 < unknown_s / known_s < 2.0, (known_s, unknown_s)
