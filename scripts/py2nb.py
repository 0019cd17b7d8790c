"""Turn a percent-format Python script into a notebook (an authoring convenience).

    python scripts/py2nb.py draft.py chapters/0N_name.ipynb

Cells start with ``# %%`` (code) or ``# %% [markdown]`` (markdown, every line
prefixed by ``# ``). Tags go after the marker: ``# %% tags=["remove-cell"]``.
The .ipynb is the source of truth once written; do not commit the draft. Execute the
result in a fresh kernel (``make execute NB=...``) before committing.
"""

import json
import re
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

MARK = re.compile(r"^# %%(?P<md> \[markdown\])?(?:\s+tags=(?P<tags>\[.*\]))?\s*$")


def convert(text: str) -> nbformat.NotebookNode:
    cells, kind, tags, buf = [], None, [], []

    def flush():
        if kind is None:
            return
        body = "\n".join(buf).strip("\n")
        if kind == "md":
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                             for line in body.splitlines())
            cell = new_markdown_cell(body)
        else:
            cell = new_code_cell(body)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in text.splitlines():
        m = MARK.match(line)
        if m:
            flush()
            kind = "md" if m.group("md") else "code"
            tags = json.loads(m.group("tags")) if m.group("tags") else []
            buf = []
        else:
            buf.append(line)
    flush()
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as fh:
        nb = convert(fh.read())
    nbformat.write(nb, dst)
    print(f"wrote {dst} ({len(nb.cells)} cells)")
