"""The claims ledger as code: every computed verdict re-derived, sources primary and dated,
generated files current, and the Estimate-returning models' interval properties."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energylab import claims, cooling, datasets, footprint
from energylab.estimate import Estimate

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ verdicts re-derived
def verdict_diffs(ledger) -> list[str]:
    """One readable line per computed claim whose recorded verdict the rule no longer gives."""
    out = []
    for c in ledger:
        if not c.computed:
            continue
        verdict, reason = claims.rule(c.stated, c.check())
        if verdict != c.verdict:
            out.append(f"{c.id}: {c.verdict} → {verdict}, because {reason}")
    return out


def assert_verdicts_current(ledger) -> None:
    diffs = verdict_diffs(ledger)
    assert not diffs, ("computed verdicts changed; if the data change is right, record the new "
                       "verdicts in energylab/data/claims.toml:\n" + "\n".join(diffs))


def test_every_computed_verdict_is_rederived_from_data_and_models():
    assert_verdicts_current(claims.claims())


def test_rederivation_fails_readably_on_a_flipped_verdict():
    flipped = [dataclasses.replace(c, verdict="correct") if c.id == "C083" else c for c in claims.claims()]
    with pytest.raises(AssertionError) as err:
        assert_verdicts_current(flipped)
    assert "C083: correct → misleading, because the stated 10–50 mL meets the alternative" in str(err.value)


def test_a_data_change_flips_a_computed_verdict(monkeypatch):
    # Were Google's fleet PUE 1.09, "below 1.1" would be correct, and the test would say so.
    real = claims.CHECKS["C059"]
    monkeypatch.setitem(claims.CHECKS, "C059",
                        lambda: dataclasses.replace(real(), better=Estimate.exact(1.09)))
    ledger = [dataclasses.replace(c, check=claims.CHECKS[c.id]) if c.computed else c for c in claims.claims()]
    assert verdict_diffs(ledger) == [
        "C059: roughly right → correct, because the stated below 1.1 meets the better figure 1.09 [1.09 – 1.09]"]


def test_verdict_rule_order_and_factor():
    s = claims.Stated(10.0, 10.0, "W", "a power")
    own = lambda lo, hi: claims.CheckResult(Estimate(lo, (lo + hi) / 2, hi), "x")  # noqa: E731
    assert claims.rule(s, own(9, 11))[0] == "correct"
    assert claims.rule(s, own(6.7, 6.9))[0] == "roughly right"      # 10 / 6.9 = 1.45
    assert claims.rule(s, own(6.0, 6.5))[0] == "wrong"              # 1.54 > 1.5
    alt = dataclasses.replace(own(1, 2), alternative=Estimate(9.0, 10.0, 12.0), alternative_measures="y")
    assert claims.rule(s, alt)[0] == "misleading"
    near_both = dataclasses.replace(own(7, 8), alternative=Estimate(9.5, 9.9, 9.99), alternative_measures="y")
    assert claims.rule(s, near_both)[0] == "roughly right"          # own within factor wins over near-alternative
    below = claims.Stated(1.1, 1.1, "", "PUE", "below")
    assert claims.rule(below, claims.CheckResult(Estimate.exact(1.10), "x"))[0] == "roughly right"
    assert claims.rule(below, claims.CheckResult(Estimate(1.05, 1.1, 1.1), "x"))[0] == "correct"


RANK = {"correct": 0, "roughly right": 1, "misleading": 2, "wrong": 3}


@settings(max_examples=80, deadline=None)
@given(v=st.floats(0.01, 100), lo=st.floats(0.01, 100), span=st.floats(1.0, 10.0), widen=st.floats(1.0, 5.0))
def test_widening_the_checked_interval_never_worsens_a_verdict(v, lo, span, widen):
    s = claims.Stated(v, v, "W", "p")
    narrow = claims.CheckResult(Estimate(lo, lo * span, lo * span), "x")
    wide = claims.CheckResult(Estimate(lo / widen, lo * span, lo * span * widen), "x")
    assert RANK[claims.rule(s, wide)[0]] <= RANK[claims.rule(s, narrow)[0]]


def test_ledger_is_complete_with_one_vocabulary_and_dates():
    ledger = claims.claims()
    assert [c.id for c in ledger] == [f"C{i:03d}" for i in range(1, 147)]
    for c in ledger:
        assert c.verdict in claims.VERDICTS and c.topic in claims.TOPICS
        assert re.fullmatch(r"20\d\d-\d\d(-\d\d)?", c.verified), c.id
        assert c.computed or c.editorial_reason, f"{c.id} has neither a check nor an editorial reason"
        assert "*" not in c.claim, f"{c.id}: the claim text carries raw markdown"
    assert not any(c.verdict == "unverifiable" for c in ledger if c.computed)


def test_numeric_claims_have_checks_and_the_count_only_grows():
    assert len(claims.computed_ids()) >= 47
    with pytest.raises(ValueError, match="editorial"):
        claims.evaluate("C011")
    with pytest.raises(ValueError, match="claim_id must be one of"):
        claims.get("C999")


def test_fact_check_corrections_are_in_the_ledger():
    t = claims.table().set_index("id")
    assert t.loc["C083", "verdict"] == "misleading" and "86 %" in t.loc["C083", "qualifier"]
    assert t.loc["C059", "verdict"] == "roughly right"
    assert t.loc["C001", "verdict"] == "wrong"
    assert t.loc["C095", "verdict"] == "unverifiable"
    assert "Ada" in t.loc["C053", "better_figure"]
    assert "0.22 pJ per MAC" in t.loc["C104", "better_figure"]
    onsite = claims.evaluate("C083").check.better
    assert 1.5e-6 < onsite.central < 2.5e-6          # ≈ 2 mL per response, in m³


def test_generated_csv_and_page_are_current():
    spec = importlib.util.spec_from_file_location("build_claims", REPO / "scripts" / "build_claims.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--check"]) == 0, "run python scripts/build_claims.py"
    page = (REPO / "reference" / "claims_ledger.md").read_text(encoding="utf-8")
    assert all(f"(claim-c{i:03d})=" in page for i in range(1, 147))
    assert "|" not in page.replace("\\|", "")        # no wide tables on a phone


def test_claims_dataset_loads_with_the_columns_other_code_uses():
    c = datasets.load("claims")
    assert {"id", "seeds", "topic", "claim", "verdict", "verdict_class", "better_figure"} <= set(c.columns)
    assert (c["verdict"] == c["verdict_class"]).all()


def test_nothing_reads_the_shared_folder_at_run_time():
    needles = ("../" + "shared", '/ "' + 'shared" /')      # a relative path, or a pathlib join
    # build scripts (scripts/build_datasets.py) may read the source material; the book may not
    for folder in ("energylab", "tests", "chapters", "labs", "reference"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in {".py", ".ipynb", ".md", ".toml"} and path.is_file():
                text = path.read_text(encoding="utf-8")
                assert not any(n in text for n in needles), path


# ------------------------------------------------------------------ primary sources, dated
#: Hosts of aggregators, mirrors, blogs, social and AI-summary sites (matched in the host name).
DENY = ("wikipedia.org", "researchgate.net", "medium.com", "substack.com", "blogspot.com", "reddit", "redlib",
        "twitter.com", "x.com", "facebook.com", "linkedin.com", "gwern.net", "greaterwrong.com", "ar5iv",
        "arxiv-vanity", "huggingface", "glennklockwood", "wikimili", "datacenterknowledge",
        "datacenterdynamics", "nextbigfuture", "scrapbox", "gnusocial", "hypothes.is", "docs.google.com",
        "blog.google", "qz.com", "ndtv", "thestar", "business-standard", "canindia", "digitimes", "instalki",
        "semianalysis", "pages.dev", "mintlify", "packtpub", "scope3", "datacrunch", "awesomeagents",
        "langmart", "apxml", "aiportalx", "gpt3demo", "dexlock", "indianext", "ucptt", "basf",
        "sustainabilitymag", "finanznachrichten", "globaldata", "beleevid", "fastupload", "aibrief",
        "aidigitalx", "aitopics", "knowledgegpt", "thedailyscout", "meterpreter", "submitmypressrelease",
        "hpc-ai", "book-ai", "qeeebo", "bohrium", "arxivlens", "denvrdata", "theinsaneapp", "wn.com",
        "hyperscalers.news", "datasetlab", "github-wiki-see", "technewsrooms", "fridayswithfaraday",
        "davidkopp", "gpt", "chatgpt", "perplexity")
#: Kinds of primary source, by host: papers (DOI, arXiv abstract), official lists and
#: statistics, vendors' own datasheets, documentation and reports, software's own repository.
ALLOW = ("doi.org", "arxiv.org", "top500.org", "green500.org", "eia.gov", "iea.org", "uptimeinstitute.com",
         "epoch.ai", "hai.stanford.edu", "nvidia.com", "amd.com", "apple.com", "apple.github.io",
         "fujitsu.com", "fz-juelich.de", "gstatic.com", "sustainability.google", "google.com",
         "microsoft.com", "aboutamazon.com", "atmeta.com", "sustainability.fb.com", "ember-energy.org", "opencompute.org",
         "mee.gov.cn", "ndrc.gov.cn", "samsung.com", "nist.gov", "thegreengrid.org", "kernel.org",
         "jedec.org", "ieee.org", "pytorch.org", "github.com", "intel.com", "nature.com", "science.org",
         "acm.org", "lbl.gov", "osti.gov", "jmlr.org", "neurips.cc", "mlr.press", "openreview.net",
         "scikit-learn.org", "bipm.org", "fueleconomy.gov", "eur-lex.europa.eu",
         # calculators' and benchmarks' own methodology pages: the primary source of a method
         "mlco2.github.io", "ecologits.ai", "ml.energy")
#: Company hosts that are the original publication of a figure (Google's 2009 search energy).
OFFICIAL = ("googleblog.blogspot.com",
            # the AI Energy Score's own site (its publisher hosts it on GitHub Pages)
            "huggingface.github.io")
#: Rows that are labelled typical ranges with no primary document; kept to these.
UNSOURCED = {"none: typical range"}


def primary_problem(ref: str, bib: set[str]) -> str | None:
    if ref in UNSOURCED:
        return None
    if not ref.startswith("http"):
        return None if ref in bib else f"{ref!r} is not a references.bib key"
    host = urlparse(ref).netloc.lower()
    if host in OFFICIAL:
        return None
    if any(d in host for d in DENY):
        return f"{ref} is an aggregator, mirror, blog or social site"
    if host.endswith("arxiv.org") and "/abs/" not in ref:
        return f"{ref}: cite the arXiv abstract page"
    if not any(host == a or host.endswith("." + a) for a in ALLOW):
        return f"{ref} is not a known primary kind (paper, official report or list, vendor document)"
    return None


def _bib():
    text = (REPO / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", text, re.M))
    urls = dict(re.findall(r"^@\w+\{([^,]+),(?:(?!^@).)*?url\s*=\s*\{([^}]*)\}", text, re.M | re.S))
    return keys, urls


def test_every_claim_source_is_primary():
    keys, _ = _bib()
    problems = [f"{row.id}: {p}" for row in claims.table().itertuples()
                for s in filter(None, row.sources.split(";")) if (p := primary_problem(s, keys))]
    assert not problems, "\n".join(problems)


def test_every_dataset_names_a_primary_source_with_a_verified_date():
    keys, bib_urls = _bib()
    with open(REPO / "energylab" / "data" / "sources.toml", "rb") as fh:
        meta = tomllib.load(fh)
    problems = []
    for name, entry in meta.items():
        if name == "claims":   # generated from energylab.claims; its rows are checked above
            continue
        if not re.fullmatch(r"20\d\d-\d\d(-\d\d)?", str(entry.get("verified", ""))):
            problems.append(f"{name}: no verified date")
        for field in ("url",):
            if (p := primary_problem(entry[field], keys)):
                problems.append(f"{name}.{field}: {p}")
        if (p := primary_problem(entry["citation"], keys)):
            problems.append(f"{name}.citation: {p}")
        if "ledger" in entry.get("origin", "").lower():
            problems.append(f"{name}: names the course's own ledger as its origin")
        df = datasets.load(name)
        if name != "claims":
            if "verified" not in df.columns or df["verified"].isna().any():
                problems.append(f"{name}: a row has no verified date")
            if "source" in df.columns:
                assert (df["source"].isin(UNSOURCED).sum() <= 3), f"{name}: more unsourced rows"
            for col in ("source", "source_url"):
                for ref in df[col].dropna().unique() if col in df.columns else ():
                    if (p := primary_problem(str(ref), keys)):
                        problems.append(f"{name}.{col}: {p}")
    for key, url in bib_urls.items():
        if url and (p := primary_problem(url, keys)):
            problems.append(f"references.bib {key}: {p}")
    assert not problems, "\n".join(problems)


def test_source_check_rejects_secondary_kinds():
    keys, _ = _bib()
    assert primary_problem("https://www.researchgate.net/publication/1", keys)
    assert primary_problem("https://ar5iv.labs.arxiv.org/html/1506.02626", keys)
    assert primary_problem("https://example.org/a-blog-post", keys)
    assert primary_problem("https://blog.google/outreach-initiatives/x", keys)
    assert primary_problem("https://arxiv.org/pdf/2104.10350", keys)
    assert primary_problem("not_a_key", keys)
    assert primary_problem("https://arxiv.org/abs/2104.10350", keys) is None
    assert primary_problem("patterson2021", keys) is None


# ------------------------------------------------------------------ Estimate-returning models
ends = st.floats(min_value=0.5, max_value=2.0)


@settings(max_examples=30, deadline=None)
@given(a=ends, b=ends, w=st.floats(1.0, 3.0))
def test_training_and_footprint_estimates_contain_central_collapse_and_widen(a, b, w):
    exact = footprint.training_energy_estimate(100, 10.0, 300.0, 1.2)
    assert exact.is_exact and exact.central == footprint.training_energy(100, 10.0, 300.0, 1.2)
    p = Estimate(300 * min(a, 1), 300.0, 300 * max(b, 1))
    e = footprint.training_energy_estimate(100, 10.0, p, Estimate(1.1, 1.2, 1.3))
    assert e.low <= e.central <= e.high
    wider = footprint.training_energy_estimate(100, 10.0, Estimate(p.low / w, 300.0, p.high * w),
                                               Estimate(1.1, 1.2, 1.3))
    assert wider.low <= e.low and wider.high >= e.high
    fp = footprint.footprint_estimate(e.central, pue=Estimate(1.1, 1.2, 1.3),
                                      intensity_kg_per_kwh=Estimate(0.3 * min(a, 1), 0.4, 0.5 * max(b, 1)),
                                      wue_onsite_l_per_kwh=Estimate(0.2, 0.5, 1.8), ewif_l_per_kwh=3.14)
    for est in fp.values():
        assert est.low <= est.central <= est.high


def test_inference_and_cooling_estimates_match_their_single_number_models():
    args = dict(tokens=500, active_parameters=100e9, chip="H100", precision="bf16", utilisation=0.1,
                pue=1.2, power_per_chip_w=892.5)
    e = footprint.inference_energy_estimate(**args)
    assert e.is_exact and e.central == pytest.approx(footprint.inference_energy(**args))
    u = footprint.inference_energy_estimate(**{**args, "utilisation": Estimate(0.05, 0.1, 0.2)})
    assert u.high == pytest.approx(2 * e.central) and u.low == pytest.approx(e.central / 2)
    pue = cooling.typical_range("pue")
    assert (pue.low, pue.central, pue.high) == (1.08, 1.56, 1.58)
    assert set(pue.sources) == {"meta2024sustainability", "uptime2024", "uptime2023"}
    w = cooling.water_use_estimate(1000.0, cooling.typical_range("wue_onsite_l_per_kwh"), pue, 3.14)
    assert w["total_l"].low == pytest.approx(1000 * (0.18 + 1.08 * 3.14))
    assert w["onsite_l"].contains(550.0)
    c = cooling.carbon_kg_estimate(1000.0, cooling.typical_range("intensity_kg_per_kwh"))
    assert (c.low, c.high) == pytest.approx((367.0, 570.0))
    f = cooling.facility_energy_estimate(Estimate(90.0, 100.0, 110.0), pue)
    assert f.low == pytest.approx(90 * 1.08) and f.high == pytest.approx(110 * 1.58)
    with pytest.raises(ValueError, match="name must be one of"):
        cooling.typical_range("PUEs")


# ------------------------------------------------------------------ reference figures
def test_reference_figures_are_ordered_si_sourced_and_each_used_by_a_check():
    ref = datasets.load("reference_figures")
    keys, _ = _bib()
    assert ref["id"].is_unique
    assert (ref["low"] <= ref["value"]).all() and (ref["value"] <= ref["high"]).all()
    assert set(ref["unit"]) <= {"J", "W", "m3", "1"}
    assert ref["source"].isin(keys).all() and set(ref["confidence"]) <= {"V", "K"}
    code = (REPO / "energylab" / "claims.py").read_text(encoding="utf-8")
    unused = [i for i in ref["id"] if f'"{i}"' not in code]
    assert not unused, f"reference figures no check reads: {unused}"


def test_reference_figures_reproduce_their_publications_arithmetic():
    from energylab.constants import LITRES_PER_US_GALLON

    ref = datasets.load("reference_figures").set_index("id")
    # Google's 6.1 (6.05–6.15) billion US gallons, stored in m³: an exact round trip
    g = ref.loc["google_dc_water_2023"]
    for col, gal in (("value", 6.1e9), ("low", 6.05e9), ("high", 6.15e9)):
        assert g[col] == pytest.approx(gal * LITRES_PER_US_GALLON * 1e-3, rel=1e-12)
    # de Vries 2023: 512,821 servers give 8.9 Wh a search, 400,000 give 6.9 Wh (his figures)
    per_search_wh = lambda n: n * ref.loc["devries_server_power", "value"] * 24 / ref.loc[  # noqa: E731
        "devries_searches_per_day", "value"]
    assert per_search_wh(ref.loc["devries_ai_search_servers", "high"]) == pytest.approx(8.9, abs=0.05)
    assert per_search_wh(ref.loc["devries_ai_search_servers", "low"]) == pytest.approx(6.9, abs=0.05)
    # Masanet et al. 2020: +6 % from 2010 to 2018; Han et al. 2015: 9x (AlexNet), 13x (VGG-16)
    assert ref.loc["dc_electricity_2018", "value"] / ref.loc["dc_electricity_2010", "value"] == \
        pytest.approx(1.06, abs=0.005)
    assert round(ref.loc["alexnet_params", "value"] / ref.loc["alexnet_params_pruned", "value"]) == 9
    assert round(ref.loc["vgg16_params", "value"] / ref.loc["vgg16_params_pruned", "value"]) == 13
    # TWh stored in joules
    assert ref.loc["dc_electricity_2024", "value"] == pytest.approx(415 * 3.6e15)
