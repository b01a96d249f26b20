"""Initial run store: runs, events, decisions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("scenario_ref", sa.Text, nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False, index=True),
        sa.Column("scenario_version", sa.String(16), nullable=False),
        sa.Column("scenario_title", sa.Text, nullable=False),
        sa.Column("scenario_digest", sa.String(64), nullable=False),
        sa.Column("excursion", sa.String(64)),
        sa.Column("overrides", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("policies", sa.Text, nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("event_digest", sa.String(64), nullable=False),
        sa.Column("turns", sa.Integer, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(16)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("actor", sa.String(16), primary_key=True),
        sa.Column("move", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("decisions")
    op.drop_table("events")
    op.drop_table("runs")
