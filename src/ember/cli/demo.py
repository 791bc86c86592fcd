from __future__ import annotations

import typer


def demo() -> None:
    """Load the demo data set and serve the app."""
    typer.echo("demo data is not ready yet")
