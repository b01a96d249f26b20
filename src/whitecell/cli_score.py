"""``whitecell score``: the escalation score of a CSV action log, a stored run or a sweep.

A thin shell over :mod:`whitecell.scoring`, joined to the Typer app of
:mod:`whitecell.cli` by :func:`register` (like ``cli_sweep``, it imports the
helpers of ``cli.py`` inside the command body). Every user mistake -- an
unknown action, a bad map file, a missing column, an unknown run -- prints
one line per problem on stderr and exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

__all__ = ["register", "score_cmd"]

MapOpt = Annotated[str | None, typer.Option(
    "--map", help="How a CSV log's action names translate: escalaition (the EscalAItion "
                  "action set of Rivera et al. 2024), whitecell (our action ids) or a YAML "
                  "map file.")]
ColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Column names of a CSV log when they are not day/turn, actor/self, "
                      "target/other, action: e.g. day=Round,actor=Country,action=Move.")]
SkipOpt = Annotated[bool, typer.Option(
    "--skip-unknown", help="Score a CSV log without the actions the map lacks (they are "
                           "listed) instead of stopping at them.")]
StoreOpt = Annotated[str | None, typer.Option(
    "--out", help="Run store folder or database URL, for a run id (default: $WHITECELL_DB or "
                  "the user data dir).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]

_SHORT = {"de_escalation": "de-esc.", "status_quo": "status quo", "posturing": "posturing",
          "non_violent_escalation": "non-violent", "violent_escalation": "violent",
          "nuclear": "nuclear"}


def score_cmd(source: Annotated[str, typer.Argument(
                  help="A CSV action log, a run id (a unique prefix is enough) or a sweep "
                       "folder.")],
              map_ref: MapOpt = None, columns: ColumnsOpt = None,
              skip_unknown: SkipOpt = False, outdir: StoreOpt = None,
              as_json: JsonOpt = False) -> None:
    """Escalation score (Rivera et al. 2024; Kahn rungs where known) by day and by actor.

    A CSV log is read through a map (--map); a stored run is scored from its
    moves and checked against the engine's own scores; a sweep gives the
    distribution of per-run scores per actor (it stores no moves).
    """
    from whitecell.cli import _emit_json, err, friendly, out
    from whitecell.scoring.errors import ScoreError

    with friendly():
        try:
            kind, result = _score(source, map_ref, columns, skip_unknown, outdir)
        except ScoreError as e:
            for p in e.problems:
                err.print(f"error: {p}", markup=False)
            raise typer.Exit(2) from None
    skipped = result.get("skipped") or []
    if skipped:
        rows = sum(int(s["count"]) for s in skipped)
        names = ", ".join(f"{s['action']!r} ({s['count']})" for s in skipped[:8])
        more = f" and {len(skipped) - 8} more" if len(skipped) > 8 else ""
        err.print(f"warning: {rows} rows of {len(skipped)} action names not in map "
                  f"{result['map']['name']} were left out: {names}{more}", markup=False)
    if as_json:
        _emit_json(result)
        return
    if kind == "sweep":
        _print_sweep(out, result)
    else:
        _print_log(out, result)


def _score(source: str, map_ref: str | None, columns: str | None, skip_unknown: bool,
           outdir: str | None) -> tuple[str, dict[str, Any]]:
    from whitecell.cli import UserError, _not_a_folder, _run_of, _store
    from whitecell.scoring import (
        load_map,
        parse_columns,
        read_csv_log,
        score_log,
        score_run,
        score_sweep,
    )

    p = Path(source)
    is_sweep = (p / "manifest.json").is_file()
    is_log = not is_sweep and (p.is_file() or p.suffix.lower() == ".csv")
    if not is_log:
        extra = [o for o, v in (("--map", map_ref), ("--columns", columns),
                                ("--skip-unknown", skip_unknown)) if v]
        if extra:
            what = "sweep folder" if is_sweep else "stored run"
            verb = "applies" if len(extra) == 1 else "apply"
            raise UserError(f"{' and '.join(extra)} {verb} to a CSV log; a {what} is scored "
                            "from whitecell's own action catalogue")
    if is_sweep:
        return "sweep", score_sweep(p)
    if is_log:
        if map_ref is None:
            raise UserError(f"{source}: a CSV log needs --map: escalaition (the EscalAItion "
                            "action set), whitecell (whitecell action ids) or a YAML map file "
                            "(see docs/scoring.md)")
        cols = parse_columns(columns)
        scoring_map = load_map(map_ref)
        log = read_csv_log(p, cols)
        return "log", score_log(log, scoring_map,
                                unknown="skip" if skip_unknown else "error").to_dict()
    _not_a_folder(source)
    store = _store(outdir, existing=True)
    _, result = score_run(store.load(_run_of(store, source)))
    return "run", result


def _cat_columns(t: Table) -> None:
    for label in _SHORT.values():
        t.add_column(label, justify="right")


def _cats(by_category: dict[str, int]) -> list[str]:
    return [_num(by_category.get(c, 0)) for c in _SHORT]


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _print_log(out: Any, r: dict[str, Any]) -> None:
    scheme, m, log = r["scheme"], r["map"], r["log"]
    if r["kind"] == "run":
        run = r["run"]
        title = f"Escalation score of run {run['run_id']} ({run['scenario']}, seed {run['seed']})"
    else:
        title = f"Escalation score of {log['source']}"
    out.print(Text(title, style="bold"))
    out.print(Text(f"scheme {scheme['name']} v{scheme['version']} (Rivera et al., FAccT 2024); "
                   f"map {m['name']} ({m['actions']} actions, sha256 {m['digest'][:12]}); "
                   f"{log['rows']} actions by {len(log['actors'])} actors"))
    unit = log["time"]
    t = Table(title=f"By {unit} (all actors)")
    t.add_column(unit, justify="right")
    t.add_column("total", justify="right", style="bold")
    _cat_columns(t)
    for d in r["by_day"]:
        t.add_row(str(d["day"]), _num(d["total"]), *_cats(d["by_category"]))
    out.print(t)
    t = Table(title="By actor")
    t.add_column("actor")
    t.add_column("total", justify="right", style="bold")
    t.add_column("actions", justify="right")
    t.add_column("peak rung", justify="right")
    _cat_columns(t)
    for actor, a in r["by_actor"].items():
        t.add_row(Text(actor), _num(a["total"]), str(a["actions"]), _num(a["peak_rung"]),
                  *_cats(a["by_category"]))
    out.print(t)
    rungs = r["rungs"]
    line = f"total {r['total']} over {r['summary']['actions']} actions"
    if r["summary"]["peak_rung"] is not None:
        line += f"; peak Kahn rung {r['summary']['peak_rung']}"
    if rungs["without_rung"]:
        line += (f" ({rungs['without_rung']} of the actions have no Kahn rung in this map "
                 "and are not in the peak)")
    out.print(Text(line))
    if r["kind"] == "run":
        eng = r["engine"]
        verdict = ("agrees", "green") if eng["agrees"] else ("DISAGREES", "red")
        out.print(Text.assemble("the engine's own per-turn scores: ", verdict))
        for w in eng["disagreements"]:
            out.print(Text(f"  {w}"))


def _print_sweep(out: Any, r: dict[str, Any]) -> None:
    sw, scheme = r["sweep"], r["scheme"]
    out.print(Text(f"Escalation scores of sweep {sw['folder']} ({sw['scenario']}, "
                   f"{sw['runs']} runs per grid point"
                   + ("" if sw["complete"] else ", INCOMPLETE: some shards missing") + ")",
                   style="bold"))
    out.print(Text(f"scheme {scheme['name']} v{scheme['version']} (Rivera et al., FAccT 2024), "
                   f"as scored by whitecell {sw['whitecell_version']} when the sweep ran"))
    for p in r["points"]:
        t = Table(title=f"grid point {p['grid_point']}: {p['label']}")
        for c in ("actor", "runs", "mean", "sd", "min", "p05", "median", "p95", "max",
                  "peak rung (median / max)"):
            t.add_column(c, justify="left" if c == "actor" else "right")
        rows = [(a, v["score"], v["peak_rung"]) for a, v in p["by_actor"].items()]
        rows.append(("all actors", p["total"], None))
        for name, s, peak in rows:
            pk = f"{_num(peak['median'])} / {_num(peak['max'])}" if peak else ""
            t.add_row(Text(name), str(s["runs"]), *[_num(s[k]) for k in (
                "mean", "sd", "min", "p05", "median", "p95", "max")], pk)
        out.print(t)
    out.print(Text(f"note: {r['note']}"))


def register(app: typer.Typer) -> None:
    """Add ``score`` to the ``whitecell`` app."""
    app.command(name="score")(score_cmd)
