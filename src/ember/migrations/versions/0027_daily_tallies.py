"""Every rep's calls by local hour and first conversations by attempt, counted by UTC day as well

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FALLBACK_ZONE = "UTC"  # prospects without a (known) time zone, as the counts have it
CHUNK = 5000

call_days = sa.table("call_day_tallies", sa.column("day", sa.Date), sa.column("weekday", sa.Integer),
                     sa.column("hour", sa.Integer), sa.column("calls", sa.Integer),
                     sa.column("connects", sa.Integer))
ftc_days = sa.table("ftc_day_tallies", sa.column("day", sa.Date), sa.column("attempt", sa.Integer),
                    sa.column("contacts", sa.Integer))


def upgrade() -> None:
    op.create_table(
        "call_day_tallies",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("connects", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "weekday", "hour", name=op.f("pk_call_day_tallies")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ftc_day_tallies",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "attempt", name=op.f("pk_ftc_day_tallies")),
        sqlite_with_rowid=False,
    )
    _backfill()


def _backfill() -> None:
    """Counted from the touches the cursor has passed, with the outcomes it counted them with, so the
    cursor stays where it is (without a cursor the next fold counts everything from the start anyway)."""
    bind = op.get_bind()
    cursor = bind.execute(sa.text("SELECT last_touch_id, basis FROM tally_cursors WHERE name = 'touches'")).first()
    if cursor is None or not cursor.last_touch_id:
        return
    outcomes = [o for o in cursor.basis.split("\n") if o] or [""]
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        hour, quarter, day = ("substr(t.occurred_at, 1, 13)", "CAST(substr(t.occurred_at, 15, 2) AS INTEGER) / 15",
                              "substr(t.occurred_at, 1, 10)")
    else:
        utc = "timezone('UTC', t.occurred_at)"
        hour, quarter, day = (f"to_char({utc}, 'YYYY-MM-DD HH24')",
                              f"CAST(extract(minute FROM {utc}) AS INTEGER) / 15", f"to_char({utc}, 'YYYY-MM-DD')")
    talked: sa.BindParameter[list[str]] = sa.bindparam("outcomes", outcomes, expanding=True)
    calls = bind.execute(sa.text(
        f"SELECT c.timezone, {hour} AS hour, {quarter} AS quarter, count(*) AS calls,"
        " sum(CASE WHEN t.outcome IN :outcomes THEN 1 ELSE 0 END) AS connects"
        " FROM touches t JOIN contacts c ON c.id = t.contact_id"
        " WHERE t.channel = 'call' AND t.id <= :last GROUP BY c.timezone, 2, 3").bindparams(talked),
        {"last": cursor.last_touch_id})
    _insert(call_days, [{"day": day_, "weekday": weekday, "hour": local_hour, "calls": n, "connects": c}
                        for (day_, weekday, local_hour), (n, c) in _local_hours(calls).items() if n or c])
    firsts: dict[tuple[date, int], int] = defaultdict(int)
    for day_text, label, contacts in bind.execute(sa.text(
            f"SELECT {day} AS day, t.label, count(*) FROM touches t"
            " WHERE t.outcome IN :outcomes AND t.label LIKE 'FTC #%' AND t.id <= :last"
            " GROUP BY 1, t.label").bindparams(talked), {"last": cursor.last_touch_id}):
        attempt = _attempt(label)
        if attempt is not None:
            firsts[(date.fromisoformat(day_text), attempt)] += int(contacts)
    _insert(ftc_days, [{"day": day_, "attempt": attempt, "contacts": n}
                       for (day_, attempt), n in firsts.items() if n])


def _local_hours(rows: sa.CursorResult) -> dict[tuple[date, int, int], list[int]]:
    """{(UTC day, local weekday, local hour): [calls, connects]} from calls grouped by zone and UTC quarter hour."""
    zones: dict[str | None, ZoneInfo] = {}
    out: dict[tuple[date, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for zone_name, hour, quarter, calls, connects in rows:
        if zone_name not in zones:
            try:
                zones[zone_name] = ZoneInfo(zone_name or FALLBACK_ZONE)
            except (KeyError, ValueError):
                zones[zone_name] = ZoneInfo(FALLBACK_ZONE)
        start = datetime.fromisoformat(f"{hour}:{15 * int(quarter):02d}").replace(tzinfo=UTC)
        local = start.astimezone(zones[zone_name])
        cell = out[(start.date(), local.weekday(), local.hour)]
        cell[0] += int(calls)
        cell[1] += int(connects or 0)
    return out


def _attempt(label: str | None) -> int | None:
    """3 for "FTC #3"; None for a label without a number."""
    try:
        return int(str(label).rsplit("#", 1)[1])
    except (IndexError, ValueError):
        return None


def _insert(table: sa.TableClause, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), CHUNK):
        op.get_bind().execute(table.insert(), rows[start:start + CHUNK])


def downgrade() -> None:
    op.drop_table("ftc_day_tallies")
    op.drop_table("call_day_tallies")
