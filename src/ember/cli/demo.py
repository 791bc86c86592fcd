"""`ember demo`: build (or reuse) the demo data set, then serve the app."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ember.analytics.tasks import adopt_learned
from ember.cli.common import console, engine, err_console, user_errors
from ember.cli.serve import serve  # the very code `ember serve` runs
from ember.demo.fixtures import DEMO_PASSWORD, USERS
from ember.demo.generator import existing_demo, generate
from ember.settings import get_settings


def demo(
    contacts: int = typer.Option(800, "--contacts", min=1,
                                 help="How many contacts; everything else scales with it."),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed gives the same data."),
    touches_per_contact: float = typer.Option(
        None, "--touches-per-contact", min=0.5,
        help="Average touches per contact (default 6.25: 5,000 for 800 contacts; "
             "benchmarks use 10)."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the data, do not serve."),
    host: str = typer.Option(None, "--host", help="Address to listen on (default from EMBER_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default from EMBER_PORT)."),
) -> None:
    """Load the demo data set (a sales team, its pipeline and history) and serve the app."""
    settings = get_settings()
    with user_errors():
        eng = engine()
    where = eng.url.render_as_string(hide_password=True)
    state = existing_demo(eng)
    if state == "partial":
        err_console.print(f"[bold red]error:[/] an earlier demo build in {where} was interrupted; "
                          "remove that database (or point EMBER_DATABASE_URL elsewhere) and run "
                          "`ember demo` again", highlight=False)
        raise typer.Exit(1)
    if state == "complete":
        console.print(f"Demo data already in {where}; reusing it (nothing regenerated).")
    else:
        console.print(f"Building the demo data set ({contacts:,} contacts, seed {seed}) in {where}")
        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed:,}/{task.total:,} contacts"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("generating", total=contacts)
            summary = generate(eng, contacts=contacts, seed=seed,
                               touches_per_contact=touches_per_contact,
                               progress=lambda done, _total: bar.update(task, completed=done))
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in summary.counts.items()
                           if n and name in _SHOWN)
        console.print(f"Done in {summary.seconds:.1f} s: {counts}.")
        # What the worker does nightly, done once now: the team's history is enough to learn from.
        # The generated plans stay as they are, so the demo's queues are the ones it was built with.
        with console.status("putting the team's own call targets and windows to work"):
            adopted = adopt_learned(eng, settings, retime=False)
        console.print(f"Learned targets and call windows in use for {sum(bool(a.thresholds) for a in adopted)} "
                      f"of {len(adopted)} teams.")
    console.print("\nLog in with any of these (password [bold]" + DEMO_PASSWORD + "[/]):")
    for email, name, role, _tz in USERS:
        console.print(f"  {email:<34} {name} ({role.value})", highlight=False)
    if no_serve:
        return

    console.print(f"\nServing Ember on http://{host or settings.server.host}:{port or settings.server.port} "
                  "(Ctrl+C to stop)")
    serve(host=host, port=port, workers=1, forwarded_allow_ips=None)


_SHOWN = ("accounts", "contacts", "deals", "touches", "calls", "planned_touches",
          "inbound_events")
