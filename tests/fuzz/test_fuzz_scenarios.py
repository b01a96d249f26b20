"""Mutated scenario files through ``validate``, and through ``run`` and ``sweep`` when valid.

CI plays a fixed list of seeds (derandomised): the bulk in process (the CLI
app under Typer's runner: the same loader, validator and printing), a sample
as real subprocesses with a timeout. ``WHITECELL_FUZZ_CASES=N`` plays N seeds
in process instead (thousands, locally), ``WHITECELL_FUZZ_OFFSET`` shifts
them. A failing case is reproduced from its seed alone::

    PYTHONPATH=src python tests/fuzz/mutate.py SEED > case.yaml
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from mutate import case
from oracle import TIMEOUT, invoke, problems, spawn

CI_CASES = 160
CI_SUBPROCESS = 30
_N = int(os.environ.get("WHITECELL_FUZZ_CASES", CI_CASES))
_OFFSET = int(os.environ.get("WHITECELL_FUZZ_OFFSET", 0))
IN_PROCESS_SEEDS = list(range(_OFFSET, _OFFSET + _N))
SUBPROCESS_SEEDS = list(range(100_000, 100_000 + CI_SUBPROCESS))
# of the subprocess cases that validate, at most this many are also run and swept
MAX_SUBPROCESS_PLAYS = 3


def _write(tmp_path: Path, seed: int) -> tuple[Path, str]:
    c = case(seed)
    p = tmp_path / f"case-{seed}.yaml"
    p.write_bytes(c.data)
    return p, f"seed {seed}: {c.name[:300]}"


def _check(r, what: str, **kw) -> None:  # type: ignore[no-untyped-def]
    bad = problems(r, **kw)
    assert not bad, f"{what}\n{'; '.join(bad)}\n{r.describe()}"


@pytest.mark.parametrize("seed", IN_PROCESS_SEEDS)
def test_mutated_scenario_in_process(seed: int, tmp_path: Path) -> None:
    path, what = _write(tmp_path, seed)
    t = time.monotonic()
    r = invoke(["validate", str(path)])
    _check(r, what)
    assert time.monotonic() - t < TIMEOUT, f"{what}: validate took too long"
    if r.code != 0:
        return
    r = invoke(["run", str(path), "--json", "--seed", "1", "--out", str(tmp_path / "runs")])
    _check(r, what, json_out=True, outcome=True)
    r = invoke(["sweep", str(path), "-n", "50", "--workers", "1", "--json",
                "--out", str(tmp_path / "sweep")])
    _check(r, what, json_out=True)
    assert time.monotonic() - t < 3 * TIMEOUT, f"{what}: too slow"


def test_mutated_scenarios_real_cli(tmp_path: Path) -> None:
    """A sample through the real command, with a timeout; the valid ones played too."""
    plays = 0
    failures: list[str] = []
    for seed in SUBPROCESS_SEEDS:
        path, what = _write(tmp_path, seed)
        r = spawn(["validate", str(path)], cwd=tmp_path)
        failures += [f"{what}: {b}\n{r.describe()}" for b in problems(r)]
        if r.code != 0 or plays >= MAX_SUBPROCESS_PLAYS:
            continue
        plays += 1
        r = spawn(["run", str(path), "--json", "--seed", "1", "--out", str(tmp_path / "r")],
                  cwd=tmp_path)
        failures += [f"{what}: {b}\n{r.describe()}"
                     for b in problems(r, json_out=True, outcome=True)]
        r = spawn(["sweep", str(path), "-n", "50", "--workers", "1", "--json",
                   "--out", str(tmp_path / f"s{seed}")], cwd=tmp_path)
        failures += [f"{what}: {b}\n{r.describe()}" for b in problems(r, json_out=True)]
    assert not failures, "\n\n".join(failures)
    assert plays >= 1, "no subprocess case validated: the sample no longer plays a game"


def test_generator_is_deterministic() -> None:
    assert [case(s).data for s in (0, 1, 7, 100_003)] == [case(s).data
                                                          for s in (0, 1, 7, 100_003)]
    assert len({case(s).data for s in range(40)}) > 30
