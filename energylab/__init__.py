"""energylab: the models, datasets and widgets behind *Watts per Thought*.

Importing the package is cheap: it loads only NumPy-free metadata. Import the
submodules you need (``from energylab import scaling``); plotting and widget code
lives in :mod:`energylab.widgets` and pulls in matplotlib and ipywidgets only there.
"""

#: MAJOR.MINOR.PATCH. MINOR grows whenever an expected answer of any lab changes (in any
#: variant) or a question is added; PATCH when no answer changes; MAJOR when question ids
#: or the lab format change. CHANGELOG.md records each, with the answer-key fingerprints.
__version__ = "1.3.0"

__all__ = [
    "estimate",
    "checks",
    "circuits",
    "constants",
    "datasets",
    "scaling",
    "validate",
]


def __getattr__(name):
    # Lazy submodule access: ``energylab.scaling`` works without an explicit import,
    # and ``import energylab`` stays free of heavy dependencies.
    import importlib

    if name in __all__ or name in {"thermo", "sparsity", "precision", "pim", "cooling",
                                    "footprint", "workloads", "measure", "widgets",
                                    "estimators"}:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'energylab' has no attribute {name!r}")
