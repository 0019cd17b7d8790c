"""Benchmark: N:M masks on a large matrix, energylab against a straightforward reference.

    python benchmarks/bench_sparsity.py [--size 8192] [--repeat 3]

Times :func:`energylab.sparsity.nm_mask` on a ``size × size`` float32 matrix and a
reference that sorts every group (a stable argsort of ``-|w|`` reshaped into groups of
``m``, then scatters ``True`` into the first ``n`` positions). Peak extra memory is read
with :mod:`tracemalloc` (NumPy reports its allocations to it) and shown as a multiple of
the input's size. Both must give identical masks. This prints a table; it is not a test.
The issue's target: 2:4 on 8192×8192 float32 in <= 1 s using <= 3× the input's memory.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from energylab import sparsity


def reference_nm_mask(w, n, m, axis=-1):
    """Sort each group of m and keep the first n (largest |w|, ties to the lower index)."""
    x = np.moveaxis(w, axis, -1)
    a = np.abs(x).reshape(x.shape[:-1] + (x.shape[-1] // m, m))
    order = np.argsort(-a, axis=-1, kind="stable")
    keep = np.zeros(a.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :n], True, axis=-1)
    return np.moveaxis(keep.reshape(x.shape), -1, axis)


def measure(fn, w, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(w)
        times.append(time.perf_counter() - t0)
        del out
    tracemalloc.start()
    out = fn(w)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak / w.nbytes, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    w = rng.standard_normal((args.size, args.size), dtype=np.float32)
    print(f"N:M mask of a {args.size}x{args.size} float32 matrix "
          f"({w.nbytes / 2**20:.0f} MiB); best of {args.repeat}, peak extra memory "
          "as a multiple of the input")
    print(f"{'pattern':>8} {'axis':>5} | {'energylab s':>11} {'memory':>7} | "
          f"{'reference s':>11} {'memory':>7} | {'speed-up':>8} same")
    for n, m, axis in [(2, 4, -1), (2, 4, 0), (4, 8, -1), (1, 4, -1)]:
        t1, m1, a = measure(lambda x: sparsity.nm_mask(x, n, m, axis), w, args.repeat)
        t2, m2, b = measure(lambda x: reference_nm_mask(x, n, m, axis), w, 1)
        same = bool(np.array_equal(a, b))
        print(f"{n}:{m:<6} {axis:>5} | {t1:11.3f} {m1:6.2f}x | {t2:11.3f} {m2:6.2f}x | "
              f"{t2 / t1:7.1f}x {same}")
        del a, b


if __name__ == "__main__":
    main()
