"""Runs remember the white cell's overrides of chance.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("draw_overrides", sa.Text, nullable=False,
                                   server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("draw_overrides")
