"""What typed API answers cost against the free-form dictionaries they replaced.

    python bench/api_answers.py [--rounds 200]

Serves, in one process and one run, the same data two ways through FastAPI: as
``dict[str, Any]`` (the baseline: what the routes returned before) and as the
declared models the routes return now. Two answers, the largest the API gives:
a Today queue of 200 items (``list[QueueItem]``) and a call's analysis
(``AnalysisOut``, from tests/calls/discovery_call.vtt). Prints the median time
per request of each, interleaved, and the ratio typed / free-form (goal: at
most 1.3).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ember.calls.schemas import AnalysisOut
from ember.conversation import analyze_text
from ember.today.service import QueueItem

CALL = Path(__file__).resolve().parents[1] / "tests" / "calls" / "discovery_call.vtt"


def _queue(size: int) -> list[QueueItem]:
    return [QueueItem("follow_up", f"Ann Lee {i}", f"ann{i}@acme.example", i, "Pilot", i, "follow-up #2",
                      "check the pilot's first week", "nudge-2", "Any news on the pilot?", "call",
                      "2026-03-04T10:00:00+01:00", "Wed 10:00 Europe/Berlin", "2 days after the last touch",
                      i % 5 == 0) for i in range(size)]


def _app(queue: list[QueueItem], analysis: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/free/today")
    def free_today() -> list[dict[str, Any]]:
        return [item.as_dict() for item in queue]

    @app.get("/typed/today")
    def typed_today() -> list[QueueItem]:
        return queue

    @app.get("/free/analysis")
    def free_analysis() -> dict[str, Any]:
        return analysis

    @app.get("/typed/analysis")
    def typed_analysis() -> AnalysisOut:
        return AnalysisOut.model_validate(analysis)

    return app


def _median_ms(client: TestClient, path: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    analysis = analyze_text(CALL.read_text(), fmt="vtt", reps=("Dana Whitfield",)).to_dict()
    client = TestClient(_app(_queue(200), analysis))
    for answer in ("today", "analysis"):
        free, typed = [], []
        for _ in range(3):  # interleaved: a busy moment of the machine hits both
            free.append(_median_ms(client, f"/free/{answer}", args.rounds))
            typed.append(_median_ms(client, f"/typed/{answer}", args.rounds))
        baseline, measured = statistics.median(free), statistics.median(typed)
        print(f"{answer:9} free-form {baseline:6.2f} ms  typed {measured:6.2f} ms  "
              f"ratio {measured / baseline:.2f} (goal <= 1.3)")


if __name__ == "__main__":
    main()
