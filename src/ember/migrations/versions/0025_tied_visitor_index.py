"""An index of the visitors someone was ever found behind

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIED = sa.text("contact_id IS NOT NULL")


def upgrade() -> None:
    # Partial: only events tied to a contact are in it, so a stranger's page view adds no entry,
    # and "was anyone ever behind this visitor?" is one probe however long the visitor's history.
    op.create_index("ix_inbound_events_tied_visitor", "inbound_events", ["anonymous_id"],
                    sqlite_where=TIED, postgresql_where=TIED)


def downgrade() -> None:
    op.drop_index("ix_inbound_events_tied_visitor", table_name="inbound_events")
