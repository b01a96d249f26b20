"""Sensible targets of a move (kept here for importers; the code lives in
:mod:`whitecell.engine.picture`, shared with the language-model players)."""

from whitecell.engine.picture import COOPERATIVE, default_target, offered, target_options

__all__ = ["COOPERATIVE", "default_target", "offered", "target_options"]
