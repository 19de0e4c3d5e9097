"""indicator applicable years

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

An indicator may apply to a range of years only: 疫情防控 (epidemic prevention) work was
done in 2020–2022, and outside those years a missing figure is *not applicable*, not a
gap (issue 11). ``first_year``/``last_year`` are that range, each optional (open-ended).
An existing store gets the epidemic indicators' range here, written out rather than read
from the catalog file: a migration must keep doing what it did when that file changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EPIDEMIC_YEARS = (2020, 2022)


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("first_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_year", sa.Integer(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE indicator SET first_year = :first, last_year = :last "
            "WHERE code LIKE 'epidemic.%'"
        ).bindparams(first=EPIDEMIC_YEARS[0], last=EPIDEMIC_YEARS[1])
    )


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("last_year")
        batch.drop_column("first_year")
