"""Contacts keep every phone number of a CRM export, a match key for the main one,
and per-channel opt-outs (do not call, do not email); calls keep the sides a user chose

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHONES = ("mobile_phone", "home_phone", "other_phone", "assistant_phone")


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        for name in PHONES:
            batch.add_column(sa.Column(name, sa.String(50), nullable=True))
        batch.add_column(sa.Column("phone_key", sa.String(32), nullable=True))
        batch.add_column(sa.Column("do_not_call", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("do_not_email", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_contacts_phone_key", ["phone_key"])
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("sides", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("sides")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_phone_key")
        for name in ("do_not_email", "do_not_call", "phone_key", *reversed(PHONES)):
            batch.drop_column(name)
