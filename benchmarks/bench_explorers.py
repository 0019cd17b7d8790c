"""Static explorers in the built book: states, size, controls, latency (a report, not a test).

    python benchmarks/bench_explorers.py [--before PATH_TO_OTHER_BUILD/_build/html]

Reads ``_build/html`` (build the book first). For every explorer factory: the number of
pre-rendered states and frames, their size on disk, the controls that move in the book.
For one page per explorer, in headless Chromium from ``file://`` with the network blocked:
the time from navigation to the default frame decoded (first frame), and for moves of each
control the time from the input event to the new frame decoded (per move; the frames are
prefetched when the pointer enters the figure, as a reader's would be). Also the size of the
whole site and of each chapter page's first load (HTML + images it loads), against
``--before`` when given. Budgets (issue 13): <= ~250 states per explorer, <= 30 MB of frames
in all, a chapter page's first load no heavier than before, a move <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import booktools  # noqa: E402

MOVE = """async ([fig, name, target]) => {
  const input = fig.querySelector(`[data-name="${name}"]`);
  const img = fig.querySelector('img.wpt-ex-frame');
  const before = img.getAttribute('src');
  if (input.type !== 'checkbox' && input.value === String(target)) return null;   // no move
  const t0 = performance.now();
  if (input.type === 'checkbox') input.checked = !input.checked; else input.value = String(target);
  input.dispatchEvent(new Event('input', {bubbles: true}));
  for (let i = 0; i < 400; i++) {
    if (img.getAttribute('src') !== before && img.complete && img.naturalWidth > 0) break;
    await new Promise(r => requestAnimationFrame(r));
  }
  await img.decode().catch(() => null);
  return performance.now() - t0;
}"""


def du(path: pathlib.Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def first_load(html: pathlib.Path, rel: str) -> int:
    """Bytes of a page's HTML plus the local images it shows at load (not scripts/css)."""
    text = (html / rel).read_text(encoding="utf-8")
    size = len(text.encode())
    for src in set(re.findall(r'<img[^>]*?src="([^"]+)"', text)):
        if src.startswith("data:"):
            continue
        path = (html / rel).parent / src
        if path.exists():
            size += path.stat().st_size
    return size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=pathlib.Path, help="an earlier _build/html to compare with")
    args = parser.parse_args()
    html = booktools.HTML
    frames = html / "_static" / "explorers"
    recipes = json.loads((ROOT / "_build" / ".wpt_explorers" / "recipes.json").read_text())

    print("| explorer | controls moving in the book | states | frames | size (MB) | first frame (ms) | per move, median / max (ms) |")
    print("|---|---|---|---|---|---|---|")
    pages = [p for p in booktools.book_pages(html) if "wpt-explorer" in (html / p).read_text(encoding="utf-8")]
    from playwright.sync_api import sync_playwright

    timings: dict[str, tuple] = {}
    with sync_playwright() as pw:
        browser = booktools.launch_chromium(pw)
        for rel in pages:
            context = browser.new_context(viewport=booktools.DESKTOP)
            booktools.block_remote(context)
            page = context.new_page()
            page.goto((html / rel).resolve().as_uri(), wait_until="load")
            first = page.evaluate("""() => { const e = performance.getEntriesByType('navigation')[0];
                const i = [...document.querySelectorAll('img.wpt-ex-frame')]
                           .map(img => performance.getEntriesByName(img.src)[0]).filter(Boolean);
                return i.length ? Math.max(...i.map(r => r.responseEnd)) : e.loadEventEnd; }""")
            for fig in page.query_selector_all("figure.wpt-explorer[data-wpt-id]"):
                ident = fig.get_attribute("data-wpt-id")
                folder = pathlib.Path(fig.get_attribute("data-wpt-base")).name
                if folder in timings:
                    continue
                fig.scroll_into_view_if_needed()
                fig.hover()
                page.wait_for_function("id => window.WPT_EXPLORERS && window.WPT_EXPLORERS[id]", arg=ident)
                page.wait_for_timeout(1500)          # let the prefetch of the frames finish
                index = page.evaluate("id => window.WPT_EXPLORERS[id]", ident)
                moves = []
                for name in index["keys"]:
                    n = len(index["grid"][name])
                    for target in list(range(n))[::-1][:4]:
                        ms = page.evaluate(MOVE, [fig, name, target])
                        if ms is not None:
                            moves.append(ms)
                timings[folder] = (first, moves, index, ident)
            context.close()
        browser.close()

    total_frames = 0
    for folder, (first, moves, index, ident) in sorted(timings.items()):
        states = sum(1 for r in recipes.values() if r["factory"].endswith(folder.split(".", 1)[1]))
        pngs = list((frames / folder).glob("*.png"))
        size = sum(p.stat().st_size for p in pngs)
        total_frames += size
        n_states = 1
        for v in index["grid"].values():
            n_states *= len(v)
        moving = ", ".join(f"{k} ({len(v)})" for k, v in index["grid"].items())
        print(f"| {folder} | {moving} | {n_states} | {len(pngs)} | {size / 1e6:.2f} | {first:.0f} | "
              f"{statistics.median(moves):.0f} / {max(moves):.0f} |")
    all_frames = du(frames) if frames.exists() else 0
    print(f"\nall frames and indexes: {all_frames / 1e6:.1f} MB (budget 30 MB); site: {du(html) / 1e6:.1f} MB")
    if args.before:
        print(f"site before: {du(args.before) / 1e6:.1f} MB")
    print("\n| chapter page | first load now (kB) | before (kB) |")
    print("|---|---|---|")
    for rel in pages:
        before = first_load(args.before, rel) if args.before and (args.before / rel).exists() else None
        print(f"| {rel} | {first_load(html, rel) / 1e3:.0f} | {'' if before is None else f'{before / 1e3:.0f}'} |")


if __name__ == "__main__":
    main()
