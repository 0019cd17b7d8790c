"""Benchmark: quantize 10^7 float32 values to every format of the course.

    python benchmarks/bench_precision.py [n_values]

For each format it times ``precision.quantize`` (ml_dtypes casts for floats, NumPy
arithmetic for integers and TF32) and, in the same run, a straightforward reference:

* float formats up to 16 bits: nearest value found by binary search in the table of every
  representable value (``np.searchsorted``), ties to the even code;
* integer formats: ``round`` and ``clip`` one element at a time in pure Python, timed on
  10^5 values and scaled to n (marked "~");
* TF32: arithmetic rounding ``round(x / ulp) * ulp`` in float64, with the ulp from
  ``np.frexp`` (``quantize`` uses integer operations on the float32 bits instead);
* FP32 has no reference (it is a plain NumPy cast).

It checks that the reference and ``quantize`` agree on every value, and prints a table.
The target (issue 6) is <= 0.5 s per format for 10^7 values. Timings depend on the
machine and its load: this is a benchmark, not a test.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from energylab import precision

N_PY = 100_000  # elements for the pure-Python reference (scaled to n)


def _best_of(fn, repeat=3):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def reference_float(x: np.ndarray, fmt: str) -> np.ndarray:
    """Nearest representable value by table search, ties to even code (in-range data only)."""
    table = np.concatenate([[0.0], precision.representable_values(fmt, positive_only=True)])
    a = np.abs(x.astype(np.float64))
    i = np.clip(np.searchsorted(table, a), 1, table.size - 1)
    lo, hi = table[i - 1], table[i]
    d_lo, d_hi = a - lo, hi - a
    pick_hi = (d_hi < d_lo) | ((d_hi == d_lo) & (i % 2 == 0))  # code of table[k] is k
    return np.copysign(np.where(pick_hi, hi, lo), x)


def reference_tf32(x: np.ndarray) -> np.ndarray:
    """Round to 10 mantissa bits by float64 arithmetic (ties to even via np.round)."""
    a = x.astype(np.float64)
    nonzero = a != 0
    _, e = np.frexp(np.where(nonzero, a, 1.0))           # a = f * 2**e, 0.5 <= |f| < 1
    ulp = np.ldexp(1.0, np.maximum(e - 1, -126) - 10)     # fixed below FP32's smallest normal
    return np.where(nonzero, np.round(a / ulp) * ulp, a)


def reference_int_python(x: np.ndarray, scale: float, bits: int) -> list:
    qmax = 2 ** (bits - 1) - 1
    return [max(-qmax, min(qmax, round(v / scale))) for v in x.tolist()]  # round(): ties to even


def main(n: int = 10_000_000) -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(n) * 4).astype(np.float32)  # |x| < 448: inside every float range but FP4's
    print(f"Quantizing {n:.0e} float32 values (normal, sigma 4); best of 3 runs\n")
    print(f"{'format':10s} {'quantize (s)':>13s} {'reference (s)':>14s} {'speed-up':>9s}  agree  <=0.5 s")
    for fmt in ["fp32", "tf32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "fp4_e2m1", "int8", "int4"]:
        spec = precision.format_spec(fmt)
        data = np.clip(x, -6, 6) if fmt == "fp4_e2m1" else x
        t_q, q = _best_of(lambda: precision.quantize(data, fmt))
        values = q.values
        if fmt == "tf32":
            t_ref, ref = _best_of(lambda: reference_tf32(data), repeat=1)
            agree = bool(np.array_equal(ref, values))
            ref_txt = f"{t_ref:14.3f}"
        elif spec.kind == "fp" and spec.bits <= 16:
            t_ref, ref = _best_of(lambda: reference_float(data, fmt), repeat=1)
            agree = bool(np.array_equal(ref, values))
            ref_txt = f"{t_ref:14.3f}"
        elif spec.kind == "int":
            scale = float(q.scale.item())
            sub = data[:N_PY].astype(np.float64)
            t_sub, ref = _best_of(lambda: reference_int_python(sub, scale, spec.bits), repeat=1)
            t_ref = t_sub * n / N_PY
            agree = bool(np.array_equal(np.asarray(ref, dtype=float) * scale, values[:N_PY]))
            ref_txt = f"{'~':>6s}{t_ref:8.1f}"
        else:
            t_ref, agree, ref_txt = np.nan, None, f"{'-':>14s}"
        speed = f"{t_ref / t_q:8.0f}x" if np.isfinite(t_ref) else f"{'-':>9s}"
        ok = "yes" if t_q <= 0.5 else "NO"
        agree_txt = {True: "yes", False: "NO", None: "-"}[agree]
        print(f"{fmt:10s} {t_q:13.3f} {ref_txt} {speed}  {agree_txt:5s}  {ok}")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
