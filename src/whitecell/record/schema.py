"""Tables of the run store (SQLAlchemy Core); migrations live in ``migrations/``."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs_table = sa.Table(
    "runs", metadata,
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
    sa.Column("run_index", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("draw_overrides", sa.Text, nullable=False, server_default="[]"),
    sa.Column("llm", sa.Text),  # language-model cells: endpoint, prompt, counts (JSON)
)

events_table = sa.Table(
    "events", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(16)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

decisions_table = sa.Table(
    "decisions", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("actor", sa.String(16), primary_key=True),
    sa.Column("move", sa.Text, nullable=False),
)

llm_calls_table = sa.Table(
    "llm_calls", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("actor", sa.String(16), nullable=False),
    sa.Column("request_key", sa.String(64), nullable=False),
    sa.Column("call", sa.Text, nullable=False),  # prompt, completion, tokens, time (JSON)
)
