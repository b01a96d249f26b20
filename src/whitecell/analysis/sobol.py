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
from pathlib import Path
from typing import Any

import numpy as np

from whitecell.analysis.errors import SweepError
from whitecell.analysis.grid import GridPoint
from whitecell.analysis.sensitivity import OUTCOMES, Param, declared_params, parse_param
from whitecell.analysis.shards import read_json, write_json_atomic
from whitecell.analysis.summary import BINARY
from whitecell.analysis.summary import _f as rounded
from whitecell.analysis.sweep import DEFAULT_CHUNK, MAX_SHARDS, run_grid
from whitecell.scenario.load import did_you_mean

__all__ = ["SOBOL", "read_sobol", "sobol", "sobol_indices"]

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


def bootstrap_seed(seed: int) -> int:
    """The seed of SALib's bootstrap of the intervals for root seed ``seed``.

    SALib takes a seed of 0 as no seed at all and then bootstraps from numpy's
    global generator, so the intervals of a seed-0 design (the default) came
    out different on every call. Seed 0 therefore bootstraps with 2**63, which
    no root seed (0 <= seed < 2**63) uses; every other seed is used as is.
    """
    return seed if seed else 2**63


def _outputs(summary: Mapping[str, Any], outcome: str, npoints: int) -> np.ndarray:
    """The model output Y of each design point, in design order (SweepError if one is missing)."""
    by_id = {int(p["grid_point"]): p for p in summary["points"]}
    missing = [i for i in range(npoints) if i not in by_id]
    if missing:
        raise SweepError(f"the Sobol design is not finished: {len(missing):,} of {npoints:,} "
                         "parameter points have no runs yet; run the same command again")
    if outcome in BINARY:
        return np.array([float(by_id[i]["proportions"][outcome]["p"]) for i in range(npoints)])
    return np.array([float(by_id[i]["means"][outcome]["mean"]) for i in range(npoints)])


def sobol_indices(summary: Mapping[str, Any], manifest: Mapping[str, Any], *,
                  basis: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Sobol indices of a finished Sobol design, from its summary and manifest.

    This is what :func:`sobol` writes to ``sobol.json``; it can be recomputed
    from a sweep folder of ``kind: sobol`` alone (its ``manifest.json`` names
    the outcome, the base samples and the parameters with their ranges).
    ``basis`` adds the scenario's reason for each declared assumption.

    Raises:
        SweepError: not a Sobol design, or some points have no runs yet.
    """
    from SALib.analyze import sobol as sobol_analyze

    design = manifest.get("sobol")
    if manifest.get("kind") != "sobol" or not isinstance(design, Mapping):
        raise SweepError("not a Sobol design (its manifest has no sobol entry)")
    outcome = str(design["outcome"])
    prms = [Param(str(p["path"]), str(p["low"]), str(p["high"])) for p in design["params"]]
    bounds = [_bounds(p) for p in prms]
    problem = {"num_vars": len(prms), "names": [p.path for p in prms],
               "bounds": [[lo, hi] for lo, hi, _ in bounds]}
    seed = int(manifest["seed"])
    Y = _outputs(summary, outcome, len(manifest["grid"]))
    if float(Y.var()) == 0.0:
        indices = {k: np.zeros(len(prms)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        indices = sobol_analyze.analyze(problem, Y, calc_second_order=False,
                                        print_to_console=False, seed=bootstrap_seed(seed))
    basis = basis or {}
    rows = [{"path": p.path, "low_value": p.low, "high_value": p.high,
             "S1": rounded(float(indices["S1"][k])),
             "S1_conf": rounded(float(indices["S1_conf"][k])),
             "ST": rounded(float(indices["ST"][k])),
             "ST_conf": rounded(float(indices["ST_conf"][k])),
             **({"basis": basis[p.path]} if p.path in basis else {})}
            for k, p in enumerate(prms)]
    rows.sort(key=lambda r: (-float(r["ST"] or 0.0), str(r["path"])))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    excursions = manifest.get("excursions") or [None]
    return {"method": "sobol (Saltelli 2010 via SALib)", "outcome": outcome,
            "samples": int(design["samples"]), "points": len(Y), "runs": int(manifest["runs"]),
            "seed": seed, "scenario": summary["scenario"], "excursion": excursions[0],
            "output_mean": rounded(float(Y.mean())), "output_variance": rounded(float(Y.var())),
            "parameters": rows}


def read_sobol(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The Sobol indices stored in a sweep folder (``sobol.json``), or None."""
    f = Path(path) / SOBOL
    if not f.is_file():
        return None
    data = read_json(f)
    return data if isinstance(data, dict) else None


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
    from SALib.sample import sobol as sobol_sample

    if outcome not in OUTCOMES:
        raise SweepError(f"unknown outcome {outcome!r}{did_you_mean(outcome, OUTCOMES)} "
                         f"(expected one of {', '.join(OUTCOMES)})")
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
    data = sobol_indices(res.summary, res.manifest,
                         basis={p.path: p.basis for p in prms if p.basis is not None})
    assert res.out is not None
    write_json_atomic(res.out / SOBOL, data)
    return data


#: Outcomes whose spread over a Sobol design is shown: the probabilities, then the means.
DESIGN_OUTCOMES: tuple[str, ...] = BINARY + ("peak_rung", "turns")


def _value_of(point: Mapping[str, Any], outcome: str) -> float:
    if outcome in BINARY:
        return float(point["proportions"][outcome]["p"])
    return float(point["means"][outcome]["mean"])


def _noise_variance(point: Mapping[str, Any], outcome: str) -> float:
    """Monte Carlo variance of one point's estimate of ``outcome`` (p(1-p)/n or sd^2/n)."""
    n = int(point["n"])
    if outcome in BINARY:
        p = _value_of(point, outcome)
        return p * (1.0 - p) / n
    return float(point["means"][outcome]["sd"] or 0.0) ** 2 / n


def design_spread(summary: Mapping[str, Any],
                  outcomes: Sequence[str] = DESIGN_OUTCOMES) -> list[dict[str, Any]]:
    """How each outcome varies over the points of a design, one entry per outcome.

    Each entry: ``outcome``, ``mean`` (over points), ``median``, ``low`` and
    ``high`` (the smallest and largest value, each with its ``grid_point`` and
    ``vary`` values) and ``noise_share``: the mean Monte Carlo variance of a
    point's estimate as a share of the variance across points. Sobol indices
    split the variance across points; when the noise share is large, much of
    that variance is the dice, not the parameters, and the indices are unsure.
    """
    pts = list(summary["points"])
    out: list[dict[str, Any]] = []
    if not pts:
        return out
    for outcome in outcomes:
        vals = np.array([_value_of(p, outcome) for p in pts])
        order = np.argsort(vals, kind="stable")
        lo, hi = pts[int(order[0])], pts[int(order[-1])]
        var = float(vals.var())
        noise = float(np.mean([_noise_variance(p, outcome) for p in pts]))
        out.append({
            "outcome": outcome, "mean": rounded(float(vals.mean())),
            "median": rounded(float(np.median(vals))),
            "low": {"value": rounded(float(vals[order[0]])), "grid_point": lo["grid_point"],
                    "vary": dict(lo["vary"])},
            "high": {"value": rounded(float(vals[order[-1]])), "grid_point": hi["grid_point"],
                     "vary": dict(hi["vary"])},
            "variance": rounded(var),
            "noise_share": rounded(noise / var) if var > 0 else None,
        })
    return out
