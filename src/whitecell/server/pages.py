"""Pages (filled in by the browser UI)."""

from __future__ import annotations

from fastapi import FastAPI

from whitecell.exercise import Exercises


def mount(app: FastAPI, exercises: Exercises) -> None:
    """Add the HTML pages to ``app``."""
