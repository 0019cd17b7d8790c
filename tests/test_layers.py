"""The layers are strict: data and models never import widgets or draw; checks never
import widgets. Checked in a fresh interpreter, by what each import actually loads."""

import subprocess
import sys

import pytest

MODELS = ["circuits", "constants", "cooling", "datasets", "estimate", "footprint", "measure", "pim",
          "precision", "scaling", "sparsity", "thermo", "validate", "workloads"]


def _loaded_after(imports: str) -> set[str]:
    code = f"import sys\n{imports}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", MODELS)
def test_models_import_neither_widgets_nor_matplotlib(module):
    loaded = _loaded_after(f"import energylab.{module}")
    assert not any(m.startswith("energylab.widgets") for m in loaded)
    assert "matplotlib" not in loaded and "ipywidgets" not in loaded


def test_checks_do_not_import_widgets_even_when_answering():
    loaded = _loaded_after(
        "import pkgutil, energylab.checks as c\n"
        "labs = [m.name for m in pkgutil.iter_modules(c.__path__) if m.name.startswith('lab')]\n"
        "answers = [c.expected(q) for lab in labs for q in c.question_ids(lab)]\n"
        "assert len(answers) > 20")
    assert not any(m.startswith("energylab.widgets") for m in loaded)


def test_model_classes_do_not_draw():
    from energylab import footprint

    assert not any(hasattr(getattr(footprint, n), "plot") for n in footprint.__all__
                   if isinstance(getattr(footprint, n), type))
