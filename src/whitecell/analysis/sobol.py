"""Variance-based sensitivity: Sobol indices over the scenario's assumptions.

One-at-a-time tornados (:mod:`whitecell.analysis.sensitivity`) miss
interactions: an ally's base access may matter only when the patron's strike
magazine is small. Sobol indices split the variance of an outcome over
parameters drawn jointly from their ranges:

* first-order index S1: the share of the variance a parameter explains alone;
* total index ST: its share including every interaction it takes part in.

Sampling and estimators are SALib's (Herman & Usher 2017, "SALib: An
open-source Python library for Sensitivity Analysis", JOSS 2(9)): Saltelli's
scheme on a Sobol' sequence (Saltelli et al. 2010, "Variance based sensitivity
analysis of model output", Computer Physics Communications 181) with
``calc_second_order=False``, i.e. ``N x (D + 2)`` parameter points for ``D``
parameters and ``N`` base samples. Each point is a grid point of a sweep played
``runs`` times; its outcome (a probability or a mean) is the model output. All
points share the seed and run indices (common random numbers), which keeps the
Monte Carlo noise between points small; what noise remains shows in the
confidence intervals SALib bootstraps.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from whitecell.analysis.errors import SweepError
from whitecell.analysis.grid import GridPoint
from whitecell.analysis.sensitivity import OUTCOMES, Param, declared_params, parse_param
from whitecell.analysis.shards import write_json_atomic
from whitecell.analysis.summary import BINARY
from whitecell.analysis.summary import _f as rounded
from whitecell.analysis.sweep import DEFAULT_CHUNK, MAX_SHARDS, run_grid

__all__ = ["SOBOL", "sobol"]

#: File a Sobol analysis leaves in its sweep folder.
SOBOL = "sobol.json"
#: Most grid points (samples x (params + 2)) a Sobol analysis may ask for: each is a sweep
#: grid point with its own compiled world and manifest entry.
MAX_SOBOL_POINTS = 100_000


def _bounds(p: Param) -> tuple[float, float, bool]:
    """Numeric (low, high) of a parameter and whether it takes whole numbers."""
    try:
        lo, hi = float(p.low), float(p.high)
    except ValueError:
        raise SweepError(f"--param {p.path}: Sobol indices need numeric bounds "
                         f"(got {p.low!r}:{p.high!r})") from None
    if not lo < hi:
        raise SweepError(f"--param {p.path}: low must be below high (got {p.low}:{p.high})")
    whole = p.low.lstrip("-").isdigit() and p.high.lstrip("-").isdigit()
    return lo, hi, whole


def _check_points(samples: int, nparams: int, runs: int, chunk: int) -> None:
    """Refuse, before sampling, a design too large to sample or play (SweepError)."""
    points = samples * (nparams + 2)
    if points > MAX_SOBOL_POINTS:
        most = MAX_SOBOL_POINTS // (nparams + 2)
        raise SweepError(f"--samples {samples:,} with {nparams} --param make {points:,} grid "
                         f"points, over the limit of {MAX_SOBOL_POINTS:,}: use --samples "
                         f"{1 << (most.bit_length() - 1):,} or fewer")
    if isinstance(runs, int) and isinstance(chunk, int) and runs > 0 and chunk > 0:
        shards = points * -(-runs // chunk)
        if shards > MAX_SHARDS:
            raise SweepError(f"{points:,} grid points x {runs:,} runs in chunks of "
                             f"{min(chunk, runs):,} make {shards:,} shards, over the limit of "
                             f"{MAX_SHARDS:,}: lower --samples or -n, or raise --chunk")


def _value(x: float, whole: bool) -> str:
    return str(int(round(x))) if whole else f"{x:.6g}"


def sobol(scenario: str, params: Sequence[Param | str], runs: int, *, samples: int = 64,
          outcome: str = "war", excursion: str | None = None, sets: Sequence[str] = (),
          seed: int = 0, workers: int | None = None, backend: str = "local",
          address: str | None = None, out: str | os.PathLike[str],
          chunk: int = DEFAULT_CHUNK, policy: Mapping[str, str] | None = None,
          progress: bool | None = None, assumptions: bool = False) -> dict[str, Any]:
    """First-order and total Sobol indices of ``outcome`` for each parameter.

    ``assumptions=True`` takes every assumption the scenario declares, over
    its range, as in :func:`whitecell.analysis.sensitivity.sensitivity`.

    Plays ``samples x (len(params) + 2)`` grid points of ``runs`` runs each into
    the sweep folder ``out`` (resumable like any sweep), writes ``sobol.json``
    there and returns the same data, parameters ranked by total index.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if outcome not in OUTCOMES:
        raise SweepError(f"unknown outcome {outcome!r} (expected one of {', '.join(OUTCOMES)})")
    prms = [p if isinstance(p, Param) else parse_param(p) for p in params]
    if assumptions:
        prms = declared_params(scenario, excursion, sets, prms)
    if len(prms) < 2:
        raise SweepError("Sobol indices need at least two --param")
    if samples < 2 or samples & (samples - 1):
        raise SweepError(f"--samples must be a power of two, at least 2 (got {samples})")
    _check_points(samples, len(prms), runs, chunk)
    paths = [p.path for p in prms]
    if len(set(paths)) != len(paths):
        raise SweepError("a --param is given twice")
    bounds = [_bounds(p) for p in prms]
    problem = {"num_vars": len(prms), "names": paths,
               "bounds": [[lo, hi] for lo, hi, _ in bounds]}
    X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    points = [GridPoint(i, excursion, tuple(sets),
                        tuple((p.path, _value(float(x), b[2]))
                              for p, x, b in zip(prms, row, bounds, strict=True)))
              for i, row in enumerate(X)]
    res = run_grid(scenario, points, runs, seed=seed, workers=workers, backend=backend,
                   address=address, out=out, chunk=chunk, policy=policy, progress=progress,
                   kind="sobol", sets=tuple(sets),
                   extra={"excursions": [excursion],
                          "sobol": {"outcome": outcome, "samples": samples,
                                    "params": [{"path": p.path, "low": p.low, "high": p.high}
                                               for p in prms]}})
    by_id = {int(p["grid_point"]): p for p in res.summary["points"]}
    if outcome in BINARY:
        Y = np.array([float(by_id[i]["proportions"][outcome]["p"]) for i in range(len(X))])
    else:
        Y = np.array([float(by_id[i]["means"][outcome]["mean"]) for i in range(len(X))])
    if float(Y.var()) == 0.0:
        indices = {k: np.zeros(len(prms)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        indices = sobol_analyze.analyze(problem, Y, calc_second_order=False,
                                        print_to_console=False, seed=seed)
    rows = [{"path": p.path, "low_value": p.low, "high_value": p.high,
             "S1": rounded(float(indices["S1"][k])),
             "S1_conf": rounded(float(indices["S1_conf"][k])),
             "ST": rounded(float(indices["ST"][k])),
             "ST_conf": rounded(float(indices["ST_conf"][k])),
             **({"basis": p.basis} if p.basis is not None else {})}
            for k, p in enumerate(prms)]
    rows.sort(key=lambda r: (-float(r["ST"] or 0.0), str(r["path"])))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    data = {"method": "sobol (Saltelli 2010 via SALib)", "outcome": outcome,
            "samples": samples, "points": len(X), "runs": runs, "seed": seed,
            "scenario": res.summary["scenario"], "excursion": excursion,
            "output_mean": rounded(float(Y.mean())), "output_variance": rounded(float(Y.var())),
            "parameters": rows}
    assert res.out is not None
    write_json_atomic(res.out / SOBOL, data)
    return data
