"""`ember call add`: record a call from its transcript file."""

from __future__ import annotations

from pathlib import Path

import typer

from ember.cadence.config import cadence_settings
from ember.calls.config import analysis_thresholds
from ember.calls.service import add_call, call_summary
from ember.cli.common import AS_OPTION, JSON_OPTION, acting_on_contact, console, print_json, transaction
from ember.cli.follow_up import parse_when
from ember.conversation.report import render_text
from ember.errors import InvalidInput, Problem
from ember.settings import get_settings

call_app = typer.Typer(help="Record calls from transcripts (analysed, next steps stored).", no_args_is_help=True)


@call_app.command("add")
def add(
    contact: str = typer.Option(..., "--contact", help="The contact's email."),
    transcript: Path = typer.Option(..., "--transcript", help="Transcript file (VTT, SRT, JSON, Otter, text)."),
    deal: int | None = typer.Option(None, "--deal", help="Deal id; default the contact's open deal."),
    fmt: str | None = typer.Option(None, "--format", help="Transcript format if not detected."),
    at: str | None = typer.Option(None, "--at", help="When the call took place (ISO 8601); default now."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a call as a conversation touch, analyse it, store its next steps and print the analysis."""
    with transaction() as session:
        if not transcript.is_file():
            raise InvalidInput(f"{transcript} does not exist",
                               [Problem("--transcript", "no such file", "give the path of a transcript file")])
        actor, target = acting_on_contact(session, as_user, contact)
        recorded = add_call(session, actor, contact_id=target.id, transcript=transcript.read_text(encoding="utf-8-sig"),
                            filename=transcript.name, fmt=fmt, deal_id=deal, at=parse_when(at, "--at"),
                            settings=cadence_settings(get_settings()),
                            thresholds=analysis_thresholds(get_settings()))
        summary = call_summary(recorded)
        report = render_text(recorded.analysis)
    if as_json:
        print_json(summary)
        return
    console.print(f"Recorded call {summary['call_id']} ({summary['touch']['label']}); "
                  f"{summary['next_steps']} next steps stored.\n")
    console.print(report, highlight=False, markup=False)
