"""A seeded generator of hostile scenario files, built from the bundled scenarios.

``case(seed)`` returns one :class:`Case`: a name (which mutation, where) and
the bytes of a scenario file. The same seed always gives the same bytes, so a
failure found by the fuzz tier is reproduced by its seed alone::

    PYTHONPATH=src python -m tests.fuzz.mutate 1234 > case.yaml

Mutations work at two levels. Structured ones load a bundled scenario with
``yaml.safe_load``, change one thing (delete or duplicate a key, put a wrong
type or an extreme number somewhere, point a reference at nothing, plant markup
in a text field, nest deeply) and dump it again; textual ones work on the raw
bytes (truncation, random and invalid bytes, a BOM, anchors and alias bombs).
Smaller scenarios are picked more often (they are faster to play).
"""

from __future__ import annotations

import pickle
import random
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCENARIOS = Path(__file__).resolve().parents[2] / "src" / "whitecell" / "scenarios"


@dataclass(frozen=True)
class Case:
    seed: int
    name: str
    data: bytes


@cache
def sources() -> list[tuple[str, bytes]]:
    """Bundled scenario files, smallest first."""
    files = sorted(SCENARIOS.glob("*.yaml"), key=lambda p: p.stat().st_size)
    return [(p.stem, p.read_bytes()) for p in files]


@cache
def _parsed(stem: str) -> bytes:
    """The scenario as data, pickled (unpickling is the fastest deep copy)."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return pickle.dumps(yaml.load(dict(sources())[stem], Loader=loader))


EXTREME_NUMBERS: list[Any] = [1e308, -1e308, -1, 0, -0.0, float("inf"), float("-inf"),
                              float("nan"), 10**30, -(10**30), 2**63, 2**64 + 1, 5e-324,
                              True, 1e-300, 10**4000]
WRONG_TYPES: list[Any] = ["abc", "", "12", [], [1, 2], {}, {"a": 1}, None, True, 3.5,
                          "2024-01-01", ["x"], {"value": "x"}]
MARKUP = ["[/x]", "[bold]unclosed", "[/]", ":100: :smile:", r"$\frac{a}{b}$", "$x^2$ $",
          "[link=javascript:alert(1)]x[/link]", "<script>alert(1)</script>", "{{ 7*7 }}",
          "%s%n%x", "\x1b[31mred\x1b[0m", "\u202eevil", "a\rb", "\\", "'\"", "${HOME}",
          "$$", r"$\undefinedcommand$", "[[x]]", "[red on blue]"]
TEXT_KEYS = ("title", "name", "briefing", "summary", "text", "description", "theatre",
             "basis", "source", "note", "start_label", "cell", "id")
REF_KEYS = ("actor", "patron", "protege", "adversaries", "intervene_for", "ladder", "script",
            "moves", "targets", "to", "path")


# --------------------------------------------------------------------------- data walking


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``node`` (mappings and lists)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*path, k))
            out.extend(_paths(v, (*path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*path, i))
            out.extend(_paths(v, (*path, i)))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for seg in path:
        node = node[seg]
    return node


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


def _dump(data: Any) -> bytes:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=10**6).encode("utf-8", "surrogatepass")


_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# --------------------------------------------------------------------------- mutations


def m_delete_key(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data) if isinstance(_get(data, p[:-1]), dict)]
    p = r.choice(paths)
    del _get(data, p[:-1])[p[-1]]
    return f"delete {p}"


def m_duplicate_list_item(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data) if isinstance(_get(data, p), list) and _get(data, p)]
    p = r.choice(paths)
    lst = _get(data, p)
    lst.append(lst[r.randrange(len(lst))])
    return f"duplicate an element of {p}"


def m_wrong_type(r: random.Random, data: Any) -> str:
    p = r.choice(_paths(data))
    v = r.choice(WRONG_TYPES)
    _set(data, p, v)
    return f"{p} = {v!r}"


def m_extreme_number(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data)
             if isinstance(_get(data, p), int | float) and not isinstance(_get(data, p), bool)]
    p = r.choice(paths)
    v = r.choice(EXTREME_NUMBERS)
    _set(data, p, v)
    return f"{p} = {v!r}"[:200]


def m_unknown_reference(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data) if p and p[-1] in REF_KEYS]
    paths += [p for p in _paths(data) if len(p) > 1 and p[-2] in REF_KEYS]
    p = r.choice(paths)
    v = r.choice(["NOPE", "usa", "", "nuclear_strike_x", "actors.XX.forces.air.value",
                  "base", "Ｕ", "a@b", "raise_alert@NOPE", "parameters.risk"])
    cur = _get(data, p)
    if isinstance(cur, list):
        cur.append(v)
    elif isinstance(cur, dict):
        cur[v] = v
    else:
        _set(data, p, v)
    return f"{p} -> {v!r}"


def m_unknown_excursion_ref(r: random.Random, data: Any) -> str:
    exc = data.get("excursions") or [{}]
    e = r.choice(exc) if isinstance(exc, list) and exc else {}
    if not isinstance(e, dict):
        return "no excursion"
    k = r.choice(["set", "changes"])
    if k == "set":
        e["set"] = {r.choice(["actors.NOPE.stakes", "nope.x", "actors.CHN.forces.naval.value",
                              "actors.0.doctrine.ladder", "max_turns", "actors.CHN",
                              "injects.nope.turn", "actors.CHN.forces.air.value.x"]):
                    r.choice([1, "x", [], None, 1e308, -5, {"a": 1}])}
    else:
        e["changes"] = r.choice([{"actors": [{"id": "NOPE", "stakes": 1}]}, {"nope": 1},
                                 {"injects": [{"id": "new", "turn": 1}]}, [1], "x",
                                 {"max_turns": 10**30}])
    return f"excursion {e.get('id')!r}.{k} = {e[k]!r}"


def m_markup(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data) if p and p[-1] in TEXT_KEYS
             and isinstance(_get(data, p), str)]
    p = r.choice(paths)
    v = r.choice(MARKUP)
    if p[-1] == "id" and r.random() < 0.5:
        _set(data, p, v)
    else:
        _set(data, p, f"{_get(data, p)} {v}")
    return f"{p} += {v!r}"


def m_huge_string(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data) if isinstance(_get(data, p), str)]
    p = r.choice(paths)
    _set(data, p, r.choice(["x", "[/x]", "é"]) * (1 << 20))
    return f"{p} = 1 MB string"


def m_deep_nesting(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data)]
    p = r.choice(paths)
    depth = r.choice([30, 70, 200])
    v: Any = 1
    for _ in range(depth):
        v = [v] if r.random() < 0.5 else {"a": v}
    _set(data, p, v)
    return f"{p} nested {depth} deep"


def m_many_items(r: random.Random, data: Any) -> str:
    paths = [p for p in _paths(data) if isinstance(_get(data, p), list) and _get(data, p)]
    p = r.choice(paths)
    lst = _get(data, p)
    lst.extend([lst[0]] * r.choice([100, 1000]))
    return f"{p} x many"


STRUCTURED = [m_delete_key, m_duplicate_list_item, m_wrong_type, m_extreme_number,
              m_unknown_reference, m_unknown_excursion_ref, m_markup, m_huge_string,
              m_deep_nesting, m_many_items]


def t_truncate(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    n = r.randrange(len(raw))
    return f"truncate at byte {n}", raw[:n]


def t_random_bytes(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    b = bytearray(raw)
    k = r.choice([1, 3, 20])
    for _ in range(k):
        b[r.randrange(len(b))] = r.randrange(256)
    return f"{k} random bytes", bytes(b)


def t_invalid_utf8(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    n = r.randrange(len(raw))
    bad = r.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80\x80"])
    return f"invalid UTF-8 {bad!r} at {n}", raw[:n] + bad + raw[n:]


def t_control_chars(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    n = r.randrange(len(raw))
    c = r.choice([b"\x00", b"\x07", b"\t", b"\x1b", b"\r", "\u2028".encode(), "\ufffe".encode(),
                  b"\x7f", "\U0001f4af".encode()])
    return f"control {c!r} at {n}", raw[:n] + c + raw[n:]


def t_bom(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    kind = r.choice(["utf8", "utf8x2", "utf16"])
    if kind == "utf8":
        return "UTF-8 BOM", b"\xef\xbb\xbf" + raw
    if kind == "utf8x2":
        return "two UTF-8 BOMs", b"\xef\xbb\xbf\xef\xbb\xbf" + raw
    return "UTF-16 with BOM", raw.decode("utf-8").encode("utf-16")


def t_alias_bomb(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    levels = r.choice([5, 9, 12])
    lines = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"x{i}: &a{i} [{refs}]")
    where = r.choice(["top", "notes"])
    bomb = "\n".join(lines).encode() + b"\n"
    if where == "top":
        return f"alias bomb {levels} levels at top", bomb + raw
    return f"alias bomb {levels} levels under a field", raw.replace(
        b"\nturn:", b"\nbomb:\n" + b"".join(b"  " + ln + b"\n" for ln in bomb.splitlines())
        + b"turn:", 1)


def t_anchors(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    choice = r.randrange(4)
    if choice == 0:  # merge key from an anchored actor into another
        out = raw.replace(b"  - id: ", b"  - &first\n    id: ", 1)
        return "anchor + merge", out.replace(b"injects:\n", b"extra: {<<: *first}\ninjects:\n", 1)
    if choice == 1:  # undefined alias
        return "undefined alias", raw.replace(b"max_turns: ", b"max_turns: *nope #", 1)
    if choice == 2:  # alias used as a key
        return "alias as key", b"k: &k key\n*k : 1\n" + raw
    return "recursive anchor", raw.replace(b"fog:", b"loop: &l [*l]\nfog:", 1)


def t_tags(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    tag = r.choice([b"!!binary aGVsbG8=", b"!!python/object:os.system x", b"!!set {a}",
                    b"!!float abc", b"!!int 1e999", b"!!timestamp 2024-13-45", b"!custom 1",
                    b"!!str", b"!!null x"])
    return f"tag {tag!r}", raw.replace(b"max_turns: ", b"max_turns: " + tag + b" #", 1)


def t_yaml_text(r: random.Random, raw: bytes) -> tuple[str, bytes]:
    variants = [b"", b"\n", b"---\n", b"--- []\n", b"- 1\n", b"just text", b"null\n",
                raw + b"\n---\n" + raw, b"%YAML 1.1\n---\n" + raw, b"%YAML 9.9\n---\n" + raw,
                b"? [a, b]\n: 1\n", b"{" * 2000, b"[" * 5000 + b"]" * 5000,
                b"a: " + b"\"" + b"x" * 100 + b"\n", b"\t" + raw, raw.replace(b"  ", b"\t", 3),
                b"1: 2\n" + raw, b"true: 1\n" + raw, b"max_turns: 1e400\n" + raw[:0]]
    k = r.randrange(len(variants))
    return f"yaml text variant {k}", variants[k]


TEXTUAL = [t_truncate, t_random_bytes, t_invalid_utf8, t_control_chars, t_bom, t_alias_bomb,
           t_anchors, t_tags, t_yaml_text]


def case(seed: int) -> Case:
    """The mutated scenario of ``seed`` (deterministic)."""
    r = random.Random(seed)
    srcs = sources()
    # smallest scenario half of the time, then the others
    stem, raw = srcs[0] if r.random() < 0.5 else r.choice(srcs)
    if r.random() < 0.6:
        data = pickle.loads(_parsed(stem))
        names = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            m = r.choice(STRUCTURED)
            try:
                names.append(f"{m.__name__[2:]}: {m(r, data)}")
            except (IndexError, KeyError, TypeError, AttributeError):
                names.append(f"{m.__name__[2:]}: not applicable")
        return Case(seed, f"{stem}: " + "; ".join(names), _dump(data))
    t = r.choice(TEXTUAL)
    name, out = t(r, raw)
    return Case(seed, f"{stem}: {t.__name__[2:]}: {name}", out)


if __name__ == "__main__":  # pragma: no cover - a debugging aid
    c = case(int(sys.argv[1]))
    print(c.name, file=sys.stderr)
    sys.stdout.buffer.write(c.data)
