"""Answer checks of Lab 4, "Squeeze the bits". Every expected value is computed."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from energylab import datasets, precision
from energylab.checks import Question

#: The book variant's task inputs: the E4M3 bytes decoded by hand in task 1 (sign,
#: exponent field, mantissa field), the weight matrix of task 2 (index into the digits
#: network's weights) and the accuracy task 3 may lose.
BOOK_INPUTS = {
    "fp8_byte": "0 1011 101",
    "fp8_subnormal_byte": "1 0000 011",
    "sqnr_layer": 0,
    "accuracy_drop": 0.01,
}
#: Kept for code that reads the book's values directly.
FP8_PATTERN = 0b0_1011_101
FP8_SUBNORMAL_PATTERN = 0b1_0000_011


def draw_inputs(rng) -> dict:
    """Another variant: other bytes to decode, the other layer, another accuracy budget."""
    def byte(sign, exponent, mantissa):
        return f"{sign} {exponent:04b} {mantissa:03b}"

    return {
        "fp8_byte": byte(int(rng.integers(2)), int(rng.integers(1, 15)), int(rng.integers(8))),
        "fp8_subnormal_byte": byte(int(rng.integers(2)), 0, int(rng.integers(1, 8))),
        "sqnr_layer": int(rng.integers(2)),
        "accuracy_drop": float(rng.choice([0.005, 0.02, 0.03])),
    }


def pattern(byte: str) -> int:
    """The integer of a byte written as 's eeee mmm'."""
    return int(byte.replace(" ", ""), 2)


def _decode(p: int | str) -> float:
    p = pattern(p) if isinstance(p, str) else p
    return float(np.array([p], dtype=np.uint8).view(ml_dtypes.float8_e4m3fn).astype(float)[0])


def _layer(index: int):
    from energylab import workloads

    return workloads.digits_mlp().weights[index]


def _sqnr(p, per_channel: bool) -> float:
    w = _layer(p["sqnr_layer"])
    return precision.sqnr_db(w, precision.quantize(w, "int8", axis=1 if per_channel else None))


def _fewest_bits(p) -> int:
    base = precision.digits_accuracy("fp32")
    for bits in range(2, 17):
        if precision.digits_accuracy(f"int{bits}") >= base - p["accuracy_drop"]:
            return bits
    raise RuntimeError("no integer width reached FP32 accuracy")  # pragma: no cover


def _memory_saving_for(bits: int) -> float:
    from energylab import workloads

    net = workloads.digits_mlp()
    n = net.macs_per_inference  # one weight per MAC
    n_scales = len(net.weights)  # one FP32 scale per weight matrix
    return precision.memory_bytes(n, "fp32") / precision.memory_bytes(n, f"int{bits}", n_scales=n_scales)


def _mac_ratio_for(bits: int) -> float:
    return precision.op_energy("mac", 32, "fp") / precision.op_energy("mac", bits, "int")


def _student_bits(answers):
    b = answers.get("lab04.fewest_bits")
    if isinstance(b, (bool, np.bool_)) or b is None:
        return None
    try:
        b = float(b)
    except (TypeError, ValueError):
        return None
    return int(b) if b == int(b) and 2 <= b <= 16 else None


def _ecf(fn):
    def ecf(p, answers):
        bits = _student_bits(answers)
        return None if bits is None else fn(bits)
    return ecf


QUESTIONS = {
    "lab04.fp8_decode": Question(
        expected=lambda p: _decode(p["fp8_byte"]), rtol=0,
        hint="value = (-1)^s × 2^(E - 7) × (1 + M/8) for E4M3 normals; read E and M in binary.",
    ),
    "lab04.fp8_decode_subnormal": Question(
        expected=lambda p: _decode(p["fp8_subnormal_byte"]), rtol=0,
        hint="exponent field 0 means subnormal: (-1)^s × 2^(1 - 7) × (0 + M/8).",
    ),
    "lab04.int8_sqnr_per_tensor": Question(
        expected=lambda p: _sqnr(p, False), rtol=0, atol=0.05, unit="dB",
        hint="quantize(w, 'int8') then sqnr_db(w, q).",
    ),
    "lab04.int8_sqnr_per_channel": Question(
        expected=lambda p: _sqnr(p, True), rtol=0, atol=0.05, unit="dB",
        hint="the output channels are the columns: axis=1.",
    ),
    "lab04.fewest_bits": Question(
        expected=_fewest_bits, rtol=0, unit="bits",
        hint="Try bits = 2, 3, …: the first digits_accuracy(f'int{bits}') within the drop of FP32.",
    ),
    "lab04.memory_saving": Question(
        expected=lambda p: _memory_saving_for(_fewest_bits(p)), rtol=0.005, unit="×",
        ecf=_ecf(_memory_saving_for),
        hint="FP32 bytes ÷ (packed integer bytes + one 4-byte scale per weight matrix).",
    ),
    "lab04.mac_energy_ratio": Question(
        expected=lambda p: _mac_ratio_for(_fewest_bits(p)), rtol=0.01, unit="×",
        ecf=_ecf(_mac_ratio_for),
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
