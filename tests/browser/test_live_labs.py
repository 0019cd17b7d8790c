"""Every lab, live: JupyterLab in headless Chromium, run all cells, move every explorer.

One JupyterLab server (127.0.0.1, a random token, the labs copied to a temporary folder
so autosave never touches the repository) serves all labs; it is stopped at the end,
whatever happens. For each ``labs/*.ipynb`` the test opens the notebook as a student
would, runs all cells, and checks that

* every cell ran, and no cell shows an error or anything on stderr;
* every explorer (an ipywidgets VBox whose last child is an Image, see
  ``energylab/widgets/base.py``) is drawn live, one for each explorer output the
  notebook has;
* moving the first control of each explorer (dragging a slider handle, picking another
  dropdown option or ticking a checkbox, with the mouse) changes its figure: the PNG
  bytes differ.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import booktools

pytestmark = pytest.mark.browser

LABS = sorted((booktools.ROOT / "labs").glob("*.ipynb"))

# JupyterLab user settings for the test server: every cell attached to the page (so the
# mouse can reach any explorer) and no news or update checks (no internet).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
        return json.loads(response.read() or b"null")


class LabServer:
    """A JupyterLab on 127.0.0.1 serving a copy of the labs."""

    def __init__(self, workdir: Path):
        self.root = workdir / "labs"
        shutil.copytree(booktools.ROOT / "labs", self.root,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        settings = workdir / "settings"
        for rel, values in SETTINGS.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(booktools.ROOT), env.get("PYTHONPATH")]))
        for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
            env[var] = str(workdir / sub)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
        env["MPLBACKEND"] = "Agg"
        self.log = open(workdir / "jupyterlab.log", "w")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--ServerApp.port_retries=0", "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            command.append("--allow-root")
        self.proc = subprocess.Popen(
            command,
            cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workdir = workdir

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                _get(f"{self.base}api/status?token={self.token}")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        self.log.flush()
        return (self.workdir / "jupyterlab.log").read_text(errors="replace")[-3000:]

    def shutdown_kernels(self) -> None:
        """Stop every session's kernel (one lab at a time keeps memory low)."""
        for session in _get(f"{self.base}api/sessions?token={self.token}") or []:
            request = urllib.request.Request(f"{self.base}api/sessions/{session['id']}?token={self.token}",
                                             method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()  # noqa: S310 - 127.0.0.1 only

    def stop(self) -> None:
        """Stop the server and its kernels (its own process group), whatever state it is in."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def lab_server(browser, tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- in the page
OPEN_NOTEBOOK = """async (name) => {
  for (let i = 0; i < 600 && !window.jupyterapp; i++) await new Promise(r => setTimeout(r, 100));
  const app = window.jupyterapp;
  await app.started; await app.restored;
  let panel = null;
  for (let i = 0; i < 600; i++) {
    const w = app.shell.currentWidget;
    if (w && w.context && w.context.path.endsWith(name) && w.sessionContext) { panel = w; break; }
    await new Promise(r => setTimeout(r, 100));
  }
  if (!panel) return 'notebook panel never opened';
  await panel.context.ready;
  await panel.sessionContext.ready;
  for (let i = 0; i < 1200; i++) {
    const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (k && k.status === 'idle') return 'ok';
    await new Promise(r => setTimeout(r, 100));
  }
  return 'kernel never became idle';
}"""

RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await app.commands.execute('notebook:run-all-cells');
  const cells = () => panel.content.widgets.filter(c => c.model.type === 'code');
  for (let i = 0; i < 6000; i++) {   // up to 10 minutes
    const k = panel.sessionContext.session.kernel;
    const pending = cells().filter(c => c.model.executionCount === null || c.promptNode?.textContent?.includes('*'));
    if (pending.length === 0 && k.status === 'idle') break;
    await new Promise(r => setTimeout(r, 100));
  }
  const problems = [];
  let explorers = 0;
  cells().forEach((cell, index) => {
    if (cell.model.executionCount === null) problems.push(`code cell ${index} never ran`);
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') problems.push(`code cell ${index}: ${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream' && out.name === 'stderr')
        problems.push(`code cell ${index} wrote to stderr: ${String(out.text).slice(0, 200)}`);
      const data = out.data || {};
      if (data['application/vnd.jupyter.widget-view+json'] && data['image/png']) explorers += 1;
    }
  });
  return {problems, explorers};
}"""

EXPLORERS = """() => [...document.querySelectorAll('.jp-Notebook .widget-vbox')]
  .filter(b => b.lastElementChild && b.lastElementChild.matches('img.widget-image')).length"""

EXPLORER_HASH = """async ([index]) => {
  const boxes = [...document.querySelectorAll('.jp-Notebook .widget-vbox')]
    .filter(b => b.lastElementChild && b.lastElementChild.matches('img.widget-image'));
  const img = boxes[index].lastElementChild;
  if (!img.src) return null;
  const bytes = await (await fetch(img.src)).arrayBuffer();
  if (bytes.byteLength === 0) return null;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
}"""

ERROR_OUTPUTS = """() => [...document.querySelectorAll(
  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
  .map(e => e.textContent.slice(0, 200))"""


def changed_hash(page, index: int, before, timeout_s: float = 60.0):
    """The explorer's figure hash once it differs from ``before`` (read every 50 ms), or
    ``before`` when it has not changed within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    after = before
    while after == before and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        after = page.evaluate(EXPLORER_HASH, [index])
    return after


def explorer_locator(page, index: int):
    """The index-th explorer view: a VBox whose last child is the widget Image."""
    return page.locator(".jp-Notebook .widget-vbox:has(> img.widget-image:last-child)").nth(index)


def move_first_control(page, explorer) -> str:
    """Move the explorer's first control with the mouse, as a student would; returns what was done."""
    control = explorer.locator(".widget-slider, .widget-dropdown, .widget-checkbox").first
    control.scroll_into_view_if_needed()
    classes = control.get_attribute("class") or ""
    description = control.locator(".widget-label").first.inner_text() if control.locator(".widget-label").count() else ""
    if "widget-dropdown" in classes:
        select = control.locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % len(options))
        return f"dropdown {description!r} -> {options[(current + 1) % len(options)]!r}"
    if "widget-checkbox" in classes:
        control.locator("input[type=checkbox]").click()
        return f"checkbox {description!r} toggled"
    handles = control.locator(".noUi-handle")
    if handles.count() == 0:
        raise AssertionError(f"explorer's first control is not a slider, dropdown or checkbox: {classes}")
    track = control.locator(".noUi-base").bounding_box()

    def fraction(handle):
        lo, hi, now = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
        return (now - lo) / (hi - lo) if hi > lo else 0.0

    handle, now = handles.nth(0), fraction(handles.nth(0))
    if now > 0.1:
        target = 0.05                       # the lower handle can always move left
    elif handles.count() == 1:
        target = 0.7
    else:                                   # a range already at its minimum: move the upper end
        handle, upper = handles.nth(1), fraction(handles.nth(1))
        target = (now + upper) / 2 if upper > 0.9 else 0.95
    box = handle.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    x1 = track["x"] + target * track["width"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y0, steps=8)
    page.mouse.up()
    return f"slider {description!r} dragged to {target:.0%} of its range"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_lab_runs_live_and_every_explorer_responds(browser, lab_server, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked = booktools.block_remote(context)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        page.goto(f"{lab_server.base}lab/tree/{lab.name}?reset&token={lab_server.token}",
                  wait_until="domcontentloaded", timeout=120_000)
        status = page.evaluate(OPEN_NOTEBOOK, lab.name)
        assert status == "ok", f"{lab.name}: {status}\n{lab_server.log_tail()}"

        run = page.evaluate(RUN_ALL)
        assert not run["problems"], f"{lab.name}:\n  " + "\n  ".join(run["problems"])
        assert not page.evaluate(ERROR_OUTPUTS)

        expected = run["explorers"]
        page.wait_for_function(f"() => ({EXPLORERS})() >= {expected}", timeout=60_000)
        assert page.evaluate(EXPLORERS) == expected

        moved = []
        for index in range(expected):
            explorer = explorer_locator(page, index)
            page.wait_for_function(f"async () => !!(await ({EXPLORER_HASH})([{index}]))", timeout=30_000)
            before = page.evaluate(EXPLORER_HASH, [index])
            action = move_first_control(page, explorer)
            after = changed_hash(page, index, before)
            assert after != before, f"{lab.name}: explorer {index}: {action}, but its figure did not change"
            moved.append(action)
        assert not page.evaluate(ERROR_OUTPUTS), f"{lab.name}: error output after moving controls"
        assert not page_errors, f"{lab.name}: JavaScript errors: {page_errors}"
        assert not any("127.0.0.1" not in u for u in blocked if not u.startswith("data:")), (
            f"{lab.name}: JupyterLab tried the internet: {blocked}")
    finally:
        context.close()
        lab_server.shutdown_kernels()
