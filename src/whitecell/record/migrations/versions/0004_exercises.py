"""Live exercises: the exercise, its cells, moves, white-cell decisions, published
turns, ad-hoc injects, messages, notes and audit log (whitecell.exercise.schema).

Revision ID: 0004
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_EX = "exercises.id"


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("scenario_ref", sa.Text, nullable=False),
        sa.Column("scenario_title", sa.Text, nullable=False),
        sa.Column("excursion", sa.String(64)),
        sa.Column("sets", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("msel", sa.Text, nullable=False),
        sa.Column("proposal", sa.Text),
        sa.Column("deadline", sa.String(32)),
        sa.Column("warning_minutes", sa.Integer, nullable=False),
        sa.Column("facilitator_hash", sa.String(64), nullable=False),
        sa.Column("observer_hash", sa.String(64), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("updated", sa.String(32), nullable=False),
    )
    op.create_table(
        "exercise_cells",
        sa.Column("exercise_id", sa.String(24), sa.ForeignKey(_EX), primary_key=True),
        sa.Column("actor", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "exercise_moves",
        sa.Column("exercise_id", sa.String(24), sa.ForeignKey(_EX), primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("actor", sa.String(16), primary_key=True),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("submitted", sa.String(32), nullable=False),
    )
    op.create_table(
        "exercise_decisions",
        sa.Column("exercise_id", sa.String(24), sa.ForeignKey(_EX), primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("ruling", sa.String(64), primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("draw", sa.Float),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided", sa.String(32), nullable=False),
    )
    op.create_table(
        "exercise_turns",
        sa.Column("exercise_id", sa.String(24), sa.ForeignKey(_EX), primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("moves", sa.Text, nullable=False),
        sa.Column("overrides", sa.Text, nullable=False),
        sa.Column("events", sa.Text, nullable=False),
        sa.Column("published", sa.String(32), nullable=False),
    )
    extra: tuple[tuple[str, list[sa.Column[Any]]], ...] = (
        ("exercise_injects", [
            sa.Column("turn", sa.Integer, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("recipients", sa.Text, nullable=False),
            sa.Column("created", sa.String(32), nullable=False)]),
        ("exercise_messages", [
            sa.Column("turn", sa.Integer, nullable=False),
            sa.Column("sender", sa.String(16), nullable=False),
            sa.Column("recipients", sa.Text, nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("created", sa.String(32), nullable=False)]),
        ("exercise_notes", [
            sa.Column("turn", sa.Integer, nullable=False),
            sa.Column("author", sa.String(16), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("fields", sa.Text, nullable=False),
            sa.Column("created", sa.String(32), nullable=False)]),
        ("exercise_audit", [
            sa.Column("at", sa.String(32), nullable=False),
            sa.Column("turn", sa.Integer, nullable=False),
            sa.Column("role", sa.String(24), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("detail", sa.Text, nullable=False)]),
    )
    for name, cols in extra:
        op.create_table(
            name,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("exercise_id", sa.String(24), sa.ForeignKey(_EX), nullable=False,
                      index=True),
            *cols,
        )
    op.create_table(
        "exercise_server",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("exercise_server", "exercise_audit", "exercise_notes", "exercise_messages",
                 "exercise_injects", "exercise_turns", "exercise_decisions", "exercise_moves",
                 "exercise_cells", "exercises"):
        op.drop_table(name)
