"""What the live checks need, read from the environment when pytest starts.

The suite's autouse ``isolated_env`` fixture hides the real credentials from every test, so they are
captured here, at import time, and handed to the live tests only (wrapped in ``Secret``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from jupyter_exo_models.core.config import DEFAULT_EXOSCALE_TEMPLATE, DEFAULT_HUB, ensure_safe_url
from jupyter_exo_models.core.secrets import Secret

_ENV = {
    name: os.environ.get(name, "").strip()
    for name in (
        "HF_TOKEN",
        "HF_ENDPOINT",
        "EXOSCALE_API_KEY",
        "EXOSCALE_API_SECRET",
        "EXOSCALE_API_ENDPOINT",
        "EXOSCALE_ZONE",
        "EXO_MODELS_LIVE_ZONE",
        "EXO_MODELS_LIVE_PUBLIC",
        "EXO_MODELS_LIVE_GATED",
        "EXO_MODELS_LIVE_PRIVATE",
    )
}


@dataclass(frozen=True)
class LiveConfig:
    hf_token: Secret | None
    exo_key: str
    exo_secret: Secret | None
    hf_endpoint: str
    exoscale_endpoint: str  # for the zone below
    zone: str
    repos: dict[str, str]  # kind ("public", "gated", "private") -> repo id; no "private" unless configured


@pytest.fixture(scope="session")
def live_config() -> LiveConfig:
    zone = _ENV["EXO_MODELS_LIVE_ZONE"] or _ENV["EXOSCALE_ZONE"] or "de-fra-1"
    config = LiveConfig(
        hf_token=Secret(_ENV["HF_TOKEN"]) if _ENV["HF_TOKEN"] else None,
        exo_key=_ENV["EXOSCALE_API_KEY"],
        exo_secret=Secret(_ENV["EXOSCALE_API_SECRET"]) if _ENV["EXOSCALE_API_SECRET"] else None,
        hf_endpoint=(_ENV["HF_ENDPOINT"] or DEFAULT_HUB).rstrip("/"),
        exoscale_endpoint=(_ENV["EXOSCALE_API_ENDPOINT"] or DEFAULT_EXOSCALE_TEMPLATE).replace(
            "{zone}", zone
        ),
        zone=zone,
        repos={
            kind: repo
            for kind, repo in (
                ("public", _ENV["EXO_MODELS_LIVE_PUBLIC"] or "openai-community/gpt2"),
                ("gated", _ENV["EXO_MODELS_LIVE_GATED"] or "meta-llama/Llama-3.2-1B"),
                ("private", _ENV["EXO_MODELS_LIVE_PRIVATE"]),
            )
            if repo
        },
    )
    ensure_safe_url(config.hf_endpoint)  # credentials go over HTTPS only (plain HTTP to loopback: a sandbox)
    ensure_safe_url(config.exoscale_endpoint)
    return config


@pytest.fixture
def hub_config(live_config) -> LiveConfig:
    if live_config.hf_token is None:
        pytest.skip("the live Hub checks need HF_TOKEN (a token that can read the configured repos)")
    return live_config


@pytest.fixture
def exoscale_config(live_config) -> LiveConfig:
    if not (live_config.exo_key and live_config.exo_secret):
        pytest.skip("the live Exoscale checks need EXOSCALE_API_KEY and EXOSCALE_API_SECRET")
    return live_config
