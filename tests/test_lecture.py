"""Lecture materials (scripts/lecture.py): slides from tagged cells, the figure pack."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("lecture", ROOT / "scripts" / "lecture.py")
lecture = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lecture)


def _write(tmp_path, cells, name="01_demo.ipynb"):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_slides_from_tagged_cells_are_self_contained(tmp_path):
    path = _write(tmp_path, [
        new_markdown_cell("# Demo chapter\n\nOpening paragraph with **bold** and {cite:p}`patterson2021`."),
        new_markdown_cell("Not on a slide."),
        new_markdown_cell("## A point\n\n- one\n- two", metadata={"tags": ["slide"]}),
        new_markdown_cell("# Title slide", metadata={"tags": ["slide"]}),
    ])
    out, n = lecture.write_slides(path, tmp_path / "slides")
    text = out.read_text(encoding="utf-8")
    assert n == 2 and "Not on a slide" not in text and "<li>one</li>" in text
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://unpkg" not in text
    assert "CC BY 4.0" in text


def test_untagged_chapter_gets_section_openings_and_figures(tmp_path):
    cell = new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    path = _write(tmp_path, [new_markdown_cell("# Chapter\n\nFirst.\n\nSecond."),
                             new_markdown_cell("## Section\n\nIntro.\n\nMore."), cell,
                             new_code_cell("secret", metadata={"tags": ["remove-cell"]})])
    out, n = lecture.write_slides(path, tmp_path / "slides")
    text = out.read_text(encoding="utf-8")
    assert n == 3 and "Second." not in text and "data:image/png;base64,iVBORw0KGgo=" in text


def test_figure_export_writes_svg_png_and_captions(tmp_path):
    path = _write(tmp_path, [
        new_markdown_cell("## 2. Energy per token"),
        new_code_cell("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\n"
                      "ax.set_title('Energy per token vs batch')"),
        new_code_cell("from matplotlib.figure import Figure\nf = Figure()\nf.suptitle('Second figure')\n"
                      "f.add_subplot().bar([1], [2])"),
        new_markdown_cell("## The *second* section"),
    ], name="03_demo.ipynb")
    figs = lecture.export_figures(path, tmp_path / "figs", 3)
    assert [f["name"] for f in figs] == ["ch03-01-energy-per-token", "ch03-02-energy-per-token"]
    assert figs[0]["title"] == "Energy per token. Energy per token vs batch"
    png = tmp_path / "figs" / "ch03-01-energy-per-token.png"
    assert (tmp_path / "figs" / "ch03-02-energy-per-token.svg").read_text().lstrip().startswith("<?xml")
    from PIL import Image

    with Image.open(png) as im:
        assert round(im.info["dpi"][0]) == 300
    captions = lecture.write_captions(tmp_path / "figs", [(3, "Demo", figs)]).read_text()
    assert "Figure 3.1" in captions and "Figure 3.2" in captions and "CC BY 4.0" in captions
