"""Scenario problems: what went wrong, and exactly where in which file.

Every error a scenario author can cause (a missing file, a YAML typo, a value
out of range, an unknown field) becomes a :class:`Problem` that names the file,
the 1-based line and column, the field path and what was expected, in the
form editors and terminals understand::

    scenarios/taiwan.yaml:42:17: actors[2].forces.naval: Input should be ... (got -3)

Loading collects *all* problems it can find and raises them together in one
:class:`ScenarioError`, so an author fixes a file in one pass rather than one
error per run. The CLI prints ``str(error)`` and exits 2; the web app shows the
same lines in a 4xx answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "format_path"]

# A mapping key can be rendered bare after a dot when it cannot be confused
# with the path syntax itself (dots, brackets) and is not blank.
_BARE_KEY = re.compile(r"^[^.\[\]\s\"']+$")


def format_path(path: Iterable[object]) -> str:
    """Render a data path the way authors read it: ``actors[2].forces.naval``.

    Integers are list indices and render as ``[i]``; strings are mapping keys
    joined with dots. Keys that contain dots, brackets, quotes or spaces (or
    are empty) render quoted in brackets, ``["a.b"]``, so the rendering stays
    unambiguous. Other key types (YAML allows ``true:`` or ``1.5:`` as keys)
    render in brackets with their ``repr``. The empty path renders as ``''``;
    :class:`Problem` shows it as ``(root)``.
    """
    out: list[str] = []
    for seg in path:
        if isinstance(seg, bool) or not isinstance(seg, int | str):
            out.append(f"[{seg!r}]")
        elif isinstance(seg, int):
            out.append(f"[{seg}]")
        elif _BARE_KEY.match(seg):
            out.append(f".{seg}" if out else seg)
        else:
            escaped = seg.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, with its location.

    ``line`` and ``column`` are 1-based; ``None`` means the location is unknown
    (producers should prefer the nearest enclosing node's location, see
    :meth:`whitecell.scenario.yamlio.LoadedYaml.locate`), and then the
    rendering falls back to ``FILE:1:1`` so the output stays parseable by
    editors. ``path`` is a rendered field path (see :func:`format_path`);
    ``''`` means the document as a whole and renders as ``(root)``. A problem
    with no ``file`` and no ``line`` comes from the command line (a ``--set``
    expression, given as ``path``) and renders as ``PATH: MESSAGE``.
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        if not self.file and self.line is None:  # from the command line (--set), not a file
            return f"{self.path}: {self.message}"
        line = self.line if self.line is not None else 1
        column = self.column if self.column is not None else 1
        return f"{self.file}:{line}:{column}: {self.path or '(root)'}: {self.message}"


class ScenarioError(Exception):
    """A scenario could not be loaded; carries every :class:`Problem` found.

    ``str(error)`` lists the problems one per line, ready to print. The
    exception pickles (sweeps raise it inside worker processes).
    """

    problems: list[Problem]

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
