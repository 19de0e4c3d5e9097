"""observation coverage summary

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

The 数据质量 page asks, for every indicator and year, how many regions have a figure and
whether the city-wide (全市) one is among them. Counting that from ``observation`` touches
every row in range: ~60 ms on a store of 1,000,000 observations, on every cold read. This
table holds the answer, one row per (indicator, year) that has figures; the loader keeps
it exact in the same transaction as the figures (``db.coverage.refresh_coverage``).

An existing store is counted here once, so it upgrades in place with the summary right.
The statement is written out rather than imported from the app: a migration must keep
doing what it did when the code around it changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CITY_WIDE = "全市"


def upgrade() -> None:
    op.create_table(
        "observation_coverage",
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("regions", sa.Integer(), nullable=False),
        sa.Column("city", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        sa.PrimaryKeyConstraint("indicator_id", "year"),
    )
    op.execute(
        sa.text(
            "INSERT INTO observation_coverage (indicator_id, year, regions, city) "
            "SELECT indicator_id, year, COUNT(*), "
            "SUM(CASE WHEN region = :city THEN 1 ELSE 0 END) "
            "FROM observation GROUP BY indicator_id, year"
        ).bindparams(city=CITY_WIDE)
    )


def downgrade() -> None:
    op.drop_table("observation_coverage")
