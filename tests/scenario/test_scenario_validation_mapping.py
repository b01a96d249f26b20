"""Tests for whitecell.scenario.validation: pydantic errors land on the right line:column."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from whitecell.scenario.errors import Problem, ScenarioError
from whitecell.scenario.validation import problems_from_pydantic, validate_loaded
from whitecell.scenario.yamlio import LoadedYaml, load_yaml_text


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Forces(Strict):
    naval: int = Field(ge=0)
    air: int = Field(default=0, ge=0)


class Actor(Strict):
    id: str
    resolve: float = Field(ge=0, le=1)
    forces: Forces

    @model_validator(mode="after")
    def _no_empty_chn(self) -> Actor:
        if self.id == "CHN" and self.forces.naval == 0:
            raise ValueError("CHN must have a navy")
        return self


class Strike(Strict):
    kind: Literal["strike"]
    target: str


class Talk(Strict):
    kind: Literal["talk"]
    rounds: int = Field(ge=1)


class Game(Strict):
    name: str
    turns: int = Field(ge=1)
    escalation_probability: float = Field(ge=0, le=1)
    actors: list[Actor]
    moves: list[Annotated[Strike | Talk, Field(discriminator="kind")]] = []
    weight: int | list[int] = 1
    rungs: dict[int, str] = {}

    @model_validator(mode="after")
    def _unique_ids(self) -> Game:
        ids = [a.id for a in self.actors]
        if len(set(ids)) != len(ids):
            raise ValueError("actor ids must be unique")
        return self


GOOD = """\
name: Test
turns: 4
escalation_probability: 0.2
actors:
  - id: USA
    resolve: 0.8
    forces:
      naval: 3
  - id: CHN
    resolve: 0.6
    forces: {naval: 5}
"""


def problems(text: str, file: str = "g.yaml") -> list[Problem]:
    loaded = load_yaml_text(text, file)
    with pytest.raises(ValidationError) as exc:
        Game.model_validate(loaded.data)
    return problems_from_pydantic(exc.value, loaded)


def one(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_good_document_validates() -> None:
    game = validate_loaded(Game, load_yaml_text(GOOD))
    assert game.actors[1].forces.naval == 5


def test_unknown_key_points_at_the_key() -> None:
    p = one(GOOD.replace("      naval: 3", "      naval: 3\n      navel: 4"))
    assert (p.line, p.column) == (9, 7)
    assert p.path == "actors[0].forces.navel"
    assert "unknown field 'navel'" in p.message
    assert str(p).startswith("g.yaml:9:7: actors[0].forces.navel: unknown field 'navel'")


def test_unknown_top_level_key() -> None:
    p = one(GOOD + "colour: red\n")
    assert (p.line, p.column, p.path) == (12, 1, "colour")


def test_wrong_type_points_at_the_value() -> None:
    p = one(GOOD.replace("turns: 4", "turns: four"))
    assert (p.line, p.column, p.path) == (2, 8, "turns")
    assert p.message == (
        "Input should be a valid integer, unable to parse string as an integer (got 'four')"
    )


def test_out_of_range_value_in_list_element() -> None:
    p = one(GOOD.replace("naval: 5", "naval: -3"))
    assert str(p) == (
        "g.yaml:11:21: actors[1].forces.naval: Input should be greater than or equal to 0 (got -3)"
    )


def test_probability_above_one() -> None:
    p = one(GOOD.replace("escalation_probability: 0.2", "escalation_probability: 1.5"))
    assert (p.line, p.column, p.path) == (3, 25, "escalation_probability")
    assert p.message == "Input should be less than or equal to 1 (got 1.5)"


def test_missing_field_points_at_parent_key() -> None:
    p = one(GOOD.replace("    forces:\n      naval: 3\n", "    forces:\n      air: 3\n"))
    assert p.path == "actors[0].forces.naval"
    assert p.message == "missing required field 'naval'"
    assert (p.line, p.column) == (7, 5)  # the 'forces:' key of the mapping lacking naval


def test_missing_field_in_list_element_points_at_element() -> None:
    p = one(GOOD.replace("    resolve: 0.6\n", ""))
    assert p.path == "actors[1].resolve"
    assert (p.line, p.column) == (9, 5)  # where the element mapping starts ('id')


def test_missing_top_level_field_points_at_document() -> None:
    p = one(GOOD.replace("name: Test\n", ""))
    assert (p.line, p.column, p.path) == (1, 1, "name")


def test_error_inside_list_element() -> None:
    p = one(GOOD.replace("resolve: 0.8", "resolve: high"))
    assert (p.line, p.column, p.path) == (6, 14, "actors[0].resolve")
    assert p.message.endswith("(got 'high')")


def test_many_errors_sorted_by_position_without_urls() -> None:
    text = GOOD.replace("turns: 4", "turns: 0").replace("naval: 5", "naval: -1") + "extra: 1\n"
    found = problems(text)
    assert [(p.line, p.path) for p in found] == [
        (2, "turns"),
        (11, "actors[1].forces.naval"),
        (12, "extra"),
    ]
    assert all("errors.pydantic.dev" not in str(p) for p in found)


def test_model_validator_on_an_element_points_at_the_element() -> None:
    p = one(GOOD.replace("naval: 5", "naval: 0"))
    assert (p.line, p.column, p.path) == (9, 5, "actors[1]")
    assert p.message == "CHN must have a navy"


def test_top_level_model_validator_has_empty_loc() -> None:
    p = one(GOOD.replace("id: CHN", "id: USA"))
    assert (p.line, p.column, p.path) == (1, 1, "")
    assert str(p) == "g.yaml:1:1: (root): actor ids must be unique"


def test_discriminated_union_tag_is_skipped_in_path() -> None:
    text = GOOD + "moves:\n  - kind: talk\n    rounds: 0\n  - kind: strike\n"
    found = problems(text)
    assert [(p.line, p.column, p.path) for p in found] == [
        (14, 13, "moves[0].rounds"),
        (15, 5, "moves[1].target"),
    ]
    assert found[1].message == "missing required field 'target'"


def test_bad_union_tag() -> None:
    p = one(GOOD + "moves:\n  - kind: nuke\n")
    assert (p.line, p.column, p.path) == (13, 5, "moves[0]")
    assert "'nuke'" in p.message


def test_plain_union_alternatives_are_merged() -> None:
    p = one(GOOD + "weight: heavy\n")
    assert (p.line, p.column, p.path) == (12, 9, "weight")
    assert "valid integer" in p.message and "; or " in p.message and "valid list" in p.message
    assert p.message.count("(got 'heavy')") == 1 and p.message.endswith("(got 'heavy')")


def test_bad_mapping_key_points_at_key() -> None:
    p = one(GOOD + "rungs:\n  1: demand\n  two: threat\n")
    assert (p.line, p.column, p.path) == (14, 3, "rungs.two")
    assert p.message.startswith("invalid key: ")


def test_none_and_bool_shown_in_yaml_spelling() -> None:
    p = one(GOOD.replace("name: Test", "name: null"))
    assert p.message.endswith("(got null)")
    p = one(GOOD.replace("turns: 4", "turns: [1]"))
    assert "(got" not in p.message  # containers are not echoed


def test_validate_loaded_raises_scenario_error() -> None:
    with pytest.raises(ScenarioError) as exc:
        validate_loaded(Game, load_yaml_text(GOOD.replace("turns: 4", "turns: -1"), "g.yaml"))
    assert str(exc.value).startswith("g.yaml:2:8: turns: Input should be greater than or equal")


def test_paths_not_in_data_fall_back_to_nearest_ancestor() -> None:
    # A model whose before-validator reshapes data: loc no longer matches the file.
    class Reshaped(Strict):
        inner: Forces

        @model_validator(mode="before")
        @classmethod
        def _wrap(cls, data: object) -> object:
            return {"inner": data}

    loaded = load_yaml_text("naval: -1\n")
    with pytest.raises(ValidationError) as exc:
        Reshaped.model_validate(loaded.data)
    (p,) = problems_from_pydantic(exc.value, loaded)
    assert (p.line, p.column) == (1, 8)
    assert p.path == "naval"


def test_works_without_marks() -> None:
    loaded = LoadedYaml(data={"turns": "x"}, file="mem")
    with pytest.raises(ValidationError) as exc:
        Game.model_validate(loaded.data)
    found = problems_from_pydantic(exc.value, loaded)
    assert all(p.line is None for p in found)
    assert all(str(p).startswith("mem:1:1: ") for p in found)
