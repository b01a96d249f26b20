"""Every command's options with hostile values: exit 0 or 2 with one line, never a traceback.

All cases of :func:`cli_cases.cases` run in process; a fixed sample of them
also runs as real subprocesses with stdin closed and a timeout.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cli_cases import Fixtures, cases, must_fail
from oracle import invoke, problems, spawn

SUBPROCESS_SAMPLE = 12


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Fixtures:
    d = tmp_path_factory.mktemp("clifuzz")
    os.mkfifo(d / "fifo")
    (d / "folder").mkdir()
    (d / "file.txt").write_text("hello\n")
    store = d / "store"
    r = invoke(["run", "east-china-sea", "--json", "--out", str(store)])
    assert r.code == 0, r.describe()
    run_id = json.loads(r.stdout)["run_id"]
    r = invoke(["sweep", "east-china-sea", "-n", "4", "--workers", "1", "--json",
                "--out", str(d / "sweep")])
    assert r.code == 0, r.describe()
    return Fixtures(fifo=str(d / "fifo"), folder=str(d / "folder"),
                    missing=str(d / "missing.yaml"), store=str(store), run_id=run_id,
                    sweep=str(d / "sweep"), file=str(d / "file.txt"), device=_device(d))


def _device(d: Path) -> str:
    """A character device of our own (a copy of /dev/null's numbers) when root may make one.

    A command that replaced a device with a regular file would then break only
    this copy, never the machine's /dev/null (which once happened: an export
    replaced it); the tests check the copy is still a device after every case.
    """
    dev = d / "null-device"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        return "/dev/null"  # not root: the commands cannot replace it either
    return str(dev)


def _still_a_device(fx: Fixtures) -> bool:
    return stat.S_ISCHR(os.lstat(fx.device).st_mode)


def _all(fx: Fixtures) -> list[tuple[str, list[str]]]:
    return cases(fx)


def _expects_json(argv: list[str]) -> bool:
    return "--json" in argv and argv[0] in ("run", "sweep", "sensitivity")


def test_cli_option_fuzz_in_process(fx: Fixtures, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # default sweep folders land here
    failures: list[str] = []
    all_cases = _all(fx)
    assert len(all_cases) > 400
    for name, argv in all_cases:
        r = invoke(argv)
        bad = problems(r, json_out=_expects_json(argv))
        if must_fail(name) and r.code != 2:
            bad.append(f"accepted (exit {r.code}); expected exit 2")
        if not _still_a_device(fx):
            bad.append(f"replaced the device {fx.device} with a regular file")
            os.remove(fx.device)
            _device(Path(fx.device).parent)
        failures += [f"{name}: {b}\n{r.describe()}" for b in bad]
    assert not failures, f"{len(failures)} failures\n\n" + "\n\n".join(failures[:20])


def test_cli_option_fuzz_real_cli(fx: Fixtures, tmp_path: Path) -> None:
    all_cases = _all(fx)
    step = max(1, len(all_cases) // SUBPROCESS_SAMPLE)
    sample = all_cases[::step][:SUBPROCESS_SAMPLE]
    sample += [(n, a) for n, a in all_cases
               if n in ("sweep --seed '9223372036854775808'", "play --seed '0'")]
    failures: list[str] = []
    for name, argv in sample:
        r = spawn(argv, cwd=tmp_path, env={"WHITECELL_DB": str(tmp_path / "db.sqlite")})
        bad = problems(r, json_out=_expects_json(argv))
        if must_fail(name) and r.code != 2:
            bad.append(f"accepted (exit {r.code}); expected exit 2")
        failures += [f"{name}: {b}\n{r.describe()}" for b in bad]
    assert not failures, "\n\n".join(failures)
