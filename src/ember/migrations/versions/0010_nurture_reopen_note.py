"""A contact taken off the nurture list by hand keeps the rep's reason in their history

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nurture_memberships") as batch:
        batch.add_column(sa.Column("ended_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nurture_memberships") as batch:
        batch.drop_column("ended_note")
