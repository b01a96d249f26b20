"""Runs remember their language-model cells: the endpoint and prompt (runs.llm) and
every call, with its prompt and completion (llm_calls), so a replay needs no model.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("llm", sa.Text))
    op.create_table(
        "llm_calls",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("call", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("llm_calls")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("llm")
