"""Rebuild energylab/data/*.csv from the course's source material.

Run from the repository root with the shared material beside it::

    python scripts/build_datasets.py ../shared

The committed CSV files are this script's output; the course never reads ../shared
at run time (Binder and Colab do not have it). Each table's provenance is recorded in
energylab/data/sources.toml.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "energylab" / "data"

# ---------------------------------------------------------------- models
MODEL_COLUMNS = {
    "Model": "name",
    "Organization": "organization",
    "Domain": "domain",
    "Publication date": "publication_date",
    "Parameters": "parameters",
    "Training compute (FLOP)": "training_compute_flop",
    "Training dataset size (datapoints)": "training_dataset_size_datapoints",
    "Training time (hours)": "training_time_hours",
    "Training hardware": "training_hardware",
    "Hardware quantity": "chip_count",
    "Hardware utilization (MFU)": "hardware_utilization_mfu",
    "Training chip-hours": "training_chip_hours",
    "Training power draw (W)": "training_power_draw_w",
    "Numerical format": "numerical_format",
    "Confidence": "confidence",
    "Compute rank when published": "compute_rank_when_published",
}


def build_models(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / "data" / "epoch" / "notable_models.csv")
    df = raw[list(MODEL_COLUMNS)].rename(columns=MODEL_COLUMNS)
    df = df.sort_values(["publication_date", "name"], kind="stable").reset_index(drop=True)
    df["verified"] = "2025-05"  # Epoch's release the rows come from, as retrieved
    return df


# ---------------------------------------------------------------- chips
# Curated: one row per accelerator the course discusses, taken from Epoch's row named in
# `epoch_name`; `overrides` fill gaps or correct it from the manufacturers' datasheets, and
# every disagreement between Epoch and a datasheet is written into `notes`.
CHIPS = [
    # name, aliases, vendor, epoch_name, sparsity_2to4, overrides, notes
    ("NVIDIA Tesla P100 SXM2", "P100", "NVIDIA", "NVIDIA Tesla P100 SXM2", False, {}, "No tensor cores; 16-bit figure is FP16 vector math."),
    ("NVIDIA Tesla V100 SXM2", "V100;V100 SXM2;V100 SXM", "NVIDIA", "NVIDIA Tesla V100 SXM2", False, {},
     "Matches NVIDIA's V100 datasheet (300 W, 125 TFLOPS FP16 tensor, no 2:4 sparsity). PCIe variants are 250 W."),
    ("NVIDIA Tesla T4", "T4", "NVIDIA", "NVIDIA Tesla T4", False, {}, "Inference card; 16-bit figure is Epoch's FP16."),
    ("NVIDIA A100 SXM4 80 GB", "A100;A100 SXM;A100 SXM4", "NVIDIA", "NVIDIA A100 SXM4 80 GB", True, {},
     "Matches NVIDIA's A100 datasheet (400 W; 312 dense / 624 sparse TFLOPS FP16). Epoch lists INT8 624 TOPS dense."),
    ("NVIDIA A100 PCIe", "A100 PCIe", "NVIDIA", "NVIDIA A100 PCIe", True, {}, "NVIDIA's A100 datasheet gives 250–300 W for PCIe."),
    ("NVIDIA H100 SXM5 80 GB", "H100;H100 SXM;H100 SXM5", "NVIDIA", "NVIDIA H100 SXM5 80GB", True,
     {"fp8_flop_per_s": 1.9789e15},
     "FP8 dense 1,978.9 TFLOPS added from NVIDIA's H100 datasheet (Epoch row has none). Hopper has no INT4 tensor path (Ada keeps one). "
     "Sparse peaks (3,958 FP8, 1,979 FP16) are 2x these dense figures."),
    ("NVIDIA H100 PCIe", "H100 PCIe", "NVIDIA", "NVIDIA H100 PCIe", True, {"process_nm": 5.0},
     "350 W (NVIDIA H100 datasheet). Same GH100 die as the SXM5 part, on TSMC 4N, a 5 nm-class node "
     "(Epoch lists 4 nm for this row and 5 nm for the SXM; both are set to 5)."),
    ("NVIDIA H200 SXM", "H200", "NVIDIA", "NVIDIA H200 SXM", True, {"fp8_flop_per_s": 1.9789e15},
     "Same GH100 die as H100 with 141 GB HBM3e; FP8 dense added as for H100."),
    ("NVIDIA B200", "B200", "NVIDIA", "NVIDIA B200", True,
     {"transistors": 2.08e11, "int4_op_per_s": np.nan, "fp32_flop_per_s": 75e12, "fp64_flop_per_s": 37e12},
     "HGX B200 at 1,000 W per GPU. FP32 75 and FP64 37 TFLOPS per GPU from NVIDIA's HGX B200 datasheet "
     "(600 and 296 TFLOPS per 8-GPU board); launch material (GTC 2024) quoted about 80 TFLOPS FP32 and "
     "Epoch lists 62 FP32 / 31 FP64. TF32 1,125 and FP16 2,250 TFLOPS dense (half the datasheet's sparse "
     "figures). Epoch's INT4 9e15 OP/s matches NVIDIA's dense FP4 figure and Blackwell lists no INT4 "
     "tensor throughput, so INT4 is left empty. 208 billion transistors over two dies. "
     "The B200 inside a GB200 runs at 1,200 W with 2,500 TFLOPS FP16 dense."),
    ("Google TPU v2", "TPU v2;TPUv2", "Google", "Google TPU v2", False, {}, ""),
    ("Google TPU v3", "TPU v3;TPUv3", "Google", "Google TPU v3", False, {},
     "tdp_w holds 220 W, the measured mean chip power in Jouppi et al. 2023 (Table 3), not a TDP "
     "(power_basis says so)."),
    ("Google TPU v4", "TPU v4;TPUv4", "Google", "Google TPU v4", False, {},
     "tdp_w holds 170 W, the measured mean chip power in Jouppi et al. 2023 (Table 3); its measured "
     "maximum is about 192 W (power_basis says so). 275 TFLOPS bf16 agrees."),
    ("Google TPU v5e", "TPU v5e;TPUv5e", "Google", "Google TPU v5e", False, {}, ""),
    ("AMD Instinct MI250X", "MI250X", "AMD", "AMD Radeon Instinct MI250X", False, {"tf32_flop_per_s": np.nan},
     "CDNA 2 has no TF32 mode; the 95.7 TFLOPS Epoch lists as TF32 is the FP32 matrix-core peak "
     "(AMD MI250X datasheet), so tf32 is left empty."),
    ("AMD Instinct MI300X", "MI300X", "AMD", "AMD Instinct MI300X", True, {}, ""),
    ("Intel Habana Gaudi2", "Gaudi2", "Intel", "Intel Habana Gaudi2", False, {}, ""),
    ("Huawei Ascend 910B", "Ascend 910B;910B", "Huawei", "Huawei Ascend 910B", False, {},
     "Epoch gives FP16 376 TFLOPS in its non-tensor column; copied to the 16-bit column."),
    ("Tesla D1 Dojo", "D1;Dojo D1", "Tesla", "Tesla D1 Dojo", False, {},
     "Tesla AI Day 2021 presentation: 400 W, 362 TFLOPS BF16/CFP8, 22.6 TFLOPS FP32."),
]

#: What the tdp_w column holds where it is not the vendor's thermal design power.
POWER_BASIS = {"Google TPU v3": "measured mean (Jouppi et al. 2023)",
               "Google TPU v4": "measured mean (Jouppi et al. 2023)"}

CHIP_COLUMNS = {
    "FP64 (double precision) performance (FLOP/s)": "fp64_flop_per_s",
    "FP32 (single precision) performance (FLOP/s)": "fp32_flop_per_s",
    "TF32 (TensorFloat-32) performance (FLOP/s)": "tf32_flop_per_s",
    "Tensor-FP16/BF16 performance (FLOP/s)": "fp16_flop_per_s",
    "FP8 performance (FLOP/s)": "fp8_flop_per_s",
    "INT8 performance (OP/s)": "int8_op_per_s",
    "INT4 performance (OP/s)": "int4_op_per_s",
    "Memory size per board (Byte)": "memory_bytes",
    "Memory bandwidth (byte/s)": "memory_bandwidth_bytes_per_s",
    "Die Size (mm^2)": "die_area_mm2",
    "TDP (W)": "tdp_w",
    "Process size (nm)": "process_nm",
    "Number of transistors (millions)": "transistors",
}


def build_chips(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / "data" / "epoch" / "chips.csv").set_index("Hardware name")
    rows = []
    for name, aliases, vendor, epoch_name, sparse, overrides, notes in CHIPS:
        src = raw.loc[epoch_name]
        row = {"name": name, "aliases": aliases, "vendor": vendor,
               "year": int(str(src["Release date"])[:4])}
        for col, new in CHIP_COLUMNS.items():
            row[new] = src[col]
        if pd.isna(row["fp16_flop_per_s"]):  # chips without tensor cores: vector FP16
            row["fp16_flop_per_s"] = src["FP16 (half precision) performance (FLOP/s)"]
        if not pd.isna(row["transistors"]):
            row["transistors"] = row["transistors"] * 1e6  # Epoch stores millions
        row.update(overrides)
        row["sparsity_2to4"] = sparse
        row["epoch_name"] = epoch_name
        row["notes"] = notes
        row["power_basis"] = POWER_BASIS.get(name, "TDP")
        row["verified"] = "2026-11" if notes else "2025-05"
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- energy per op
def build_energy_per_op() -> pd.DataFrame:
    # Horowitz, ISSCC 2014, Fig. 1.1.9 (45 nm, 0.9 V); claims ledger §3.2.
    rows = [
        ("add", "int", 8, 0.03), ("add", "int", 32, 0.1),
        ("mul", "int", 8, 0.2), ("mul", "int", 32, 3.1),
        ("add", "fp", 16, 0.4), ("add", "fp", 32, 0.9),
        ("mul", "fp", 16, 1.1), ("mul", "fp", 32, 3.7),
    ]
    df = pd.DataFrame(rows, columns=["operation", "number_kind", "bits", "energy_pj"])
    df["energy_j"] = df.pop("energy_pj") * 1e-12
    df["process_nm"] = 45
    df["voltage_v"] = 0.9
    df["source"] = "horowitz2014"
    df["basis"] = "rough energy cost (Horowitz's estimate, not a measurement)"
    df["verified"] = "2026-11"
    return df


# ---------------------------------------------------------------- memory energy
#: Source of the three interface rows that no primary document checked by the course
#: states: typical ranges, labelled as such (tests/test_claims.py keeps them to these three).
UNSOURCED = "none: typical range"


def build_memory_energy() -> pd.DataFrame:
    # level, technology, access_bits, energy per access (J) or per bit, source key, basis
    rows = [
        # Horowitz 2014 (45 nm), per 64-bit access
        ("sram_8kb", "SRAM cache 8 KB (45 nm)", 64, 10e-12, np.nan, np.nan, "horowitz2014", "per 64-bit read"),
        ("sram_32kb", "SRAM cache 32 KB (45 nm)", 64, 20e-12, np.nan, np.nan, "horowitz2014", "per 64-bit read"),
        ("sram_1mb", "SRAM cache 1 MB (45 nm)", 64, 100e-12, np.nan, np.nan, "horowitz2014", "per 64-bit read"),
        ("dram_45nm", "DRAM (45 nm era)", 64, 1.95e-9, 1.3e-9, 2.6e-9, "horowitz2014", "per 64-bit read, range 1.3–2.6 nJ"),
        # Han et al. 2016, per 32-bit access
        ("register_file", "register file (45 nm)", 32, 1e-12, np.nan, np.nan, "han2016eie", "per 32-bit access"),
        ("sram_8kb_32bit", "SRAM 8 KB (45 nm)", 32, 5e-12, np.nan, np.nan, "han2016eie", "per 32-bit access"),
        ("dram_32bit", "DRAM (45 nm era)", 32, 640e-12, np.nan, np.nan, "han2016eie", "per 32-bit access"),
        # Interfaces, per bit transferred (O'Connor et al. 2017, Table 1)
        ("hbm2", "HBM2", 1, 3.97e-12, np.nan, np.nan, "oconnor2017", "per bit transferred"),
        ("gddr5", "GDDR5", 1, 14e-12, np.nan, np.nan, "oconnor2017", "per bit transferred"),
        ("ddr4", "DDR4 incl. I/O", 1, 17.5e-12, 15e-12, 20e-12, UNSOURCED, "typical range per bit transferred, 15–20 pJ"),
        ("lpddr5", "LPDDR5", 1, 4.5e-12, 4e-12, 5e-12, UNSOURCED, "typical range per bit transferred, 4–5 pJ"),
        ("hbm3", "HBM3/3E", 1, 3.5e-12, 3e-12, 4e-12, UNSOURCED, "typical range per bit transferred, 3–4 pJ"),
    ]
    df = pd.DataFrame(rows, columns=["level", "technology", "access_bits", "energy_j",
                                     "energy_low_j", "energy_high_j", "source", "basis"])
    df["energy_j_per_bit"] = df["energy_j"] / df["access_bits"]
    df["verified"] = "2026-11"
    return df


def main(shared: str) -> None:
    shared = Path(shared)
    build_models(shared).to_csv(DATA / "models.csv", index=False)
    build_chips(shared).to_csv(DATA / "chips.csv", index=False)
    build_energy_per_op().to_csv(DATA / "energy_per_op.csv", index=False)
    build_memory_energy().to_csv(DATA / "memory_energy.csv", index=False)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared")
