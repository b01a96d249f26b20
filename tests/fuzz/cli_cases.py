"""Hostile values for every option of every ``whitecell`` command.

:func:`cases` lists ``(name, argv)`` pairs: a command with sane base arguments
and one option (or argument) replaced by a hostile value. Paths to a FIFO, a
folder, a missing file, a stored run and a finished sweep come from a
:class:`Fixtures` the caller builds (see ``test_fuzz_cli.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SCENARIO = "east-china-sea"

NUMBERS = ["-1", "0", str(10**30), "-" + str(10**30), str(2**63), "abc", "", "1.5", "1e308",
           "nan", " 7"]
TEXTS = ["", " ", "[/x]", "[bold]x", ":100:", r"$\frac{a}{b}$", "=", "==", "a=b=c", "..",
         "x" * 5000, "\u202e", "-"]


@dataclass(frozen=True)
class Fixtures:
    fifo: str
    folder: str
    missing: str
    store: str
    run_id: str
    sweep: str
    file: str  # a regular non-YAML file
    device: str  # a character device of the test's own (never the machine's /dev/null)


def _paths(fx: Fixtures) -> list[str]:
    return [fx.fifo, fx.folder, fx.missing, fx.file, fx.device, fx.folder + "/[/x]",
            "", "/proc/self/nope/x"]


def _sets() -> list[str]:
    return ["x", "=1", "max_turns=", "max_turns=abc", f"max_turns={10**30}", "max_turns=-1",
            "max_turns=0", "max_turns=.inf", "max_turns=nan", "actors=[]", "actors.NOPE.x=1",
            "actors.CHN.forces.naval.value=1e308", "actors.CHN=null", "actors.99.stakes=1",
            "objective.actor=NOPE", "actors.CHN.doctrine.ladder=[nuke]", "a.b.c.d.e=1",
            "actors..x=1", "actors.CHN.name=[/x]", "parameters.risk.base=-1e-300",
            "actors.0.forces.air.value={a: 1}", "turn.length_days=1e308",
            "actors.CHN.stakes=" + "9" * 5000, "injects.ccg-flotilla.turn=999"]


def _vary() -> list[str]:
    return ["x", "max_turns=", "max_turns=1,,2", "max_turns=abc", f"max_turns={10**30}",
            "max_turns=" + ",".join(["3"] * 2000), "nope.x=1,2", "actors.CHN.stakes=0,1e308",
            "actors.CHN.stakes=nan,1", "=1,2", "max_turns=[1,2]", "actors.CHN.name=[/x],b"]


def _params() -> list[str]:
    return ["x", "a=1", "max_turns=1", "max_turns=2:1", "max_turns=1:1", "max_turns=a:b",
            "max_turns=-1:1e308", "actors.CHN.stakes=nan:1", "actors.CHN.stakes=0:inf",
            "nope.path=0:1", "actors.CHN.name=0:1", ":", "=:"]


def _policies() -> list[str]:
    return ["", "x", "=", "CHN=", "=doctrine", "NOPE=doctrine", "CHN=human", "CHN=nope",
            "human", "scripted", "recorded", "[/x]", "CHN=doctrine=x", "mixed", "strategic"]


def _overrides() -> list[str]:
    return ["", "x", "1:x=0.5", "0:strike_bases=0.5", "-1:strike_bases=0.5",
            f"{10**30}:strike_bases=0.5", "1:strike_bases=nan", "1:strike_bases=2",
            "1:strike_bases:NOPE=0.5", "1:incident=0.5", "1:incident=-0", "::=", "1:a:b:c=1",
            "1:incident=1e-400"]


BAD_SEEDS = {v for v in NUMBERS if v not in ("0", " 7")}
"""--seed values every command must refuse (exit 2): outside 0 <= seed < 2**63 or not whole."""


def must_fail(name: str) -> bool:
    """Whether the case ``name`` must exit 2 (not merely 0 or 2)."""
    for cmd in ("run", "play", "sweep"):
        for v in BAD_SEEDS:
            if name == f"{cmd} --seed {v[:20]!r}":
                return True
    return False


def cases(fx: Fixtures) -> list[tuple[str, list[str]]]:
    """Every hostile ``(name, argv)`` case for the CLI, in a fixed order."""
    out: list[tuple[str, list[str]]] = []

    def add(name: str, argv: list[str]) -> None:
        out.append((name, argv))

    sweep_base = ["sweep", SCENARIO, "-n", "5", "--workers", "1", "--json"]
    sens_base = ["sensitivity", SCENARIO, "-n", "3", "--workers", "1", "--json",
                 "--param", "parameters.risk.base=0.001:0.004"]
    run_base = ["run", SCENARIO, "--json", "--out", fx.store]

    for v in NUMBERS:
        add(f"run --seed {v[:20]!r}", [*run_base, "--seed", v])
        add(f"play --seed {v[:20]!r}", ["play", SCENARIO, "--as", "JPN", "--seed", v,
                                        "--out", fx.store])
        add(f"sweep --seed {v[:20]!r}", [*sweep_base, "--seed", v])
        add(f"sweep -n {v[:20]!r}", ["sweep", SCENARIO, "-n", v, "--workers", "1", "--json"])
        add(f"sweep --workers {v[:20]!r}", ["sweep", SCENARIO, "-n", "5", "--workers", v,
                                            "--json"])
        add(f"sweep --chunk {v[:20]!r}", [*sweep_base, "--chunk", v])
        add(f"sensitivity --samples {v[:20]!r}", [*sens_base, "--method", "sobol",
                                                  "--samples", v])
        add(f"sensitivity -n {v[:20]!r}", ["sensitivity", SCENARIO, "-n", v, "--workers", "1",
                                           "--param", "parameters.risk.base=0.001:0.004"])
        add(f"runs --limit {v[:20]!r}", ["runs", "--out", fx.store, "--limit", v])
        add(f"run --from-sweep --index {v[:20]!r}", ["run", "--from-sweep", fx.sweep,
                                                     "--index", v, "--json", "--out", fx.store])
        add(f"run --from-sweep --grid-point {v[:20]!r}",
            ["run", "--from-sweep", fx.sweep, "--index", "0", "--grid-point", v, "--json",
             "--out", fx.store])
    for v in _sets():
        add(f"run --set {v[:40]!r}", [*run_base, "--set", v])
        add(f"sweep --set {v[:40]!r}", [*sweep_base, "--set", v])
    for v in _vary():
        add(f"sweep --vary {v[:40]!r}", [*sweep_base, "--vary", v])
    for v in _params():
        add(f"sensitivity --param {v[:40]!r}", [*sens_base[:-2], "--param", v])
    for v in _policies():
        add(f"run --policy {v!r}", [*run_base, "--policy", v])
        add(f"sweep --policy {v!r}", [*sweep_base, "--policy", v])
        add(f"sweep --players {v!r}", [*sweep_base, "--players", v.replace("=", ",")])
    for v in _overrides():
        add(f"run --override {v!r}", [*run_base, "--override", v])
    for v in [*TEXTS, "base", "BASE", "all"]:
        add(f"run -e {v[:20]!r}", [*run_base, "-e", v])
        add(f"sweep -e {v[:20]!r}", [*sweep_base, "-e", v])
        add(f"sensitivity -e {v[:20]!r}", [*sens_base, "-e", v])
        add(f"sensitivity --outcome {v[:20]!r}", [*sens_base, "--outcome", v])
        add(f"sensitivity --method {v[:20]!r}", [*sens_base, "--method", v])
        add(f"sweep --backend {v[:20]!r}", [*sweep_base, "--backend", v])
        add(f"play --as {v[:20]!r}", ["play", SCENARIO, "--as", v, "--out", fx.store])
        add(f"replay {v[:20]!r}", ["replay", v, "--out", fx.store])
        add(f"report {v[:20]!r}", ["report", v, "-o", fx.folder + "/r.html", "--out", fx.store])
        add(f"play --resume {v[:20]!r}", ["play", "--resume", v, "--out", fx.store])
        add(f"run SCENARIO {v[:20]!r}", ["run", v, "--json", "--out", fx.store])
        add(f"validate {v[:20]!r}", ["validate", v])
    for p in _paths(fx):
        add(f"validate {p!r}", ["validate", p])
        add(f"run SCENARIO={p!r}", ["run", p, "--out", fx.store])
        add(f"run --out {p!r}", [*run_base[:-2], "--out", p])
        add(f"run --report {p!r}", [*run_base, "--report", p])
        add(f"runs --out {p!r}", ["runs", "--out", p])
        add(f"replay --out {p!r}", ["replay", fx.run_id, "--out", p])
        add(f"report -o {p!r}", ["report", fx.run_id, "-o", p, "--out", fx.store])
        add(f"report SWEEP -o {p!r}", ["report", fx.sweep, "-o", p])
        add(f"report {p!r}", ["report", p, "-o", fx.folder + "/r2.html", "--out", fx.store])
        add(f"play --out {p!r}", ["play", SCENARIO, "--as", "JPN", "--out", p])
        add(f"sweep --out {p!r}", [*sweep_base, "--out", p])
        add(f"sweep SCENARIO={p!r}", ["sweep", p, "-n", "5", "--workers", "1"])
        add(f"summarize {p!r}", ["summarize", p])
        add(f"summarize --csv {p!r}", ["summarize", fx.sweep, "--csv", p])
        add(f"summarize --xlsx {p!r}", ["summarize", fx.sweep, "--xlsx", p])
        add(f"run --from-sweep {p!r}", ["run", "--from-sweep", p, "--index", "0",
                                        "--out", fx.store])
    for v in ["tcp://", "tcp://127.0.0.1:1", "[/x]", "x" * 300]:  # "" starts a local cluster
        add(f"sweep --backend dask --address {v[:20]!r}",
            [*sweep_base, "--backend", "dask", "--address", v])
    add("sweep --all-excursions -e base", [*sweep_base, "--all-excursions", "-e", "base"])
    add("sensitivity no --param", ["sensitivity", SCENARIO, "-n", "3"])
    add("sensitivity --assumptions sobol", ["sensitivity", SCENARIO, "-n", "1", "--workers",
                                            "1", "--assumptions", "--method", "sobol",
                                            "--samples", "3"])
    add("run --from-sweep with SCENARIO", ["run", SCENARIO, "--from-sweep", fx.sweep,
                                           "--index", "0"])
    add("run --from-sweep no --index", ["run", "--from-sweep", fx.sweep])
    add("play no --as", ["play", SCENARIO])
    for cmd in ["schema", "scenarios", "actions", "version", "--version", "--help", "nope",
                "run", "sweep", "summarize", "sensitivity", "replay", "report", "validate"]:
        add(f"bare {cmd!r}", [cmd] if cmd else [])
    add("scenarios --json", ["scenarios", "--json"])
    add("actions --json", ["actions", "--json"])
    _score_cases(fx, add)
    return out


def _score_cases(fx: Fixtures, add: Callable[[str, list[str]], None]) -> None:
    """``whitecell score``: hostile sources, maps and column lists."""
    for v in [*TEXTS, *_paths(fx)]:
        add(f"score {v[:20]!r}", ["score", v, "--out", fx.store])
        add(f"score LOG --map {v[:20]!r}", ["score", fx.file, "--map", v])
        add(f"score LOG --columns {v[:20]!r}", ["score", fx.file, "--map", "whitecell",
                                                "--columns", v])
    add("score RUN", ["score", fx.run_id, "--out", fx.store, "--json"])
    add("score SWEEP", ["score", fx.sweep, "--json"])
    add("score SWEEP --map", ["score", fx.sweep, "--map", "escalaition"])
