"""Seed the sample stories with the schema instead of on first use

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Seeding on first use raced (two first readers could both find the library
empty and add the samples twice) and brought the samples back whenever a team
had deleted them all. Now a new database starts with them, once.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import ember.models.base
from ember.compose.defaults import DEFAULT_PROOF_POINTS, SAMPLE_TITLES

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

stories = sa.table(
    "proof_points",
    sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("title", sa.String),
    sa.column("industry", sa.String), sa.column("problem_keywords", sa.String), sa.column("text", sa.Text),
    sa.column("created_at", ember.models.base.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    # The samples as this version of the package ships them; a database whose
    # library already has stories (seeded by an earlier version) keeps its own.
    if op.get_bind().execute(sa.select(sa.func.count()).select_from(stories)).scalar():
        return
    now = datetime.now(UTC)
    op.bulk_insert(stories, [
        {"kind": kind, "title": title, "industry": industry, "problem_keywords": keywords, "text": text,
         "created_at": now}
        for kind, title, industry, keywords, text in DEFAULT_PROOF_POINTS
    ])


def downgrade() -> None:
    op.execute(stories.delete().where(stories.c.title.in_(SAMPLE_TITLES)))
