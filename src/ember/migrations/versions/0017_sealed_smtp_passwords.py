"""Mail server passwords set on the desk are stored encrypted with EMBER_INBOX_KEY

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ember import secretbox
from ember.settings import get_settings

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECRET_NAMES = ("smtp_password",)
settings_table = sa.table("team_settings", sa.column("id", sa.Integer), sa.column("name", sa.String),
                          sa.column("value", sa.Text))


def _rows() -> list[tuple[int, str]]:
    query = sa.select(settings_table.c.id, settings_table.c.value).where(settings_table.c.name.in_(SECRET_NAMES))
    return [(int(row_id), str(value)) for row_id, value in op.get_bind().execute(query)]


def _put(row_id: int, value: str) -> None:
    op.get_bind().execute(settings_table.update().where(settings_table.c.id == row_id).values(value=value))


def upgrade() -> None:
    # Without the key nothing can be encrypted: the readable values stay and are sealed the next time
    # someone saves the password on the desk (which then refuses to store it without the key).
    key = get_settings().inbox.inbox_key
    if not key:
        return
    for row_id, value in _rows():
        if value and not secretbox.is_sealed(value):
            _put(row_id, secretbox.seal(key, value))


def downgrade() -> None:
    key = get_settings().inbox.inbox_key
    if not key:
        return
    for row_id, value in _rows():
        if secretbox.is_sealed(value):
            _put(row_id, secretbox.unseal(key, value))
