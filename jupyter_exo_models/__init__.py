"""Import gated, private and organization-owned Hugging Face models into Exoscale Dedicated Inference.

Public surface (imported lazily, so ``import jupyter_exo_models`` stays cheap):

- checks and imports: :func:`preflight`, :func:`import_model`, :func:`attach`,
  :func:`list_models`, :func:`get_model`, :func:`delete_model`, and their async
  forms :func:`apreflight`, :func:`aimport_model`, ...
- notebook: :func:`login`, :class:`ModelImporter`, ``%load_ext jupyter_exo_models``
- offline: :class:`Sandbox` (embedded fake Hugging Face Hub and Exoscale API)
"""

from __future__ import annotations

from ._version import __version__

ERRORS = (  # every public error type, all from core.errors
    "ExoModelsError", "UsageError", "ConfigurationError", "CredentialsMissingError", "ExoConfigError",
    "InsecureEndpointError", "InvalidModelIdError", "ExoscaleAPIError", "AuthenticationError", "NotFoundError",
    "ConflictError", "ModelInUseError", "RateLimitedError", "ServerError", "TransportError", "HubError",
    "TokenRejected", "PreflightFailed", "ImportFailed", "WatchTimeout", "WatchStopped", "LoopStopped",
)
_LAZY = {
    "preflight": ("core.api", "preflight_sync"),
    "apreflight": ("core.api", "apreflight"),
    "preflight_many": ("core.api", "preflight_many_sync"),
    "apreflight_many": ("core.api", "apreflight_many"),
    "import_model": ("core.api", "import_model"),
    "aimport_model": ("core.api", "aimport_model"),
    "start_import": ("core.api", "start_import_sync"),
    "astart_import": ("core.api", "astart_import"),
    "attach": ("core.api", "attach_sync"),
    "aattach": ("core.api", "aattach"),
    "list_models": ("core.api", "list_models"),
    "alist_models": ("core.api", "alist_models"),
    "get_model": ("core.api", "get_model"),
    "aget_model": ("core.api", "aget_model"),
    "delete_model": ("core.api", "delete_model"),
    "adelete_model": ("core.api", "adelete_model"),
    "credentials_status": ("core.api", "credentials_status"),
    "PreflightReport": ("core.preflight", "PreflightReport"),
    "CheckResult": ("core.preflight", "CheckResult"),
    "ImportJob": ("core.importer", "ImportJob"),
    "StatusEvent": ("core.importer", "StatusEvent"),
    "Sandbox": ("sandbox", "Sandbox"),
    **{name: ("core.errors", name) for name in ERRORS},
    "login": ("notebook.login", "login"),
    "ModelImporter": ("notebook.importer", "ModelImporter"),
    "load_ipython_extension": ("notebook.magics", "load_ipython_extension"),
    "unload_ipython_extension": ("notebook.magics", "unload_ipython_extension"),
}

__all__ = ["__version__", *_LAZY.keys()]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_exo_models.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-exo-models"}]


def activate_sandbox_if_requested() -> None:
    """``EXO_MODELS_SANDBOX=1`` resolved at an entry point: the sandbox is imported only when asked for."""
    from .core.config import sandbox_requested

    if sandbox_requested():
        from .sandbox import activate_if_requested

        activate_if_requested()


def __getattr__(name: str) -> object:
    import importlib  # here, not at the top: `import jupyter_exo_models` must stay nearly free

    if name not in _LAZY:
        raise AttributeError(f"module 'jupyter_exo_models' has no attribute {name!r}")
    activate_sandbox_if_requested()  # the top-level API's first call is an entry point
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
