"""Shared tooling for looking at the book the way readers do: in a real browser.

Used by the browser tests (``tests/browser/``) and by ``scripts/screenshots.py``.
Nothing here is course content, so it lives outside the ``energylab`` package.

* :func:`build_book` runs the README's build command (``jupyter-book build . -W -n
  --keep-going``). It executes no notebook (``execute_notebooks: "off"``: the pages show
  the committed outputs, which ``pytest --nbval`` re-executes and compares in the same
  run); most of a cold build is rendering the explorers' frames (in parallel, cached in
  ``_build/.wpt_explorers`` for later builds).
* :func:`book_pages` lists every page of the book: the files named in ``_toc.yml``
  plus every other HTML page the build wrote (index pages), never a hard-coded list.
* :func:`serve` serves ``_build/html`` on 127.0.0.1 (a reader's web server).
* :func:`launch_chromium` starts Debian's Chromium through Playwright, and
  :func:`block_remote` aborts every request that is not for 127.0.0.1, recording it:
  the book must work in a classroom without internet.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

#: Where Debian (and CI, after ``apt-get install chromium``) puts Chromium.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

#: Flags that let headless Chromium run as root in a container, with no network chatter.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

#: Set (by ``.ci/run``) to turn "no Chromium here" from a skip into a failure.
REQUIRE_ENV = "ENERGYLAB_REQUIRE_BROWSER"

#: Set to test an existing ``_build/html`` as it is, without running the build first.
NO_BUILD_ENV = "ENERGYLAB_USE_BUILT_BOOK"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """The Chromium executable, or None when none is installed."""
    env = os.environ.get("ENERGYLAB_CHROMIUM")
    for candidate in ([env] if env else []) + list(CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def browser_required() -> bool:
    """Whether a missing browser must fail the run (CI) rather than skip."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def missing_browser_reason() -> str | None:
    """Why the browser checks cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -r requirements.txt)"
    if chromium_path() is None:
        return "no Chromium found (/usr/bin/chromium; on Debian: apt-get install chromium)"
    return None


def require_browser() -> None:
    """In a test: skip (or, when CI requires the browser, fail) if no browser can run here."""
    import pytest

    reason = missing_browser_reason()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"{REQUIRE_ENV} is set but the browser checks cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser checks skipped: {reason}")


# --------------------------------------------------------------------------- the book
def jupyter_book_command() -> list[str]:
    """The README's build command, with the ``jupyter-book`` of this environment."""
    exe = Path(sys.executable).with_name("jupyter-book")
    jb = str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")
    return [jb, "build", ".", "-W", "-n", "--keep-going"]


def build_book(root: Path = ROOT) -> Path:
    """Build the book (README command 1) and return ``_build/html``.

    Raises
    ------
    RuntimeError
        If the build fails, with the end of its log.
    """
    proc = subprocess.run(jupyter_book_command(), cwd=root, capture_output=True, text=True)
    if proc.returncode != 0 or not (root / "_build" / "html" / "index.html").exists():
        log = (proc.stdout + proc.stderr)[-6000:]
        raise RuntimeError(f"jupyter-book build failed (exit {proc.returncode}):\n{log}")
    return root / "_build" / "html"


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document named in ``_toc.yml`` (root first), without extension, in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return [str(Path(f).with_suffix("")) if Path(f).suffix in (".md", ".ipynb") else f for f in found]


def source_of(doc: str, root: Path = ROOT) -> Path | None:
    """The source file of a toc document (``chapters/01_power_laws`` -> the .ipynb)."""
    for ext in (".ipynb", ".md", ".rst"):
        path = root / f"{doc}{ext}"
        if path.exists():
            return path
    return None


def book_pages(html: Path = HTML, root: Path = ROOT) -> list[str]:
    """Every reader-facing page, as paths relative to ``_build/html``.

    The toc's documents first, then any other page the build wrote (``genindex.html``,
    ``py-modindex.html``); ``search.html`` is left out (it is tested with a query), and so
    are redirect stubs (``index.html`` forwards to the root document).
    """
    pages = [f"{doc}.html" for doc in toc_files(root)]
    skip = {"search.html"}
    for path in sorted(html.rglob("*.html")):
        rel = path.relative_to(html).as_posix()
        if rel.split("/")[0] in ("_static", "_sources", "_images") or rel in skip:
            continue
        if is_redirect(path):
            continue
        if rel not in pages:
            pages.append(rel)
    return pages


def is_redirect(path: Path) -> bool:
    """Whether a built HTML file is only a redirect stub (meta refresh)."""
    head = path.read_text(encoding="utf-8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in head


def executable_docs(root: Path = ROOT) -> list[str]:
    """Toc documents whose source is a notebook (these pages carry launch buttons)."""
    return [doc for doc in toc_files(root) if (src := source_of(doc, root)) and src.suffix == ".ipynb"]


# --------------------------------------------------------------------------- serving
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextlib.contextmanager
def serve(directory: Path = HTML):
    """Serve ``directory`` on http://127.0.0.1:<free port>/; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --------------------------------------------------------------------------- browser
def launch_chromium(playwright):
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    path = chromium_path()
    if path is None:
        raise RuntimeError(missing_browser_reason())
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    """Requests a page may make offline: its own server, inline data and blobs."""
    return url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:",
                           "ws://127.0.0.1", "file:"))


def block_remote(context) -> list[str]:
    """Abort every non-local request of a browser context; returns the list it fills."""
    blocked: list[str] = []

    def handle(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", handle)
    return blocked
