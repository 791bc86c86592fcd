"""The huey instance: SQLite file in the data directory by default, Redis when configured.

Several processes (``ember serve``, any number of ``ember worker``) share the
queue: the SQLite file on one machine, Redis across machines.
"""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from ember.settings import Settings


def location(settings: Settings) -> str:
    return settings.redis_url or str(settings.data_dir / "queue.db")


def make_huey(settings: Settings) -> Huey:
    # Results are not kept: the database records what happened.
    if settings.redis_url:
        return RedisHuey(settings.jobs.queue_name, url=settings.redis_url, results=False, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # No fsync per enqueue (it cost ~5 ms a request): a queue entry lost to a power cut
    # is found again by the sweep, because the pending row in the database is the truth.
    return SqliteHuey(settings.jobs.queue_name, filename=str(settings.data_dir / "queue.db"), results=False,
                      utc=True, timeout=30, fsync=False)
