"""`ember stories`: customer stories and proof points."""

from __future__ import annotations

import typer

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, library_reader, print_json, transaction
from ember.compose import stories

stories_app = typer.Typer(help="Customer stories and proof points for briefs and openers.", no_args_is_help=True)


@stories_app.command("list")
def list_stories(as_json: bool = JSON_OPTION, as_user: str | None = AS_OPTION) -> None:
    """List the stories your team draws from (an admin: the shared ones)."""
    with transaction() as session:
        rows = [stories.story_dict(row) for row in stories.list_stories(session, library_reader(session, as_user))]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"[bold]{row['id']}. {row['title']}[/] ({row['kind']}, {row['industry'] or 'any industry'})")
        console.print(f"   {row['text']}", highlight=False)


@stories_app.command("add")
def add_story(
    title: str = typer.Option(..., "--title"),
    text: str = typer.Option(..., "--text", help="What the customer achieved, in a few sentences."),
    kind: str = typer.Option("story", "--kind", help="story or proof."),
    industry: str | None = typer.Option(None, "--industry"),
    keywords: str | None = typer.Option(None, "--keywords", help="Words that match a prospect's problems."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a story (managers and admins)."""
    with transaction() as session:
        row = stories.save_story(session, acting_user(session, as_user), story_id=None, kind=kind, title=title,
                                 text=text, industry=industry, problem_keywords=keywords)
        data = stories.story_dict(row)
    print_json(data) if as_json else console.print(f"Added story {data['id']}: {data['title']}")


@stories_app.command("remove")
def remove_story(story_id: int, as_user: str | None = AS_OPTION) -> None:
    """Remove a story (managers and admins)."""
    with transaction() as session:
        stories.delete_story(session, acting_user(session, as_user), story_id)
    console.print(f"Removed story {story_id}.")
