"""The grid of a sweep: parsing --vary, the cartesian product, validation up front."""

import pytest

from whitecell.analysis.errors import SweepError
from whitecell.analysis.grid import (
    axes_from,
    build_grid,
    excursion_ids,
    parse_vary,
    resolve_grid,
    split_values,
    vary_columns,
)
from whitecell.analysis.sensitivity import parse_param
from whitecell.scenario.errors import ScenarioError


def test_split_values_keeps_commas_inside_brackets_and_quotes():
    assert split_values("1,2, 3") == ["1", "2", "3"]
    assert split_values("[1, 2],[3]") == ["[1, 2]", "[3]"]
    assert split_values("'a,b',c") == ["'a,b'", "c"]


def test_parse_vary():
    ax = parse_vary("actors.CHN.resolve.alpha=2,4,8")
    assert ax.path == "actors.CHN.resolve.alpha" and ax.values == ("2", "4", "8")
    for bad in ("nopath", "=1,2", "a.b=1,,2", "a.b=1,1"):
        with pytest.raises(SweepError):
            parse_vary(bad)


def test_axes_from_python_values_and_duplicates():
    axes = axes_from({"max_turns": [10, 20], "fog.force_noise": [0.1, 0.2]})
    assert [a.values for a in axes] == [("10", "20"), ("0.1", "0.2")]
    assert axes_from({"x": [True, False]})[0].values == ("true", "false")
    with pytest.raises(SweepError):
        axes_from(["a=1", "a=2"])
    with pytest.raises(SweepError):
        axes_from({"a": "12"})


def test_grid_is_excursions_times_product():
    axes = axes_from(["a=1,2", "b=x,y,z"])
    pts = build_grid(["base", "pessimistic"], axes, ("c=0",))
    assert len(pts) == 2 * 2 * 3
    assert [p.id for p in pts] == list(range(12))
    assert pts[0].overrides == ("c=0", "a=1", "b=x")
    assert pts[-1].excursion == "pessimistic" and pts[-1].vary == (("a", "2"), ("b", "z"))


def test_vary_column_types():
    pts = build_grid([None], axes_from(["i=1,2", "f=1,2.5", "b=true,false", "s=1,abc"]))
    assert vary_columns(pts) == {"i": "int64", "f": "float64", "b": "bool", "s": "string"}


def test_excursions_all_and_unknown():
    assert excursion_ids("taiwan-strait-crisis", None) == [None]
    ids = excursion_ids("taiwan-strait-crisis", "all")
    assert ids[0] == "base" and "pessimistic" in ids
    with pytest.raises(SweepError):
        excursion_ids("taiwan-strait-crisis", ["base", "base"])


def test_every_grid_point_is_validated_before_running():
    pts = build_grid(["base"], axes_from(["max_turns=20,-3"]))
    with pytest.raises(ScenarioError):
        resolve_grid("taiwan-strait-crisis", pts)
    with pytest.raises(ScenarioError):
        resolve_grid("taiwan-strait-crisis", build_grid(["nope"], []))
    with pytest.raises(ScenarioError):
        resolve_grid("taiwan-strait-crisis", build_grid([None], axes_from(["no.such.path=1"])))
    with pytest.raises(ValueError):
        resolve_grid("taiwan-strait-crisis", build_grid([None], []), {"XYZ": "doctrine"})


def test_parse_param():
    p = parse_param("actors.CHN.resolve.alpha=2:8")
    assert (p.path, p.low, p.high) == ("actors.CHN.resolve.alpha", "2", "8")
    for bad in ("a=1", "a=1:1", "a=:2", "=1:2", "a"):
        with pytest.raises(SweepError):
            parse_param(bad)
