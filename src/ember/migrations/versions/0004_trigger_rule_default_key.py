"""Give the shipped trigger rules a unique key, so seeding them is safe under concurrency

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The names of the rules 0002 seeded; their keys are derived the way the code derives them.
SHIPPED = (
    "Pricing page visit", "Demo page visit", "Case study read", "Back on the site three times in a day",
    "Newsletter subscription", "Podcast subscription", "Webinar or event RSVP", "Shared our content",
    "Used the demo", "Replied to an email", "Clicked a link in an email",
)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def upgrade() -> None:
    with op.batch_alter_table("trigger_rules") as batch:
        batch.add_column(sa.Column("default_key", sa.String(length=60), nullable=True))
        batch.create_unique_constraint("uq_trigger_rules_default_key", ["default_key"])
    rules = sa.table("trigger_rules", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("team_id", sa.Integer), sa.column("default_key", sa.String))
    connection = op.get_bind()
    for name in SHIPPED:
        first = connection.execute(sa.select(sa.func.min(rules.c.id)).where(
            rules.c.name == name, rules.c.team_id.is_(None))).scalar()
        if first is not None:
            connection.execute(rules.update().where(rules.c.id == first).values(default_key=_key(name)))


def downgrade() -> None:
    with op.batch_alter_table("trigger_rules") as batch:
        batch.drop_constraint("uq_trigger_rules_default_key", type_="unique")
        batch.drop_column("default_key")
