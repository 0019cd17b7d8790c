"""Every docstring example of every energylab module runs and prints what it says.

The examples are the API's documentation and the fuzz test's starting points
(tests/test_fuzz_api.py), so a wrong one is a bug either way.
"""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import energylab

MODULES = sorted(m.name for m in pkgutil.walk_packages(energylab.__path__, "energylab."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(module, name, globs={"np": np, **vars(module)})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see output)"


def test_the_model_modules_have_examples():
    """The API is documented by example: each model module holds some."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in ["circuits", "cooling", "datasets", "estimate", "footprint", "measure", "pim",
                 "precision", "scaling", "sparsity", "thermo", "validate", "workloads"]:
        module = importlib.import_module(f"energylab.{name}")
        assert sum(len(t.examples) for t in finder.find(module)) >= 3, name
