"""Analysis at scale: Monte Carlo sweeps, statistics with intervals, sensitivity.

::

    from whitecell.analysis import sweep, summarize, sensitivity, rerun_from_sweep
    res = sweep("taiwan-strait-crisis", 100_000, excursions="all", out="sweeps/taiwan")
    summarize("sweeps/taiwan")                       # the same statistics, from the shards
    load("sweeps/taiwan")                            # the runs as a pandas DataFrame
    rerun_from_sweep("sweeps/taiwan", 73_214, grid_point=2)   # that run, narrated

Sweeps run on a local process pool or a Dask cluster and give byte-identical
results on both (see :mod:`whitecell.analysis.sweep` and docs/cluster.md).
"""

from whitecell.analysis.errors import SweepError
from whitecell.analysis.export import load
from whitecell.analysis.grid import GridPoint, parse_vary
from whitecell.analysis.rerun import rerun_from_sweep
from whitecell.analysis.sensitivity import Param, parse_param, read_sensitivity, sensitivity
from whitecell.analysis.stats import difference_interval, wilson_interval
from whitecell.analysis.summary import summarize
from whitecell.analysis.sweep import SweepResult, run_grid, sweep

__all__ = ["GridPoint", "Param", "SweepError", "SweepResult", "difference_interval",
           "load", "parse_param", "parse_vary", "read_sensitivity", "rerun_from_sweep", "run_grid",
           "sensitivity", "summarize", "sweep", "wilson_interval"]
