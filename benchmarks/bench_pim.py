"""Benchmark: a 1024×1024 analog crossbar VMM on a batch of 64 inputs.

    python benchmarks/bench_pim.py

Prints a table: programming the crossbar (levels + variation), one VMM with read
noise and ADC quantization, and the plain NumPy matmul of the same shapes timed in the
same run (the reference), with the overhead ratio. Target: programming + VMM <= 0.2 s.
Best of several repeats; timings depend on the machine, so this is not a test.
"""

from __future__ import annotations

import time

import numpy as np

from energylab import pim

N_IN, N_OUT, BATCH, REPEATS = 1024, 1024, 64, 7


def best_time(fn, repeats=REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    w = rng.standard_normal((N_IN, N_OUT))
    x = rng.uniform(0.0, 1.0, (BATCH, N_IN))
    settings = dict(levels=64, sigma=0.05)
    read = dict(adc_bits=8, read_noise=0.02)

    xbar = pim.Crossbar(w, rng=1, **settings)
    t_matmul = best_time(lambda: x @ w)
    t_program = best_time(lambda: pim.Crossbar(w, rng=1, **settings))
    t_vmm = best_time(lambda: xbar.vmm(x, **read))
    t_both = t_program + t_vmm
    err = np.linalg.norm(xbar.vmm(x, **read) - x @ w) / np.linalg.norm(x @ w)

    print(f"crossbar {N_IN}x{N_OUT}, batch {BATCH}, {settings}, {read}; best of {REPEATS}")
    print(f"{'step':<38}{'time (ms)':>12}{'vs matmul':>12}")
    rows = [("numpy matmul x @ w (reference)", t_matmul),
            ("program crossbar (levels + variation)", t_program),
            ("VMM (noise + ADC)", t_vmm),
            ("program + VMM", t_both)]
    for name, t in rows:
        print(f"{name:<38}{t * 1e3:>12.2f}{t / t_matmul:>11.1f}x")
    print(f"relative error of the analog result: {err:.3f}")
    print(f"target program + VMM <= 200 ms: {'met' if t_both <= 0.2 else 'MISSED'}")


if __name__ == "__main__":
    main()
