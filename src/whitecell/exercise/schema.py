"""Tables of a live exercise (SQLAlchemy Core), kept in the run store's database.

They share the run store's metadata and Alembic chain (revision 0004), so one
database file or PostgreSQL URL holds the exercises and the run records they
publish, and one ``upgrade`` brings both to head. JSON columns are stored as
text, like the run store's, so SQLite and PostgreSQL hold the same bytes.
"""

from __future__ import annotations

import sqlalchemy as sa

from whitecell.record.schema import metadata

exercises_table = sa.Table(
    "exercises", metadata,
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
    # what the clock does when the deadline passes: NULL/"warn" (shows it),
    # "close" (moves close) or "adjudicate" (moves close and the turn is tried)
    sa.Column("at_deadline", sa.String(16)),
    sa.Column("facilitator_hash", sa.String(64), nullable=False),
    sa.Column("observer_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("updated", sa.String(32), nullable=False),
)

cells_table = sa.Table(
    "exercise_cells", metadata,
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), primary_key=True),
    sa.Column("actor", sa.String(16), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
)

moves_table = sa.Table(
    "exercise_moves", metadata,
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("actor", sa.String(16), primary_key=True),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("submitted", sa.String(32), nullable=False),
)

decisions_table = sa.Table(
    "exercise_decisions", metadata,
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("ruling", sa.String(64), primary_key=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("draw", sa.Float),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided", sa.String(32), nullable=False),
)

turns_table = sa.Table(
    "exercise_turns", metadata,
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("moves", sa.Text, nullable=False),
    sa.Column("overrides", sa.Text, nullable=False),
    sa.Column("events", sa.Text, nullable=False),
    sa.Column("published", sa.String(32), nullable=False),
)

injects_table = sa.Table(
    "exercise_injects", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), nullable=False,
              index=True),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
)

messages_table = sa.Table(
    "exercise_messages", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), nullable=False,
              index=True),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("sender", sa.String(16), nullable=False),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
)

notes_table = sa.Table(
    "exercise_notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), nullable=False,
              index=True),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("author", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
)

audit_table = sa.Table(
    "exercise_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("exercise_id", sa.String(24), sa.ForeignKey("exercises.id"), nullable=False,
              index=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("role", sa.String(24), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

server_table = sa.Table(
    "exercise_server", metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

ALL_TABLES = (exercises_table, cells_table, moves_table, decisions_table, turns_table,
              injects_table, messages_table, notes_table, audit_table, server_table)
