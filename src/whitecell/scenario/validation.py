"""Translate pydantic validation errors into located scenario problems.

Pydantic reports *what* is wrong and a ``loc`` (a tuple of keys, indices and
sometimes labels of its own); the YAML loader knows *where* each value is.
This module joins the two, so an author reads::

    taiwan.yaml:42:17: actors[2].forces.naval: Input should be greater than or equal to 0 (got -3)

and not a pydantic dump. It knows nothing about the scenario schema: any
pydantic model validated from :attr:`LoadedYaml.data` works.

Where each kind of error points:

* unknown field (``extra_forbidden``): at the offending KEY;
* missing field: at the mapping that should contain it (its key, such as
  ``forces:``, when it has one; else where the mapping starts);
* bad mapping key (pydantic's ``[key]`` label): at that key;
* everything else, including errors from model validators (whose ``loc`` is
  the model itself, or empty for the top level): at the value concerned,
  falling back to the nearest enclosing value the file spells out.

``loc`` segments that are not data (the tag of a discriminated union, the
member name of a plain union, ``function-after[...]``) are skipped, so the
rendered path is always a path through the author's data.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any, TypeVar

import pydantic
from pydantic_core import ErrorDetails

from whitecell.scenario.errors import Problem, ScenarioError, format_path
from whitecell.scenario.yamlio import LoadedYaml

__all__ = ["problems_from_pydantic", "validate_loaded"]

M = TypeVar("M", bound=pydantic.BaseModel)

_MISSING_TYPES = frozenset({"missing", "missing_argument", "missing_keyword_only_argument"})
_EXTRA_TYPES = frozenset({"extra_forbidden", "unexpected_keyword_argument"})
_MSG_PREFIXES = ("Value error, ", "Assertion failed, ")
_MAX_SHOWN = 60


def validate_loaded(model: type[M], loaded: LoadedYaml, *, strict: bool = True) -> M:
    """Validate ``loaded.data`` as ``model``; raise located problems on failure.

    The one call most loaders need: ``validate_loaded(Scenario, load_yaml(p))``.

    Validation is strict by default: a YAML 1.1 boolean (``yes``, ``on``) is not
    the integer 1, and a quoted ``"30"`` is not the number 30. Integers are
    still accepted where a float is expected.

    Raises:
        ScenarioError: one problem per validation error, sorted by position.
    """
    try:
        return model.model_validate(loaded.data, strict=strict)
    except pydantic.ValidationError as exc:
        raise ScenarioError(problems_from_pydantic(exc, loaded)) from None


def problems_from_pydantic(exc: pydantic.ValidationError, loaded: LoadedYaml) -> list[Problem]:
    """Map every error in ``exc`` to a :class:`Problem` located in ``loaded.file``.

    Problems come back sorted by position in the file (the order an author
    fixes them in), duplicates removed. Errors for one value from several
    members of a plain union (``int | list[int]``) are merged into one
    problem that lists what each member expected.
    """
    entries: list[tuple[tuple[Any, ...], str, Problem]] = []
    for err in exc.errors(include_url=False):
        entries.append(_problem(err, loaded))

    # Merge union alternatives: same located path, marked as a union branch.
    merged: list[Problem] = []
    groups: dict[tuple[Any, ...], int] = {}
    for group_key, _, problem in entries:
        if group_key and group_key in groups:
            i = groups[group_key]
            prev = merged[i]
            merged[i] = Problem(
                prev.file,
                prev.line,
                prev.column,
                prev.path,
                _either(prev.message, problem.message),
            )
            continue
        if group_key:
            groups[group_key] = len(merged)
        merged.append(problem)

    unique = list(dict.fromkeys(merged))
    big = 1 << 62
    unique.sort(key=lambda p: (p.line or big, p.column or big))
    return unique


# --------------------------------------------------------------------------- internals


def _problem(err: ErrorDetails, loaded: LoadedYaml) -> tuple[tuple[Any, ...], str, Problem]:
    """Build one problem; also return a grouping key for union alternatives."""
    loc = tuple(err.get("loc", ()))
    etype = str(err.get("type", ""))
    path, last_matched = _align(loaded.data, loc)

    display = list(path)
    is_key_error = bool(loc) and loc[-1] == "[key]"
    trailing_unmatched = len(loc) - 1 - last_matched  # loc segments after the last match

    if etype in _MISSING_TYPES and trailing_unmatched >= 1:
        # The missing field is not in the data; name it in the path, point at its parent.
        missing = loc[-1]
        display.append(missing)
        pos = loaded.locate_key(path)
        message = (
            f"missing required field {missing!r}" if isinstance(missing, str) else "Field required"
        )
    elif etype in _EXTRA_TYPES:
        pos = loaded.locate_key(path)
        key = path[-1] if path else loc[-1] if loc else None
        message = f"unknown field {key!r} (not allowed here; check the spelling)"
    elif is_key_error:
        pos = loaded.locate_key(path)
        message = "invalid key: " + _with_input(_clean(err["msg"]), err.get("input"))
    else:
        pos = loaded.locate(path)
        message = _with_input(_clean(err["msg"]), err.get("input"))

    line, column = pos if pos is not None else (None, None)
    problem = Problem(loaded.file, line, column, format_path(display), message)

    # A plain-union member label at the end of loc ('u', 'int') marks an
    # alternative; alternatives for the same value are merged by the caller.
    group_key: tuple[Any, ...] = ()
    if (
        not is_key_error
        and etype not in _MISSING_TYPES
        and etype not in _EXTRA_TYPES
        and trailing_unmatched >= 1
    ):
        group_key = (path, line, column)
    return group_key, etype, problem


def _align(data: Any, loc: Sequence[Any]) -> tuple[tuple[Any, ...], int]:
    """Find the data path that ``loc`` describes, skipping non-data segments.

    Returns the path and the index in ``loc`` of the last segment matched
    (-1 if none). When a segment is both a data key and possibly a label
    (a union tag equal to a key name) both readings are tried and the one
    matching more of ``loc`` wins; ties go to descending into the data.
    """
    memo: dict[tuple[int, int], tuple[int, tuple[Any, ...], int]] = {}

    def best(node: Any, i: int) -> tuple[int, tuple[Any, ...], int]:
        # (segments matched, path, index of last matched loc segment)
        if i >= len(loc):
            return (0, (), -1)
        key = (id(node), i)
        if key in memo:
            return memo[key]
        seg = loc[i]
        result = best(node, i + 1)  # skip this segment
        found, child = _child(node, seg)
        if found:
            n, sub, last = best(child, i + 1)
            take = (n + 1, (seg, *sub), last if last >= 0 else i)
            if take[0] >= result[0]:
                result = take
        memo[key] = result
        return result

    _, path, last = best(data, 0)
    return path, last


def _child(node: Any, seg: Any) -> tuple[bool, Any]:
    """Return ``(True, node[seg])`` if ``seg`` addresses data inside ``node``."""
    if isinstance(node, dict):
        if seg in node and not isinstance(seg, bool):
            return True, node[seg]
        return False, None
    if isinstance(node, list) and isinstance(seg, int) and not isinstance(seg, bool):
        if 0 <= seg < len(node):
            return True, node[seg]
    return False, None


def _either(first: str, second: str) -> str:
    """Join two alternatives' messages, showing a shared ``(got ...)`` only once."""
    cut = second.rfind(" (got ")
    suffix = second[cut:] if cut >= 0 else ""
    if suffix and first.endswith(suffix):
        return f"{first[: -len(suffix)]}; or {second[:cut]}{suffix}"
    return f"{first}; or {second}"


def _clean(msg: str) -> str:
    """Drop pydantic's prefixes for errors raised in validators."""
    for prefix in _MSG_PREFIXES:
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def _with_input(msg: str, value: Any) -> str:
    """Append the offending value when it is a scalar worth showing."""
    shown = _yaml_repr(value)
    return f"{msg} (got {shown})" if shown is not None else msg


def _yaml_repr(value: Any) -> str | None:
    """Show a scalar the way it would be written in YAML; None for containers."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        text = repr(value)
        if len(text) > _MAX_SHOWN:
            text = text[: _MAX_SHOWN - 4] + "...'"
        return text
    return None
