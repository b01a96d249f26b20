"""The turn clock acts at its deadline: exercises.at_deadline (warn, close or adjudicate).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exercises") as batch:
        batch.add_column(sa.Column("at_deadline", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("exercises") as batch:
        batch.drop_column("at_deadline")
