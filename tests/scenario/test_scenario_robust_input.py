"""Hostile and surprising scenario input: every case is a located problem, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from whitecell.scenario import load as load_mod
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import bundled_dir, load_scenario, load_variants
from whitecell.scenario.yamlio import MAX_DEPTH, MAX_FILE_BYTES, load_yaml, load_yaml_text

GOOD = (bundled_dir() / "taiwan-strait-crisis.yaml").read_text()


def _problems(exc: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 999, 5000])
def test_deeply_nested_flow_sequences_are_a_located_problem(depth: int) -> None:
    text = "id: x\nreferences: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(text, "deep.yaml")
    msgs = _problems(exc)
    assert len(msgs) == 1 and msgs[0].startswith("deep.yaml:2:")
    assert "nest" in msgs[0]


def test_nesting_within_the_limit_loads() -> None:
    depth = MAX_DEPTH - 2
    data = load_yaml_text("a: " + "[" * depth + "]" * depth + "\n").data
    for _ in range(depth - 1):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data is not None


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(fifo)  # would block forever if it were opened
    assert _problems(exc) == [f"{fifo}:1:1: (root): not a regular file (a named pipe); "
                              "expected a YAML file"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused(device: str) -> None:
    if not Path(device).exists():  # pragma: no cover - non-POSIX
        pytest.skip(device)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(device)
    assert "not a regular file (a character device)" in _problems(exc)[0]


def test_absurdly_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # sparse: no disk space used
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(big)
    assert "file too large" in _problems(exc)[0] and "20 MiB" in _problems(exc)[0]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "-.Inf"])
def test_non_finite_numbers_are_refused_where_written(tmp_path: Path, value: str) -> None:
    text = GOOD.replace("naval: {value: 26,", f"naval: {{value: {value},", 1)
    assert text != GOOD
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if f"value: {value}," in ln)
    p = tmp_path / "s.yaml"
    p.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(p))
    msgs = _problems(exc)
    assert len(msgs) == 1 and msgs[0].startswith(f"{p}:{line}:")
    assert "naval.value" in msgs[0] and "finite" in msgs[0]


def test_non_finite_numbers_inside_an_excursion_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace("excursions:\n", "excursions:\n  - id: broken\n    title: Broken\n"
                        "    description: inf inside\n    set: {max_turns: .inf}\n", 1)
    p = tmp_path / "s.yaml"
    p.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        load_variants(str(p))
    assert "finite" in _problems(exc)[0]


@pytest.mark.parametrize("value", ["1e308", "1.0e+300", "99999999999"])
def test_force_values_that_overflow_the_engine_are_refused(tmp_path: Path, value: str) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("naval: {value: 26,", f"naval: {{value: {value},", 1))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(p))
    assert "less than or equal to 10000000" in _problems(exc)[0]


def test_set_infinity_is_refused() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario("taiwan-strait-crisis", sets=("actors.CHN.stakes=.inf",))
    assert _problems(exc)[0].startswith("--set actors.CHN.stakes=.inf: ")
    assert "finite" in _problems(exc)[0]


@pytest.mark.parametrize("word", ["yes", "on", "true", "no"])
def test_yaml_booleans_are_not_integers(tmp_path: Path, word: str) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("max_turns: 30", f"max_turns: {word}"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(p))
    msgs = _problems(exc)
    assert len(msgs) == 1 and "max_turns: Input should be a valid integer" in msgs[0]


def test_binary_tag_for_text_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    text = GOOD.replace("title: ", "title: !!binary aGVsbG8gd29ybGQ= #", 1)
    p.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "!!binary" in ln)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(p))
    msgs = _problems(exc)
    assert len(msgs) == 1 and msgs[0].startswith(f"{p}:{line}:")
    assert "unsupported YAML tag '!!binary'" in msgs[0]


@pytest.mark.parametrize("tag", ["!custom", "!!python/bytes", "!!set"])
def test_other_scalar_tags_are_refused(tag: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml_text(f"a: {tag} x\n")
    assert "unsupported YAML tag" in _problems(exc)[0]


def test_big_file_is_parsed_once_for_all_excursions(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = load_mod.load_yaml_text

    def counting(text: str, file: str = "<string>") -> object:
        calls.append(file)
        return real(text, file)

    monkeypatch.setattr(load_mod, "load_yaml_text", counting)
    p = tmp_path / "s.yaml"
    p.write_text(GOOD)
    base, variants = load_variants(str(p))
    assert len(variants) == len(base.scenario.excursions) >= 4
    assert [v.excursion for v in variants] == [e.id for e in base.scenario.excursions]
    assert len(calls) == 1
    load_scenario(str(p), excursion="pessimistic")  # unchanged file: cached parse
    assert len(calls) == 1
    p.write_text(GOOD.replace("max_turns: 30", "max_turns: 29"))
    assert load_scenario(str(p)).scenario.max_turns == 29  # changed file: parsed again
    assert len(calls) == 2


def test_loader_uses_libyaml() -> None:
    import yaml

    from whitecell.scenario import yamlio

    if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover
        pytest.skip("PyYAML built without libyaml")
    assert yamlio._Loader is yaml.CSafeLoader


def test_set_problems_point_at_the_command_line() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario("taiwan-strait-crisis", sets=("max_turns=12",
                                                    "actors.USA.forces.air.value=abc"))
    msgs = _problems(exc)
    assert len(msgs) == 1
    assert msgs[0].startswith("--set actors.USA.forces.air.value=abc: Input should be a "
                              "valid number")


def test_set_unknown_field_points_at_the_command_line() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario("taiwan-strait-crisis", sets=("actors.CHN.stakess=1",))
    assert _problems(exc)[0].startswith("--set actors.CHN.stakess=1: unknown field 'stakess'")


def test_did_you_mean_for_scenario_and_excursion() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario("taiwan-strait-crisiss")
    assert "did you mean 'taiwan-strait-crisis'?" in _problems(exc)[0]
    with pytest.raises(ScenarioError) as exc:
        load_scenario("taiwan-strait-crisis", excursion="pesimistic")
    assert "did you mean 'pessimistic'?" in _problems(exc)[0]


def test_generated_large_scenario_resolves_every_excursion(tmp_path: Path) -> None:
    """A big generated file (thousands of injects) loads with all its excursions.

    Speed is measured by hand (see the branch report), not asserted here.
    """
    lines = [f"  - id: gen-{i}\n    turn: {1 + i % 25}\n    title: Generated {i}\n"
             f"    text: Generated inject {i} for size.\n" for i in range(1500)]
    p = tmp_path / "big.yaml"
    p.write_text(GOOD.replace("\ninjects:\n", "\ninjects:\n" + "".join(lines), 1))
    base, variants = load_variants(str(p))
    assert len(base.scenario.injects) > 1500
    assert [v.excursion for v in variants] == [e.id for e in base.scenario.excursions]


def test_checking_assumptions_copies_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each declared assumption's path is checked without a copy of the whole scenario.

    A copy per assumption (dozens in a bundled scenario) was half the time
    ``validate`` took on a 1.6 MB file.
    """
    from whitecell.scenario import check, overrides

    sc = load_scenario("taiwan-strait-crisis").scenario
    assert len(sc.assumptions) > 5
    copies = []
    real = overrides._copy
    monkeypatch.setattr(overrides, "_copy", lambda v: copies.append(1) or real(v))
    assert check.assumption_problems(sc) == []
    assert copies == []


def test_unsettable_assumption_path_is_still_a_problem(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    text = GOOD.replace("\nassumptions:\n", "\nassumptions:\n  - {path: actors.CHN.nosuch, "
                        "range: [0, 1], basis: test}\n", 1)
    assert text != GOOD
    p.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(p))
    assert "path 'actors.CHN.nosuch' cannot be set: unknown field 'nosuch'" in _problems(exc)[0]
