"""Booked meetings as planned touches: the scheduling tool's id of the booking, so that
its cancellation finds the planned meeting

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_touches") as batch:
        batch.add_column(sa.Column("booking_key", sa.String(300), nullable=True))
    # A cancellation looks its meeting up by this key alone.
    op.create_index("ix_planned_touches_booking_key", "planned_touches", ["booking_key"])


def downgrade() -> None:
    op.drop_index("ix_planned_touches_booking_key", table_name="planned_touches")
    with op.batch_alter_table("planned_touches") as batch:
        batch.drop_column("booking_key")
