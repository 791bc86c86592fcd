"""The same path with RedisHuey: events queued in Redis, handled by a consumer, alert raised."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ember.jobs.registry import get_jobs
from ember.jobs.runner import background_consumer
from ember.settings import Settings
from tests.factories import make_user
from tests.trigger_support import event, make_contact, make_source, signed

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_settings(settings: Settings) -> Iterator[Settings]:
    url = os.environ.get("EMBER_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("EMBER_TEST_REDIS_URL must be set in CI (e.g. redis://127.0.0.1:6379/15)")
        pytest.skip("EMBER_TEST_REDIS_URL is not set")
    configured = settings.model_copy(update={"redis_url": url, "queue_name": f"ember-test-{uuid.uuid4().hex[:8]}"})
    yield configured
    get_jobs(configured).huey.storage.flush_all()


def test_redis_queue_carries_events_to_alerts(redis_settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    from ember.app import create_app

    assert type(get_jobs(redis_settings).huey).__name__ == "RedisHuey"
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    raw, headers = signed(make_source(engine), event())
    with TestClient(create_app(redis_settings, engine)) as client:
        assert client.post("/events", content=raw, headers=headers).status_code == 202
        assert len(get_jobs(redis_settings).huey) == 1  # waiting in Redis
        with background_consumer(redis_settings, workers=1):
            deadline = time.monotonic() + 15
            alerts: list[dict[str, object]] = []
            while not alerts and time.monotonic() < deadline:
                time.sleep(0.1)
                alerts = client.get("/api/alerts", headers=rep.headers).json()
    assert [a["rule"] for a in alerts] == ["Pricing page visit"]
