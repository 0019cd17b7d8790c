"""Every executable page carries working Binder, Colab and Live-code (Thebe) buttons.

Checked in the built HTML (no browser needed): each page built from a notebook must link
to *that* notebook in the repository and branch named once in ``_config.yml``, Thebe
must ask Binder for the same repository and branch and start the notebook's kernel in
the notebook's folder, and the README's badges must point at the same repository.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import booktools

CONFIG = yaml.safe_load((booktools.ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
BOOK_PATH = (CONFIG["repository"].get("path_to_book") or "").strip("/")
LAUNCH = CONFIG["launch_buttons"]
ORG_REPO = re.match(r"https://github\.com/([^/]+/[^/]+)$", REPO_URL)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, title)
        self.buttons: list[dict] = []
        self.thebe_config: list[str] = []
        self._in_thebe = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], attrs.get("title", "")))
        elif tag == "button":
            self.buttons.append(attrs)
        elif tag == "script" and attrs.get("type") == "text/x-thebe-config":
            self._in_thebe = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_thebe = False

    def handle_data(self, data):
        if self._in_thebe:
            self.thebe_config.append(data)


def parse(html_file: Path) -> _Links:
    parser = _Links()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return parser


def repo_path(doc: str) -> str:
    """Path of a document's notebook inside the repository."""
    source = booktools.source_of(doc)
    rel = source.relative_to(booktools.ROOT).as_posix()
    return f"{BOOK_PATH}/{rel}" if BOOK_PATH else rel


def test_config_names_a_github_repository():
    assert ORG_REPO, f"repository.url must be https://github.com/<owner>/<name>, got {REPO_URL}"
    assert LAUNCH.get("binderhub_url") and LAUNCH.get("colab_url") and LAUNCH.get("thebe") is True


def test_readme_badges_point_at_the_configured_repository():
    readme = (booktools.ROOT / "README.md").read_text(encoding="utf-8")
    org_repo = ORG_REPO.group(1)
    binder = re.findall(r"https://mybinder\.org/v2/gh/([^/]+/[^/]+)/([^?)\s]+)", readme)
    colab = re.findall(r"https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/([^/]+)/([^)\s]+)", readme)
    assert binder and colab, "README has a Binder and a Colab badge"
    assert all(repo == org_repo and ref == BRANCH for repo, ref in binder), binder
    for repo, ref, path in colab:
        assert repo == org_repo and ref == BRANCH, (repo, ref)
        assert (booktools.ROOT / path).exists(), f"README's Colab badge opens {path}, which does not exist"


@pytest.mark.parametrize("doc", booktools.executable_docs())
def test_notebook_kernel_is_the_one_binder_and_colab_start(doc):
    meta = json.loads(booktools.source_of(doc).read_text(encoding="utf-8"))["metadata"]
    assert meta.get("kernelspec", {}).get("name") == "python3", (
        f"{doc}: kernelspec must be python3 (what Binder, Colab and Thebe start), "
        f"got {meta.get('kernelspec')}")


@pytest.mark.parametrize("doc", booktools.executable_docs())
def test_launch_buttons(built_html, doc):
    page = parse(built_html / f"{doc}.html")
    path = repo_path(doc)
    org_repo = ORG_REPO.group(1)
    hrefs = [href for href, _ in page.links]

    urlpath = "lab/tree/" if LAUNCH.get("notebook_interface") == "jupyterlab" else "tree/"
    binder = f"{LAUNCH['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{BRANCH}?urlpath={urlpath}{path}"
    assert binder in hrefs, f"{doc}: no Binder button to {binder}; links: {[h for h in hrefs if 'binder' in h]}"

    colab = f"{LAUNCH['colab_url'].rstrip('/')}/github/{org_repo}/blob/{BRANCH}/{path}"
    assert colab in hrefs, f"{doc}: no Colab button to {colab}; links: {[h for h in hrefs if 'colab' in h]}"

    thebe_buttons = [b for b in page.buttons if "btn-launch-thebe" in (b.get("class") or "")]
    assert thebe_buttons and "initThebe" in (thebe_buttons[0].get("onclick") or ""), f"{doc}: no Live Code button"
    config = "".join(page.thebe_config)
    assert re.search(rf'repo:\s*"{re.escape(org_repo)}"', config), config
    assert re.search(rf'ref:\s*"{re.escape(BRANCH)}"', config), config
    assert re.search(r'name:\s*"python3"', config), config
    folder = str(Path(path).parent.as_posix())
    assert re.search(rf'path:\s*"\./{re.escape(folder)}"', config), (
        f"{doc}: Thebe must start the kernel in {folder}/ (relative paths), config: {config}")
    # The repository and issue buttons point at the same repository.
    assert REPO_URL in hrefs
