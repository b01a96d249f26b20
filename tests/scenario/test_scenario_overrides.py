"""Tests for whitecell.scenario.overrides: --set parsing/applying and excursion merges."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitecell.scenario.overrides import (
    OverrideError,
    apply_overrides,
    apply_set,
    deep_merge,
    parse_set,
)


def scenario() -> dict[str, Any]:
    return {
        "name": "Test",
        "turns": 8,
        "actors": [
            {"id": "USA", "resolve": {"alpha": 0.5, "beta": 1.0}, "forces": {"naval": 3}},
            {"id": "JPN", "resolve": {"alpha": 0.4, "beta": 1.0}, "forces": {"naval": 2}},
            {"id": "CHN", "resolve": {"alpha": 0.6, "beta": 1.0}, "forces": {"naval": 5}},
        ],
        "weights": [1, 2, 3],
        "params": {"free": {"a": 1}},
    }


# --------------------------------------------------------------------------- parse_set


@pytest.mark.parametrize(
    ("expr", "path", "value"),
    [
        ("turns=12", ["turns"], 12),
        ("actors.2.resolve.alpha=0.9", ["actors", 2, "resolve", "alpha"], 0.9),
        ("actors.CHN.resolve.alpha=1.5", ["actors", "CHN", "resolve", "alpha"], 1.5),
        ("flag=true", ["flag"], True),
        ("flag=false", ["flag"], False),
        ("x=null", ["x"], None),
        ("x=~", ["x"], None),
        ("weights=[1,2]", ["weights"], [1, 2]),
        ("weights=[1, 2.5, a]", ["weights"], [1, 2.5, "a"]),
        ("m={a: 1}", ["m"], {"a": 1}),
        ("m={a: [1, {b: c}]}", ["m"], {"a": [1, {"b": "c"}]}),
        ("name=Taiwan Strait", ["name"], "Taiwan Strait"),
        ("name=Taiwan: 2027", ["name"], "Taiwan: 2027"),
        ("name=#1 priority", ["name"], "#1 priority"),
        ("name=a # not a comment", ["name"], "a # not a comment"),
        ("name=@home", ["name"], "@home"),
        ("name=- dash", ["name"], "- dash"),
        ("code='007'", ["code"], "007"),
        ('code="a=b"', ["code"], "a=b"),
        ("expr=a=b", ["expr"], "a=b"),
        ("start=2024-05-01", ["start"], dt.date(2024, 5, 1)),
        (" turns = 3 ", ["turns"], 3),
        ("n=-4", ["n"], -4),
    ],
)
def test_parse_set(expr: str, path: list[str | int], value: Any) -> None:
    assert parse_set(expr) == (path, value)


def test_parse_set_value_types() -> None:
    assert type(parse_set("a=1")[1]) is int
    assert type(parse_set("a=1.0")[1]) is float
    assert type(parse_set("a=abc")[1]) is str


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("turns", "no '='"),
        ("=3", "empty path"),
        ("  =3", "empty path"),
        ("a..b=3", "empty segment"),
        ("a.=3", "empty segment"),
        (".a=3", "empty segment"),
        ("a=", "no value"),
        ("a=[1, 2", "cannot read value"),
        ("a={x: 1", "cannot read value"),
    ],
)
def test_parse_set_errors(expr: str, fragment: str) -> None:
    with pytest.raises(OverrideError) as exc:
        parse_set(expr)
    message = str(exc.value)
    assert message.startswith(f"--set {expr}: ")
    assert fragment in message
    assert isinstance(exc.value, ValueError)


# --------------------------------------------------------------------------- apply_set


def test_apply_set_by_index_and_by_id() -> None:
    base = scenario()
    by_index = apply_set(base, ["actors", 2, "resolve", "alpha"], 0.9)
    by_id = apply_set(base, ["actors", "CHN", "resolve", "alpha"], 0.9)
    assert by_index == by_id
    assert by_id["actors"][2]["resolve"] == {"alpha": 0.9, "beta": 1.0}


def test_apply_set_never_mutates_input() -> None:
    base = scenario()
    before = copy.deepcopy(base)
    out = apply_set(base, ["actors", "USA", "forces", "naval"], 10)
    assert base == before
    assert out["actors"][0]["forces"]["naval"] == 10
    out["actors"][1]["forces"]["naval"] = 99  # the copy shares nothing with the input
    assert base == before


def test_apply_set_replaces_whole_values() -> None:
    out = apply_set(scenario(), ["weights"], [9])
    assert out["weights"] == [9]
    out = apply_set(scenario(), ["weights", 1], 7)
    assert out["weights"] == [1, 7, 3]
    out = apply_set(scenario(), ["actors", "JPN"], {"id": "JPN"})
    assert out["actors"][1] == {"id": "JPN"}


def test_apply_set_unknown_final_key() -> None:
    with pytest.raises(OverrideError) as exc:
        apply_set(scenario(), ["actors", "CHN", "resovle"], 1)
    assert str(exc.value) == ("unknown field 'resovle' at actors.CHN (known: id, resolve, forces)")


def test_apply_set_unknown_intermediate_key() -> None:
    with pytest.raises(OverrideError, match=r"unknown field 'actor' at \(root\)"):
        apply_set(scenario(), ["actor", "CHN"], 1)


def test_apply_set_unknown_id() -> None:
    with pytest.raises(OverrideError) as exc:
        apply_set(scenario(), ["actors", "XYZ", "resolve"], 1)
    assert str(exc.value) == "no element with id 'XYZ' in 'actors' (known: USA, JPN, CHN)"


def test_apply_set_index_out_of_range() -> None:
    with pytest.raises(OverrideError, match=r"index 3 out of range for 'actors' \(3 elements\)"):
        apply_set(scenario(), ["actors", 3, "resolve"], 1)


def test_apply_set_id_in_list_without_ids() -> None:
    with pytest.raises(OverrideError, match="list without ids; use an index 0..2"):
        apply_set(scenario(), ["weights", "first"], 1)


def test_apply_set_through_a_scalar() -> None:
    with pytest.raises(OverrideError, match=r"turns is a number \(8\), not a mapping or list"):
        apply_set(scenario(), ["turns", "x"], 1)


def test_apply_set_empty_path() -> None:
    with pytest.raises(OverrideError, match="empty path"):
        apply_set(scenario(), [], 1)


def test_apply_set_create_flag() -> None:
    out = apply_set(scenario(), ["params", "free", "b"], 2, create=True)
    assert out["params"]["free"] == {"a": 1, "b": 2}
    out = apply_set(scenario(), ["params", "new", "c"], 3, create=True)
    assert out["params"]["new"] == {"c": 3}
    with pytest.raises(OverrideError):
        apply_set(scenario(), ["params", "free", "b"], 2)


def test_apply_set_numeric_keys() -> None:
    data = {"years": {2027: "crisis"}, "labels": {"7": "seven"}}
    assert apply_set(data, [*parse_set("years.2027=war")[0]], "war")["years"] == {2027: "war"}
    assert apply_set(data, ["labels", 7], "x")["labels"] == {"7": "x"}


def test_apply_overrides_prefixes_errors_with_the_expression() -> None:
    with pytest.raises(OverrideError) as exc:
        apply_overrides(scenario(), ["turns=3", "actors.XYZ.resolve=1"])
    assert str(exc.value) == (
        "--set actors.XYZ.resolve=1: no element with id 'XYZ' in 'actors' (known: USA, JPN, CHN)"
    )


def test_apply_overrides_in_order() -> None:
    base = scenario()
    before = copy.deepcopy(base)
    out = apply_overrides(base, ["turns=3", "turns=4", "actors.CHN.resolve.alpha=0.1"])
    assert out["turns"] == 4
    assert out["actors"][2]["resolve"]["alpha"] == 0.1
    assert base == before


@given(st.integers(), st.sampled_from(["USA", "JPN", "CHN"]))
def test_apply_set_round_trip_property(value: int, ident: str) -> None:
    base = scenario()
    path, parsed = parse_set(f"actors.{ident}.forces.naval={value}")
    out = apply_set(base, path, parsed)
    assert [a["forces"]["naval"] for a in out["actors"] if a["id"] == ident] == [value]
    assert base == scenario()


# --------------------------------------------------------------------------- deep_merge


def test_merge_mappings_recursively() -> None:
    base = {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "b": 2}
    patch = {"a": {"y": {"q": 3}, "z": 4}, "c": 5}
    assert deep_merge(base, patch) == {"a": {"x": 1, "y": {"p": 1, "q": 3}, "z": 4}, "b": 2, "c": 5}


def test_merge_lists_by_id() -> None:
    patch = {
        "actors": [
            {"id": "CHN", "resolve": {"alpha": 0.9}},
            {"id": "PRK", "resolve": {"alpha": 1.0, "beta": 1.0}},
        ]
    }
    out = deep_merge(scenario(), patch)
    assert [a["id"] for a in out["actors"]] == ["USA", "JPN", "CHN", "PRK"]
    assert out["actors"][2] == {
        "id": "CHN",
        "resolve": {"alpha": 0.9, "beta": 1.0},
        "forces": {"naval": 5},
    }
    assert out["actors"][0] == scenario()["actors"][0]


def test_merge_removes_by_id() -> None:
    out = deep_merge(scenario(), {"actors": [{"id": "JPN", "remove": True}]})
    assert [a["id"] for a in out["actors"]] == ["USA", "CHN"]


def test_merge_remove_unknown_id_is_an_error() -> None:
    with pytest.raises(OverrideError, match=r"actors: cannot remove id 'KOR'.*USA, JPN, CHN"):
        deep_merge(scenario(), {"actors": [{"id": "KOR", "remove": True}]})


def test_merge_remove_with_other_fields_is_an_error() -> None:
    with pytest.raises(OverrideError, match="together with other fields"):
        deep_merge(scenario(), {"actors": [{"id": "JPN", "remove": True, "resolve": {}}]})


def test_merge_nested_id_lists() -> None:
    base = {"sides": [{"id": "blue", "members": [{"id": "USA", "w": 1}, {"id": "JPN", "w": 1}]}]}
    patch = {"sides": [{"id": "blue", "members": [{"id": "JPN", "w": 2}]}]}
    out = deep_merge(base, patch)
    assert out["sides"][0]["members"] == [{"id": "USA", "w": 1}, {"id": "JPN", "w": 2}]


def test_merge_other_lists_and_scalars_replace() -> None:
    base = {"weights": [1, 2, 3], "tags": [{"name": "a"}], "n": 1, "m": {"x": 1}, "k": [1]}
    patch = {"weights": [9], "tags": [{"name": "b"}], "n": "two", "m": 5, "k": {"x": 1}}
    assert deep_merge(base, patch) == patch


def test_merge_empty_list_replaces() -> None:
    out = deep_merge(scenario(), {"actors": []})
    assert out["actors"] == []


def test_merge_mixed_list_replaces() -> None:
    patch = {"actors": [{"id": "USA"}, {"name": "no id"}]}
    assert deep_merge(scenario(), patch)["actors"] == patch["actors"]


def test_merge_never_mutates_inputs_and_shares_nothing() -> None:
    base = scenario()
    patch = {"actors": [{"id": "PRK", "forces": {"naval": 1}}], "params": {"free": {"b": 2}}}
    base_before, patch_before = copy.deepcopy(base), copy.deepcopy(patch)
    out = deep_merge(base, patch)
    assert base == base_before and patch == patch_before
    out["actors"][3]["forces"]["naval"] = 50
    out["actors"][0]["forces"]["naval"] = 50
    out["params"]["free"]["a"] = 50
    assert base == base_before and patch == patch_before


def test_merge_with_empty_patch_is_a_copy() -> None:
    base = scenario()
    out = deep_merge(base, {})
    assert out == base and out is not base and out["actors"] is not base["actors"]


def test_merge_requires_mappings() -> None:
    with pytest.raises(OverrideError):
        deep_merge(scenario(), [1, 2])  # type: ignore[arg-type]


def test_deep_merge_docstring_states_the_rules() -> None:
    doc = deep_merge.__doc__ or ""
    for phrase in ("merge key by key", "merge by id", "remove: true", "replace"):
        assert phrase in doc
