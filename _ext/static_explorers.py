"""Sphinx extension: explorers that move in the static book, and numbered, captioned figures.

Every :class:`energylab.widgets.base.Explorer` displays, besides its live widget, a
``text/html`` figure (``Explorer.static_html``): HTML controls for the controls it
declares ``static``, its current frame, the figures of merit, and a caption. For each
such figure on a page this extension

* at ``doctree-read``: numbers it (with every other figure of the page, per chapter:
  "Figure 3.2"), points its image at the frame file of its state, and records the
  explorer's *recipe* (its factory and the values it was displayed with);
* at ``build-finished``: rebuilds each recorded explorer from its recipe and renders
  every state of its grid with ``Explorer.export_states`` (the live explorer's own
  drawing and PNG code) into ``_static/explorers/<factory>/<frame>.png``, plus one
  small ``<id>.js`` index per explorer (frame names, figures of merit and alt text by
  state) that ``_static/explorer.js`` loads as a script: the book works from
  ``file://`` without a server, offline.

Frames are named by a digest of all the explorer's values, so pages showing the same
state share a file; they are rendered once per version of the code they depend on (a
digest of ``energylab`` without the other chapters' widget modules) and reused by later
builds (``_build/.wpt_explorers/frames.json``). Explorer factories render in parallel,
one worker process per core (at most 4): each factory's frames go to their own folder.
"""

from __future__ import annotations

import concurrent.futures
import gc
import hashlib
import html
import importlib
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
from pathlib import Path

from docutils import nodes

RECIPE = re.compile(r' data-wpt-recipe="([^"]*)"')
FRAME_SRC = re.compile(r'src="data:image/png;base64,[^"]*"')
FIGNUM = '<span class="wpt-fignum">Figure</span>'


def chapter_prefix(docname: str) -> str:
    """'chapters/03_sparsity' -> '3.', 'labs/lab03_x' -> 'L3.', anything else -> ''."""
    m = re.match(r"chapters/0*(\d+)_", docname)
    if m:
        return f"{int(m.group(1))}."
    m = re.match(r"labs/lab0*(\d+)_", docname)
    if m:
        return f"L{int(m.group(1))}."
    return ""


def factory_dir(factory: str) -> str:
    """'energylab.widgets.ch01:dvfs_explorer' -> 'ch01.dvfs_explorer'."""
    module, name = factory.split(":")
    return f"{module.rsplit('.', 1)[-1]}.{name}"


def frame_name(values: dict) -> str:
    """The frame file stem of a state (the same digest as ``Explorer.frame_name``)."""
    text = json.dumps(values, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


LIVE = "on Binder or Colab (the rocket button at the top of the page)"


def launch_links(app, docname: str) -> str:
    """'on <a>Binder</a> or <a>Colab</a>' for this page's notebook, from the book's config."""
    options = getattr(app.config, "html_theme_options", {}) or {}
    url = (options.get("repository_url") or "").rstrip("/")
    branch = options.get("repository_branch") or "main"
    launch = options.get("launch_buttons", {}) or {}
    source = app.env.doc2path(docname, base=False)
    m = re.match(r"https://github.com/([^/]+/[^/]+)$", url)
    if not m or not str(source).endswith(".ipynb"):
        return LIVE
    repo = m.group(1)
    binder = (launch.get("binderhub_url") or "https://mybinder.org").rstrip("/")
    colab = (launch.get("colab_url") or "https://colab.research.google.com").rstrip("/")
    binder_url = f"{binder}/v2/gh/{repo}/{branch}?urlpath=lab/tree/{source}"
    colab_url = f"{colab}/github/{repo}/blob/{branch}/{source}"
    return (f'on <a class="reference external" href="{html.escape(binder_url)}">Binder</a> or '
            f'<a class="reference external" href="{html.escape(colab_url)}">Colab</a>')


def _is_explorer(node) -> bool:
    return isinstance(node, nodes.raw) and 'class="wpt-explorer"' in node.astext()


def _is_figure(node) -> bool:
    return isinstance(node, nodes.figure) or _is_explorer(node)


def on_doctree_read(app, doctree) -> None:
    env = app.env
    docname = env.docname
    prefix = chapter_prefix(docname)
    up = "../" * docname.count("/")
    found = []
    number = 0
    for node in list(doctree.findall(_is_figure)):
        number += 1
        label = f"Figure {prefix}{number}."
        if isinstance(node, nodes.figure):
            captions = [c for c in node.children if isinstance(c, nodes.caption)]
            if captions:
                captions[0].insert(0, nodes.inline("", label + " ", classes=["wpt-fignum"]))
            continue
        text = node.astext().replace(FIGNUM, f'<span class="wpt-fignum">{label}</span>', 1)
        text = text.replace(LIVE, launch_links(app, docname))
        m = RECIPE.search(text)
        if m:
            recipe = json.loads(html.unescape(m.group(1)))
            ident = hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
            base = f"{up}_static/explorers/{factory_dir(recipe['factory'])}/"
            text = RECIPE.sub(f' data-wpt-id="{ident}" data-wpt-base="{base}"', text, count=1)
            text = FRAME_SRC.sub(f'src="{base}{frame_name(recipe["values"])}.png"', text, count=1)
            found.append({"id": ident, "recipe": recipe})
        new = nodes.raw("", text, format="html", classes=list(node.get("classes", [])))
        node.replace_self(new)
    if not hasattr(env, "wpt_explorers"):
        env.wpt_explorers = {}
    env.wpt_explorers[docname] = found


def on_purge(app, env, docname) -> None:
    getattr(env, "wpt_explorers", {}).pop(docname, None)


def on_merge(app, env, docnames, other) -> None:
    if not hasattr(env, "wpt_explorers"):
        env.wpt_explorers = {}
    for docname in docnames:
        if docname in getattr(other, "wpt_explorers", {}):
            env.wpt_explorers[docname] = other.wpt_explorers[docname]


#: Parts of energylab no explorer's drawing imports, directly or lazily (the labs' checks and
#: grading, the exam bank, the release tools, the syllabus, the claims ledger, the meter
#: reader, the self-check boxes): editing them must not re-render every frame of the book.
#: ``tests/test_static_explorers_digest.py`` imports every widget module and fails if one of
#: these is among what it loaded.
NOT_DRAWN = frozenset({"checks", "grade.py", "bank.py", "release.py", "student_version.py",
                       "syllabus.py", "claims.py", "measure.py", "quiz.py"})


def code_digest(module: str) -> str:
    """A digest of what an explorer's frames depend on: energylab's code and data, and its
    own widget module (``energylab.widgets.chNN``; widget modules never import each
    other, so a change to one chapter's widgets re-renders only that chapter's frames)."""
    spec = importlib.util.find_spec("energylab")
    root = Path(list(spec.submodule_search_locations)[0])
    own = module.split(".")[-1]
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        rel = path.relative_to(root)
        if rel.parts[0] == "widgets" and rel.stem.startswith("ch") and rel.stem != own:
            continue
        if rel.parts[0] in NOT_DRAWN or (rel.parts[0] == "widgets" and rel.name in NOT_DRAWN):
            continue
        digest.update(str(rel).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _freeze_what_is_loaded() -> None:
    """Leave what the worker has loaded so far (modules, datasets) out of the garbage
    collector's full passes: each frame makes and drops thousands of matplotlib objects,
    and every full pass walked all of those too (a tenth to a quarter of a frame's CPU).
    Once per module loaded; garbage is collected first, so none is kept for good."""
    loaded = len(sys.modules)
    if _FROZEN.get("modules") != loaded:
        gc.collect()
        gc.freeze()
        _FROZEN["modules"] = loaded


_FROZEN: dict = {}


def _render_folder(out_root: str, folder: str, items: list, known: dict) -> tuple:
    """Render the frames of one explorer factory (every recipe of it the book shows) into
    ``out_root/folder`` and write each recipe's ``<id>.js`` index; run in a worker process.

    Returns ``(folder, known, frames used)``, ``known`` being the frame cache with the new
    frames added."""
    out = Path(out_root) / folder
    used: set = set()
    for ident, recipe in items:
        module, name = recipe["factory"].split(":")
        factory = getattr(importlib.import_module(module), name)
        _freeze_what_is_loaded()
        explorer = factory()
        explorer.set(**recipe["values"])
        index = explorer.export_states(out, known=known)
        index["keys"] = list(index["grid"])
        index["states"] = {k: [e["frame"], e["readout"], e["alt"]] for k, e in index["states"].items()}
        used.update(e[0] for e in index["states"].values())
        payload = json.dumps(index, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        (out / f"{ident}.js").write_text(
            f"(window.WPT_EXPLORERS = window.WPT_EXPLORERS || {{}})[{json.dumps(ident)}] = {payload};\n",
            encoding="utf-8")
    return folder, known, used


def render_jobs(n_folders: int) -> int:
    """Worker processes for the frames: one per core, at most 4 (each holds a matplotlib
    and the explorers, ~0.3 GB), never more than there are explorer factories."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:                      # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(n_folders, cores, 4))


def export_all(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    instances = {}
    for docname in sorted(getattr(app.env, "wpt_explorers", {})):
        for item in app.env.wpt_explorers[docname]:
            instances[item["id"]] = item["recipe"]
    if not instances:
        return
    out_root = Path(app.outdir) / "_static" / "explorers"
    cache_root = Path(app.outdir).parent / ".wpt_explorers"
    cache_file = cache_root / "frames.json"
    # {folder: {"digest": ..., "frames": {frame: entry}}}: frames rendered by this code
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    jobs: dict[str, list] = {}
    for ident, recipe in sorted(instances.items()):
        jobs.setdefault(factory_dir(recipe["factory"]), []).append((ident, recipe))
    for folder, items in jobs.items():
        digest = code_digest(items[0][1]["factory"].split(":")[0])
        if cache.get(folder, {}).get("digest") != digest:
            cache[folder] = {"digest": digest, "frames": {}}   # drawn by other code: redraw
            for old in (out_root / folder).glob("*.png"):
                old.unlink()
        (out_root / folder).mkdir(parents=True, exist_ok=True)
    cache_root.mkdir(parents=True, exist_ok=True)
    used: dict[str, set] = {}

    def done(folder, known, frames):
        cache[folder]["frames"] = known
        used[folder] = frames
        cache_file.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")   # progress

    # Factories are independent (a fresh explorer per recipe, frames in their own folder),
    # so they render in parallel worker processes, the factories with most recipes first.
    order = sorted(jobs, key=lambda f: (-len(jobs[f]), f))
    workers = render_jobs(len(order))
    started, before = time.perf_counter(), sum(len(c["frames"]) for c in cache.values())
    if workers == 1:
        for folder in order:
            done(*_render_folder(str(out_root), folder, jobs[folder], cache[folder]["frames"]))
    else:
        context = multiprocessing.get_context("spawn")   # a clean interpreter: no forked state
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [pool.submit(_render_folder, str(out_root), folder, jobs[folder],
                                   cache[folder]["frames"]) for folder in order]
            for future in concurrent.futures.as_completed(futures):
                done(*future.result())
    drawn = sum(len(c["frames"]) for c in cache.values()) - before
    from sphinx.util import logging as sphinx_logging
    sphinx_logging.getLogger(__name__).info(
        f"explorer frames: {drawn} drawn in {time.perf_counter() - started:.1f} s "
        f"({workers} processes), {before} from the cache")
    for folder, frames in used.items():            # frames no page shows any more
        for png in (out_root / folder).glob("*.png"):
            if png.stem not in frames:
                png.unlink()
        wanted = {f"{ident}.js" for ident, _ in jobs[folder]}
        for js in (out_root / folder).glob("*.js"):
            if js.name not in wanted:
                js.unlink()
    for folder in list(cache):
        if folder not in used:
            del cache[folder]
    if out_root.exists():
        for stale in out_root.iterdir():
            if stale.is_dir() and stale.name not in used:
                shutil.rmtree(stale)
    cache_file.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")
    # what the browser test needs to redraw any explorer of the book live
    (cache_root / "recipes.json").write_text(json.dumps(instances, sort_keys=True, indent=1),
                                             encoding="utf-8")


def setup(app):
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_purge)
    app.connect("env-merge-info", on_merge)
    app.connect("build-finished", export_all)
    # _static/explorer.js and explorer.css reach every page the way every file in _static
    # does (Jupyter Book adds them), so they are not added here a second time.
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
