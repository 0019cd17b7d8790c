"""The claims ledger as code: every checkable claim of the seed articles, its verdict and why.

The course audits five popular articles on the energy cost of AI (the *seeds*). Each of
their checkable statements is a :class:`Claim`: an id (``C001`` ... ``C146``), the seeds
it comes from, a topic, the claim in the course's own English, a verdict from one fixed
vocabulary (:data:`VERDICTS`) with a free-text qualifier, the better figure, its primary
sources and the date they were last verified. The text lives in ``data/claims.toml``;
this module adds what makes the ledger code:

* **the stated quantity** (:class:`Stated`) of every claim that energylab can recompute:
  the number or range the seed gives, its SI unit and what it measures;
* **a check**: a function of energylab's datasets and models that returns the better
  figure as an :class:`~energylab.estimate.Estimate` (low, central, high, sources), and,
  where the seed's number belongs to a *different* quantity than the one it names, that
  quantity too (the ``alternative``);
* **one verdict rule**, :func:`rule`, which derives the verdict from the two.

Claims without a check keep an *editorial* verdict; each says why no computed number
decides it (:attr:`Claim.editorial_reason`).

The verdict rule
----------------
Let the stated set be the seed's number, range or bound, and the checked interval the
check's ``[low, high]``. The rule is applied in this order:

1. the stated set meets the checked interval → ``correct``;
2. it meets the interval of the alternative quantity → ``misleading`` (the number is
   right, but for something other than what the claim says it measures);
3. it lies within a factor :data:`FACTOR` (1.5) of the checked interval → ``roughly right``;
4. it lies within that factor of the alternative → ``misleading``;
5. otherwise → ``wrong``.

``unverifiable`` is never computed: it is the editorial verdict of a claim whose figure no
primary document states. The factor of 1.5 is the course's convention: estimates of
energy built from utilisation, power and PUE are rarely better than ±30 %, so a figure
within 50 % is as good as such an estimate can judge.

>>> from energylab import claims
>>> r = claims.evaluate("C083")
>>> r.verdict, r.reason.split(";")[0]
('misleading', 'the stated 10–50 mL meets the alternative 16 [14.5 – 21] mL')

``scripts/build_claims.py`` writes ``data/claims.csv`` from this module; the test suite
re-derives every computed verdict and fails, naming the claim, when one flips.

References
----------
moore2009interval
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from . import validate
from .constants import LITRES_PER_US_GALLON
from .estimate import Estimate

__all__ = ["VERDICTS", "TOPICS", "FACTOR", "Stated", "CheckResult", "Claim", "Result", "rule",
           "claims", "get", "evaluate", "computed_ids", "table", "as_of", "CHAPTER_OF_TOPIC"]

#: The fixed verdict vocabulary.
VERDICTS = ("correct", "roughly right", "misleading", "wrong", "unverifiable")
#: Topics, one per chapter.
TOPICS = ("power-laws", "landauer-joule", "sparsity", "low-precision", "pim", "cooling-water",
          "energy-bill")
#: Chapter (book document) where each topic's claims are discussed.
CHAPTER_OF_TOPIC = {
    "power-laws": "chapters/01_power_laws",
    "landauer-joule": "chapters/02_landauer_joule",
    "sparsity": "chapters/03_sparsity",
    "low-precision": "chapters/04_low_precision",
    "pim": "chapters/05_processing_in_memory",
    "cooling-water": "chapters/06_cooling_and_water",
    "energy-bill": "chapters/07_the_whole_bill",
}
#: Lab tasks that audit a claim (claim id -> (document, task)).
LAB_TASKS = {
    "C120": ("labs/lab07_audit_a_claim", "Task 2"),
    "C038": ("labs/lab07_audit_a_claim", "Task 3"),
    "C009": ("labs/lab07_audit_a_claim", "Task 4"),
    "C119": ("labs/lab07_audit_a_claim", "Task 1"),
    "C131": ("labs/lab07_audit_a_claim", "Task 5"),
}
#: Sections that check a claim (claim id -> (MyST label, section name)); other claims link
#: to their topic's chapter.
SECTIONS = {
    **{c: ("ch07-training", "chapter 7, §1 Training") for c in ("C002", "C003", "C119", "C121", "C137")},
    **{c: ("ch07-inference", "chapter 7, §2 Inference") for c in ("C004", "C009", "C123")},
    **{c: ("ch07-gallery", "chapter 7, §5 Check the claim") for c in
       ("C001", "C136", "C038", "C039", "C042", "C043", "C053", "C054", "C120", "C133", "C128", "C033",
        "C130", "C034", "C050", "C103", "C104", "C057", "C067", "C070")},
    "C105": ("ch06-heat", "chapter 6, §1 All the power ends as heat"),
    "C129": ("ch06-pue", "chapter 6, §3 Power usage effectiveness"),
    "C113": ("ch06-throttling", "chapter 6, §2 From junction to coolant"),
    **{c: ("ch06-pue", "chapter 6, §3 Power usage effectiveness") for c in ("C115",)},
    **{c: ("ch06-water", "chapter 6, §4 Water") for c in ("C082", "C083", "C084", "C085", "C125")},
}
#: A stated figure within this factor of the checked interval is "roughly right".
FACTOR = 1.5

# Display units of stated quantities -> (SI unit, factor to SI).
UNITS = {
    "J": ("J", 1.0), "Wh": ("J", 3600.0), "kWh": ("J", 3.6e6), "MWh": ("J", 3.6e9),
    "GWh": ("J", 3.6e12), "TWh": ("J", 3.6e15),
    "W": ("W", 1.0), "kW": ("W", 1e3), "MW": ("W", 1e6),
    "TFLOPS": ("FLOP/s", 1e12), "TFLOPS/W": ("FLOP/J", 1e12),
    "mL": ("m3", 1e-6), "L": ("m3", 1e-3), "m³": ("m3", 1.0), "million m³": ("m3", 1e6),
    "billion m³": ("m3", 1e9), "billion US gal": ("m3", 1e9 * LITRES_PER_US_GALLON * 1e-3),
    "t CO2e": ("kg", 1e3), "bit": ("bit", 1.0), "": ("1", 1.0), "%": ("1", 0.01),
    "billion": ("1", 1e9), "months": ("s", 365.25 * 86400 / 12),
}
RELATIONS = ("about", "below", "above", "at most", "at least")


# ------------------------------------------------------------------------------ data types
@dataclass(frozen=True)
class Stated:
    """The quantity a claim states, as data.

    ``low``/``high`` are in the display ``unit`` (a key of :data:`UNITS`); ``relation``
    says whether the claim gives the value (``about``, a range when low < high) or a
    bound (``below``, ``above``: strict; ``at most``, ``at least``).
    """

    low: float
    high: float
    unit: str
    measures: str
    relation: str = "about"

    def __post_init__(self):
        validate.one_of("unit", self.unit, list(UNITS), normalise=str)
        validate.one_of("relation", self.relation, RELATIONS)
        lo, hi = validate.finite("low", self.low), validate.finite("high", self.high)
        if lo > hi:
            raise ValueError(f"stated low must be <= high, got {lo} > {hi}")

    @property
    def si_unit(self) -> str:
        return UNITS[self.unit][0]

    def si(self) -> tuple[float, float, bool, bool]:
        """The stated set in SI: ``(low, high, low_closed, high_closed)``."""
        f = UNITS[self.unit][1]
        lo, hi = self.low * f, self.high * f
        if self.relation == "below":
            return -math.inf, hi, False, False
        if self.relation == "at most":
            return -math.inf, hi, False, True
        if self.relation == "above":
            return lo, math.inf, False, False
        if self.relation == "at least":
            return lo, math.inf, True, False
        return lo, hi, True, True

    def text(self) -> str:
        num = _num(self.low) if self.low == self.high else f"{_num(self.low)}–{_num(self.high)}"
        prefix = {"about": "", "below": "below ", "above": "above ", "at most": "at most ",
                  "at least": "at least "}[self.relation]
        return f"{prefix}{num} {self.unit}".strip()


@dataclass(frozen=True)
class CheckResult:
    """What a check returns: the better figure and, optionally, the quantity the seed's
    number really belongs to."""

    better: Estimate
    measures: str
    alternative: Estimate | None = None
    alternative_measures: str = ""


@dataclass(frozen=True)
class Claim:
    """One row of the ledger (see the module docstring)."""

    id: str
    seeds: tuple[str, ...]
    topic: str
    claim: str
    verdict: str
    qualifier: str
    better_figure: str
    how_to_check: str
    sources: tuple[str, ...]
    confidence: str
    verified: str
    stated: Stated | None = None
    check: Callable[[], CheckResult] | None = field(default=None, compare=False)
    editorial_reason: str = ""

    @property
    def computed(self) -> bool:
        return self.check is not None


@dataclass(frozen=True)
class Result:
    """The verdict the rule derives for a computed claim, with the evidence."""

    id: str
    verdict: str
    reason: str
    stated: Stated
    check: CheckResult


# ------------------------------------------------------------------------------ the rule
def _num(x: float) -> str:
    x = float(x)
    if x == 0:
        return "0"
    mag = abs(x)
    if mag >= 1e5 or mag < 1e-3:
        return f"{x:.3g}"
    digits = max(0, 2 - int(math.floor(math.log10(mag))))
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:,.0f}"


def _fmt(e: Estimate, unit: str) -> str:
    f = UNITS[unit][1]
    return f"{_num(e.central / f)} [{_num(e.low / f)} – {_num(e.high / f)}] {unit}".strip()


def _meets(s_lo, s_hi, lo_closed, hi_closed, lo, hi) -> bool:
    left = s_lo <= hi if lo_closed else s_lo < hi
    right = s_hi >= lo if hi_closed else s_hi > lo
    return bool(left and right)


def _distance(s_lo, s_hi, lo, hi) -> float:
    """Smallest ratio by which the stated set misses [lo, hi] (1 when they touch)."""
    if s_hi < lo:
        return lo / s_hi if s_hi > 0 else math.inf
    if s_lo > hi:
        return s_lo / hi if hi > 0 else math.inf
    return 1.0


def rule(stated: Stated, result: CheckResult) -> tuple[str, str]:
    """The verdict rule (module docstring): ``(verdict, reason)``.

    Examples
    --------
    >>> s = Stated(2.0, 2.0, "W", "power")
    >>> rule(s, CheckResult(Estimate(1.0, 1.5, 1.8), "power"))[0]
    'roughly right'
    >>> rule(s, CheckResult(Estimate(1.0, 1.1, 1.2), "power"))[0]
    'wrong'
    """
    s_lo, s_hi, lc, hc = stated.si()
    own, alt = result.better, result.alternative
    u = stated.unit
    said = f"the stated {stated.text()}"
    own_txt = f"the better figure {_fmt(own, u)}"
    if _meets(s_lo, s_hi, lc, hc, float(own.low), float(own.high)):
        return "correct", f"{said} meets {own_txt}"
    if alt is not None and _meets(s_lo, s_hi, lc, hc, float(alt.low), float(alt.high)):
        return "misleading", (f"{said} meets the alternative {_fmt(alt, u)}; "
                              f"it measures {result.alternative_measures}, not {result.measures}")
    d = _distance(s_lo, s_hi, float(own.low), float(own.high))
    if d <= FACTOR:
        return "roughly right", f"{said} is within {d:.2f}x of {own_txt} (limit {FACTOR}x)"
    if alt is not None:
        d_alt = _distance(s_lo, s_hi, float(alt.low), float(alt.high))
        if d_alt <= FACTOR:
            return "misleading", (f"{said} is {d:.1f}x off {own_txt} but within {d_alt:.2f}x of "
                                  f"{result.alternative_measures}, {_fmt(alt, u)}")
    return "wrong", f"{said} is {d:.1f}x off {own_txt} (limit {FACTOR}x)"


# ------------------------------------------------------------------------------ the checks
CHECKS: dict[str, Callable[[], CheckResult]] = {}


def _check(*ids):
    def register(fn):
        for cid in ids:
            CHECKS[cid] = fn
        return fn
    return register


def _row(table, where: dict, column):
    from . import datasets

    df = datasets.load(table)
    for k, v in where.items():
        df = df[df[k] == v]
    if len(df) != 1:
        raise ValueError(f"{table}: {where} matches {len(df)} rows, expected 1")
    return df.iloc[0]


def _gpt3_energy() -> Estimate:
    """GPT-3's training energy from Patterson et al.'s inputs, J. The interval is the
    rounding of the published inputs (14.8 days, 330 W); 1,287 MWh, the paper's figure,
    lies inside."""
    from . import footprint

    e = footprint.training_energy_estimate(10_000, Estimate(14.75 * 24, 14.8 * 24, 14.85 * 24),
                                           Estimate(329.5, 330.0, 330.5), 1.1)
    return _with_sources(e, "patterson2021")


def _with_sources(e: Estimate, *sources) -> Estimate:
    return Estimate(e.low, e.central, e.high, e.unit, tuple(dict.fromkeys(e.sources + sources)))


def _llama405b_energy() -> Estimate:
    """Llama 3.1 405B: 30.8 M H100-hours at 700 W (TDP), PUE 1.08 (Meta fleet) to 1.1, J."""
    from . import footprint

    e = footprint.training_energy_estimate(30.8e6, 1.0, 700.0, Estimate(1.08, 1.1, 1.1))
    return _with_sources(e, "https://arxiv.org/abs/2407.21783", "meta2024sustainability")


def _frontier_runs() -> Estimate:
    g, l = _gpt3_energy(), _llama405b_energy()
    return Estimate.from_range(float(g.low), float(l.high), unit="J",
                               sources=tuple(dict.fromkeys(g.sources + l.sources)))


def _compute_doubling(start: float, end: float) -> Estimate:
    """Doubling time (s) of frontier training compute, models published in [start, end).

    Frontier as in chapter 1: among the ten most compute-intensive models when published
    (Epoch's rank). The interval is the fit's central value ± two standard errors.
    """
    from . import datasets, scaling

    df = datasets.load("models")
    df = df[(df["training_compute_flop"] > 0) & (df["compute_rank_when_published"] <= 10)]
    year = scaling.decimal_year(df["publication_date"])
    sel = (year >= start) & (year < end)
    fit = scaling.fit_exponential(year[sel], df["training_compute_flop"][sel])
    month = UNITS["months"][1]
    d, se = fit.doubling_time_months, 12 * fit.doubling_time_stderr_years
    return Estimate((d - 2 * se) * month, d * month, (d + 2 * se) * month, "s",
                    ("epoch2025models", "sevilla2022"))


@_check("C005")
def _doubling():
    return CheckResult(_compute_doubling(2010, 2026), "the doubling time of frontier training compute, "
                       "2010–2025 (Epoch's data, chapter 1's fit)", _compute_doubling(2012, 2019),
                       "the 2012–2018 rate that Amodei and Hernandez measured")


@_check("C054")
def _h100_fp8():
    from . import datasets

    dense = datasets.peak_flops("H100", "fp8")
    return CheckResult(Estimate.exact(dense, "FLOP/s", ("nvidia2022h100datasheet",)),
                       "the H100's dense FP8 tensor peak",
                       Estimate.exact(datasets.peak_flops("H100", "fp8", sparse=True), "FLOP/s",
                                      ("nvidia2022h100datasheet",)),
                       "the 2:4-sparse FP8 peak")


@_check("C129")
def _cooling_share():
    from . import cooling
    from .estimate import propagate

    # all overhead (cooling included) is 1 - 1/PUE of the facility's energy: an upper bound
    return CheckResult(propagate(cooling.overhead_share, unit="1", pue_value=cooling.typical_range("pue")),
                       "the largest share cooling can take of a data centre's electricity today "
                       "(all overhead, 1 − 1/PUE, at PUE 1.08–1.58)")


@_check("C001", "C136")
def _large_run_vs_town():
    return CheckResult(_frontier_runs(), "the energy of one large training run, GPT-3 (2020) to "
                       "Llama 3.1 405B (2024)")


@_check("C002", "C119")
def _gpt3_mwh():
    return CheckResult(_gpt3_energy(), "GPT-3's training energy (Patterson et al. 2021)")


@_check("C003", "C137")
def _gpt3_households():
    from . import footprint

    e = _gpt3_energy()
    household = Estimate(10_500.0, footprint.US_HOUSEHOLD_KWH_PER_YEAR, 10_800.0).scaled(3.6e6)
    out = Estimate(float(e.low) / float(household.high), float(e.central) / float(household.central),
                   float(e.high) / float(household.low), "1",
                   ("patterson2021", "eia2021household"))
    return CheckResult(out, "US household-years of electricity in GPT-3's training")


@_check("C006")
def _a100_power():
    tdp = float(_row("chips", {"name": "NVIDIA A100 SXM4 80 GB"}, "tdp_w")["tdp_w"])
    return CheckResult(Estimate.exact(tdp, "W", ("nvidia2020a100",)), "an A100 SXM's maximum power")


def _system_power_per_gpu(tdp_w: float, server_w_per_gpu: float, source: str) -> Estimate:
    """Per-GPU power from the chip's TDP (low) to its server's maximum ÷ GPUs (high); the
    central value is 70 % of the server maximum, Epoch AI's assumption."""
    central = max(tdp_w, 0.7 * server_w_per_gpu)
    return Estimate(tdp_w, central, server_w_per_gpu, "W", (source, "you2025chatgpt"))


@_check("C007")
def _a100_cluster():
    p = _system_power_per_gpu(400.0, 6_500.0 / 8, "devries2023")
    return CheckResult(p.scaled(2_000), "the power of 2,000 A100s with their servers")


@_check("C008")
def _h100_site():
    from . import cooling

    per_gpu = _system_power_per_gpu(700.0, 10_200.0 / 8, "you2025chatgpt")
    from .estimate import propagate

    site = propagate(lambda p, pue: 20_000 * p * pue, unit="W", p=per_gpu,
                     pue=cooling.typical_range("pue"))
    return CheckResult(site, "the power of a 20,000-H100 site")


def _epoch_query() -> Estimate:
    from . import cooling, footprint

    pue = cooling.typical_range("pue")
    return footprint.inference_energy_estimate(
        500, 100e9, "H100", "bf16", Estimate(0.05, 0.10, 0.20, "", ("you2025chatgpt",)),
        pue=Estimate(float(pue.low), 1.2, float(pue.high), "", pue.sources),
        power_per_chip_w=_system_power_per_gpu(700.0, 10_200.0 / 8, "you2025chatgpt"))


def _devries_query() -> Estimate:
    from . import footprint
    from .estimate import propagate

    day = propagate(lambda w: footprint.training_energy(3_617, 24, w), unit="J",
                    w=Estimate(6_450.0, 6_500.0, 6_550.0))
    return _with_sources(day.scaled(1 / 195e6), "devries2023")


@_check("C009", "C123")
def _chatgpt_query():
    return CheckResult(_epoch_query(), "the energy of a typical chatbot query today (Epoch AI 2025's "
                       "model, utilisation 5–20 %, PUE 1.08–1.58)", _devries_query(),
                       "de Vries's 2023 estimate for A100 servers at full load")


@_check("C023")
def _a100_sparse():
    from . import datasets

    return CheckResult(Estimate.exact(datasets.peak_flops("A100", "fp16", sparse=True), "FLOP/s",
                                      ("nvidia2020a100",)), "the A100's 2:4-sparse FP16 tensor peak")


@_check("C033")
def _industry_pue():
    df = _row("datacenter_efficiency", {"operator_or_region": "Global average (Uptime survey)",
                                        "year": 2024}, "pue")
    now = Estimate(float(df["pue"]), float(df["pue"]), 1.58, "1", ("uptime2024", "uptime2023"))
    then = Estimate(1.8, 1.8, 1.89, "1", ("uptime2011",))
    return CheckResult(now, "the industry-average PUE of 2020–2024", then,
                       "the industry average of 2011 (Uptime: 1.8 in the 2011 survey, 1.89 in its "
                       "later series)")


def _exapod_flop_per_j() -> Estimate:
    from . import datasets

    d1 = float(datasets.chip("D1")["tdp_w"])
    # chips only (an upper bound on efficiency) down to chips + 50 % for trays, host and cooling
    return Estimate(1.1e18 / (3_000 * d1 * 1.5), 1.1e18 / (3_000 * d1), 1.1e18 / (3_000 * d1),
                    "FLOP/J", ("epoch2025hardware",))


@_check("C038")
def _exapod():
    return CheckResult(_exapod_flop_per_j(), "an ExaPOD's FLOP per joule, 3,000 D1 chips at their TDP")


@_check("C039")
def _a100_sparse_per_w():
    from . import datasets

    e = datasets.peak_flops("A100", "fp16", sparse=True) / float(datasets.chip("A100")["tdp_w"])
    return CheckResult(Estimate.exact(e, "FLOP/J", ("nvidia2020a100",)),
                       "a sparse A100's FP16 FLOP per joule at TDP")


@_check("C042")
def _palm_active_share():
    from . import sparsity

    p = sparsity.MOE_MODELS["PaLM 540B"]
    return CheckResult(Estimate.exact(p["active"] / p["total"], "1", (p["source"],)),
                       "the share of PaLM 540B's parameters active per token (dense)")


@_check("C043")
def _palm_active():
    from . import sparsity

    p = sparsity.MOE_MODELS["PaLM 540B"]
    return CheckResult(Estimate.exact(p["active"], "1", (p["source"],)),
                       "PaLM 540B's active parameters per token")


@_check("C020")
def _moe_idle():
    from . import sparsity

    shares = {k: 1 - v["active"] / v["total"] for k, v in sparsity.MOE_MODELS.items() if v["experts"] > 1}
    srcs = tuple(sparsity.MOE_MODELS[k]["source"] for k in shares)
    return CheckResult(Estimate.from_range(min(shares.values()), max(shares.values()), unit="1",
                                           sources=srcs), "the idle share of an MoE model's parameters "
                       "per token (Mixtral 8x7B to GLaM)")


@_check("C049")
def _storage_ratio():
    from . import precision

    fp32 = precision.format_info("fp32").bits
    return CheckResult(Estimate(precision.format_info("int8").bits / fp32,
                                precision.format_info("bf16").bits / fp32,
                                precision.format_info("bf16").bits / fp32, "1", ("ieee754_2019",)),
                       "storage of a 16- or 8-bit number relative to FP32")


@_check("C058")
def _bf16_mantissa():
    from . import precision

    eps = precision.format_info("bf16").eps            # 2**-mantissa_bits
    return CheckResult(Estimate.exact(round(-math.log2(eps)), "bit",
                                      ("kalamkar2019bf16",)), "bfloat16's stored mantissa bits")


@_check("C059")
def _google_pue():
    df = _row("datacenter_efficiency", {"operator_or_region": "Google fleet", "year": 2023}, "pue")
    return CheckResult(Estimate.exact(float(df["pue"]), "1", (str(df["source"]),)),
                       "Google's fleet PUE (trailing twelve months, 2023)")


def _ops():
    from . import datasets

    return datasets.load("energy_per_op").set_index(["operation", "number_kind", "bits"])["energy_j"]


@_check("C069")
def _dram_vs_op():
    from . import datasets

    mem = datasets.load("memory_energy").set_index("level")
    ops = _ops()
    dram32 = float(mem.loc["dram_32bit", "energy_j"])
    lo = dram32 / float(ops[("mul", "fp", 32)])
    hi = dram32 / float(ops[("add", "int", 32)])
    return CheckResult(Estimate.from_range(lo, hi, unit="1", sources=("horowitz2014", "han2016eie")),
                       "a 32-bit DRAM access ÷ one 32-bit arithmetic operation (45 nm)")


@_check("C080")
def _b200_transistors():
    t = float(_row("chips", {"name": "NVIDIA B200"}, "transistors")["transistors"])
    return CheckResult(Estimate.exact(t, "1", ("https://www.nvidia.com/en-us/data-center/hgx/",)),
                       "the B200's transistor count (two dies)")


def _gpt3_water() -> dict:
    from . import cooling

    e = _gpt3_energy()
    li = _row("datacenter_efficiency", {"operator_or_region": "US average (Li et al. assumptions)"}, "")
    it_kwh = e.scaled(1 / 1.1 / 3.6e6)
    w = cooling.water_use_estimate(it_kwh, float(li["wue_l_per_kwh"]), 1.1, float(li["ewif_l_per_kwh"]))
    # Li et al. apply WUE to all 1,287 MWh; the course to IT energy: both ends of on-site water.
    onsite_li = float(e.high) / 3.6e6 * float(li["wue_l_per_kwh"])
    onsite = Estimate(float(w["onsite_l"].low), float(w["onsite_l"].central), onsite_li, "L",
                      ("li2023thirsty", "patterson2021"))
    return {"onsite": _m3(onsite), "total": _with_sources(_m3(w["total_l"]), "li2023thirsty",
                                                           "patterson2021")}


def _m3(litres: Estimate) -> Estimate:
    """An estimate in litres as cubic metres."""
    return Estimate(litres.low * 1e-3, litres.central * 1e-3, litres.high * 1e-3, "m3", litres.sources)


@_check("C082", "C125")
def _gpt3_water_check():
    w = _gpt3_water()
    return CheckResult(w["total"], "the water GPT-3's training consumed, on site and at the power "
                       "stations", w["onsite"], "the water evaporated on site only")


@_check("C083")
def _bottle():
    from . import cooling

    wue = cooling.typical_range("wue_onsite_l_per_kwh")
    li = _row("datacenter_efficiency", {"operator_or_region": "US average (Li et al. assumptions)"}, "")
    w = cooling.water_use_estimate(0.004, wue, 1.1, float(li["ewif_l_per_kwh"]))   # 4 Wh a response
    onsite = _with_sources(_m3(w["onsite_l"]), "li2023thirsty", "brown2020gpt3")
    total = _with_sources(_m3(w["total_l"]), "li2023thirsty", "brown2020gpt3")
    return CheckResult(onsite, "the cooling water evaporated on site per response (4 Wh)", total,
                       "the water per response including the power stations' (about 86 % of it)")


def _ref(figure_id: str) -> Estimate:
    """One row of ``data/reference_figures.csv`` as an Estimate (SI unit, its source)."""
    r = _row("reference_figures", {"id": figure_id}, "value")
    unit = "" if r["unit"] == "1" else str(r["unit"])
    return Estimate(float(r["low"]), float(r["value"]), float(r["high"]), unit, (str(r["source"]),))


@_check("C084")
def _google_water():
    return CheckResult(_ref("google_dc_water_2023"), "the water Google's data centres consumed in 2023")


@_check("C085")
def _gallons():
    # the dataset stores Google's 6.1 billion US gallons (rounding 6.05–6.15) in m³ at NIST's
    # exact gallon; tests/test_claims.py checks that conversion against constants
    return CheckResult(_with_sources(_ref("google_dc_water_2023"), "nist_sp811"),
                       "6.1 billion US gallons (as rounded) in cubic metres")


@_check("C088")
def _chip_water():
    return CheckResult(_ref("dram_chip_water_2002"), "the water used to make a 2 g (32 MB DRAM) chip, "
                       "Williams et al. 2002")


@_check("C090")
def _ai_water_2027():
    return CheckResult(_ref("ai_water_withdrawal_2027"), "the projected water withdrawal of global AI "
                       "demand in 2027 (Li et al.)")


@_check("C014")
def _prunable_share():
    pairs = [(_ref("alexnet_params"), _ref("alexnet_params_pruned")),
             (_ref("vgg16_params"), _ref("vgg16_params_pruned"))]
    shares = [1 - float(after.central) / float(before.central) for before, after in pairs]
    return CheckResult(Estimate.from_range(min(shares), max(shares), unit="1", sources=("han2015learning",)),
                       "the share of weights pruned with no accuracy loss after retraining (AlexNet, "
                       "VGG-16; Han et al. 2015)")


@_check("C044")
def _moe_per_token():
    from . import sparsity

    glam = sparsity.MOE_MODELS["GLaM"]
    gpt3 = float(_row("models", {"name": "GPT-3 175B (davinci)"}, "parameters")["parameters"])
    # FLOPs per token ≈ 2 × active parameters, so the ratio of active parameters is the
    # ratio of per-token compute (and, on the same hardware, energy)
    return CheckResult(Estimate.exact(glam["active"] / gpt3, "1", (glam["source"], "epoch2025models")),
                       "GLaM's per-token compute relative to dense GPT-3 (active parameters)")


@_check("C112")
def _pim_saving():
    from . import datasets

    r = _ref("hbm_pim_energy_reduction")
    own = Estimate.exact(1 / (1 - float(r.central)), "1", r.sources)
    mem = datasets.load("memory_energy").set_index("level")["energy_j"]
    dram = float(mem["dram_32bit"])
    alt = Estimate(dram / float(mem["sram_8kb_32bit"]), dram / float(mem["sram_8kb_32bit"]),
                   dram / float(mem["register_file"]), "1", ("han2016eie",))
    return CheckResult(own, "the energy saving of a shipped PIM system (Samsung HBM-PIM)", alt,
                       "a 32-bit DRAM access ÷ an on-chip SRAM or register access (45 nm), the "
                       "ceiling an ideal in-memory design approaches")


@_check("C124")
def _ai_search():
    from .estimate import propagate

    e = propagate(lambda n, p, q: n * p * 86_400 / q, unit="J", n=_ref("devries_ai_search_servers"),
                  p=_ref("devries_server_power"), q=_ref("devries_searches_per_day"))
    return CheckResult(e, "the energy of a Google search answered by an LLM, de Vries 2023's "
                       "two server scenarios")


@_check("C131")
def _dc_growth():
    now = float(_ref("dc_electricity_2024").central)
    # Masanet et al.: nearly flat from 2010 (194 TWh) to 2018 (205 TWh), so ten years before
    # 2024 lies between the two
    a, b = float(_ref("dc_electricity_2010").central), float(_ref("dc_electricity_2018").central)
    return CheckResult(Estimate.from_range(now / max(a, b), now / min(a, b), unit="1",
                                           sources=("iea2025energyai", "masanet2020")),
                       "global data-centre electricity in 2024 ÷ its level ten years earlier")


@_check("C092")
def _amazon_renewable():
    return CheckResult(_ref("amazon_renewable_match_2023"), "the share of Amazon's electricity matched "
                       "with renewables (2023)")


@_check("C097")
def _us_agencies():
    return CheckResult(_ref("us_agencies_ai_regulation_2023"), "US agencies that issued AI "
                       "regulations in 2023 (AI Index 2024)")


@_check("C103")
def _transfer_vs_mac():
    from . import datasets

    mem = datasets.load("memory_energy").set_index("level")
    ops = _ops()
    mac8 = float(ops[("mul", "int", 8)] + ops[("add", "int", 8)])
    lo = 8 * float(mem.loc["hbm2", "energy_j_per_bit"]) / mac8
    hi = 8 * float(mem.loc["ddr4", "energy_high_j"]) / mac8
    return CheckResult(Estimate.from_range(lo, hi, unit="1", sources=("oconnor2017", "horowitz2014")),
                       "moving one byte from DRAM (HBM2 to DDR4) ÷ one 8-bit MAC at 45 nm")


def _memory_share_at(intensity: float) -> float:
    from . import datasets, pim

    h100 = datasets.chip("H100")
    pj_flop = float(h100["tdp_w"]) / datasets.peak_flops("H100", "fp16")
    return (pim.energy_per_byte("hbm2") / intensity) / pj_flop


@_check("C104")
def _movement_share():
    from . import datasets, pim

    ridge = float(pim.ridge_point(datasets.peak_flops("H100", "fp16"),
                                  datasets.chip("H100")["memory_bandwidth_bytes_per_s"]))
    own = Estimate(_memory_share_at(4 * ridge), _memory_share_at(ridge), _memory_share_at(ridge), "1",
                   ("oconnor2017", "nvidia2022h100datasheet", "williams2009roofline"))
    d = pim.decode_step(7e9, 2, 1, "H100")
    alt = Estimate.exact(float(d.memory_share), "1", ("oconnor2017", "nvidia2022h100datasheet"))
    return CheckResult(own, "the share of an H100's energy spent on HBM traffic in compute-bound "
                       "matrix work (at the ridge point and above)", alt,
                       "the memory share of batch-1 decoding of a 7 B model")


@_check("C120")
def _gpt3_vs_cars():
    return CheckResult(_gpt3_energy(), "GPT-3's training energy")


@_check("C121")
def _gpt3_carbon():
    from .estimate import propagate

    e = _gpt3_energy()
    c = propagate(lambda j: j / 3.6e6 * 0.429, unit="kg", j=e)
    return CheckResult(_with_sources(c, "patterson2021"), "GPT-3's training emissions at 0.429 kg CO2e/kWh")


@_check("C122")
def _search():
    from . import footprint

    return CheckResult(Estimate.exact(footprint.GOOGLE_SEARCH_WH * 3600, "J", ("google2009search",)),
                       "a Google web search (2009)")


@_check("C130")
def _cooling_share_pue():
    df = _row("datacenter_efficiency", {"operator_or_region": "Global average (Uptime survey)",
                                        "year": 2024}, "pue")
    return CheckResult(Estimate(1.08, float(df["pue"]), 1.58, "1", ("meta2024sustainability",
                                                                     "uptime2024", "uptime2023")),
                       "the PUE of today's data centres (Meta's fleet to Uptime's average)")


#: World electricity generation in 2023, ≈ 29,500–30,000 TWh (Ember Global Electricity
#: Review 2024) :cite:p:`ember2024`.
WORLD_GENERATION_TWH = Estimate(29_000.0, 29_500.0, 30_000.0, "TWh", ("ember2024",))


@_check("C133")
def _share_of_generation():
    g = WORLD_GENERATION_TWH
    return CheckResult(Estimate(500 / float(g.high), 500 / float(g.central), 500 / float(g.low), "1",
                                g.sources), "500 TWh as a share of world generation")


# ------------------------------------------------------------------------------ loading
def _data_text() -> bytes:
    return (resources.files("energylab") / "data" / "claims.toml").read_bytes()


def _editorial_reason(row: dict) -> str:
    if row.get("editorial_reason"):
        return row["editorial_reason"]
    if row["verdict"] == "unverifiable":
        return "no primary document states this figure, so no computation can confirm or refute it"
    if re.search(r"\d", row["claim"].replace("C0", "")):
        return ("its figure comes from a study, report or vendor statement that energylab holds "
                "no dataset for; the verdict rests on the document named in the better figure")
    return "qualitative: the claim states no number that a computation could decide"


@functools.cache
def _load() -> tuple[Claim, ...]:
    data = tomllib.loads(_data_text().decode("utf-8"))
    out = []
    for row in data["claim"]:
        cid = row["id"]
        stated = Stated(**{"high": row["stated"].get("value", row["stated"].get("high")),
                           "low": row["stated"].get("value", row["stated"].get("low")),
                           **{k: v for k, v in row["stated"].items() if k not in ("value", "low", "high")}}
                        ) if "stated" in row else None
        check = CHECKS.get(cid)
        if (stated is None) != (check is None):
            raise ValueError(f"{cid}: a claim needs both a stated quantity and a check, or neither")
        verdict = validate.one_of(f"{cid} verdict", row["verdict"], list(VERDICTS))
        out.append(Claim(
            id=cid, seeds=tuple(row["seeds"]), topic=validate.one_of(f"{cid} topic", row["topic"], list(TOPICS)),
            claim=row["claim"], verdict=verdict, qualifier=row.get("qualifier", ""),
            better_figure=row.get("better_figure", ""), how_to_check=row.get("how_to_check", ""),
            sources=tuple(row.get("sources", ())), confidence=row.get("confidence", ""),
            verified=row["verified"], stated=stated, check=check,
            editorial_reason="" if check else _editorial_reason(row)))
    ids = [c.id for c in out]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate claim ids in claims.toml")
    unknown = set(CHECKS) - set(ids)
    if unknown:
        raise ValueError(f"checks for unknown claims: {sorted(unknown)}")
    return tuple(out)


def claims() -> list[Claim]:
    """Every claim, in id order."""
    return list(_load())


def get(claim_id: str) -> Claim:
    """One claim by id (``"C083"``, case-insensitive)."""
    ids = [c.id for c in _load()]
    if not isinstance(claim_id, str) or claim_id.upper() not in ids:
        raise ValueError(f"claim_id must be one of C001 ... C{len(ids):03d}, got {claim_id!r}")
    return _load()[ids.index(claim_id.upper())]


def computed_ids() -> list[str]:
    """Ids of the claims whose verdict a check computes."""
    return [c.id for c in _load() if c.computed]


@functools.cache
def evaluate(claim_id: str) -> Result:
    """Run a claim's check and the verdict rule.

    Raises
    ------
    ValueError
        If the claim has no check (its verdict is editorial).
    """
    c = get(claim_id)
    if not c.computed:
        raise ValueError(f"{c.id} has an editorial verdict ({c.editorial_reason}); it has no check")
    res = c.check()
    if res.better.unit and UNITS[c.stated.unit][0] not in (res.better.unit, "1"):
        raise ValueError(f"{c.id}: check returns {res.better.unit}, stated is {c.stated.si_unit}")
    verdict, reason = rule(c.stated, res)
    return Result(c.id, verdict, reason, c.stated, res)


def as_of() -> str:
    """The most recent last-verified date of the ledger's rows (for "data as of")."""
    return max(c.verified for c in _load())


def table():
    """The ledger as a DataFrame, the content of ``data/claims.csv``.

    Columns: id, seeds, topic, claim, verdict, qualifier, verdict_class (= verdict, kept
    for older code), kind (computed or editorial), stated, better_figure, checked (the
    computed better figure as central [low – high]), reason, sources, confidence, verified,
    how_to_check.
    """
    import pandas as pd

    rows = []
    for c in _load():
        if c.computed:
            r = evaluate(c.id)
            verdict, reason = r.verdict, r.reason
            checked = _fmt(r.check.better, c.stated.unit)
            srcs = tuple(dict.fromkeys(c.sources + r.check.better.sources +
                                       (r.check.alternative.sources if r.check.alternative else ())))
        else:
            verdict, reason, checked, srcs = c.verdict, c.editorial_reason, "", c.sources
        rows.append({"id": c.id, "seeds": ";".join(c.seeds), "topic": c.topic, "claim": c.claim,
                     "verdict": verdict, "qualifier": c.qualifier, "verdict_class": verdict,
                     "kind": "computed" if c.computed else "editorial",
                     "stated": c.stated.text() if c.stated else "", "better_figure": c.better_figure,
                     "checked": checked, "reason": reason, "sources": ";".join(srcs),
                     "confidence": c.confidence, "verified": c.verified, "how_to_check": c.how_to_check})
    return pd.DataFrame(rows)
