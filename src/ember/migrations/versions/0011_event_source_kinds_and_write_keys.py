"""Event sources know which tool sends to them (Segment-style libraries, newsletter, webinar,
scheduling and form tools), keep the provider's secret and a mapping of its events; write keys
for the tracking API; shipped rules for booked meetings, form submissions and webinar attendance

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import ember.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, event type, default key): the same keys ember.events.rules.DEFAULT_RULES derives.
_RULES = (
    ("Booked a meeting", "meeting_booked", "booked-a-meeting"),
    ("Filled in a form", "form_submit", "filled-in-a-form"),
    ("Attended a webinar", "webinar_attend", "attended-a-webinar"),
)


def upgrade() -> None:
    with op.batch_alter_table("event_sources") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="webhook"))
        batch.add_column(sa.Column("provider_secret", sa.String(300), nullable=True))
        batch.add_column(sa.Column("mapping", sa.JSON(), nullable=True))
    op.create_table(
        "write_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("revoked_at", ember.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ember.models.base.UTCDateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["event_sources.id"], name="fk_write_keys_source_id_event_sources",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_write_keys"),
        sa.UniqueConstraint("key_hash", name="uq_write_keys_key_hash"),
    )
    op.create_index("ix_write_keys_source_id", "write_keys", ["source_id"])
    rules = sa.table(
        "trigger_rules",
        sa.column("name", sa.String), sa.column("event_type", sa.String), sa.column("url_pattern", sa.String),
        sa.column("min_count", sa.Integer), sa.column("window_hours", sa.Integer), sa.column("audience", sa.String),
        sa.column("is_active", sa.Boolean), sa.column("default_key", sa.String),
        sa.column("created_at", ember.models.base.UTCDateTime(timezone=True)))
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT COUNT(*) FROM trigger_rules")).scalar():
        # A database with rules gets the new shipped ones; an empty one is seeded whole on first use.
        now = datetime.now(UTC)
        op.bulk_insert(rules, [
            {"name": name, "event_type": type_, "url_pattern": None, "min_count": 1, "window_hours": 24 * 7,
             "audience": "any", "is_active": True, "default_key": key, "created_at": now}
            for name, type_, key in _RULES])


def downgrade() -> None:
    keys = ", ".join(f"'{key}'" for _, _, key in _RULES)
    op.execute(sa.text(f"DELETE FROM trigger_rules WHERE default_key IN ({keys})"))
    op.drop_index("ix_write_keys_source_id", table_name="write_keys")
    op.drop_table("write_keys")
    with op.batch_alter_table("event_sources") as batch:
        batch.drop_column("mapping")
        batch.drop_column("provider_secret")
        batch.drop_column("kind")
