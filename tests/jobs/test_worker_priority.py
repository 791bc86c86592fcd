"""`ember worker` yields the CPU to the web processes: it runs below normal priority (EMBER_WORKER_NICE)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads priorities from Linux /proc")


def _nice_of_threads(pid: int) -> set[int]:
    values = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            values.add(int((task / "stat").read_text().rsplit(")", 1)[1].split()[16]))
        except (OSError, IndexError):
            continue  # a thread that ended while we looked
    return values


def _worker_threads_nice(settings, tmp_path: Path, nice: str) -> set[int]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "EMBER_DATA_DIR": str(settings.data_dir), "EMBER_DATABASE_URL": settings.database_url,
           "EMBER_QUEUE_NAME": settings.jobs.queue_name, "EMBER_SECRET_KEY": settings.secret_key,
           "EMBER_WORKER_NICE": nice}
    env.pop("EMBER_REDIS_URL", None)
    log = tmp_path / f"worker-{nice}.log"
    command = [sys.executable, "-c", "from ember.cli.main import app; app()", "worker", "--workers", "2"]
    worker = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        # The main thread, two job threads and the scheduler: every thread the consumer started.
        while len(list(Path(f"/proc/{worker.pid}/task").iterdir())) < 4:
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the worker did not start its threads: {log.read_text()}"
            time.sleep(0.1)
        assert f"nice {max(int(nice), os.nice(0))}" in log.read_text()
        return _nice_of_threads(worker.pid)
    finally:
        worker.terminate()
        worker.wait(15)


@pytest.mark.slow
def test_worker_runs_every_thread_below_the_web_processes(engine, settings, tmp_path) -> None:
    assert _worker_threads_nice(settings, tmp_path, "7") == {max(7, os.nice(0))}


@pytest.mark.slow
def test_worker_nice_zero_keeps_the_priority_it_was_started_with(engine, settings, tmp_path) -> None:
    assert _worker_threads_nice(settings, tmp_path, "0") == {os.nice(0)}


def test_a_worker_started_lower_by_its_operator_is_never_raised() -> None:
    # In a child process: a lowered priority cannot be raised again, so never in the test process itself.
    code = "import os; from ember.jobs.runner import lower_priority; os.nice(15); print(lower_priority(10))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) == max(15, os.nice(0))
