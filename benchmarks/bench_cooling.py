"""Benchmark: one simulated hour of thermal throttling at 1 ms steps (3.6 million steps).

    python benchmarks/bench_cooling.py [--hours 1.0] [--repeat 3]

Times :func:`energylab.cooling.simulate_throttling` (vectorised min-affine prefix scan)
against :func:`energylab.cooling.simulate_throttling_loop` (a plain Python loop over
steps, the straightforward reference), on the same bursty workload, and reports how far
apart their temperatures are. The issue's target: one hour at 1 ms in <= 1 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from energylab import cooling
from energylab.constants import ZERO_CELSIUS_K

PARAMS = dict(r_th_k_per_w=0.08, c_th_j_per_k=400.0, t_max_k=ZERO_CELSIUS_K + 85.0,
              t_ambient_k=ZERO_CELSIUS_K + 35.0, f_max_hz=1.98e9, p_at_f_max_w=700.0,
              p_static_w=100.0)


def workload(t):
    """Bursty utilisation: 30 s at 100 %, 10 s at 40 %."""
    return np.where((t % 40.0) < 30.0, 1.0, 0.4)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--dt", type=float, default=1e-3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    duration = args.hours * 3600.0
    n = int(round(duration / args.dt))
    run = dict(duration_s=duration, dt_s=args.dt, workload=workload, **PARAMS)
    t_vec, fast = best_of(lambda: cooling.simulate_throttling(**run), args.repeat)
    t_loop, slow = best_of(lambda: cooling.simulate_throttling_loop(**run), 1)
    dT = float(np.max(np.abs(fast.temperature_k - slow.temperature_k)))
    balance = abs(fast.heat_in_j - fast.heat_stored_j - fast.heat_removed_j) / fast.heat_in_j
    print(f"Thermal throttling, {args.hours:g} h at {args.dt * 1e3:g} ms steps ({n:,} steps)")
    print(f"{'method':<34}{'time (s)':>10}{'steps/s':>14}")
    print(f"{'vectorised scan (best of ' + str(args.repeat) + ')':<34}{t_vec:>10.3f}{n / t_vec:>14,.0f}")
    print(f"{'Python loop reference':<34}{t_loop:>10.3f}{n / t_loop:>14,.0f}")
    print(f"speed-up {t_loop / t_vec:.1f}x; max |T_scan - T_loop| = {dT:.1e} K; "
          f"energy balance error {balance:.1e}; T_max exceeded by "
          f"{max(0.0, fast.temperature_k.max() - PARAMS['t_max_k']):.1e} K; "
          f"work done {fast.sustained_fraction:.1%} of peak")
    print("target (issue 8): <= 1 s for one hour at 1 ms:", "met" if t_vec <= 1.0 else "NOT met")


if __name__ == "__main__":
    main()
