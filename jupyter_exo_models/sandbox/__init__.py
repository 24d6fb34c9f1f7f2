"""The embedded sandbox: a fake Hugging Face Hub and a fake Exoscale API over real HTTP on 127.0.0.1.

It powers the demo, the tutorials and the tests, and lets anyone try the whole
flow with no account. ``with Sandbox() as sb:`` starts it and makes the whole
package use it; ``EXO_MODELS_SANDBOX=1`` does the same for a process (and the
processes it starts, such as Jupyter kernels, share one sandbox).

Example:
    >>> from jupyter_exo_models.sandbox import Sandbox
    >>> with Sandbox() as sb:
    ...     jupyter_exo_models.import_model(sb.demo.tiny, zone="de-fra-1")
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..core.config import Override, pop_override, push_override, sandbox_requested
from .catalog import DEMO, Catalog, DemoCredentials, Repo, default_catalog
from .exoscale import Timings
from .server import Faults, Request

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DEMO", "Faults", "Repo", "Sandbox", "Timings", "activate", "current", "deactivate"]

MAX_INFERENCE_BODY = 1_000_000  # bytes of a request to a deployment's endpoint
HUB_URL_ENV = "EXO_MODELS_SANDBOX_HUB_URL"
EXOSCALE_URL_ENV = "EXO_MODELS_SANDBOX_EXOSCALE_URL"


class Sandbox:
    """Fake Hub + fake Exoscale, each on its own free port of 127.0.0.1.

    Args:
        catalog: the demo world (default: :func:`catalog.default_catalog`).
        timings: seconds spent in each state of models and deployments (see :class:`Timings`).
        clock: the clock of the model state machine (a ``VirtualClock`` simulates long imports).
        faults: latency, error and drop injection (mutable later through ``.faults``).
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        timings: Timings | None = None,
        clock=None,
        faults: Faults | None = None,
    ) -> None:
        from ..core.clock import SYSTEM_CLOCK
        from .exoscale import FakeExoscale
        from .hub import FakeHub, hub_error
        from .server import ServiceServer, json_response, problem

        self.catalog = catalog or default_catalog()
        self.demo: DemoCredentials = DEMO
        self.faults = faults or Faults()
        self.requests: list[Request] = []
        self._lock = threading.RLock()
        self.hub = FakeHub(self.catalog, self._lock)
        self.exoscale = FakeExoscale(
            self.catalog, self.hub, clock or SYSTEM_CLOCK, timings or Timings(), self._lock
        )
        self._servers = (
            ServiceServer(
                "hub",
                self.hub.handle,
                self.faults,
                self.requests,
                lambda status: hub_error(status, f"SANDBOX injected error {status}"),
            ),
            ServiceServer(
                "exoscale",
                self.exoscale.handle,
                self.faults,
                self.requests,
                lambda status: problem(status, f"SANDBOX injected error {status}"),
            ),
            ServiceServer(  # every deployment's OpenAI-compatible endpoint, at /<deployment id>/v1/...
                "inference",
                self.exoscale.deployments.serve,
                self.faults,
                self.requests,
                lambda status: json_response(status, {"error": f"SANDBOX injected error {status}"}),
                max_body=MAX_INFERENCE_BODY,
            ),
        )
        self._running = False
        self._exported: dict[str, str | None] = {}

    def __repr__(self) -> str:
        state = f"hub={self.hub_url} exoscale={self.exoscale_url_template}" if self._running else "stopped"
        return f"<Sandbox {state}>"

    def start(self) -> Sandbox:
        if not self._running:
            for server in self._servers:
                server.start()
            self.exoscale.deployments.endpoint_base = self.inference_url
            self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            for server in self._servers:
                server.stop()
            self._running = False

    def __enter__(self) -> Self:
        self.start()
        activate(self)
        return self

    def __exit__(self, *exc: object) -> None:
        deactivate(self)
        self.stop()

    @property
    def hub_url(self) -> str:
        return self._servers[0].url

    @property
    def exoscale_url_template(self) -> str:
        return self._servers[1].url + "/{zone}/v2"

    def exoscale_url(self, zone: str) -> str:
        return self.exoscale_url_template.replace("{zone}", zone)

    @property
    def inference_url(self) -> str:
        """The server of the deployments' endpoints: ``deployment-url`` is ``<this>/<deployment id>``."""
        return self._servers[2].url

    def clear_log(self) -> None:
        del self.requests[:]

    def _export(self) -> None:
        values = {
            "EXO_MODELS_SANDBOX": "1",
            HUB_URL_ENV: self.hub_url,
            EXOSCALE_URL_ENV: self.exoscale_url_template,
        }
        for name, value in values.items():
            self._exported[name] = os.environ.get(name)
            os.environ[name] = value

    def _unexport(self) -> None:
        for name, previous in self._exported.items():
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous
        self._exported.clear()


@dataclass(frozen=True)
class SandboxHandle:
    """A sandbox running in another process (found through the environment)."""

    hub_url: str
    exoscale_url_template: str
    demo: DemoCredentials = DEMO

    def exoscale_url(self, zone: str) -> str:
        return self.exoscale_url_template.replace("{zone}", zone)


_lock = threading.Lock()
_active: list[Sandbox] = []  # a stack: nested `with Sandbox()` blocks restore the outer one
_pushed: dict[int, Override] = {}  # id(sandbox) -> the override its activation put in the core's slot
_from_env: Sandbox | SandboxHandle | None = None


def override_for(sandbox: Sandbox | SandboxHandle) -> Override:
    """What the core uses while ``sandbox`` is active: its endpoints, and its demo credentials in place of the
    ambient ones."""
    demo = sandbox.demo
    return Override(
        sandbox.hub_url, sandbox.exoscale_url_template, demo.hf_token, demo.exo_key, demo.exo_secret
    )


def activate(sandbox: Sandbox) -> None:
    """Make the whole package (and processes started from now on) use ``sandbox``."""
    with _lock:
        _active.append(sandbox)
        _pushed[id(sandbox)] = override = override_for(sandbox)
        push_override(override)
        sandbox._export()


def deactivate(sandbox: Sandbox) -> None:
    with _lock:
        if sandbox in _active:
            _active.remove(sandbox)
            pop_override(_pushed.pop(id(sandbox)))
            sandbox._unexport()


def current() -> Sandbox | SandboxHandle | None:
    """The sandbox the package uses now, or None for the real services (this starts nothing)."""
    if _active:
        return _active[-1]
    return _from_env


def activate_if_requested() -> Sandbox | SandboxHandle | None:
    """Resolve ``EXO_MODELS_SANDBOX=1``, once per process, at an entry point (the command line, the magics,
    the server extension, the package's first public name): join the sandbox another process exported
    (``EXO_MODELS_SANDBOX_HUB_URL`` / ``_EXOSCALE_URL``, as kernels started by a Jupyter server do), else
    start one here, and fill the core's override slot with it."""
    global _from_env
    if _active or not sandbox_requested():
        return current()
    with _lock:
        if _from_env is None:
            hub, exoscale = os.environ.get(HUB_URL_ENV), os.environ.get(EXOSCALE_URL_ENV)
            if hub and exoscale and _answers(hub) and _answers(exoscale.replace("{zone}", "de-fra-1")):
                _from_env = SandboxHandle(hub, exoscale)
            else:
                started = Sandbox().start()
                started._export()
                atexit.register(started.stop)
                _from_env = started
            push_override(override_for(_from_env))
        return _from_env


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=0.5):
            return True
    except OSError:
        return False
