"""Tests for whitecell.scenario.yamlio: positions, strictness, and every failure mode."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from whitecell.scenario import yamlio
from whitecell.scenario.errors import Problem, ScenarioError, format_path
from whitecell.scenario.yamlio import LoadedYaml, load_yaml, load_yaml_text

SAMPLE = """\
# A small scenario-like document.
name: Test
turns: 12
actors:
  - id: USA
    forces:
      naval: 3
  - id: CHN
    forces: {naval: 5, air: 2}
when: 2024-05-01
"""


def only_problem(exc: pytest.ExceptionInfo[ScenarioError]) -> Problem:
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


# --------------------------------------------------------------------------- errors module


def test_problem_str_format() -> None:
    p = Problem("a.yaml", 3, 7, "actors[2].forces.naval", "too small")
    assert str(p) == "a.yaml:3:7: actors[2].forces.naval: too small"


def test_problem_unknown_location_and_root_path() -> None:
    assert str(Problem("a.yaml", None, None, "", "bad")) == "a.yaml:1:1: (root): bad"


def test_scenario_error_lists_problems_one_per_line_and_pickles() -> None:
    err = ScenarioError([Problem("f", 1, 2, "a", "x"), Problem("f", 3, 4, "b", "y")])
    assert str(err) == "f:1:2: a: x\nf:3:4: b: y"
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems
    assert str(again) == str(err)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("actors", 2, "forces", "naval"), "actors[2].forces.naval"),
        ((0, "a"), "[0].a"),
        (("a.b", "c d", ""), '["a.b"]["c d"][""]'),
        (("m", True, 1.5), "m[True][1.5]"),
        (("US-JP", "x_y"), "US-JP.x_y"),
    ],
)
def test_format_path(path: tuple[object, ...], text: str) -> None:
    assert format_path(path) == text


# --------------------------------------------------------------------------- happy path


def test_data_matches_safe_load() -> None:
    loaded = load_yaml_text(SAMPLE, "s.yaml")
    assert loaded.data == yaml.safe_load(SAMPLE)
    assert loaded.file == "s.yaml"
    assert loaded.data["when"] == dt.date(2024, 5, 1)


def test_value_marks_are_one_based() -> None:
    loaded = load_yaml_text(SAMPLE)
    assert loaded.marks[("name",)] == (2, 7)
    assert loaded.marks[("turns",)] == (3, 8)
    assert loaded.marks[("actors",)] == (5, 3)  # the block sequence starts at '-'
    assert loaded.marks[("actors", 0)] == (5, 5)  # the element mapping starts at 'id'
    assert loaded.marks[("actors", 0, "forces", "naval")] == (7, 14)
    assert loaded.marks[("actors", 1, "forces")] == (9, 13)  # flow mapping '{'
    assert loaded.marks[("actors", 1, "forces", "air")] == (9, 29)


def test_every_path_has_a_mark() -> None:
    loaded = load_yaml_text(SAMPLE)

    def paths(value: object, prefix: tuple[object, ...]) -> list[tuple[object, ...]]:
        out = [prefix]
        if isinstance(value, dict):
            for k, v in value.items():
                out += paths(v, (*prefix, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                out += paths(v, (*prefix, i))
        return out

    assert set(paths(loaded.data, ())) == set(loaded.marks)


def test_key_marks_point_at_keys() -> None:
    loaded = load_yaml_text(SAMPLE)
    assert loaded.key_marks[("name",)] == (2, 1)
    assert loaded.key_marks[("actors", 0, "forces")] == (6, 5)
    assert loaded.key_marks[("actors", 1, "forces", "air")] == (9, 24)
    assert ("actors", 0) not in loaded.key_marks  # list elements have no key


def test_locate_falls_back_to_nearest_ancestor() -> None:
    loaded = load_yaml_text(SAMPLE)
    assert loaded.locate(("actors", 0, "forces", "naval")) == (7, 14)
    assert loaded.locate(("actors", 0, "forces", "missing", "deeper")) == (7, 7)
    assert loaded.locate(("nope",)) == loaded.marks[()]
    assert loaded.locate_key(("actors", 0, "forces")) == (6, 5)
    assert loaded.locate_key(("actors", 0)) == (5, 5)
    assert LoadedYaml(data={}, file="x").locate(("a",)) is None


def test_loaded_problem_helper() -> None:
    loaded = load_yaml_text(SAMPLE, "s.yaml")
    p = loaded.problem(("actors", 1, "forces", "air"), "too many")
    assert str(p) == "s.yaml:9:29: actors[1].forces.air: too many"
    p = loaded.problem(("actors", 1, "forces", "air"), "unknown", at_key=True)
    assert (p.line, p.column) == (9, 24)
    assert str(LoadedYaml(data={}, file="x").problem((), "m")) == "x:1:1: (root): m"


def test_anchors_aliases_and_merge_keys() -> None:
    text = """\
base: &base
  resolve: 0.5
  forces: {naval: 1}
actors:
  - id: USA
    <<: *base
    resolve: 0.9
  - id: CHN
    <<: *base
copy: *base
"""
    loaded = load_yaml_text(text)
    assert loaded.data == yaml.safe_load(text)
    assert loaded.data["actors"][0]["resolve"] == 0.9
    assert loaded.data["actors"][1]["resolve"] == 0.5
    # Own key overrides a merged one without being a "duplicate".
    assert loaded.marks[("actors", 0, "resolve")] == (7, 14)
    # Merged values point at the anchor, where they are written.
    assert loaded.marks[("actors", 1, "resolve")] == (2, 12)
    # Each alias use is its own copy: changing one does not change another.
    assert loaded.data["copy"] is not loaded.data["base"]
    loaded.data["copy"]["forces"]["naval"] = 99
    assert loaded.data["base"]["forces"]["naval"] == 1


def test_merge_list_first_mapping_wins_like_pyyaml() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  w: 0\n"
    assert load_yaml_text(text).data == yaml.safe_load(text)
    assert load_yaml_text(text).data["c"] == {"x": 1, "y": 1, "z": 2, "w": 0}


def test_bom_crlf_and_odd_keys() -> None:
    text = "\ufeffa: 1\r\nb:\r\n  c: 2\r\n1: int key\r\nnull: null key\r\n"
    loaded = load_yaml_text(text)
    assert loaded.data == {"a": 1, "b": {"c": 2}, 1: "int key", None: "null key"}
    assert loaded.marks[("b", "c")] == (3, 6)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_round_trip_equals_safe_load(value: object) -> None:
    text = yaml.safe_dump({"root": value}, allow_unicode=True)
    assert load_yaml_text(text).data == yaml.safe_load(text)
    text = yaml.safe_dump({"root": value}, default_flow_style=True)
    assert load_yaml_text(text).data == yaml.safe_load(text)


def test_load_yaml_reads_file(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SAMPLE, encoding="utf-8")
    loaded = load_yaml(f)
    assert loaded.file == str(f)
    assert loaded.data == yaml.safe_load(SAMPLE)
    assert load_yaml(str(f)).marks == loaded.marks


def test_load_yaml_accepts_utf8_bom(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes(b"\xef\xbb\xbfname: \xc3\xa9t\xc3\xa9\n")
    assert load_yaml(f).data == {"name": "été"}
    assert load_yaml(f).marks[("name",)] == (1, 7)


# --------------------------------------------------------------------------- file failures


def test_missing_file(tmp_path: Path) -> None:
    f = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    assert str(exc.value) == f"{f}:1:1: (root): file not found"


def test_missing_parent_is_not_a_directory(tmp_path: Path) -> None:
    parent = tmp_path / "file.txt"
    parent.write_text("x")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(parent / "s.yaml")
    assert "file not found" in only_problem(exc).message


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml(tmp_path)
    p = only_problem(exc)
    assert (p.file, p.line, p.column, p.path) == (str(tmp_path), 1, 1, "")
    assert "is a directory" in p.message


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("a: 1\n")

    def deny(self: Path, *args: object, **kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # chmod 000 does not stop root, so simulate the OS refusing the read.
    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    assert str(exc.value) == f"{f}:1:1: (root): cannot read file: permission denied"


def test_other_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("a: 1\n")

    def broken(self: Path, *args: object, **kwargs: object) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "open", broken)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    assert only_problem(exc).message == "cannot read file: Input/output error"


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes(b"a: 1\nb: \x00\x01\x02")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    p = only_problem(exc)
    assert "not a text YAML file (binary or not UTF-8)" in p.message
    assert (p.line, p.column) == (2, 4)


def test_not_utf8_file(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes(b"name: x\nplace: caf\xe9\n")  # Latin-1, not UTF-8
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    p = only_problem(exc)
    assert "not a text YAML file (binary or not UTF-8)" in p.message
    assert "0xe9" in p.message
    assert (p.line, p.column) == (2, 11)


def test_utf16_file_is_rejected_as_binary(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes("a: 1\n".encode("utf-16"))
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    assert "binary or not UTF-8" in only_problem(exc).message


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n# and another\n", "---\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(content)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    p = only_problem(exc)
    assert p.message == "empty scenario file: expected a mapping at top level"
    assert p.path == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "a list"), ("just a string\n", "a string"), ("42\n", "an integer")],
)
def test_top_level_not_a_mapping(text: str, kind: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(text, "t.yaml")
    p = only_problem(exc)
    assert p.message.startswith("expected a mapping")
    assert kind in p.message
    assert str(p).startswith("t.yaml:1:1: (root): ")


# --------------------------------------------------------------------------- syntax


def test_syntax_error_position_and_text() -> None:
    text = "name: x\nactors:\n  - id: USA\n  bad: : here\n"
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(text, "t.yaml")
    p = only_problem(exc)
    assert p.file == "t.yaml"
    assert p.line == 4
    assert p.message.startswith("YAML syntax error: ")
    assert str(p).startswith("t.yaml:4:")


def test_unclosed_flow_sequence_names_where_it_started() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: [1, 2\nb: 3\n")
    p = only_problem(exc)
    assert "expected ',' or ']'" in p.message
    assert "started at line 1, column 4" in p.message


def test_mapping_values_not_allowed() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: 1\n b: 2\n")
    p = only_problem(exc)
    assert (p.line, p.column) == (2, 3)
    assert "mapping values are not allowed here" in p.message


def test_tab_indentation_gets_a_hint() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a:\n\t- b\n")
    p = only_problem(exc)
    assert (p.line, p.column) == (2, 1)
    assert "use spaces" in p.message


def test_undefined_alias() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: 1\nb: *nope\n")
    p = only_problem(exc)
    assert (p.line, p.column) == (2, 4)
    assert "undefined alias 'nope'" in p.message


def test_two_documents() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: 1\n---\nb: 2\n")
    p = only_problem(exc)
    assert p.line == 2
    assert "single document" in p.message


def test_control_character() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: 1\nb: x\x07y\n")
    p = only_problem(exc)
    assert (p.line, p.column) == (2, 5)
    assert "#x0007" in p.message


# --------------------------------------------------------------------------- strictness


def test_duplicate_key_is_a_problem_at_the_second_key() -> None:
    text = "actors:\n  - id: USA\n    resolve: 0.5\n    resolve: 0.7\n"
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(text, "t.yaml")
    p = only_problem(exc)
    assert (p.line, p.column) == (4, 5)
    assert p.path == "actors[0].resolve"
    assert "duplicate key 'resolve'" in p.message
    assert "line 3, column 5" in p.message


def test_all_duplicates_are_reported_together() -> None:
    text = "a: 1\nb: {x: 1, x: 2}\na: 3\nc:\n  - y: 1\n    y: 1\n"
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(text)
    found = [(p.line, p.path) for p in exc.value.problems]
    assert sorted(found) == [(2, "b.x"), (3, "a"), (6, "c[0].y")]


def test_duplicate_top_level_key_in_file(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("name: a\nturns: 3\nname: b\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(f)
    assert str(only_problem(exc)).startswith(f"{f}:3:1: name: duplicate key 'name'")


def test_duplicate_within_merge_is_allowed_but_own_duplicates_are_not() -> None:
    ok = "b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n"
    assert load_yaml_text(ok).data["c"] == {"x": 2}
    bad = "b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n  x: 3\n"
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(bad)
    assert only_problem(exc).line == 5


def test_unsupported_collection_tag() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: 1\ns: !!set {x, y}\n")
    p = only_problem(exc)
    assert (p.line, p.column, p.path) == (2, 4, "s")
    assert "unsupported YAML tag '!!set'" in p.message


def test_unknown_scalar_tag() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: !python/name:os.system x\n")
    p = only_problem(exc)
    assert p.path == "a"
    assert "unsupported YAML tag '!python/name:os.system'" in p.message


def test_impossible_date_is_a_problem_not_a_crash() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("start: 2024-13-45\n")
    p = only_problem(exc)
    assert (p.line, p.column, p.path) == (1, 8, "start")
    assert "month must be in 1..12" in p.message


def test_complex_key_is_rejected() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("? [a, b]\n: 1\n")
    assert "mapping key must be a plain value" in only_problem(exc).message


def test_bad_merge_value() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a:\n  <<: 3\n  b: 1\n")
    assert "merge key" in only_problem(exc).message


def test_recursive_alias_is_a_problem() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("a: &a [1, *a]\n")
    assert "cycle" in only_problem(exc).message


def test_alias_bomb_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_NODES", 1000)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcde", "bcdef", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text("\n".join(lines) + "\n")
    assert "too large" in only_problem(exc).message


def test_special_file_is_rejected() -> None:
    dev_null = Path("/dev/null")
    if not dev_null.exists():  # pragma: no cover - non-POSIX
        pytest.skip("no /dev/null")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(dev_null)
    assert only_problem(exc).message.startswith("not a regular file (a character device)")
