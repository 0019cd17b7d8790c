"""Screenshots of every page of the built book, at desktop and phone widths, for review.

    python scripts/screenshots.py              # uses _build/html (build the book first)
    python scripts/screenshots.py --build      # runs the README build command first
    python scripts/screenshots.py --only chapters/01  --out /tmp/shots

Writes ``<out>/<page>--desktop.png`` and ``<out>/<page>--phone.png`` (full page) for every
page named in ``_toc.yml`` plus the index pages, and the search page with a query. The
default folder, ``_build/screenshots``, is inside the git-ignored build folder. Pages are
served from 127.0.0.1 with every other request blocked, exactly as the browser test
sees them. Needs Chromium (``/usr/bin/chromium``) and the playwright package; for the
glossary's Chinese terms to show as characters rather than boxes, the machine needs a
CJK font (Debian: ``apt-get install fonts-noto-cjk``), as readers' devices have.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import booktools  # noqa: E402

MATH_DONE = """async () => {
  if (!document.querySelector('.math')) return;
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(r => setTimeout(r, 50));
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
}"""


def shoot(out: Path, only: str | None = None, max_height: int = 16000) -> list[Path]:
    """Write the screenshots; returns the files written."""
    from playwright.sync_api import sync_playwright

    pages = booktools.book_pages()
    pages.append("search.html?q=Landauer")
    if only:
        pages = [p for p in pages if only in p]
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with booktools.serve() as base, sync_playwright() as playwright:
        browser = booktools.launch_chromium(playwright)
        try:
            for label, viewport in (("desktop", booktools.DESKTOP), ("phone", booktools.PHONE)):
                context = browser.new_context(viewport=viewport,
                                              device_scale_factor=2 if label == "phone" else 1)
                booktools.block_remote(context)
                page = context.new_page()
                for rel in pages:
                    page.goto(base + rel, wait_until="load")
                    page.evaluate(MATH_DONE)
                    if rel.startswith("search.html"):
                        page.locator("#search-results ul.search li").first.wait_for(
                            state="attached", timeout=30_000)
                    height = page.evaluate("document.scrollingElement.scrollHeight")
                    name = rel.replace("/", "__").replace(".html", "").replace("?q=", "--")
                    path = out / f"{name}--{label}.png"
                    clip = None
                    if height > max_height:  # keep a very long page's PNG viewable
                        clip = {"x": 0, "y": 0, "width": viewport["width"], "height": max_height}
                    page.screenshot(path=str(path), full_page=True, clip=clip)
                    written.append(path)
                context.close()
        finally:
            browser.close()
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=booktools.ROOT / "_build" / "screenshots")
    parser.add_argument("--build", action="store_true", help="build the book first")
    parser.add_argument("--only", help="only pages whose path contains this text")
    args = parser.parse_args(argv)
    reason = booktools.missing_browser_reason()
    if reason:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 2
    if args.build:
        booktools.build_book()
    if not (booktools.HTML / "index.html").exists():
        print("no _build/html: build the book first (or pass --build)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    written = shoot(args.out, args.only)
    print(f"{len(written)} screenshots in {args.out} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
