"""Load YAML scenario files into plain data while remembering where each value was.

``yaml.safe_load`` gives data but forgets positions, so a validation error
could only say *which* field is wrong, not *where* it is. Here we compose the
node tree with PyYAML's C loader (``CSafeLoader``, libyaml; the pure-Python
``SafeLoader`` when libyaml is missing, some 20 times slower) and walk it
ourselves: every mapping
value and list element gets its 1-based ``(line, column)`` recorded under its
data path, and every mapping key gets its own position (an "unknown field"
error points at the key, the thing to fix). Scalars are built with the
``SafeLoader``'s own constructors, so the data is exactly what
``yaml.safe_load`` would return (ints, floats, bools, ``None``, dates, ...).

Stricter than plain YAML, on purpose:

* A key repeated in one mapping is an error. YAML silently keeps the last one,
  which hides a classic authoring bug (two ``resolve:`` blocks, one ignored).
* Only plain mappings, lists and scalars: tags that build other Python types
  (``!!set``, ``!!omap``, ``!python/...``) are rejected.
* Scalars carry only the standard tags (``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!timestamp``): ``!!binary`` and custom tags are
  refused, so a text field never silently receives bytes.
* ``1e7`` (an exponent without a dot) is a number, as in YAML 1.2 and JSON,
  not the string YAML 1.1 makes of it.
* Numbers must be finite: ``.inf`` and ``.nan`` are refused where written
  (the engine would refuse them later, far from the line to fix).
* Bounded input: files over :data:`MAX_FILE_BYTES`, nesting deeper than
  :data:`MAX_DEPTH` and more than :data:`MAX_NODES` values are refused with a
  located problem, never a ``RecursionError`` or exhausted memory. Only
  regular files are read (a FIFO or ``/dev/zero`` would block or never end).
* Anchors, aliases and merge keys (``<<: *base``) work. Each use of an alias
  gets its own copy of the data (unlike ``safe_load``, which shares one
  object), so overriding one use never changes another. Positions inside an
  alias point at the anchor, where the values are written.

Every failure raises :class:`~whitecell.scenario.errors.ScenarioError`, never a
raw exception, with one :class:`~whitecell.scenario.errors.Problem` per issue.
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from whitecell.scenario.errors import Problem, ScenarioError, format_path

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "DataPath",
    "LoadedYaml",
    "load_yaml",
    "load_yaml_text",
    "read_yaml_text",
]

DataPath = tuple[str | int, ...]
"""A path into loaded data: mapping keys and list indices, outermost first.

Keys are whatever YAML built (almost always ``str``; YAML also allows ``1:``
or ``true:`` keys, which stay ints or bools here, as in ``safe_load``).
"""

MAX_NODES = 200_000
"""Upper bound on data nodes after expanding aliases.

Aliases let a few lines expand exponentially ("billion laughs"). A real
scenario has a few thousand nodes; past this bound we stop with a problem
instead of exhausting memory.
"""

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest scenario file read (20 MiB).

The bundled scenarios are about 30 kB and a generated 1.6 MB file validates in
about a second; a file a thousand times larger than a real one is a mistake
(a log, a data dump) and is refused before it is read into memory.
"""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted.

A scenario nests about ten levels deep. The walker recurses once per level,
so a hostile ``[[[[...]]]]`` must be stopped well before Python's recursion
limit (libyaml itself stops at 1000 flow levels).
"""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_MAP_TAG = _TAG + "map"
_SEQ_TAG = _TAG + "seq"
_MERGE_TAG = _TAG + "merge"
_VALUE_TAG = _TAG + "value"
_NULL_TAG = _TAG + "null"
_FLOAT_TAG = _TAG + "float"
_STR_TAG = _TAG + "str"
# YAML 1.2 exponent floats without a dot (1e7, 2E-3), which YAML 1.1 reads as strings
_EXP_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_SCALAR_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))

_BINARY_MESSAGE = "not a text YAML file (binary or not UTF-8)"
_EMPTY_MESSAGE = "empty scenario file: expected a mapping at top level"


@dataclass(frozen=True)
class LoadedYaml:
    """Data from one YAML document, with the position of every value and key.

    ``data`` holds plain dicts, lists and scalars. ``marks`` maps each data
    path (``()`` for the document, ``("actors", 2, "forces")`` for a nested
    value) to the 1-based ``(line, column)`` where that VALUE starts.
    ``key_marks`` maps the path of each mapping entry to where its KEY starts.
    """

    data: Any
    file: str
    marks: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[DataPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Sequence[Any]) -> tuple[int, int] | None:
        """Return the position of the value at ``path``, or of its nearest ancestor.

        Errors often concern a value that is not in the file (a missing field)
        or a path the file does not spell out; the nearest enclosing value is
        then the best place to send the author. ``None`` only if nothing on the
        path, not even the document, has a known position.
        """
        p = tuple(path)
        while True:
            if p in self.marks:
                return self.marks[p]
            if not p:
                return None
            p = p[:-1]

    def locate_key(self, path: Sequence[Any]) -> tuple[int, int] | None:
        """Return the position of the KEY of the entry at ``path``.

        Falls back to :meth:`locate` when ``path`` is not a mapping entry
        (a list element, the document) or is not in the file.
        """
        p = tuple(path)
        if p in self.key_marks:
            return self.key_marks[p]
        return self.locate(p)

    def problem(self, path: Sequence[Any], message: str, *, at_key: bool = False) -> Problem:
        """Build a :class:`Problem` located at ``path`` (its key if ``at_key``).

        For checks that run on the data after loading (cross-references such
        as "unknown actor id") and still want to point into the file.
        """
        pos = self.locate_key(path) if at_key else self.locate(path)
        line, column = pos if pos is not None else (None, None)
        return Problem(self.file, line, column, format_path(path), message)


def load_yaml(path: str | Path) -> LoadedYaml:
    """Read and parse the YAML scenario file at ``path``.

    The file must be UTF-8 text whose single document is a mapping. The
    problems raised name ``path`` as given (not resolved), so they match what
    the author typed.

    Raises:
        ScenarioError: missing, unreadable, binary or empty file, YAML syntax
            error, duplicate key, unsupported tag, or a top level that is not
            a mapping.
    """
    return load_yaml_text(read_yaml_text(path), str(path))


def read_yaml_text(path: str | Path) -> str:
    """Read the text of the YAML file at ``path``, refusing what is not a scenario file.

    Only a regular file of at most :data:`MAX_FILE_BYTES` of UTF-8 text (a
    BOM is allowed) is read; anything else is a located problem.

    Raises:
        ScenarioError: missing, unreadable, not a regular file, too large or binary.
    """
    file = str(path)
    p = Path(path)

    def fail(message: str, line: int = 1, column: int = 1) -> ScenarioError:
        return ScenarioError([Problem(file, line, column, "", message)])

    try:
        st = p.stat()
    except FileNotFoundError:
        raise fail("file not found") from None
    except NotADirectoryError:
        raise fail("file not found (a parent in the path is not a directory)") from None
    except PermissionError:
        raise fail("cannot read file: permission denied") from None
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail("is a directory, not a scenario file")
    if not stat.S_ISREG(st.st_mode):
        raise fail(f"not a regular file ({_file_kind(st.st_mode)}); expected a YAML file")
    if st.st_size > MAX_FILE_BYTES:
        raise fail(_too_big_message(st.st_size))
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # the file may grow after stat()
    except PermissionError:
        raise fail("cannot read file: permission denied") from None
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None

    if len(raw) > MAX_FILE_BYTES:
        raise fail(_too_big_message(len(raw)))
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise fail(_BINARY_MESSAGE, *_byte_position(raw, nul))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        raise fail(
            f"{_BINARY_MESSAGE}: invalid UTF-8 byte 0x{raw[exc.start]:02x}", line, column
        ) from None
    return text


def load_yaml_text(text: str, file: str = "<string>") -> LoadedYaml:
    """Parse YAML ``text`` as if read from ``file`` (used in problems).

    Same rules and errors as :func:`load_yaml`, for tests, the web app
    (uploaded or pasted scenarios) and anything else that has text in hand.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(_clearer_error(text, exc), file)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _char_position(text, exc.position)
        raise ScenarioError([Problem(file, line, column, "", _reader_message(exc))]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises the above
        raise ScenarioError([Problem(file, 1, 1, "", f"invalid YAML: {exc}")]) from None
    except RecursionError:  # pragma: no cover - the pure-Python composer on deep nesting
        raise ScenarioError([Problem(file, 1, 1, "", f"nested too deeply (more than "
                                     f"{MAX_DEPTH} levels of mappings and lists)")]) from None

    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL_TAG):
        line, column = _mark(root) if root is not None else (1, 1)
        raise ScenarioError([Problem(file, line, column, "", _EMPTY_MESSAGE)])
    if not isinstance(root, MappingNode):
        line, column = _mark(root)
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "",
                    f"expected a mapping (key: value lines) at top level, got {_kind(root)}",
                )
            ]
        )

    walker = _Walker(file)
    data: Any = None
    try:
        data = walker.walk(root, ())
    except _TooDeep:
        pass
    except _TooLarge:
        walker.problems.append(
            Problem(
                file,
                1,
                1,
                "",
                f"document too large: more than {MAX_NODES} values after expanding aliases "
                "(does an alias expand exponentially?)",
            )
        )
    if walker.problems:
        raise ScenarioError(walker.problems)
    return LoadedYaml(data=data, file=file, marks=walker.marks, key_marks=walker.key_marks)


# --------------------------------------------------------------------------- walking


class _TooLarge(Exception):
    """Raised inside the walker when MAX_NODES is exceeded."""


class _TooDeep(Exception):
    """Raised inside the walker past MAX_DEPTH (its problem is already recorded)."""


class _Walker:
    """Turn a composed node tree into plain data plus positions and problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[DataPath, tuple[int, int]] = {}
        self.key_marks: dict[DataPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()
        self.active: set[int] = set()  # ids of collection nodes being walked (cycle guard)
        self.count = 0

    def problem(self, node: Node, path: DataPath, message: str) -> None:
        line, column = _mark(node)
        self.problems.append(Problem(self.file, line, column, format_path(path), message))

    def walk(self, node: Node, path: DataPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        self.marks[path] = _mark(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if len(path) >= MAX_DEPTH:
            self.problem(node, path, f"nested too deeply: more than {MAX_DEPTH} levels of "
                                     "mappings and lists (a scenario needs about ten)")
            raise _TooDeep
        if id(node) in self.active:
            self.problem(node, path, "an alias refers to a value that contains it (a cycle)")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ_TAG:
                    self.problem(node, path, _tag_message(node.tag))
                    return None
                return [self.walk(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if node.tag != _MAP_TAG:
                    self.problem(node, path, _tag_message(node.tag))
                    return None
                return self.mapping(node, path)
            raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: DataPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.problem(node, path, _tag_message(node.tag))
            return None
        if node.tag == _STR_TAG and not node.style and _EXP_FLOAT.match(node.value):
            node = ScalarNode(_FLOAT_TAG, node.value, node.start_mark, node.end_mark)
        try:
            value = self.constructor.construct_object(node, deep=True)
            if node.tag == _FLOAT_TAG and not math.isfinite(value):
                why = ("infinity and NaN are not allowed"
                       if any(w in node.value.lower() for w in ("inf", "nan")) else "too large")
                self.problem(node, path, f"expected a finite number, got {node.value!r} ({why})")
                return None
            return value
        except yaml.constructor.ConstructorError as exc:
            self.problem(node, path, str(exc.problem or exc))
        except Exception as exc:  # a malformed !!int, a date like 2024-13-45, ...
            tag = node.tag.removeprefix(_TAG)
            self.problem(node, path, f"cannot read {node.value!r} as {tag}: {exc}")
        return None

    def key(self, node: Node, path: DataPath) -> tuple[bool, Any]:
        """Build a mapping key; ``(False, None)`` (with a problem) if unusable."""
        if not isinstance(node, ScalarNode):
            self.problem(node, path, f"a mapping key must be a plain value, not {_kind(node)}")
            return False, None
        if node.tag == _VALUE_TAG:  # the '=' key, which PyYAML reads as a string
            return True, str(node.value)
        try:
            key = self.constructor.construct_object(node, deep=True)
        except Exception as exc:
            msg = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else exc
            self.problem(node, path, f"invalid mapping key {node.value!r}: {msg}")
            return False, None
        try:
            hash(key)
        except TypeError:
            self.problem(node, path, f"a mapping key must be a plain value, got {key!r}")
            return False, None
        return True, key

    def flatten(self, node: MappingNode, path: DataPath) -> list[tuple[Node, Node, bool]]:
        """List a mapping's entries with merge keys expanded, as PyYAML orders them.

        Merged entries come first (so own entries win), the first mapping of a
        ``<<: [*a, *b]`` list winning over later ones, as the YAML merge spec
        says. The flag marks the mapping's own entries, which alone are checked
        for duplicates: overriding a merged key is what merging is for.
        """
        merged: list[tuple[Node, Node, bool]] = []
        own: list[tuple[Node, Node, bool]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                own.append((key_node, value_node, True))
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            parts: list[list[tuple[Node, Node, bool]]] = []
            for source in sources:
                if not isinstance(source, MappingNode) or source.tag != _MAP_TAG:
                    self.problem(
                        source,
                        path,
                        "a merge key '<<' takes a mapping or a list of mappings "
                        f"(usually an alias like *base), not {_kind(source)}",
                    )
                    continue
                if id(source) in self.active:
                    self.problem(source, path, "a merge key refers to a mapping that contains it")
                    continue
                self.active.add(id(source))
                try:
                    parts.append([(k, v, False) for k, v, _ in self.flatten(source, path)])
                finally:
                    self.active.discard(id(source))
            for part in reversed(parts):
                merged.extend(part)
        return merged + own

    def mapping(self, node: MappingNode, path: DataPath) -> dict[Any, Any]:
        winners: dict[Any, tuple[Node, Node]] = {}
        own_keys: dict[Any, Node] = {}
        for key_node, value_node, is_own in self.flatten(node, path):
            ok, key = self.key(key_node, path)
            if not ok:
                continue
            if is_own:
                first = own_keys.get(key)
                if first is not None:
                    line, column = _mark(first)
                    self.problem(
                        key_node,
                        (*path, key),
                        f"duplicate key {key!r} (first defined at line {line}, column {column}); "
                        "YAML would silently keep only the last one",
                    )
                    continue
                own_keys[key] = key_node
            winners[key] = (key_node, value_node)
        result: dict[Any, Any] = {}
        for key, (key_node, value_node) in winners.items():
            child = (*path, key)
            self.key_marks[child] = _mark(key_node)
            result[key] = self.walk(value_node, child)
        return result


# --------------------------------------------------------------------------- helpers


def _mark(node: Node) -> tuple[int, int]:
    """1-based (line, column) where ``node`` starts."""
    mark = node.start_mark
    if mark is None:  # pragma: no cover - composed nodes always have marks
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def _kind(node: Node) -> str:
    """Describe a node's kind in the words an author would use."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_TAG)
    names = {
        "str": "a string",
        "int": "an integer",
        "float": "a number",
        "bool": "a boolean",
        "null": "null",
        "timestamp": "a date",
    }
    return f"{names.get(tag, 'a scalar')} ({node.value!r})"


def _file_kind(mode: int) -> str:
    """Name the kind of a non-regular file, for the error message."""
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def _too_big_message(size: int) -> str:
    return (f"file too large: {size / 1e6:.1f} MB (scenario files are limited to "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB)")


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return f"unsupported YAML tag {shown!r}: scenario files use plain mappings, lists and scalars"


def _clearer_error(text: str, exc: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """The pure-Python parser's error for ``text`` when it has one, else ``exc``.

    libyaml's messages are terser ("found undefined alias" without its name, no
    tab hint to build on); a file with an error is worth the slower second
    parse. Nesting too deep for the Python parser keeps libyaml's message.
    """
    if _Loader is yaml.SafeLoader:
        return exc
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as py_exc:
        return py_exc
    except (RecursionError, yaml.YAMLError):
        return exc
    return exc  # pragma: no cover - both parsers reject the same texts


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    """Turn a PyYAML scanner/parser/composer error into a located Problem."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        where = ""
        if exc.context_mark is not None:
            cm = exc.context_mark
            where = f" started at line {cm.line + 1}, column {cm.column + 1}"
        if exc.problem.startswith("but "):  # "expected a single document..., but found..."
            message = f"{exc.context}{where}, {exc.problem}"
        else:
            message = f"{exc.problem} ({exc.context}{where})"
    if "'\\t'" in message:
        message += "; YAML does not allow tabs for indentation, use spaces"
    return Problem(file, line, column, "", f"YAML syntax error: {message}")


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    char = exc.character
    code = f"#x{char:04x}" if isinstance(char, int) else f"#x{ord(char):04x}"
    return f"unacceptable character {code} in YAML text: {exc.reason}"


def _char_position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """1-based (line, column) of byte ``index`` in ``raw`` (column counts bytes)."""
    line = raw.count(b"\n", 0, index) + 1
    return line, index - (raw.rfind(b"\n", 0, index) + 1) + 1
