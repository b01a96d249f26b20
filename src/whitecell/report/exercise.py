"""After-action report of a live exercise: the run's AAR plus the exercise record.

The core report (:func:`whitecell.report.aar.render_run_report`) of the
published turns is followed by the exercise record: the moves with their
rationales, the white cell's decisions on rulings (overrides with their
reasons), injects written on the spot, messages, hotwash and evaluator notes,
and the improvement plan in HSEEP's AAR/IP form (capability, observation,
corrective action, responsible organisation, completion date). Both parts
take plain data already redacted for the reader, so a cell's report holds
only what that cell may see. An unfinished exercise is reported as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2

from whitecell.report.aar import render_run_report


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("whitecell.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render_exercise_section(record: Mapping[str, Any]) -> str:
    """The exercise-record part of the report (HTML fragment, everything escaped)."""
    notes = list(record.get("notes") or [])
    return _environment().get_template("exercise_section.html").render(
        ex=record["exercise"], moves=record.get("moves") or [],
        decisions=record.get("decisions"), injects=[
            i for i in record.get("injects") or [] if i.get("source") != "MSEL"],
        messages=record.get("messages") or [],
        hotwash=[n for n in notes if n["kind"] == "hotwash"],
        evaluator=[n for n in notes if n["kind"] == "evaluator"],
        plan=[n for n in notes if n["kind"] == "improvement"])


def render_exercise_report(run: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """One self-contained HTML document: the run's AAR with the exercise record inserted."""
    core = render_run_report(run)
    section = render_exercise_section(record)
    head, sep, tail = core.rpartition("</main>")
    return head + section + sep + tail if sep else core + section
