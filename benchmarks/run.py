"""Performance report: one table of timings against the course's budgets.

    python benchmarks/run.py            # everything (several minutes: includes a cold build)
    python benchmarks/run.py --quick    # skip the book builds and the test command
    python benchmarks/run.py --explorers  # only the explorers' redraws (a few minutes)
    python benchmarks/run.py --tests-only   # only the test command, against its reference

Measures, on this machine: a cold book build (empty cache) and a cached rebuild after
touching one chapter; the README's test command as CI runs it (empty ``_build``, no cached
network), in seconds and as a ratio to a fixed reference workload timed in the same run,
with its split into parts; each notebook's execution time and peak
memory (fresh kernel); ``import energylab``; every explorer's callback over 50 control
changes (median and p95, drawing only and with the PNG redraw); and the kernel benchmarks of
the chapters (``benchmarks/bench_*.py``, each printing its own comparison with a
straightforward reference). Nothing here is a test: it reports, and marks what is over
budget.
"""

from __future__ import annotations

import argparse
import glob
import importlib
import inspect
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

BUDGET = {
    "notebook_s": 20.0,
    "test_s": 240.0,
    "cold_build_s": 240.0,
    "cached_build_s": 30.0,
    "explorer_p95_ms": 100.0,
    "explorer_median_ms": 50.0,
    "import_s": 0.5,
    "notebook_mb": 1024.0,
}

rows: list[tuple[str, str, str, str]] = []


def report(what: str, value: float, unit: str, budget: float | None) -> None:
    ok = "" if budget is None else ("ok" if value <= budget else "OVER")
    shown = f"{value:,.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    rows.append((what, shown, "" if budget is None else f"≤ {budget:g} {unit}", ok))
    print(f"  {what}: {shown} {ok}", flush=True)


def run(cmd: list[str] | str, **kw) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def bench_builds() -> None:
    print("book builds", flush=True)
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    jb = [sys.executable, "-m", "jupyter_book", "build", ".", "-W", "-n", "--keep-going"]
    if shutil.which("jupyter-book"):
        jb = ["jupyter-book", "build", ".", "-W", "-n", "--keep-going"]
    report("cold book build (empty cache)", run(jb), "s", BUDGET["cold_build_s"])
    chapter = sorted((ROOT / "chapters").glob("*.ipynb"))[0]
    os.utime(chapter)
    report(f"rebuild after touching {chapter.name}", run(jb), "s", BUDGET["cached_build_s"])


REFERENCE = """
import time
import numpy as np
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
t0 = time.perf_counter()
x = np.linspace(0, 10, 2000)
for i in range(12):                      # drawing (what explorers and notebooks do most)
    fig = Figure(figsize=(9, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots(1, 2)
    for a in ax:
        a.plot(x, np.sin(x * (i + 1)), label="sin")
        a.set_xlabel("x"); a.set_ylabel("y"); a.legend()
    fig.savefig(__import__("io").BytesIO(), format="png")
total = 0                                # plain Python (kernels, pytest, Sphinx)
for i in range(3_000_000):
    total += i % 7
a = np.random.default_rng(0).random((300, 300))
for _ in range(20):                      # small linear algebra (the digits network)
    a = np.tanh(a @ a.T / 300)
print(time.perf_counter() - t0)
"""


def reference_seconds(repeat: int = 3) -> float:
    """A fixed single-core workload (drawing, plain Python, small matrix products), median
    of ``repeat`` runs: the unit that makes timings from different machines, or from one
    machine under different load, comparable."""
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", REFERENCE], cwd=ROOT, check=True,
                             capture_output=True, text=True)
        times.append(float(out.stdout.split()[-1]))
    return statistics.median(times)


def _split(durations: str) -> dict[str, float]:
    """Seconds per part from pytest's ``--durations=0`` lines (summed over both workers)."""
    parts = {"book build": 0.0, "built-book browser checks": 0.0, "live labs (JupyterLab)": 0.0,
             "notebooks (nbval)": 0.0, "unit tests": 0.0}
    book_setups = []
    for line in durations.splitlines():
        m = re.match(r"\s*([\d.]+)s (setup|call|teardown)\s+(\S+)", line)
        if not m:
            continue
        seconds, when, nodeid = float(m.group(1)), m.group(2), m.group(3)
        path = nodeid.split("::")[0]
        if path.endswith(".ipynb"):
            parts["notebooks (nbval)"] += seconds
        elif "test_live_labs" in path:
            parts["live labs (JupyterLab)"] += seconds
        elif path.startswith("tests/browser/"):
            parts["built-book browser checks"] += seconds
            if when == "setup":
                book_setups.append(seconds)
        else:
            parts["unit tests"] += seconds
    # the session's book build is the setup of the first test that needs it: the longest
    build = max(book_setups, default=0.0)
    parts["book build"] += build
    parts["built-book browser checks"] -= build
    return parts


def bench_tests() -> None:
    """The README's test command as CI runs it: empty ``_build``, no cached network (a
    fresh ``ENERGYLAB_CACHE_DIR``), timed against the reference workload measured in the
    same run, before and after it (so load that changes during the run shows)."""
    print("test command", flush=True)
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    before = reference_seconds()
    env = dict(os.environ, ENERGYLAB_CACHE_DIR=tempfile.mkdtemp(prefix="energylab-cache-"))
    t0 = time.perf_counter()
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-q", "--durations=0"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    shutil.rmtree(env["ENERGYLAB_CACHE_DIR"], ignore_errors=True)
    after = reference_seconds()
    reference = (before + after) / 2
    if out.returncode != 0:
        print(out.stdout[-3000:], out.stderr[-2000:])
    log = pathlib.Path(tempfile.gettempdir()) / "energylab-test-durations.txt"
    log.write_text(out.stdout)
    print(f"  pytest's report with every test's duration: {log}", flush=True)
    report(f"pytest --nbval{'' if out.returncode == 0 else ' (FAILED)'}", seconds, "s", BUDGET["test_s"])
    report("  reference workload (median of 3, mean of before and after)", reference, "s", None)
    report("  test command / reference", seconds / reference, "×", None)
    report("  CPU time of the test command (user + sys, all processes)", cpu, "s", None)
    parts = _split(out.stdout)
    for name, part in parts.items():
        report(f"  {name} (summed over workers)", part, "s", None)
    report("  wall / sum of the parts (parallel speed-up < 1)", seconds / max(sum(parts.values()), 1e-9),
           "", None)


NB_RUNNER = """
import sys, time, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
t0 = time.perf_counter()
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
import resource
# the kernel is this process's child: its peak resident memory, once it has exited
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def bench_notebooks() -> None:
    print("notebooks (fresh kernel each)", flush=True)
    for path in sorted(glob.glob(str(ROOT / "chapters" / "*.ipynb")) + glob.glob(str(ROOT / "labs" / "*.ipynb"))):
        out = subprocess.run([sys.executable, "-c", NB_RUNNER, path, str(pathlib.Path(path).parent)],
                             cwd=ROOT, check=True, capture_output=True, text=True)
        seconds, maxrss_kb = out.stdout.strip().splitlines()[-1].split()
        name = pathlib.Path(path).relative_to(ROOT)
        report(f"execute {name}", float(seconds), "s", BUDGET["notebook_s"])
        report(f"peak memory of its kernel, {name.name}", int(maxrss_kb) / 1024, "MB", BUDGET["notebook_mb"])


def bench_import() -> None:
    print("import", flush=True)
    times = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import energylab"],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        total = [line for line in out.stderr.splitlines() if line.rstrip().endswith("| energylab")]
        times.append(int(total[-1].split("|")[1]) / 1e6)
    report("import energylab (median of 5, cumulative)", statistics.median(times), "s", BUDGET["import_s"])


def _quantile(xs: list[float], p: float) -> float:
    """The p-quantile of ``xs`` (nearest rank), in milliseconds."""
    return sorted(xs)[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] * 1e3


def _reference_redraw(size, repeats: int = 15) -> tuple[float, float]:
    """Median wall and CPU time (ms) of the bare minimum a redraw does: one Agg draw of an
    empty figure of the same size and the explorers' PNG encoding of its pixels. Measured
    in the same run as the explorers, so their ratio to it compares across machines."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from energylab.widgets.base import STYLE, encode_png

    fig = Figure(figsize=size, dpi=STYLE["figure.dpi"])
    FigureCanvasAgg(fig)
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fig.canvas.draw()
        encode_png(fig.canvas.buffer_rgba())
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return _quantile(wall, 0.5), _quantile(cpu, 0.5)


#: A reader's pause between two moves of a control in the paced measurement (seconds).
PAUSE_S = 0.3


def _paced_redraws(ex, names, n_changes: int = 20) -> list[float]:
    """CPU seconds of ``n_changes`` redraws made as in a live kernel: inside a running event
    loop (so the explorer collects its garbage while the reader pauses), one move every
    :data:`PAUSE_S` seconds, each drawn afresh (frame cache cleared)."""
    import asyncio

    from energylab.widgets.base import another_value

    async def reader() -> list[float]:
        cpu = []
        for i in range(n_changes):
            ctl = names[i % len(names)]
            value = another_value(ex.controls[ctl])
            ex.clear_frame_cache()
            c0 = time.process_time()
            ex.set(**{ctl: value})
            cpu.append(time.process_time() - c0)
            await asyncio.sleep(PAUSE_S)
        return cpu

    return asyncio.run(reader())


def bench_explorers(n_changes: int = 50) -> None:
    """Every explorer's redraw (a control change -> the new PNG in the kernel).

    Each control moves in turn, ``n_changes`` times in all, to a value a user could give it
    (``another_value``: slider ends, the next option, a flipped box). Reported: wall and CPU
    time (``time.process_time``; the machine may be shared) as median / p95, and the CPU
    median / p95 as a ratio to the reference redraw of an empty figure of the same size
    measured just before (``_reference_redraw``). Every change is drawn: the explorer's
    frame cache is cleared before it (states repeat when controls alternate between their
    ends); a revisit of a state still in the cache is reported on its own line. "Drawing
    only" is the explorer's plot function alone on a fresh figure (no layout, no
    rasterising, no PNG). "As in a live kernel" makes 20 of the changes on a fresh explorer
    inside an event loop with a reader's pause between them (``_paced_redraws``): there the
    explorer collects the previous figures' garbage and makes the next redraw's axes
    during the pause, as it does in Jupyter, instead of inside a redraw.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from energylab.widgets import base
    from energylab.widgets.base import _blas_controller, another_value

    print(f"explorers ({n_changes} control changes each)", flush=True)
    for mod_path in sorted((ROOT / "energylab" / "widgets").glob("ch*.py")):
        mod = importlib.import_module(f"energylab.widgets.{mod_path.stem}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if not name.endswith("_explorer") or fn.__module__ != mod.__name__:
                continue
            ex = fn()
            ref_wall, ref_cpu = _reference_redraw(tuple(ex.figure.get_size_inches()))
            names = list(ex.controls)
            wall, cpu, draw = [], [], []
            for i in range(n_changes):
                ctl = names[i % len(names)]
                value = another_value(ex.controls[ctl])
                if hasattr(ex, "clear_frame_cache"):
                    ex.clear_frame_cache()
                t0, c0 = time.perf_counter(), time.process_time()
                ex.set(**{ctl: value})
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                fig = Figure(figsize=ex.figure.get_size_inches())
                FigureCanvasAgg(fig)
                axes = fig.subplots(1, ex._ncols, squeeze=True)
                c0 = time.process_time()
                with _blas_controller().limit(limits=1, user_api="blas"):   # as explorers draw
                    ex._plot(axes, **ex.values)
                draw.append(time.process_time() - c0)
            # a fresh explorer, as in a fresh kernel: nothing cached from the moves above
            # (the process-wide axes backgrounds and layouts emptied; its backgrounds are
            # made as the reader moves; only the process-wide glyph cache is warm)
            base._BACKGROUNDS.clear()
            base._LAYOUTS.clear()
            paced = _paced_redraws(fn(), names)
            revisit = []
            if hasattr(ex, "clear_frame_cache"):
                for i in range(10):             # back and forth between two drawn states
                    ctl = names[i % len(names)]
                    ex.set(**{ctl: another_value(ex.controls[ctl])})
                    t0 = time.perf_counter()
                    ex.set(**{ctl: another_value(ex.controls[ctl])})
                    revisit.append(time.perf_counter() - t0)
            q = _quantile
            what = f"{mod_path.stem}.{name}"
            report(f"{what}: drawing only, CPU median / p95", q(draw, 0.5), "ms", None)
            rows[-1] = (rows[-1][0], f"{q(draw, 0.5):.0f} / {q(draw, 0.95):.0f} ms", "", "")
            report(f"{what}: redraw p95 (wall {q(wall, 0.5):.0f} / {q(wall, 0.95):.0f} ms; "
                   f"CPU {q(cpu, 0.5):.0f} / {q(cpu, 0.95):.0f} ms = "
                   f"{q(cpu, 0.5) / ref_cpu:.1f} / {q(cpu, 0.95) / ref_cpu:.1f} × the reference "
                   f"{ref_cpu:.0f} ms)", q(cpu, 0.95), "ms", BUDGET["explorer_p95_ms"])
            report(f"{what}: redraw median, CPU", q(cpu, 0.5), "ms", BUDGET["explorer_median_ms"])
            report(f"{what}: redraw as in a live kernel, a reader's pause of {PAUSE_S} s between "
                   f"moves, CPU median {q(paced, 0.5):.0f} / p95", q(paced, 0.95), "ms",
                   BUDGET["explorer_p95_ms"])
            if revisit:
                report(f"{what}: revisit of a cached state, wall median", q(revisit, 0.5), "ms", None)


def bench_kernels() -> None:
    scripts = sorted(glob.glob(str(ROOT / "benchmarks" / "bench_*.py")))
    print(f"kernel benchmarks ({len(scripts)} scripts)", flush=True)
    for script in scripts:
        out = subprocess.run([sys.executable, script], cwd=ROOT, capture_output=True, text=True)
        print(f"\n--- {pathlib.Path(script).name} ---\n{out.stdout}{out.stderr[-2000:] if out.returncode else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the builds and the test command")
    ap.add_argument("--explorers", action="store_true", help="only the explorers' redraws")
    ap.add_argument("--tests-only", action="store_true", help="only the test command (and its reference)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.explorers:
        bench_explorers()
        return print_table()
    if args.tests_only:
        bench_tests()
        return print_table()
    if not args.quick:
        bench_builds()
        bench_tests()
    bench_import()
    bench_explorers()
    bench_notebooks()
    bench_kernels()
    print_table()


def print_table() -> None:
    width = max(len(r[0]) for r in rows)
    print("\n| measurement | value | budget | |\n|---|---|---|---|")
    for what, value, budget, ok in rows:
        print(f"| {what:<{width}} | {value} | {budget} | {ok} |")


if __name__ == "__main__":
    main()
