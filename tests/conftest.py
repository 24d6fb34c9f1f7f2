"""Shared fixtures: a clean environment (no real credentials) and a fresh sandbox per test."""

from __future__ import annotations

import os

import pytest

from jupyter_exo_models.core import credentials, deployments, hub, imports

AMBIENT = (
    "HF_TOKEN",
    "HF_ENDPOINT",
    "EXOSCALE_API_KEY",
    "EXOSCALE_API_SECRET",
    "EXOSCALE_ZONE",
    "EXOSCALE_ACCOUNT",
    "EXOSCALE_API_ENDPOINT",
    "EXO_MODELS_SANDBOX",
    "EXO_MODELS_SANDBOX_HUB_URL",
    "EXO_MODELS_SANDBOX_EXOSCALE_URL",
    "EXO_MODELS_POLL_INTERVAL",
)


LIVE_FLAG = "EXO_MODELS_LIVE"


def pytest_addoption(parser):
    """Here, not in tests/browser/conftest.py: pytest reads options only from the conftests it loads first."""
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        default=False,
        help="browser tests: replace the README's screenshots in docs/images/ (else a temporary folder)",
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked ``live`` reach the real services: they run only when EXO_MODELS_LIVE=1, never by default
    (credentials in the environment are not enough: CI or a developer's shell may hold them)."""
    if os.environ.get(LIVE_FLAG) == "1":
        return
    skip = pytest.mark.skip(
        reason=f"live check against the real Hub and Exoscale: run with {LIVE_FLAG}=1 "
        "(and HF_TOKEN, EXOSCALE_API_KEY, EXOSCALE_API_SECRET)"
    )
    for item in items:
        if item.get_closest_marker("live") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """Never touch the developer's real tokens, exo config or Hugging Face cache."""
    for var in AMBIENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    credentials.clear_session_credentials()
    imports.forget_jobs()
    deployments.forget_deployment_jobs()
    hub.forget_whoami()  # a sandbox of an earlier test may have had the same port
    yield
    credentials.clear_session_credentials()
    imports.forget_jobs()
    deployments.forget_deployment_jobs()


@pytest.fixture
def sb(monkeypatch):
    """A running, activated sandbox with fast timings and fast polling."""
    from jupyter_exo_models.sandbox import Sandbox, Timings

    monkeypatch.setenv("EXO_MODELS_POLL_INTERVAL", "0.05")
    with Sandbox(
        timings=Timings(
            creating=0.2, downloading=0.3, deployment_creating=0.2, deployment_deploying=0.3, scaling=0.2
        )
    ) as sandbox:
        yield sandbox
