"""A real JupyterLab on 127.0.0.1 with the sandbox, driven by Debian's headless Chromium through
Playwright."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "artifacts"
DOCS_IMAGES = ROOT / "docs" / "images"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("EXO_MODELS_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"{CHROMIUM} is missing but EXO_MODELS_REQUIRE_BROWSER=1 (apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, url: str, token: str, root: Path, sandbox) -> None:
        self.url, self.token, self.root, self.sandbox = url, token, root, sandbox

    def page_url(self, path: str) -> str:
        return f"{self.url}/{path}?token={self.token}"


@contextmanager
def running_lab(base: Path, env: dict[str, str], sandbox, app: str = "jupyterlab") -> Iterator[Lab]:
    """``jupyter lab`` (or, with ``app="notebook"``, Notebook 7) on 127.0.0.1 serving a copy of notebooks/,
    with its own config, runtime and home folders."""
    root = base / "work"
    shutil.copytree(ROOT / "notebooks", root)
    port, token = _free_port(), "browser-test-token"
    labconfig = base / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    # no "get notified about Jupyter news?" toast over the screenshots
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = {
        **env,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "HOME": str(base / "home"),
    }
    for var in ("HF_TOKEN", "EXOSCALE_API_KEY", "EXOSCALE_API_SECRET"):
        env.pop(var, None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            app,
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True"
            if app == "jupyterlab"
            else "--JupyterNotebookApp.expose_app_in_browser=True",
            "--ServerApp.open_browser=False",
            "--allow-root",
        ],
        env=env,
        stdout=(base / "lab.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"{app} did not start:\n" + (base / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    try:
        yield Lab(url, token, root, sandbox)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def start_lab():
    """``with start_lab(folder, env, sandbox) as lab:`` for a test module's own JupyterLab."""
    return running_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab in sandbox mode: the sandbox's demo credentials are in force."""
    from jupyter_exo_models.sandbox import Sandbox, Timings

    with Sandbox(timings=Timings(creating=1.0, downloading=2.0)) as sb:
        env = {**os.environ, "EXO_MODELS_POLL_INTERVAL": "0.2"}
        with running_lab(tmp_path_factory.mktemp("lab"), env, sb) as lab:
            yield lab


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots_folder(request, tmp_path_factory) -> Path:
    """Where screenshots go: a temporary folder, or artifacts/ with ``--update-screenshots``."""
    if request.config.getoption("--update-screenshots"):
        ARTIFACTS.mkdir(exist_ok=True)
        return ARTIFACTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(request, screenshots_folder):
    """Save a screenshot; with ``--update-screenshots``, README ones (``docs=True``) replace docs/images/."""
    update = request.config.getoption("--update-screenshots")

    def take(page, name: str, docs: bool = False) -> Path:
        path = screenshots_folder / f"{name}.png"
        page.screenshot(path=str(path))
        if docs and update:
            shutil.copy(path, DOCS_IMAGES / f"{name}.png")
        return path

    return take
