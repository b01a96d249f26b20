"""What goes wrong when scoring: a log, a map or a column list that cannot be used.

Every problem names the file, the line (and the column of a map file) and the
field, and says what was expected, in the form editors and terminals read::

    logs/run1.csv:14: action: 'Launch drone swarm' is not in map escalaition ...
    my-map.yaml:7:5: actions.Blockade.category: 'violent' is not a Rivera category ...

:class:`ScoreError` subclasses :class:`ValueError`, so the command line turns
it into these lines on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ScoreError", "ScoreProblem"]


@dataclass(frozen=True)
class ScoreProblem:
    """One thing wrong, with where it is.

    ``line`` and ``column`` are 1-based, ``None`` when unknown (a problem with
    a command-line option has neither a file nor a line). ``field`` is the
    column of a log, the data path of a map file, or the option at fault.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        head = f"{where}: " if where else ""
        return f"{head}{self.field}: {self.message}" if self.field else f"{head}{self.message}"


class ScoreError(ValueError):
    """A log, map or option that cannot be scored; carries every problem found."""

    problems: list[ScoreProblem]

    def __init__(self, problems: Sequence[ScoreProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def fail(file: str, line: int | None, field: str, message: str,
         column: int | None = None) -> ScoreError:
    """A :class:`ScoreError` with one problem (shorthand for the readers)."""
    return ScoreError([ScoreProblem(file, line, column, field, message)])
