"""`ember report`: the same numbers as the service, in the terminal, JSON, CSV and a self-contained HTML file."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ember.demo.generator import generate

pytestmark = pytest.mark.db
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
MANAGER = "maya.chen@harborlight.example"


@pytest.fixture
def data(engine: Engine) -> Engine:
    generate(engine, contacts=160, seed=5, now=NOW)
    return engine


def test_report_json_csv_and_html_carry_the_same_figures(data: Engine, ember, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = ember("report", "--as", MANAGER, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    won = figures["follow_ups_to_close"]["won"]
    assert figures["scope"]["team"] == "Harborlight Sales" and won["n"] > 0
    assert sum(won["distribution"].values()) == won["n"]

    out_csv, out_html = tmp_path / "team.csv", tmp_path / "team.html"
    result = ember("report", "--as", MANAGER, "--csv", str(out_csv), "--html", str(out_html))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    won_n = next(r for r in rows if r["section"] == "follow-ups to close" and r["figure"] == "won"
                 and r["key"] == "n")
    assert int(won_n["value"]) == won["n"]
    html = out_html.read_text(encoding="utf-8")
    assert "<svg" in html and "http" not in html.split("<body>")[1].replace("http://www.w3.org", "")
    assert f"{won['n']} deals" in html

    table = ember("report", "--as", MANAGER)
    assert "follow-ups to close, won" in table.stdout and f"{won['n']} deals" in table.stdout


def test_report_for_one_rep_since_a_date(data: Engine, ember) -> None:  # type: ignore[no-untyped-def]
    everyone = json.loads(ember("report", "--as", MANAGER, "--json").stdout)
    one = json.loads(ember("report", "--as", MANAGER, "--json", "--rep", "sam.okafor@harborlight.example",
                           "--since", "2025-12-01").stdout)
    assert one["scope"]["rep"] == "Sam Okafor"
    assert [r["email"] for r in one["reps"]] == ["sam.okafor@harborlight.example"]
    assert one["ftc_attempts_to_first_conversation"]["n"] < everyone["ftc_attempts_to_first_conversation"]["n"]


def test_report_refuses_bad_input_and_reps(data: Engine, ember) -> None:  # type: ignore[no-untyped-def]
    bad_date = ember("report", "--since", "2026-13-01")
    assert bad_date.exit_code == 1 and "--since" in bad_date.stderr and "2026-01-31" in bad_date.stderr
    rep = ember("report", "--as", "sam.okafor@harborlight.example")
    assert rep.exit_code == 1 and "managers and admins" in rep.stderr
    stranger = ember("report", "--as", MANAGER, "--rep", "nobody@example.com")
    assert stranger.exit_code == 1 and "no rep" in stranger.stderr
