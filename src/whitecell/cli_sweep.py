"""The analysis commands of ``whitecell``: ``sweep``, ``summarize`` and ``sensitivity``.

They live apart from :mod:`whitecell.cli` and join its Typer app through
:func:`register` (called at the bottom of ``cli.py``). Like every command,
they turn user mistakes into one line on stderr and exit status 2, and they
validate every grid point before any run is played or any file written.

The helpers of ``cli.py`` (``friendly``, ``UserError``, consoles, JSON output)
are imported inside the command bodies: ``python -m whitecell.cli`` runs
``cli.py`` as ``__main__``, and a module-level import back into
``whitecell.cli`` from here would be circular.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

__all__ = ["register", "summarize_cmd", "sensitivity_cmd", "sweep_cmd"]

RunsOpt = Annotated[int, typer.Option("--runs", "-n", help="Runs per grid point.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Root seed, shared by every grid point "
                                      "(common random numbers).")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help="Worker processes (default: every core).")]
BackendOpt = Annotated[str, typer.Option("--backend", help="local or dask.")]
AddressOpt = Annotated[str | None, typer.Option(
    "--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (--backend dask).")]
SweepOutOpt = Annotated[str | None, typer.Option(
    "--out", help="Folder for shards, manifest and summary (default: ./sweeps/<id>-<hash>); "
                  "the same command again resumes there.")]
ChunkOpt = Annotated[int, typer.Option("--chunk", help="Runs per chunk (work unit and shard).")]
PolicyOpt = Annotated[list[str] | None, typer.Option(
    "--policy", help="ACTOR=doctrine|strategic|mixed (repeatable), or a kind for all; "
                     "pins that actor under every --players model.")]
PlayersOpt = Annotated[str | None, typer.Option(
    "--players", help="Player models as a grid axis: doctrine,strategic,mixed (any of them); "
                      "reports the spread across them beside the Monte Carlo intervals.")]
SetsOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Fixed override at every grid point: dotted.path=value (repeatable).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


# --------------------------------------------------------------------------- formatting


def _pct(p: dict[str, Any]) -> str:
    return f"{100 * p['p']:.1f}% [{100 * p['low']:.1f}, {100 * p['high']:.1f}]"


def _mean(m: dict[str, Any]) -> str:
    return f"{m['mean']:.2f} ± {(m['high'] - m['low']) / 2:.2f}"


def _share(m: dict[str, Any] | None) -> str:
    """The challenger's mean share of the stakes at the end, over the runs whose
    ending defines one (deals, ceasefires, stalemates, capitulations, objectives)."""
    if not m or m.get("mean") is None:
        return "-"
    half = (m["high"] - m["low"]) / 2 if m.get("high") is not None else 0.0
    return f"{m['mean']:.2f} ± {half:.2f}"


def _diff(d: dict[str, Any]) -> str:
    scale, unit = (100.0, " pp") if d["kind"] == "proportion" else (1.0, "")
    s = f"{scale * d['difference']:+.1f}{unit}"
    if "paired_low" in d:
        s += f" [{scale * d['paired_low']:+.1f}, {scale * d['paired_high']:+.1f}]"
    return s


def _wrap_path(path: str, width: int = 18) -> str:
    """A dotted path broken into lines at its dots, for a narrow column header."""
    lines: list[str] = []
    for seg in path.split("."):
        if lines and len(lines[-1]) + 1 + len(seg) <= width:
            lines[-1] += "." + seg
        else:
            lines.append(seg if not lines else "." + seg)
    return "\n".join(lines)


def print_summary(summary: dict[str, Any], sobol: dict[str, Any] | None = None) -> None:
    """The summary of a sweep as two tables: grid points, then differences.

    A Sobol design (``kind: sobol``) has its own layout instead: the indices
    with their intervals (``sobol``, when the design is finished), then how
    each outcome spreads over the parameter points, never one row per point.
    """
    from whitecell.cli import out

    if summary.get("kind") == "sobol":
        print_sobol_summary(summary, sobol)
        return
    pts = summary["points"]
    paths = sorted({p for pt in pts for p in pt["vary"]})
    sc = summary["scenario"]
    models = ["players"] if summary.get("players") else []
    t = Table(title=f"{sc['id']} v{sc['version']}: {summary['runs']:,} runs per grid point, "
                    f"seed {summary['seed']} (95% intervals)")
    coerced = sc.get("coerced")
    dmg = [f"damage to {coerced} (share of stakes)"] if coerced else []
    for c in ["#", "excursion", *models, *[_wrap_path(p) for p in paths], "P(war)",
              "P(nuclear use)", "P(challenger success)", "P(deterrence held)", "peak rung",
              "turns", "challenger's share", *dmg]:
        t.add_column(c, overflow="fold")
    for pt in pts:
        pr, me = pt["proportions"], pt["means"]
        d = (pt.get("actors", {}).get(coerced) or {}).get("damage") if coerced else None
        t.add_row(str(pt["grid_point"]), pt["excursion"] or "-",
                  *[str(pt.get("players", "-")) for _ in models],
                  *[str(pt["vary"].get(p, "-")) for p in paths],
                  _pct(pr["war"]), _pct(pr["nuclear_use"]), _pct(pr["challenger_success"]),
                  _pct(pr["deterrence_held"]), _mean(me["peak_rung"]), _mean(me["turns"]),
                  _share(me.get("challenger_share")),
                  *([f"{d:.3f}" if d is not None else "-"] if coerced else []))
    out.print(t)
    out.print("challenger's share: its mean share of the stakes at the end, over the runs whose "
              "ending defines one (deals, ceasefires, stalemates, capitulations, an objective "
              "held; n per point in summary.json)")
    if summary.get("llm"):
        ll = summary["llm"]
        tot = ll["total"]
        out.print(f"language-model cells ({ll.get('model')}, prompt {ll.get('prompt')}): "
                  f"{tot['decisions']} decisions, {tot['calls']} calls, {tot['invalid']} invalid "
                  f"replies, {tot['fallbacks']} doctrine stand-ins, {tot['prompt_tokens']} + "
                  f"{tot['completion_tokens']} tokens, {tot['wall_ms'] / 1000:.1f} s of model "
                  "time")
    if summary.get("model_spread"):
        print_model_spread(summary)
    diffs = summary["differences"]
    if not diffs:
        return
    d = Table(title="Differences vs reference (paired 95% interval, common random numbers)")
    for c in ["#", "vs", "war", "nuclear use", "challenger success", "deterrence held",
              "peak rung"]:
        d.add_column(c)
    by: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for e in diffs:
        by.setdefault((e["grid_point"], e["reference"]), {})[e["metric"]] = e
    for (gp, ref), m in by.items():
        d.add_row(str(gp), str(ref), *[_diff(m[k]) for k in (
            "war", "nuclear_use", "challenger_success", "deterrence_held", "peak_rung")])
    out.print(d)


def print_model_spread(summary: dict[str, Any]) -> None:
    """Per excursion: each outcome under each player model, the spread, paired differences."""
    from whitecell.cli import out

    models = list(summary["players"])
    for entry in summary["model_spread"]:
        where = entry["label"] if entry["label"] != "-" else "scenario as written"
        t = Table(title=f"Across player models: {where} (95% Wilson; spread = max - "
                        "min; paired differences with common random numbers)")
        pairs = [(p["a"], p["b"]) for p in next(iter(entry["metrics"].values()))["paired"]]
        for c in ["outcome", *models, "model spread", "MC ±",
                  *[f"{a} - {b}" for a, b in pairs]]:
            t.add_column(c, overflow="fold")
        for metric, m in entry["metrics"].items():
            by = {(p["a"], p["b"]): p for p in m["paired"]}
            t.add_row(metric.replace("end_reason:", "end: ").replace("_", " "),
                      *[_pct(m["by_players"][k]) if k in m["by_players"] else "-"
                        for k in models],
                      f"{100 * m['spread']:.1f} pp", f"{100 * m['mc_halfwidth']:.1f} pp",
                      *[_diff({"kind": "proportion", **by[k], "paired_low": by[k]["low"],
                               "paired_high": by[k]["high"]}) if k in by else "-"
                        for k in pairs])
        out.print(t)
    if summary.get("model_spread_headline"):
        out.print(summary["model_spread_headline"])


#: How an outcome of a design is named in a table.
_OUTCOME_NAMES = {"war": "P(war)", "nuclear_use": "P(nuclear use)",
                  "challenger_success": "P(challenger success)",
                  "deterrence_held": "P(deterrence held)", "peak_rung": "mean peak rung (rungs)",
                  "turns": "mean length (turns)"}


def _design_value(outcome: str, v: float) -> str:
    from whitecell.analysis.summary import BINARY

    return f"{100 * v:.1f}%" if outcome in BINARY else f"{v:.2f}"


def print_sobol_summary(summary: dict[str, Any], sobol: dict[str, Any] | None) -> None:
    """A Sobol design: indices with intervals first, then the outcomes over its points."""
    from whitecell.analysis.sobol import design_spread
    from whitecell.cli import out

    if sobol is not None:
        _print_sobol(sobol)
    else:
        out.print("Sobol indices: not available until every parameter point has its runs "
                  "(run the same sensitivity command again to finish the design).")
    pts = summary["points"]
    t = Table(title=f"Outcomes over the {len(pts):,} parameter points of the Sobol design "
                    f"({summary['runs']:,} runs each, seed {summary['seed']})")
    for c in ("outcome", "mean over points", "lowest (point)", "median", "highest (point)",
              "Monte Carlo share of the variance"):
        t.add_column(c, overflow="fold")
    for e in design_spread(summary):
        o = e["outcome"]
        share = e["noise_share"]
        t.add_row(_OUTCOME_NAMES.get(o, o), _design_value(o, e["mean"]),
                  f"{_design_value(o, e['low']['value'])} (#{e['low']['grid_point']})",
                  _design_value(o, e["median"]),
                  f"{_design_value(o, e['high']['value'])} (#{e['high']['grid_point']})",
                  "-" if share is None else f"{100 * share:.1f}%")
    out.print(t)
    out.print("Each point's own statistics are in summary.json; `whitecell summarize DIR --csv "
              "FILE` writes them as a table. Points of a Sobol design are samples, not "
              "variants: no point is compared with another.")


def _print_tornado(data: dict[str, Any]) -> None:
    from whitecell.cli import out

    b = data["base"]
    t = Table(title=f"Sensitivity of {data['outcome']} ({data['runs']:,} runs per point; "
                    f"base {b['value']:.4g} [{b['low']:.4g}, {b['high']:.4g}])")
    basis = ["basis"] if any("basis" in r for r in data["parameters"]) else []
    for c in ("rank", "parameter", "low", "high", "at low", "at high", "effect (high - low)",
              "paired 95% interval", *basis):
        t.add_column(c, overflow="fold")
    for r in data["parameters"]:
        t.add_row(str(r["rank"]), r["path"], r["low_value"], r["high_value"],
                  f"{r['at_low']['value']:.4g}", f"{r['at_high']['value']:.4g}",
                  f"{r['effect']:+.4g}", f"[{r['paired_low']:+.4g}, {r['paired_high']:+.4g}]",
                  *[r.get("basis", "-") for _ in basis])
    out.print(t)


def _print_sobol(data: dict[str, Any]) -> None:
    from whitecell.cli import out

    t = Table(title=f"Sobol indices of {data['outcome']} ({data['points']} points x "
                    f"{data['runs']:,} runs; output variance {data['output_variance']:.3g})")
    basis = ["basis"] if any("basis" in r for r in data["parameters"]) else []
    for c in ("rank", "parameter", "low", "high", "first order S1", "total ST", *basis):
        t.add_column(c, overflow="fold")
    for r in data["parameters"]:
        t.add_row(str(r["rank"]), r["path"], r["low_value"], r["high_value"],
                  f"{r['S1']:.3f} ± {r['S1_conf']:.3f}", f"{r['ST']:.3f} ± {r['ST_conf']:.3f}",
                  *[r.get("basis", "-") for _ in basis])
    out.print(t)


# --------------------------------------------------------------------------- helpers


def _default_out(kind: str, scenario: str, args: dict[str, Any]) -> Path:
    """``./sweeps/<id>-<hash of the arguments>``: the same command finds its folder again."""
    key = json.dumps({"kind": kind, "scenario": scenario, **args}, sort_keys=True)
    stem = Path(scenario).stem if scenario.endswith((".yaml", ".yml")) else scenario
    return Path("sweeps") / f"{kind}-{stem}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def _interrupted(outdir: Path | None) -> typer.Exit:
    from whitecell.cli import err

    where = f" under {outdir}" if outdir else ""
    err.print(f"interrupted: the shards written so far are kept{where}; run the same command "
              "again to resume", markup=False)
    return typer.Exit(130)


def _progress_wanted(as_json: bool) -> bool:
    """Progress unless --json: a bar on a terminal, plain lines on stderr otherwise."""
    return not as_json


# --------------------------------------------------------------------------- commands


def _llm_endpoint(pol: dict[str, str], players: str | None, url: str | None,
                  model: str | None, profile: str | None, config: str | None,
                  mode: str | None, concurrency: int | None, cache: str | None
                  ) -> tuple[Any, str | None]:
    """The endpoint and cache file of a sweep's llm cells ((None, None) without them)."""
    from whitecell.cli import UserError

    wants = "llm" in pol.values() or any(
        p.strip().endswith("=llm") for p in (players or "").split(","))
    asked = any(v is not None for v in (url, model, profile, mode, concurrency))
    if not wants:
        if asked:
            raise UserError("--llm-* options are given but no cell plays llm "
                            "(--policy ACTOR=llm or --players ACTOR=llm,...)")
        return None, None
    from whitecell.llm.client import default_cache_path
    from whitecell.llm.endpoint import load_endpoint

    ep = load_endpoint(url=url, model=model, profile=profile, config=config, mode=mode,
                       concurrency=concurrency)
    return ep, None if cache == "off" else str(cache or default_cache_path())


from whitecell.cli_options import (  # noqa: E402
    LLMCacheOpt,
    LLMConcurrencyOpt,
    LLMConfigOpt,
    LLMModelOpt,
    LLMModeOpt,
    LLMProfileOpt,
    LLMUrlOpt,
)


def sweep_cmd(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario id or YAML file.")],
    runs: RunsOpt,
    excursion: Annotated[list[str] | None, typer.Option(
        "--excursion", "-e", help="Excursion to include (repeatable).")] = None,
    all_excursions: Annotated[bool, typer.Option(
        "--all-excursions", help="Every excursion of the scenario.")] = False,
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", help="dotted.path=v1,v2,... (repeatable: the grid is their product).")] = None,
    sets: SetsOpt = None,
    seed: SeedOpt = 0,
    workers: WorkersOpt = None,
    backend: BackendOpt = "local",
    address: AddressOpt = None,
    outdir: SweepOutOpt = None,
    chunk: ChunkOpt = 10_000,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
    players: PlayersOpt = None,
    llm_url: LLMUrlOpt = None, llm_model: LLMModelOpt = None,
    llm_profile: LLMProfileOpt = None, llm_config: LLMConfigOpt = None,
    llm_mode: LLMModeOpt = None, llm_concurrency: LLMConcurrencyOpt = None,
    llm_cache: LLMCacheOpt = None,
) -> None:
    """Play a scenario many times over excursions and a parameter grid; print the statistics.

    Language-model cells: --policy CHN=llm (every grid point) or --players
    CHN=llm,CHN=doctrine (paired against other players on the same seeds), with
    --llm-url and --llm-model; a chunk's games are played at once.
    """
    from whitecell.analysis.sweep import sweep
    from whitecell.cli import UserError, _emit_json, _policies, _seed, friendly, out

    resolved_out: Path | None = None
    with friendly():
        _seed(seed)
        if excursion and all_excursions:
            raise UserError("give --excursion or --all-excursions, not both")
        exc: list[str] | str | None = "all" if all_excursions else (list(excursion)
                                                                    if excursion else None)
        pol = _policies(policy)
        key: dict[str, Any] = {"excursions": exc, "vary": vary or [], "sets": sets or [],
                               "seed": seed, "runs": runs, "chunk": chunk, "policy": pol}
        if players is not None:
            key["players"] = players
        ep, cache = _llm_endpoint(pol, players, llm_url, llm_model, llm_profile, llm_config,
                                  llm_mode, llm_concurrency, llm_cache)
        if ep is not None:
            key["llm"] = ep.model_identity()
        resolved_out = Path(outdir) if outdir else _default_out("sweep", scenario, key)
        try:
            res = sweep(scenario, runs, exc, vary or [], sets=tuple(sets or ()), seed=seed,
                        workers=workers, backend=backend, address=address, out=resolved_out,
                        chunk=chunk, policy=pol, progress=_progress_wanted(as_json),
                        players=players, llm=ep, llm_cache=cache)
        except KeyboardInterrupt:
            raise _interrupted(resolved_out) from None
    if as_json:
        _emit_json(res.summary)
        return
    print_summary(res.summary)
    note = f" ({res.skipped_chunks} chunks resumed from earlier)" if res.skipped_chunks else ""
    out.print(f"\nshards, manifest.json and summary.json in {res.out}{note}")


def summarize_cmd(
    directory: Annotated[str, typer.Argument(help="Sweep folder (its --out).")],
    as_json: JsonOpt = False,
    csv: Annotated[str | None, typer.Option(
        "--csv", help="Also write the per-grid-point table to this CSV file.")] = None,
    xlsx: Annotated[str | None, typer.Option(
        "--xlsx", help="Also write the grid-point and difference tables to this Excel "
                       "file.")] = None,
) -> None:
    """Statistics of a sweep folder with 95% intervals (DuckDB over its Parquet shards)."""
    from whitecell.analysis.export import write_csv, write_xlsx
    from whitecell.analysis.summary import summarize
    from whitecell.cli import _emit_json, err, friendly

    with friendly():
        summary = summarize(directory)
        sobol = _sobol_of(directory, summary)
        written = [write_csv(directory, csv)] if csv else []
        written += [write_xlsx(directory, xlsx)] if xlsx else []
    for f in written:
        err.print(f"wrote {f}", markup=False)
    if not summary["complete"]:
        err.print("warning: the sweep is not finished; these statistics cover the shards "
                  "written so far", markup=False)
    if as_json:
        _emit_json({**summary, "sobol": sobol} if summary.get("kind") == "sobol" else summary)
    else:
        print_summary(summary, sobol)


def _sobol_of(directory: str, summary: dict[str, Any]) -> dict[str, Any] | None:
    """The Sobol indices of a Sobol design folder: its sobol.json, else recomputed when finished."""
    from whitecell.analysis.sobol import read_sobol, sobol_indices
    from whitecell.analysis.summary import read_manifest

    if summary.get("kind") != "sobol":
        return None
    stored = read_sobol(directory)
    if stored is not None or not summary["complete"]:
        return stored
    return sobol_indices(summary, read_manifest(directory))


def sensitivity_cmd(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario id or YAML file.")],
    runs: RunsOpt,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="dotted.path=low:high (repeatable).")] = None,
    outcome: Annotated[str, typer.Option(
        "--outcome", help="war, nuclear_use, challenger_success, deterrence_held or "
                          "peak_rung.")] = "war",
    excursion: Annotated[str | None, typer.Option(
        "--excursion", "-e", help="Excursion to take as base.")] = None,
    sets: SetsOpt = None,
    seed: SeedOpt = 0,
    workers: WorkersOpt = None,
    backend: BackendOpt = "local",
    address: AddressOpt = None,
    outdir: SweepOutOpt = None,
    chunk: ChunkOpt = 10_000,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
    method: Annotated[str, typer.Option(
        "--method", help="oat (one-at-a-time tornado) or sobol (variance-based indices, "
                         "SALib).")] = "oat",
    samples: Annotated[int, typer.Option(
        "--samples", help="With --method sobol: base samples N, a power of two "
                          "(N x (params + 2) grid points).")] = 64,
    assumptions: Annotated[bool, typer.Option(
        "--assumptions", help="Vary every assumption the scenario declares (its assumptions: "
                              "list and every theatre_share) over its range; --param adds "
                              "to or replaces them.")] = False,
) -> None:
    """Rank parameters by how much they move an outcome (tornado or Sobol indices)."""
    from whitecell.analysis.sensitivity import parse_param, sensitivity
    from whitecell.analysis.sobol import sobol
    from whitecell.cli import UserError, _emit_json, _policies, _seed, friendly, out

    resolved_out: Path | None = None
    with friendly():
        _seed(seed)
        if method not in ("oat", "sobol"):
            from whitecell.scenario.load import did_you_mean

            raise UserError(f"unknown --method {method!r}{did_you_mean(method, ('oat', 'sobol'))}"
                            " (expected oat or sobol)")
        prms = [parse_param(p) for p in param or []]
        if not prms and not assumptions:
            raise UserError("give --param dotted.path=low:high (repeatable) or --assumptions")
        pol = _policies(policy)
        args = {"params": param or [], "outcome": outcome, "excursion": excursion,
                "sets": sets or [], "seed": seed, "runs": runs, "chunk": chunk, "policy": pol}
        if method == "sobol":
            args["samples"] = samples
        if assumptions:
            args["assumptions"] = True
        resolved_out = Path(outdir) if outdir else _default_out(
            "sensitivity" if method == "oat" else "sobol", scenario, args)
        try:
            common: dict[str, Any] = dict(
                outcome=outcome, excursion=excursion, sets=tuple(sets or ()), seed=seed,
                workers=workers, backend=backend, address=address, out=resolved_out,
                chunk=chunk, policy=pol, progress=_progress_wanted(as_json),
                assumptions=assumptions)
            if method == "sobol":
                data = sobol(scenario, prms, runs, samples=samples, **common)
            else:
                data = sensitivity(scenario, prms, runs, **common)
        except KeyboardInterrupt:
            raise _interrupted(resolved_out) from None
    if as_json:
        _emit_json(data)
        return
    if method == "sobol":
        _print_sobol(data)
        out.print(f"\nsobol.json and the sweep in {resolved_out}")
        return
    _print_tornado(data)
    out.print(f"\nsensitivity.json and the sweep in {resolved_out}")


def register(app: typer.Typer) -> None:
    """Add ``sweep``, ``summarize`` and ``sensitivity`` to the ``whitecell`` app."""
    app.command(name="sweep")(sweep_cmd)
    app.command(name="summarize")(summarize_cmd)
    app.command(name="sensitivity")(sensitivity_cmd)
