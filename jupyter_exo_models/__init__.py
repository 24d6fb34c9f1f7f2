"""Import gated, private and organization-owned Hugging Face models into Exoscale Dedicated Inference.

Public surface (imported lazily, so ``import jupyter_exo_models`` stays cheap):

- checks and imports: :func:`preflight`, :func:`import_model`, :func:`attach`,
  :func:`list_models`, :func:`get_model`, :func:`delete_model`, and their async
  forms :func:`apreflight`, :func:`aimport_model`, ...
- deployments: :func:`deploy_preflight`, :func:`deploy` (import, deploy, wait, smoke-test),
  :func:`attach_deployment`, :func:`list_deployments`, :func:`scale`, :func:`deployment_logs`,
  :func:`delete_deployment`, :func:`endpoint` (``.chat(prompt)``), and their async forms
- notebook: :func:`login`, :class:`ModelImporter` (then its deploy panel), :class:`Deployer`,
  ``%load_ext jupyter_exo_models``
- offline: :class:`Sandbox` (embedded fake Hugging Face Hub and Exoscale API)
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ._version import __version__

_API = (
    "preflight",
    "apreflight",
    "preflight_many",
    "apreflight_many",
    "import_model",
    "aimport_model",
    "start_import",
    "astart_import",
    "attach",
    "aattach",
    "list_models",
    "alist_models",
    "get_model",
    "aget_model",
    "delete_model",
    "adelete_model",
    "deploy_preflight",
    "adeploy_preflight",
    "deploy",
    "adeploy",
    "attach_deployment",
    "aattach_deployment",
    "list_deployments",
    "alist_deployments",
    "get_deployment",
    "aget_deployment",
    "scale",
    "ascale",
    "deployment_logs",
    "adeployment_logs",
    "delete_deployment",
    "adelete_deployment",
    "endpoint",
    "aendpoint",
    "credentials_status",
)
ERRORS = (  # every public error type, all from core.errors
    "ExoModelsError",
    "UsageError",
    "ConfigurationError",
    "CredentialsMissingError",
    "ExoConfigError",
    "InsecureEndpointError",
    "InvalidModelIdError",
    "ExoscaleAPIError",
    "AuthenticationError",
    "NotFoundError",
    "ConflictError",
    "ModelInUseError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "HubError",
    "TokenRejected",
    "PreflightFailed",
    "ImportFailed",
    "WatchTimeout",
    "WatchStopped",
    "LoopStopped",
    "GpuUnavailableError",
    "DeploymentFailed",
    "EndpointError",
    "MissingExtraError",
)
_LAZY = {
    **{name: ("core.api", name) for name in _API},
    "PreflightReport": ("core.preflight", "PreflightReport"),
    "CheckResult": ("core.preflight", "CheckResult"),
    "ImportJob": ("core.imports", "ImportJob"),
    "DeploymentReport": ("core.deploy_preflight", "DeploymentReport"),
    "DeploymentJob": ("core.deployments", "DeploymentJob"),
    "Deployment": ("core.exoscale.models", "Deployment"),
    "Endpoint": ("core.endpoint", "Endpoint"),
    "StatusEvent": ("core.jobs", "StatusEvent"),
    "Sandbox": ("sandbox", "Sandbox"),
    **{name: ("core.errors", name) for name in ERRORS},
    "login": ("notebook.login", "login"),
    "ModelImporter": ("notebook.importer", "ModelImporter"),
    "Deployer": ("notebook.deployer", "Deployer"),
    "load_ipython_extension": ("notebook.magics", "load_ipython_extension"),
    "unload_ipython_extension": ("notebook.magics", "unload_ipython_extension"),
}

if TYPE_CHECKING:  # what IDEs and type checkers see behind the lazy surface (as huggingface_hub does)
    from .core.api import (
        aattach,
        aattach_deployment,
        adelete_deployment,
        adelete_model,
        adeploy,
        adeploy_preflight,
        adeployment_logs,
        aendpoint,
        aget_deployment,
        aget_model,
        aimport_model,
        alist_deployments,
        alist_models,
        apreflight,
        apreflight_many,
        ascale,
        astart_import,
        attach,
        attach_deployment,
        credentials_status,
        delete_deployment,
        delete_model,
        deploy,
        deploy_preflight,
        deployment_logs,
        endpoint,
        get_deployment,
        get_model,
        import_model,
        list_deployments,
        list_models,
        preflight,
        preflight_many,
        scale,
        start_import,
    )
    from .core.deploy_preflight import DeploymentReport
    from .core.deployments import DeploymentJob
    from .core.endpoint import Endpoint
    from .core.errors import (
        AuthenticationError,
        ConfigurationError,
        ConflictError,
        CredentialsMissingError,
        DeploymentFailed,
        EndpointError,
        ExoConfigError,
        ExoModelsError,
        ExoscaleAPIError,
        GpuUnavailableError,
        HubError,
        ImportFailed,
        InsecureEndpointError,
        InvalidModelIdError,
        LoopStopped,
        MissingExtraError,
        ModelInUseError,
        NotFoundError,
        PreflightFailed,
        RateLimitedError,
        ServerError,
        TokenRejected,
        TransportError,
        UsageError,
        WatchStopped,
        WatchTimeout,
    )
    from .core.exoscale.models import Deployment
    from .core.imports import ImportJob
    from .core.jobs import StatusEvent
    from .core.preflight import CheckResult, PreflightReport
    from .notebook.deployer import Deployer
    from .notebook.importer import ModelImporter
    from .notebook.login import login
    from .notebook.magics import load_ipython_extension, unload_ipython_extension
    from .sandbox import Sandbox

__all__ = [  # noqa: RUF022  grouped as the docstring lists them
    "__version__",
    "preflight",
    "apreflight",
    "preflight_many",
    "apreflight_many",
    "import_model",
    "aimport_model",
    "start_import",
    "astart_import",
    "attach",
    "aattach",
    "list_models",
    "alist_models",
    "get_model",
    "aget_model",
    "delete_model",
    "adelete_model",
    "credentials_status",
    "deploy_preflight",
    "adeploy_preflight",
    "deploy",
    "adeploy",
    "attach_deployment",
    "aattach_deployment",
    "list_deployments",
    "alist_deployments",
    "get_deployment",
    "aget_deployment",
    "scale",
    "ascale",
    "deployment_logs",
    "adeployment_logs",
    "delete_deployment",
    "adelete_deployment",
    "endpoint",
    "aendpoint",
    "PreflightReport",
    "CheckResult",
    "ImportJob",
    "DeploymentReport",
    "DeploymentJob",
    "Deployment",
    "Endpoint",
    "StatusEvent",
    "Sandbox",
    "ExoModelsError",
    "UsageError",
    "ConfigurationError",
    "CredentialsMissingError",
    "ExoConfigError",
    "InsecureEndpointError",
    "InvalidModelIdError",
    "ExoscaleAPIError",
    "AuthenticationError",
    "NotFoundError",
    "ConflictError",
    "ModelInUseError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "HubError",
    "TokenRejected",
    "PreflightFailed",
    "ImportFailed",
    "WatchTimeout",
    "WatchStopped",
    "LoopStopped",
    "GpuUnavailableError",
    "DeploymentFailed",
    "EndpointError",
    "MissingExtraError",
    "login",
    "ModelImporter",
    "Deployer",
    "load_ipython_extension",
    "unload_ipython_extension",
]


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


def _register_display() -> None:
    """In an IPython shell, let the notebook face show the core's jobs (``jem.deploy(...)`` as a cell's last
    line): registered by type name, so the core imports no UI, and nothing is imported outside IPython."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is not None:
        from .notebook.display import register

        register(shell)


def __getattr__(name: str) -> object:
    import importlib  # here, not at the top: `import jupyter_exo_models` must stay nearly free

    if name not in _LAZY:
        raise AttributeError(f"module 'jupyter_exo_models' has no attribute {name!r}")
    activate_sandbox_if_requested()  # the top-level API's first call is an entry point
    _register_display()
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
