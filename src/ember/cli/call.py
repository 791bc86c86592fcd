"""`ember call add`: record a call from its transcript file."""

from __future__ import annotations

from pathlib import Path

import typer

from ember.calls.service import (
    SideChoice,
    add_call,
    analysis_thresholds,
    call_summary,
    check_size,
    correct_sides,
    decode,
)
from ember.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    acting_on_contact,
    acting_user,
    console,
    parse_when,
    print_json,
    transaction,
)
from ember.conversation.report import render_text
from ember.errors import InvalidInput, Problem
from ember.settings import get_settings
from ember.team_settings.effective import settings_for

REP_OPTION = typer.Option(None, "--rep", help="A speaker on our side (repeatable); the others are the prospect's.")
PROSPECT_OPTION = typer.Option(None, "--prospect", help="A speaker on the prospect's side (repeatable).")
call_app = typer.Typer(help="Record calls from transcripts (analysed, next steps stored).", no_args_is_help=True)


@call_app.command("add")
def add(
    contact: str = typer.Option(..., "--contact", help="The contact's email."),
    transcript: Path = typer.Option(..., "--transcript", help="Transcript file (VTT, SRT, JSON, Otter, text)."),
    deal: int | None = typer.Option(None, "--deal", help="Deal id; default the contact's open deal."),
    fmt: str | None = typer.Option(None, "--format", help="Transcript format if not detected."),
    at: str | None = typer.Option(None, "--at", help="When the call took place (ISO 8601); default now."),
    rep: list[str] | None = REP_OPTION,
    prospect: list[str] | None = PROSPECT_OPTION,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a call as a conversation touch, analyse it, store its next steps and print the analysis."""
    with transaction() as session:
        text, notes = _read(transcript)
        actor, target = acting_on_contact(session, as_user, contact)
        team = settings_for(session, get_settings(), actor.team_id)  # the team's cadence and call targets
        recorded = add_call(session, actor, contact_id=target.id, transcript=text, notes=notes,
                            filename=transcript.name, fmt=fmt, deal_id=deal, at=parse_when(at, "--at"),
                            settings=team.cadence.planning(),
                            thresholds=analysis_thresholds(team.analysis),
                            choice=SideChoice(tuple(rep or ()), tuple(prospect or ())))
        summary = call_summary(recorded)
        report = render_text(recorded.analysis)
    if as_json:
        print_json(summary)
        return
    console.print(f"Recorded call {summary['call_id']} ({summary['touch']['label']}); "
                  f"{summary['next_steps']} next steps stored.\n")
    console.print(report, highlight=False, markup=False)


def _read(transcript: Path) -> tuple[str, tuple[str, ...]]:
    """The file's text; its size is checked first, so a huge file is never read into memory."""
    if not transcript.is_file():
        raise InvalidInput(f"{transcript} does not exist",
                           [Problem("--transcript", "no such file", "give the path of a transcript file")])
    check_size(transcript.stat().st_size, get_settings().analysis.max_transcript_bytes, "--transcript")
    return decode(transcript.read_bytes(), transcript.name)


@call_app.command("sides")
def sides(
    call_id: int = typer.Argument(..., help="The call's id (shown by `ember call add`)."),
    rep: list[str] | None = REP_OPTION,
    prospect: list[str] | None = PROSPECT_OPTION,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Say who was on which side of a recorded call; its analysis is redone from the stored transcript."""
    with transaction() as session:
        actor = acting_user(session, as_user)
        team = settings_for(session, get_settings(), actor.team_id)
        done = correct_sides(session, actor, call_id, SideChoice(tuple(rep or ()), tuple(prospect or ())),
                             thresholds=analysis_thresholds(team.analysis))
        report = render_text(done.analysis)
        data = done.analysis.to_dict()
    if as_json:
        print_json({"call_id": call_id, "next_steps": len(done.next_steps), "analysis": data})
        return
    console.print(f"Call {call_id} analysed again; {len(done.next_steps)} open next steps stored.\n")
    console.print(report, highlight=False, markup=False)
