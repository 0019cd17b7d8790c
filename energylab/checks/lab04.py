"""Answer checks of Lab 4, "Squeeze the bits". Every expected value is computed."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from energylab import datasets, precision
from energylab.checks import Question

#: The bit patterns students decode by hand in task 1.
FP8_PATTERN = 0b0_1011_101          # E4M3: sign 0, exponent 1011, mantissa 101
FP8_SUBNORMAL_PATTERN = 0b1_0000_011  # E4M3: sign 1, exponent 0000 (subnormal), mantissa 011


def _decode(pattern: int) -> float:
    return float(np.array([pattern], dtype=np.uint8).view(ml_dtypes.float8_e4m3fn).astype(float)[0])


def _layer1():
    from energylab import workloads

    return workloads.digits_mlp().weights[0]


def _sqnr(per_channel: bool) -> float:
    w = _layer1()
    return precision.sqnr_db(w, precision.quantize(w, "int8", axis=1 if per_channel else None))


def _fewest_bits() -> int:
    base = precision.digits_accuracy("fp32")
    for bits in range(2, 17):
        if precision.digits_accuracy(f"int{bits}") >= base - 0.01:
            return bits
    raise RuntimeError("no integer width reached FP32 accuracy")  # pragma: no cover


def _memory_saving() -> float:
    from energylab import workloads

    net = workloads.digits_mlp()
    n = net.macs_per_inference  # one weight per MAC
    n_scales = len(net.weights)  # one FP32 scale per weight matrix
    return precision.memory_bytes(n, "fp32") / precision.memory_bytes(n, f"int{_fewest_bits()}",
                                                                       n_scales=n_scales)


def _mac_ratio() -> float:
    return precision.op_energy("mac", 32, "fp") / precision.op_energy("mac", _fewest_bits(), "int")


QUESTIONS = {
    "lab04.fp8_decode": Question(
        expected=lambda: _decode(FP8_PATTERN), rtol=0,
        hint="value = (-1)^s × 2^(E - 7) × (1 + M/8) for E4M3 normals; E = 0b1011 = 11.",
    ),
    "lab04.fp8_decode_subnormal": Question(
        expected=lambda: _decode(FP8_SUBNORMAL_PATTERN), rtol=0,
        hint="exponent field 0 means subnormal: (-1)^s × 2^(1 - 7) × (0 + M/8).",
    ),
    "lab04.int8_sqnr_per_tensor": Question(
        expected=lambda: _sqnr(False), rtol=0, atol=0.05, unit="dB",
        hint="quantize(w, 'int8') then sqnr_db(w, q).",
    ),
    "lab04.int8_sqnr_per_channel": Question(
        expected=lambda: _sqnr(True), rtol=0, atol=0.05, unit="dB",
        hint="the output channels are the columns: axis=1.",
    ),
    "lab04.fewest_bits": Question(
        expected=_fewest_bits, rtol=0, unit="bits",
        hint="loop over bits = 2, 3, … and compare digits_accuracy(f'int{bits}') with FP32 minus 0.01.",
    ),
    "lab04.memory_saving": Question(
        expected=_memory_saving, rtol=0.005, unit="×",
        hint="FP32 bytes ÷ (packed integer bytes + one 4-byte scale per weight matrix).",
    ),
    "lab04.mac_energy_ratio": Question(
        expected=_mac_ratio, rtol=0.01, unit="×",
        hint="op_energy('mac', 32, 'fp') ÷ op_energy('mac', bits, 'int').",
    ),
    "lab04.h100_fp8_dense_tflops": Question(
        expected=lambda: datasets.peak_flops("H100", "fp8") / 1e12, rtol=0.005, unit="TFLOPS",
        hint="datasets.peak_flops('H100', 'fp8') is the dense peak, in FLOP/s.",
    ),
    "lab04.h100_claim_is_sparse": Question(
        expected=lambda: bool(np.isclose(datasets.peak_flops("H100", "fp8", sparse=True) / 1e12, 4000,
                                         rtol=0.02)),
        hint="Is the seed's 4,000 TFLOPS the dense peak or twice it?",
    ),
}
