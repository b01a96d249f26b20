"""Change scenario data before validation: ``--set`` overrides and excursion merges.

Both work on the plain data from :func:`whitecell.scenario.yamlio.load_yaml`,
before the pydantic models see it, so the schema still validates the result
and a bad override gets the same clear error as a bad file. Both return new
data and never modify their input: the base scenario stays intact for the next
excursion or sweep point.

``--set`` paths
    ``dotted.path=value``. Segments are separated by dots. In a mapping a
    segment is a key. In a list a segment is either an index
    (``actors.2.resolve``) or the ``id`` of an element
    (``actors.CHN.resolve.alpha``, the element whose ``id`` is ``CHN``); all
    digits means an index. The value is read as YAML: ``1.5`` is a number,
    ``true`` a boolean, ``null`` nothing, ``[1, 2]`` a list, ``{a: 1}`` a
    mapping, ``'007'`` a quoted string; anything else stays the string you
    typed (``Taiwan Strait: 2027`` is a string, not a mapping). The last key
    must already exist, so a typo fails instead of adding a field nobody reads.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

__all__ = ["OverrideError", "apply_overrides", "apply_set", "deep_merge", "parse_set",
           "resolve_path"]

_INDEX = re.compile(r"^[0-9]+$")
_EXP_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_NULL_WORDS = frozenset({"null", "Null", "NULL", "~"})
_MAX_KNOWN = 12


class OverrideError(ValueError):
    """An override or excursion patch cannot be applied; the message says why."""


def parse_set(expr: str) -> tuple[list[str | int], Any]:
    """Parse ``"dotted.path=value"`` into ``(path segments, value)``.

    All-digit segments become ``int`` (list indices); others stay strings
    (mapping keys or element ids). See the module docstring for value rules.

    Raises:
        OverrideError: no ``=``, an empty path or path segment, no value, or
            a ``[...]``/``{...}`` value that is not valid YAML.
    """
    prefix = f"--set {expr}: "
    if "=" not in expr:
        raise OverrideError(prefix + "expected PATH=VALUE, e.g. actors.CHN.resolve=0.7 (no '=')")
    raw_path, raw_value = expr.split("=", 1)
    raw_path = raw_path.strip()
    if not raw_path:
        raise OverrideError(prefix + "empty path before '='")
    segments = raw_path.split(".")
    if any(not s.strip() for s in segments):
        raise OverrideError(prefix + f"empty segment in path {raw_path!r} (stray or doubled '.')")
    path: list[str | int] = [int(s) if _INDEX.match(s.strip()) else s.strip() for s in segments]
    try:
        value = _parse_value(raw_value)
    except OverrideError as exc:
        raise OverrideError(prefix + str(exc)) from None
    return path, value


def _parse_value(text: str) -> Any:
    """Read an override value as a YAML scalar or flow collection (see module doc)."""
    stripped = text.strip()
    if not stripped:
        raise OverrideError("no value after '=' (write '' for an empty string, null for none)")
    if stripped[0] in "[{":
        try:
            return yaml.safe_load(stripped)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise OverrideError(f"cannot read value {stripped!r} as YAML: {problem}") from None
    try:
        value = yaml.safe_load(stripped)
    except yaml.YAMLError:
        return stripped  # '@home', '*', 'a: b: c' ... are just strings here
    if isinstance(value, dict | list):
        return stripped  # 'a: b' or '- x' would be block YAML; keep what was typed
    if value is None and stripped not in _NULL_WORDS:
        return stripped  # '#1' is a comment in YAML; here it is the string '#1'
    if isinstance(value, str) and stripped[0] not in "'\"":
        if _EXP_FLOAT.match(stripped):
            return float(stripped)  # 1e7 is a number (YAML 1.2), as in scenario files
        return stripped  # unquoted: keep exactly what was typed (YAML drops ' # ...')
    return value


def apply_set(
    data: Mapping[str, Any], path: Sequence[str | int], value: Any, *, create: bool = False,
    in_place: bool = False,
) -> dict[str, Any]:
    """Return a deep copy of ``data`` with the value at ``path`` replaced by ``value``.

    ``path`` is as from :func:`parse_set`: mapping keys, list indices, or
    element ids within lists of mappings. Every key on the path, the last one
    included, must exist; with ``create=True`` missing mapping keys are added
    (intermediate ones as empty mappings) for mappings whose keys the schema
    leaves free. The schema validates the result either way. With
    ``in_place=True`` (for a caller that owns ``data``, a copy it just made)
    ``data`` itself, which must be a dict, is changed and returned: copying a
    large scenario for every setting of an excursion is what made big files slow.

    Raises:
        OverrideError: unknown key, unknown id, index out of range, or a path
            that runs into a scalar.
    """
    if not path:
        raise OverrideError("empty path")
    result = data if in_place and isinstance(data, dict) else _copy(dict(data))
    node: Any = result
    for depth, seg in enumerate(path):
        last = depth == len(path) - 1
        where = _render(path[:depth])
        if isinstance(node, dict):
            key = _dict_key(node, seg)
            if key is _ABSENT:
                if not create:
                    raise OverrideError(
                        f"unknown field {str(seg)!r} at {where} (known: {_known(node)})"
                    )
                key = seg
                node[key] = value if last else {}
            elif last:
                node[key] = value
            node = node[key]
        elif isinstance(node, list):
            index = _list_index(node, seg, where)
            if last:
                node[index] = value
            node = node[index]
        else:
            raise OverrideError(
                f"cannot go into {str(seg)!r}: {where} is {_describe(node)}, not a mapping or list"
            )
    return result


def resolve_path(data: Mapping[str, Any], path: Sequence[str | int]) -> tuple[str | int, ...]:
    """The data path (keys and list indices) that an override path names in ``data``.

    Element ids become indices (``actors.CHN`` -> ``("actors", 2)``), so a
    validation error at ``actors[2].stakes`` can be traced back to the
    ``--set`` expression that wrote it.

    Raises:
        OverrideError: as :func:`apply_set` for a path that is not in ``data``.
    """
    out: list[str | int] = []
    node: Any = data
    for depth, seg in enumerate(path):
        if isinstance(node, dict):
            key = _dict_key(node, seg)
            if key is _ABSENT:
                raise OverrideError(f"unknown field {str(seg)!r} at {_render(path[:depth])}")
            out.append(key)
            node = node[key]
        elif isinstance(node, list):
            index = _list_index(node, seg, _render(path[:depth]))
            out.append(index)
            node = node[index]
        else:
            raise OverrideError(f"cannot go into {str(seg)!r}: {_render(path[:depth])} is "
                                f"{_describe(node)}")
    return tuple(out)


def apply_overrides(data: Mapping[str, Any], exprs: Iterable[str]) -> dict[str, Any]:
    """Apply ``--set`` expressions in order; return new data (input untouched).

    Errors name the expression they come from:
    ``--set actors.XYZ.resolve=1: no element with id 'XYZ' in 'actors' (known: USA, JPN, CHN)``.
    """
    result = _copy(dict(data))
    for expr in exprs:
        path, value = parse_set(expr)
        try:
            result = apply_set(result, path, value, in_place=True)
        except OverrideError as exc:
            raise OverrideError(f"--set {expr}: {exc}") from None
    return result


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``patch`` merged in; neither input is modified.

    This is how an excursion changes its scenario. The rules, applied at every
    level:

    1. **Mappings merge key by key.** A key in the patch replaces (or merges
       into) the same key in the base; keys the patch does not mention stay
       as they are; new keys are added.
    2. **Lists of mappings that all have an ``id`` merge by id.** When every
       element of the base list and of a non-empty patch list is a mapping
       with an ``id``, each patch element is merged (by these same rules)
       into the base element with the same id, in place; an element with a
       new id is appended at the end; an element ``{id: X, remove: true}``
       removes element ``X``. Naming an id that is not there in order to
       remove it is an error (probably a typo).
    3. **Everything else replaces.** Other lists (numbers, strings, mappings
       without ids) and an empty list replace the base list entirely; scalars
       replace scalars; a value of a different kind replaces the old one.
       There is no way to delete a mapping key: set it to ``null`` if the
       schema allows that.

    Example: the base has ``actors: [{id: USA, ...}, {id: CHN, resolve: 0.5}]``;
    the patch ``actors: [{id: CHN, resolve: 0.8}]`` changes only China's
    resolve and keeps the United States as is.

    Raises:
        OverrideError: removing an id that is not in the base list, or
            ``remove: true`` together with other fields.
    """
    if not isinstance(base, Mapping) or not isinstance(patch, Mapping):
        raise OverrideError("deep_merge needs two mappings")
    merged = _merge(base, patch, ())
    assert isinstance(merged, dict)
    return merged


# --------------------------------------------------------------------------- internals


_ATOMS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """Deep copy of plain data (dicts, lists, scalars), several times faster than deepcopy.

    Scenario data is a tree (the YAML loader copies each use of an alias), so
    no memo of shared objects is needed; anything else falls back to deepcopy.
    """
    if isinstance(value, dict):
        return {k: v if isinstance(v, _ATOMS) else _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if isinstance(v, _ATOMS) else _copy(v) for v in value]
    if isinstance(value, _ATOMS):
        return value
    return copy.deepcopy(value)


class _Absent:
    """Marker for a missing mapping key."""


_ABSENT: Any = _Absent()


def _merge(base: Any, patch: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(base, Mapping) and isinstance(patch, Mapping):
        out = {k: _copy(v) for k, v in base.items()}
        for key, value in patch.items():
            if key in out:
                out[key] = _merge(out[key], value, (*path, key))
            else:
                out[key] = _copy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and _by_id(base, patch):
        return _merge_by_id(base, patch, path)
    return _copy(patch)


def _has_id(item: Any) -> bool:
    return isinstance(item, Mapping) and "id" in item


def _by_id(base: list[Any], patch: list[Any]) -> bool:
    return bool(patch) and all(_has_id(x) for x in base) and all(_has_id(x) for x in patch)


def _merge_by_id(base: list[Any], patch: list[Any], path: tuple[str | int, ...]) -> list[Any]:
    out: list[Any] = [_copy(x) for x in base]
    for item in patch:
        ident = item["id"]
        index = next((i for i, x in enumerate(out) if x["id"] == ident), None)
        if item.get("remove") is True:
            extra = sorted(str(k) for k in item if k not in ("id", "remove"))
            if extra:
                raise OverrideError(
                    f"{_render(path)}: element {ident!r} has 'remove: true' together with "
                    f"other fields ({', '.join(extra)}); remove it or change it, not both"
                )
            if index is None:
                raise OverrideError(
                    f"{_render(path)}: cannot remove id {ident!r}: no such element "
                    f"(known: {_known_ids(out)})"
                )
            del out[index]
        elif index is None:
            out.append(_copy(item))
        else:
            out[index] = _merge(out[index], item, (*path, str(ident)))
    return out


def _dict_key(node: dict[Any, Any], seg: str | int) -> Any:
    """The key of ``node`` that ``seg`` names, or ``_ABSENT``.

    ``seg`` may be an int from an all-digit segment while the mapping has the
    string key (or the reverse, a YAML ``2027:`` key typed as text).
    """
    if seg in node:
        return seg
    alt: Any = str(seg) if isinstance(seg, int) else None
    if isinstance(seg, str) and _INDEX.match(seg):
        alt = int(seg)
    if alt is not None and alt in node:
        return alt
    return _ABSENT


def _list_index(node: list[Any], seg: str | int, where: str) -> int:
    """Resolve ``seg`` (an index or an element id) to an index into ``node``."""
    if isinstance(seg, int):
        if 0 <= seg < len(node):
            return seg
        size = f"{len(node)} element{'s' if len(node) != 1 else ''}"
        raise OverrideError(f"index {seg} out of range for {where!r} ({size})")
    for i, item in enumerate(node):
        if _has_id(item) and str(item["id"]) == seg:
            return i
    if not any(_has_id(item) for item in node):
        hint = f"use an index 0..{len(node) - 1}" if node else "it is empty"
        raise OverrideError(f"{where!r} is a list without ids; {hint}")
    raise OverrideError(f"no element with id {seg!r} in {where!r} (known: {_known_ids(node)})")


def _render(path: Sequence[str | int]) -> str:
    """Render an override path as typed: ``actors.CHN.resolve``; ``(root)`` if empty."""
    return ".".join(str(s) for s in path) if path else "(root)"


def _known(node: Mapping[Any, Any]) -> str:
    keys = [str(k) for k in node]
    return _shorten(keys) if keys else "none"


def _known_ids(items: list[Any]) -> str:
    ids = [str(x["id"]) for x in items if _has_id(x)]
    return _shorten(ids) if ids else "none"


def _shorten(names: list[str]) -> str:
    if len(names) > _MAX_KNOWN:
        return ", ".join(names[:_MAX_KNOWN]) + f", ... ({len(names)} in all)"
    return ", ".join(names)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
