"""Jupyter server extension: the REST API behind the JupyterLab sidebar (a thin layer over the core)."""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_exo_models.server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    from .. import activate_sandbox_if_requested
    from .config import ExoModelsConfig
    from .handlers import setup_handlers

    activate_sandbox_if_requested()
    setup_handlers(server_app.web_app, ExoModelsConfig(parent=server_app))
    server_app.log.info("jupyter_exo_models server extension loaded at /jupyter-exo-models/")
