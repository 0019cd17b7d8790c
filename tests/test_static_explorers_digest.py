"""The static frames' cache key leaves out only code that no explorer's drawing loads."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import static_explorers  # noqa: E402


def test_modules_left_out_of_the_digest_are_not_loaded_by_any_explorer():
    # A fresh interpreter: import every widget module, build and draw every explorer once,
    # then list the energylab source files that were loaded (lazy imports included).
    code = """
import importlib, inspect, pathlib, sys
import energylab
root = pathlib.Path(energylab.__file__).parent
for path in sorted((root / "widgets").glob("ch*.py")):
    mod = importlib.import_module(f"energylab.widgets.{path.stem}")
    for name, fn in inspect.getmembers(mod, inspect.isfunction):
        if name.endswith("_explorer") and fn.__module__ == mod.__name__:
            fn()
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None) or ""
    if f.startswith(str(root)):
        print(pathlib.Path(f).relative_to(root))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.split()
    loaded = {Path(p) for p in out}
    assert Path("widgets/base.py") in loaded  # the listing works
    for rel in loaded:
        assert rel.parts[0] not in static_explorers.NOT_DRAWN and rel.name not in static_explorers.NOT_DRAWN, \
            f"{rel} is drawn by an explorer but left out of the frames' digest"


def test_editing_a_left_out_module_keeps_the_digest_and_a_drawn_one_changes_it(tmp_path, monkeypatch):
    import importlib.util
    import shutil

    src = Path(importlib.util.find_spec("energylab").submodule_search_locations[0])
    copy = tmp_path / "energylab"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "energylab" or m.startswith("energylab.")]:
        monkeypatch.delitem(sys.modules, name)
    before = static_explorers.code_digest("energylab.widgets.ch01")
    (copy / "syllabus.py").write_text((copy / "syllabus.py").read_text() + "\n# edited\n")
    assert static_explorers.code_digest("energylab.widgets.ch01") == before
    (copy / "thermo.py").write_text((copy / "thermo.py").read_text() + "\n# edited\n")
    assert static_explorers.code_digest("energylab.widgets.ch01") != before
