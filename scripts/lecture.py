"""Lecture materials from the book, offline: a PDF, slides per chapter, a figure pack.

    python scripts/lecture.py pdf     [--html _build/html] [--out release/watts-per-thought.pdf]
    python scripts/lecture.py slides  [--out release/slides]   [NOTEBOOK ...]
    python scripts/lecture.py figures [--out release/figures]  [NOTEBOOK ...]

``pdf`` prints the built HTML book (README command 1 first) with the Chromium the browser
tests use (Playwright): every page of ``_toc.yml`` in order, its article only, joined into
one document with the book's own styles, code wrapped instead of cut. ``slides`` writes one
self-contained HTML deck per chapter (no CDN: styles, script and images inside the file;
arrow keys or space to move, print for one slide per page) from the cells tagged ``slide``
or, in a chapter with none, from each section's heading and opening paragraph and every
figure. ``figures`` runs each chapter in a fresh kernel and saves every matplotlib figure it
draws as SVG and as 300-dpi PNG, named ``ch01-03-<title>``, with numbered captions and the
licence credit in ``CAPTIONS.md``.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CREDIT = ("© Watts per Thought authors, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
          "Data: Epoch AI (CC BY 4.0) and the sources named in the book's data page.")


def _toc_pages() -> list[str]:
    """Page paths (without suffix) in the order of ``_toc.yml``."""
    return re.findall(r"(?m)^\s*(?:root|- file):\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))


def _chapters() -> list[Path]:
    return sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


# ------------------------------------------------------------------------- PDF
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-size: 10.5pt; }
pre, code, .highlight pre { white-space: pre-wrap !important; word-break: break-word;
                            overflow-wrap: anywhere; }
.wpt-page { break-before: page; }
img { max-width: 100% !important; height: auto; }
.toggle-details, button, .headerlink { display: none !important; }
details { display: block; } details > * { display: block !important; }
"""


def build_pdf(html_dir: Path, out: Path, keep_html: bool = False) -> int:
    """Print the built book to one PDF; return its page count."""
    from playwright.sync_api import sync_playwright

    html_dir = html_dir.resolve()
    pages = [html_dir / f"{p}.html" for p in _toc_pages()]
    missing = [str(p) for p in pages if not p.is_file()]
    if missing:
        raise SystemExit(f"build the book first (README command 1); missing {missing[:3]}")
    parts, styles = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        for path in pages:
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(300)  # MathJax typesets on load
            got = page.evaluate("""() => {
                document.querySelectorAll('img').forEach(i => i.setAttribute('src', i.src));
                document.querySelectorAll('a').forEach(a => { if (a.href) a.setAttribute('href', a.href); });
                document.querySelectorAll('details').forEach(d => d.open = true);
                const main = document.querySelector('article.bd-article') || document.querySelector('main');
                const styles = [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href);
                const inline = [...document.querySelectorAll('style')].map(s => s.textContent);
                return {main: main ? main.innerHTML : '', styles, inline};
            }""")
            parts.append(f'<section class="wpt-page">{got["main"]}</section>')
            styles += [s for s in got["styles"] if s not in styles]
            styles += [f"<inline>{s}" for s in got["inline"] if f"<inline>{s}" not in styles]
        head = "".join(f'<link rel="stylesheet" href="{html.escape(s)}">' for s in styles if not s.startswith("<inline>"))
        head += "".join(f"<style>{s[8:]}</style>" for s in styles if s.startswith("<inline>"))
        doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Watts per Thought</title>{head}"
               f"<style>{PRINT_CSS}</style></head><body><main class='bd-main'>{''.join(parts)}</main></body></html>")
        combined = html_dir / "_wpt_print.html"
        combined.write_text(doc, encoding="utf-8")
        page.goto(combined.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
                 header_template="<span></span>",
                 footer_template="<div style='font-size:8px;width:100%;text-align:center'>"
                                 "Watts per Thought — <span class='pageNumber'></span></div>",
                 margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        browser.close()
        if not keep_html:
            combined.unlink()
    return pdf_pages(out)


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


# ---------------------------------------------------------------------- slides
SLIDE_CSS = """
html, body { margin: 0; height: 100%; font-family: DejaVu Sans, Liberation Sans, sans-serif; }
section { display: none; box-sizing: border-box; width: 100vw; height: 100vh; padding: 4vh 6vw;
          overflow: hidden; }
section.current { display: block; }
h1 { font-size: 5vh; } h2 { font-size: 4.2vh; } p, li { font-size: 2.8vh; line-height: 1.35; }
img { max-width: 88vw; max-height: 72vh; display: block; margin: 1vh auto; }
.credit { position: fixed; bottom: 1vh; right: 2vw; font-size: 1.4vh; color: #666; }
@media print { section { display: block !important; break-after: page; height: auto; } .credit { position: static; } }
"""
SLIDE_JS = """
const s = [...document.querySelectorAll('section')]; let i = 0;
function show(n) { i = Math.max(0, Math.min(s.length - 1, n)); s.forEach((x, k) => x.classList.toggle('current', k === i)); }
document.addEventListener('keydown', e => { if (['ArrowRight', ' ', 'PageDown'].includes(e.key)) show(i + 1);
  if (['ArrowLeft', 'PageUp'].includes(e.key)) show(i - 1); });
document.addEventListener('click', () => show(i + 1)); show(0);
"""


def _markdown_to_html(text: str) -> str:
    """A small Markdown subset (headings, paragraphs, bullets, bold, code); math stays as TeX."""
    out, items = [], []

    def inline(t):
        t = html.escape(t)
        t = re.sub(r"\{[a-z:]+\}`([^`<]*?)(?:\s*&lt;[^`]*&gt;)?`", r"\1", t)  # MyST roles -> text
        t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
        t = re.sub(r"\*(.+?)\*", r"<i>\1</i>", t)
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", t)

    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if lines[0].startswith("#"):
            level = min(len(lines[0]) - len(lines[0].lstrip("#")), 3)
            out.append(f"<h{level}>{inline(lines[0].lstrip('#').strip())}</h{level}>")
            rest = "\n".join(lines[1:]).strip()
            if rest:
                out.append(f"<p>{inline(rest)}</p>")
        elif all(re.match(r"\s*[-*] ", ln) or ln.startswith("  ") for ln in lines):
            items = [inline(re.sub(r"^\s*[-*] ", "", ln)) for ln in lines if re.match(r"\s*[-*] ", ln)]
            out.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
        elif lines[0].startswith((":::", "```", "(")):
            continue  # directives and labels
        else:
            out.append(f"<p>{inline(' '.join(lines))}</p>")
    return "\n".join(out)


def slide_cells(nb: dict) -> list[dict]:
    """The cells tagged ``slide``; without any, section openings and figures."""
    cells = nb["cells"]
    tagged = [c for c in cells if "slide" in c.get("metadata", {}).get("tags", [])]
    if tagged:
        return tagged
    chosen = []
    for c in cells:
        tags = c.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags or "solution" in tags:
            continue
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "markdown" and re.match(r"\s*#{1,2} ", src):
            chosen.append({**c, "source": "\n\n".join(src.strip().split("\n\n")[:2])})
        elif c["cell_type"] == "code" and any("image/png" in o.get("data", {}) for o in c.get("outputs", [])):
            chosen.append(c)
    return chosen


def write_slides(notebook: Path, out_dir: Path) -> tuple[Path, int]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    sections = []
    for c in slide_cells(nb):
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "markdown":
            sections.append(_markdown_to_html(src))
        else:
            imgs = [o["data"]["image/png"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
            sections.append("".join(f'<img alt="figure" src="data:image/png;base64,{"".join(i).strip()}">'
                                    for i in imgs))
    title = re.sub(r"<[^>]+>", "", sections[0]) if sections else notebook.stem
    body = "".join(f"<section>{s}</section>" for s in sections if s.strip())
    doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title[:80])}</title>"
           f"<style>{SLIDE_CSS}</style></head><body>{body}<div class='credit'>{html.escape(CREDIT)}</div>"
           f"<script>{SLIDE_JS}</script></body></html>")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{notebook.stem}.html"
    path.write_text(doc, encoding="utf-8")
    return path, body.count("<section>")


# --------------------------------------------------------------------- figures
_CAPTURE = r"""
import matplotlib, weakref
matplotlib.use("agg")
import matplotlib.figure as _wpt_mf
_wpt_figs, _wpt_saved = [], set()
_wpt_section = ""
_wpt_init = _wpt_mf.Figure.__init__
def _wpt_track(self, *a, **k):
    _wpt_init(self, *a, **k)
    _wpt_figs.append(weakref.ref(self))
_wpt_mf.Figure.__init__ = _wpt_track
def _wpt_titles(fig):
    t = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    return t or " / ".join(a.get_title() for a in fig.axes if a.get_title())
def _wpt_save(result=None):
    import json, re, pathlib
    out = pathlib.Path(%(out)r)
    for ref in list(_wpt_figs):
        fig = ref()
        if fig is None or id(fig) in _wpt_saved or not fig.axes:
            continue
        _wpt_saved.add(id(fig))
        n = len(_wpt_saved)
        title = _wpt_titles(fig)
        slug = re.sub(r"[^a-z0-9]+", "-", (_wpt_section or title).lower()).strip("-")[:50].strip("-") or "figure"
        name = f"%(prefix)s-{n:02d}-{slug}"
        title = f"{_wpt_section}. {title}" if _wpt_section and title else (_wpt_section or title)
        fig.savefig(out / f"{name}.svg", bbox_inches="tight")
        fig.savefig(out / f"{name}.png", dpi=300, bbox_inches="tight")
        with open(out / "_captions.jsonl", "a") as f:
            f.write(json.dumps({"name": name, "title": title}) + "\n")
get_ipython().events.register("post_run_cell", _wpt_save)
"""


def export_figures(notebook: Path, out_dir: Path, number: int) -> list[dict]:
    """Run ``notebook`` in a fresh kernel and save every figure it draws; return captions."""
    import nbformat
    from nbclient import NotebookClient

    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "_captions.jsonl"
    log.unlink(missing_ok=True)
    nb = nbformat.read(notebook, as_version=4)
    prefix = f"ch{number:02d}"
    cells, section = [nbformat.v4.new_code_cell(_CAPTURE % {"out": str(out_dir.resolve()), "prefix": prefix})], ""
    for cell in nb.cells:  # tell the kernel which section each figure belongs to (its name and caption)
        if cell.cell_type == "markdown":
            heading = re.findall(r"(?m)^#{1,3}\s+(.+)$", cell.source)
            if heading:
                section = re.sub(r"^\d+(\.\d+)*\.?\s*", "", re.sub(r"[{`].*?[`}]|[*_]", "", heading[-1])).strip()
        elif cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(f"_wpt_section = {section!r}"))
        cells.append(cell)
    nb.cells = cells
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    found = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    log.unlink(missing_ok=True)
    return found


def write_captions(out_dir: Path, chapters: list[tuple[int, str, list[dict]]]) -> Path:
    lines = ["# Figures of Watts per Thought", "", CREDIT, "",
             "Each figure is given as SVG (vector) and 300-dpi PNG, named chapter-number-title.", ""]
    for number, title, figs in chapters:
        lines += [f"## Chapter {number}: {title}", ""]
        for k, f in enumerate(figs, 1):
            lines.append(f"- **Figure {number}.{k}** (`{f['name']}.svg`, `.png`): {f['title'] or 'untitled'}. "
                         f"Credit: Watts per Thought authors, CC BY 4.0.")
        lines.append("")
    path = out_dir / "CAPTIONS.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _title(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    m = re.search(r"(?m)^#\s+(.+)$", text)
    return m.group(1).strip() if m else nb_path.stem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/lecture.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pdf")
    p.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    p.add_argument("--out", type=Path, default=ROOT / "release" / "watts-per-thought.pdf")
    s = sub.add_parser("slides")
    s.add_argument("--out", type=Path, default=ROOT / "release" / "slides")
    s.add_argument("notebooks", nargs="*", type=Path)
    f = sub.add_parser("figures")
    f.add_argument("--out", type=Path, default=ROOT / "release" / "figures")
    f.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.command == "pdf":
        n = build_pdf(args.html, args.out)
        print(f"wrote {args.out}: {n} pages ({time.perf_counter() - start:.0f} s)")
    elif args.command == "slides":
        for nb in args.notebooks or _chapters():
            path, n = write_slides(nb, args.out)
            print(f"wrote {path}: {n} slides")
    else:
        done = []
        for nb in args.notebooks or _chapters():
            number = int(nb.name[:2]) if nb.name[:2].isdigit() else 0
            figs = export_figures(nb, args.out, number)
            done.append((number, _title(nb), figs))
            print(f"{nb.name}: {len(figs)} figures")
        print(f"wrote {write_captions(args.out, done)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
