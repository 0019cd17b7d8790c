"""Measure the energy of your own code with the machine's energy counters.

Two kinds of counter are read, where the machine has them:

* **RAPL through Linux powercap.** Intel (and recent AMD) processors keep running
  energy counters per package, exposed by the kernel under ``/sys/class/powercap``:
  each zone directory (``intel-rapl:0``, ``intel-rapl:0:0``, ...) has a ``name``
  (``package-0``, ``core``, ``dram``, ...), a cumulative ``energy_uj`` in microjoules
  and ``max_energy_range_uj``, where the counter wraps back to zero
  :cite:p:`intel_sdm_rapl,linux_powercap`. Since 2020 ``energy_uj`` is readable only by
  root on most distributions (a side channel, CVE-2020-8694), and containers, virtual
  machines, Binder and CI runners usually expose no powercap at all.
* **NVIDIA NVML**, when the ``pynvml`` package is importable and a GPU is present:
  ``nvmlDeviceGetTotalEnergyConsumption`` returns millijoules since the driver loaded
  (Volta and newer) :cite:p:`nvml_api`.

:func:`available` says whether any counter can be read and :func:`status` says why not
in plain words. :func:`energy` runs a function ``repeat`` times and reports the joules,
seconds and watts of each run. A counter measures the whole package (or GPU), not just
your code: run on an otherwise idle machine, repeat, and compare with the idle power.

>>> from energylab import measure
>>> measure.energy_delta_uj(100, 40, max_energy_range_uj=1000)   # wrapped once
940

A powercap tree can be built anywhere (tests and this example use a temporary one); a
counter that does not move reads zero joules:

>>> import pathlib, tempfile
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> zone = root / "intel-rapl:0"
>>> zone.mkdir()
>>> for f, text in [("name", "package-0"), ("energy_uj", "1000"), ("max_energy_range_uj", "262143328850")]:
...     _ = (zone / f).write_text(text)
>>> [z.name for z in measure.rapl_zones(root, subzones=False)], measure.rapl_zones(root)[0].read_uj()
(['package-0'], 1000)
>>> reader = measure.RaplReader(root)
>>> reader.joules_between(reader.read(), [1_001_000])   # 1e6 µJ later
1.0
>>> measure.available("rapl", root=root), measure.status("rapl", root=root)
(True, 'RAPL: readable (package-0)')
>>> measure.energy(lambda: None, repeat=2, source="rapl", root=root).energy_j.tolist()
[0.0, 0.0]
>>> try:                                   # NVIDIA GPUs, where pynvml and a driver exist
...     gpus = measure.NvmlReader()
... except measure.CounterUnavailable:
...     gpus = None
>>> gpus is None or len(gpus.read()) == len(gpus.names)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import validate

__all__ = [
    "POWERCAP_ROOT",
    "RaplZone",
    "rapl_zones",
    "RaplReader",
    "NvmlReader",
    "energy_delta_uj",
    "available",
    "status",
    "Measurement",
    "CounterUnavailable",
    "energy",
]

#: Where the Linux kernel exposes power-capping zones.
POWERCAP_ROOT = "/sys/class/powercap"
#: Most runs :func:`energy` repeats a function (a bound, so no argument makes it run for ever).
MAX_REPEAT = 10_000


class CounterUnavailable(RuntimeError):
    """No energy counter can be read on this machine (the message says why)."""


@dataclass(frozen=True)
class RaplZone:
    """One powercap zone: its directory, name and wrap-around range (µJ)."""

    path: Path
    name: str
    max_energy_range_uj: int

    def read_uj(self) -> int:
        """The zone's cumulative energy counter, µJ (raises OSError if unreadable)."""
        return int((self.path / "energy_uj").read_text().strip())


def energy_delta_uj(start_uj, end_uj, max_energy_range_uj):
    """Energy between two readings of a counter that wraps at ``max_energy_range_uj`` (µJ).

    A RAPL counter counts up to ``max_energy_range_uj`` and starts again from zero, so a
    reading smaller than the previous one means the counter wrapped (once, if you sample
    often enough: at 100 W a 2^32 µJ counter wraps every 43 s, a 2^38 µJ one every 46 min).

    Parameters
    ----------
    start_uj, end_uj : int or array of int
        Counter readings, in [0, max_energy_range_uj].
    max_energy_range_uj : int or array of int
        The zone's ``max_energy_range_uj``, > 0.

    Returns
    -------
    int or numpy.ndarray
        ``end − start`` if ``end ≥ start``, else ``end + max_range − start``.

    Raises
    ------
    ValueError
        If a reading is negative or above the range, or the range is not > 0.

    Examples
    --------
    >>> energy_delta_uj(10, 25, 100), energy_delta_uj(90, 5, 100)
    (15, 15)

    References
    ----------
    :cite:p:`linux_powercap`, :cite:p:`khan2018rapl`.
    """
    rng = np.asarray(validate.positive("max_energy_range_uj", max_energy_range_uj))
    s = np.asarray(validate.nonnegative("start_uj", start_uj))
    e = np.asarray(validate.nonnegative("end_uj", end_uj))
    s, e, rng = np.broadcast_arrays(s, e, rng)
    for name, x in (("start_uj", s), ("end_uj", e)):
        bad = x > rng
        if bad.any():
            raise ValueError(f"{name} must be in [0, max_energy_range_uj], got {x[bad].flat[0]:g}")
    out = np.where(e >= s, e - s, e + rng - s)
    out = np.rint(out).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def _root(root) -> Path:
    if not isinstance(root, (str, Path)):
        raise ValueError(f"root must be a directory path (str or pathlib.Path), got {type(root).__name__}")
    return Path(root)


def _readings(name: str, value, n: int) -> None:
    """One counter reading per zone or GPU: a list of n non-negative numbers."""
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise ValueError(f"{name} must be a list of {n} counter readings (from read()), got {value!r}")
    validate.nonnegative(name, list(value))


def _is_top_level(name: str) -> bool:
    # "intel-rapl:0" is a package zone; "intel-rapl:0:1" is its sub-zone (core, uncore, dram)
    return name.count(":") == 1


def rapl_zones(root=POWERCAP_ROOT, subzones: bool = False) -> list[RaplZone]:
    """The RAPL zones under a powercap root that have an energy counter.

    Parameters
    ----------
    root : str or pathlib.Path
        The powercap directory (tests point it at a temporary tree).
    subzones : bool
        Also list sub-zones (core, uncore, dram inside a package). Their energy is part
        of their package's, so never add them to it.

    Returns
    -------
    list of RaplZone
        Sorted by directory name; empty if the root does not exist.
    """
    subzones = validate.flag("subzones", subzones)
    root = _root(root)
    if not root.is_dir():
        return []
    zones = []
    for d in sorted(root.iterdir()):
        if ":" not in d.name or not (d / "energy_uj").exists():
            continue
        if not subzones and not _is_top_level(d.name):
            continue
        try:
            name = (d / "name").read_text().strip()
        except OSError:
            name = d.name
        try:
            max_range = int((d / "max_energy_range_uj").read_text().strip())
        except (OSError, ValueError):
            continue
        zones.append(RaplZone(d, name, max_range))
    return zones


class RaplReader:
    """Reads the top-level RAPL zones (packages) of a powercap tree and sums their energy.

    A ``psys`` (platform) zone, where present, already contains the packages, so only
    ``package-*`` zones are summed when there are any.

    Raises
    ------
    CounterUnavailable
        If the tree has no zone or no zone's ``energy_uj`` can be read.
    """

    source = "rapl"

    def __init__(self, root=POWERCAP_ROOT):
        zones = rapl_zones(root)
        packages = [z for z in zones if z.name.startswith("package")]
        self.zones = packages or zones
        if not self.zones:
            raise CounterUnavailable(f"no RAPL zone with an energy counter under {root}")
        unreadable = []
        for z in self.zones:
            try:
                z.read_uj()
            except (OSError, ValueError) as err:
                unreadable.append(f"{z.name} ({type(err).__name__})")
        if unreadable:
            raise CounterUnavailable(
                "RAPL zones exist but their energy_uj cannot be read: " + ", ".join(unreadable)
                + ". Since Linux 5.10 most systems let only root read them.")

    @property
    def names(self) -> list[str]:
        return [z.name for z in self.zones]

    def read(self) -> list[int]:
        """One reading per zone, µJ."""
        return [z.read_uj() for z in self.zones]

    def joules_between(self, start: list[int], end: list[int]) -> float:
        """Energy summed over zones between two readings (J), wrap-around handled."""
        _readings("start", start, len(self.zones))
        _readings("end", end, len(self.zones))
        return sum(energy_delta_uj(s, e, z.max_energy_range_uj)
                   for s, e, z in zip(start, end, self.zones)) * 1e-6


class NvmlReader:
    """Reads NVIDIA GPUs' total-energy counters through ``pynvml`` (millijoules).

    Raises
    ------
    CounterUnavailable
        If ``pynvml`` is not importable, NVML does not start, or no GPU reports energy.
    """

    source = "nvml"

    def __init__(self):
        try:
            import pynvml
        except ImportError:
            raise CounterUnavailable("pynvml is not installed, so NVIDIA GPUs cannot be read") from None
        self._nvml = pynvml
        try:
            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self.names = [str(pynvml.nvmlDeviceGetName(h)) for h in self._handles]
            self.read()
        except Exception as err:  # NVMLError and friends: no driver, no GPU, no energy counter
            raise CounterUnavailable(f"NVML is not usable here: {err}") from None
        if not self._handles:
            raise CounterUnavailable("NVML found no GPU")

    def read(self) -> list[int]:
        """One reading per GPU, mJ."""
        return [int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in self._handles]

    def joules_between(self, start: list[int], end: list[int]) -> float:
        """Energy summed over GPUs between two readings (J)."""
        _readings("start", start, len(self._handles))
        _readings("end", end, len(self._handles))
        return sum(e - s for s, e in zip(start, end)) * 1e-3


def _readers(source: str, root) -> tuple[list, list[str]]:
    source = validate.one_of("source", source, ["auto", "rapl", "nvml"])
    _root(root)
    readers, reasons = [], []
    if source in ("auto", "rapl"):
        try:
            readers.append(RaplReader(root))
        except CounterUnavailable as err:
            reasons.append(f"RAPL: {err}")
    if source in ("auto", "nvml"):
        try:
            readers.append(NvmlReader())
        except CounterUnavailable as err:
            reasons.append(f"NVML: {err}")
    return readers, reasons


def available(source: str = "auto", root=POWERCAP_ROOT) -> bool:
    """Whether an energy counter can be read here (``source``: auto, rapl or nvml)."""
    readers, _ = _readers(source, root)
    return bool(readers)


def status(source: str = "auto", root=POWERCAP_ROOT) -> str:
    """A plain sentence per counter type: what can be read here, or why not."""
    readers, reasons = _readers(source, root)
    lines = [f"{r.source.upper()}: readable ({', '.join(r.names)})" for r in readers]
    return "\n".join(lines + reasons)


@dataclass(frozen=True)
class Measurement:
    """Energy and time of ``repeat`` runs of a function.

    Attributes
    ----------
    energy_j, seconds : numpy.ndarray
        Per run: joules read from the counters and wall-clock seconds.
    source : str
        ``"rapl"``, ``"nvml"`` or ``"rapl+nvml"``.
    zones : tuple of str
        What was read (package and GPU names).
    """

    energy_j: np.ndarray
    seconds: np.ndarray
    source: str
    zones: tuple

    @property
    def power_w(self) -> np.ndarray:
        """Average power of each run (W)."""
        return self.energy_j / self.seconds

    @property
    def median_j(self) -> float:
        return float(np.median(self.energy_j))

    @property
    def median_s(self) -> float:
        return float(np.median(self.seconds))


def energy(fn: Callable, *args, repeat: int = 5, source: str = "auto", root=POWERCAP_ROOT,
           **kwargs) -> Measurement:
    """Run ``fn(*args, **kwargs)`` ``repeat`` times and measure each run's energy.

    Parameters
    ----------
    fn : callable
        The code to measure. Make one run last at least ~0.1 s: RAPL updates about every
        millisecond, NVML every few to hundreds of milliseconds.
    *args, **kwargs
        Passed to ``fn``.
    repeat : int
        Number of runs, in [1, MAX_REPEAT].
    source : {"auto", "rapl", "nvml"}
        Which counters to read; ``auto`` reads every one available.
    root : str or pathlib.Path
        Powercap root (for tests).

    Returns
    -------
    Measurement

    Raises
    ------
    ValueError
        If ``fn`` is not callable, ``repeat`` < 1 or ``source`` is unknown.
    CounterUnavailable
        If no counter can be read here; the message says why for each kind.

    References
    ----------
    :cite:p:`khan2018rapl`, :cite:p:`nvml_api`.
    """
    validate.callable_("fn", fn)
    repeat = validate.integer("repeat", repeat, minimum=1, maximum=MAX_REPEAT)
    readers, reasons = _readers(source, root)
    if not readers:
        raise CounterUnavailable("no energy counter is readable here. " + " ".join(reasons))
    energies, seconds = [], []
    for _ in range(repeat):
        start = [r.read() for r in readers]
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        t1 = time.perf_counter()
        end = [r.read() for r in readers]
        energies.append(sum(r.joules_between(s, e) for r, s, e in zip(readers, start, end)))
        seconds.append(t1 - t0)
    zones = tuple(n for r in readers for n in r.names)
    return Measurement(np.array(energies), np.array(seconds),
                       "+".join(r.source for r in readers), zones)
