"""The error of the analysis layer: a sweep that cannot start, resume or be read.

It subclasses :class:`ValueError` so the CLI's ``friendly()`` wrapper prints it
as one line and exits 2 like every other user mistake.
"""

from __future__ import annotations

__all__ = ["SweepError"]


class SweepError(ValueError):
    """A sweep cannot run as asked (bad argument, foreign out dir, unreachable cluster)."""
