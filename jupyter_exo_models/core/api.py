"""The public functions, each in an async form (``a``-prefixed) and a blocking one.

The blocking forms run the coroutine on the package's background loop, so they
work the same in a script, in IPython and inside a Jupyter kernel whose own
event loop is already running.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, ParamSpec, TypeVar

from . import deploy_preflight as deploy_checks
from . import deployments, imports
from . import preflight as checks
from .clock import SYSTEM_CLOCK, Clock
from .config import ZONES, current_endpoints, validate_zone
from .credentials import default_zone, resolve_exoscale, resolve_hf_token
from .deploy_preflight import DeploymentReport
from .deployments import DeploymentJob
from .endpoint import Endpoint
from .errors import ConfigurationError, ExoModelsError, ModelInUseError, TokenRejected, UsageError
from .exoscale.client import ExoscaleClient
from .exoscale.models import Deployment, LogLine, Model, Operation, is_uuid
from .fixes import Action
from .hub import HubClient, TokenInfo, check_repo_id
from .imports import ImportJob, lookup_model
from .jobs import StatusEvent, check_timeout
from .polling import PollSchedule
from .preflight import PreflightReport
from .runner import run_sync
from .secrets import Secret

P = ParamSpec("P")
T = TypeVar("T")


# -- argument checks: one rule per parameter name, applied to every public function by @_checked ------
def _expect(name: str, value: Any, what: str, ok: bool) -> None:
    if not ok:  # the type only: the value may be a secret passed in the wrong place
        raise TypeError(f"{name} must be {what}, not {type(value).__name__}")


def _model_ref(name: str, value: Any) -> None:
    """A model known to Exoscale is named by its Hugging Face repo id or its UUID."""
    _expect(name, value, "a model name (a Hugging Face repo id) or UUID, as a str", isinstance(value, str))
    if not is_uuid(value):
        check_repo_id(value)


def _model_ids(name: str, value: Any) -> None:
    _expect(
        name,
        value,
        "a list of model ids (for one id, use preflight)",
        isinstance(value, Sequence) and not isinstance(value, (str, bytes)),
    )
    for item in value:
        _expect(f"each of {name}", item, "a model id (str)", isinstance(item, str))


def _zone(name: str, value: Any) -> None:
    _expect(name, value, "a zone name (str) or None", value is None or isinstance(value, str))
    if value is not None:
        validate_zone(value)  # "" or " " is no zone: never silently the default one


def _seconds(name: str, value: Any) -> None:
    check_timeout(value, name)


def _of(*types: type, what: str) -> Callable[[str, Any], None]:
    return lambda name, value: _expect(name, value, what, isinstance(value, types))


_RULES: dict[str, Callable[[str, Any], None]] = {
    "model_id": _of(str, what="a model id (str)"),
    "model": _model_ref,
    "model_ids": _model_ids,
    "zone": _zone,
    "hf_token": _of(str, Secret, bool, type(None), what="a token (str), True, False or None"),
    "key": _of(str, type(None), what="an API key (str) or None"),
    "secret": _of(str, Secret, type(None), what="an API secret (str) or None"),
    "wait": _of(bool, what="True or False"),
    "force": _of(bool, what="True or False"),
    "all_zones": _of(bool, what="True or False"),
    "timeout": _seconds,
    "poll_interval": _seconds,
    "on_event": lambda name, value: _expect(
        name, value, "a callable or None", value is None or callable(value)
    ),
    "clock": lambda name, value: None,  # any Clock: a protocol, not a class to check against
    # deployments: the types here; the values are checks of the deployment preflight (a result, not an error)
    "deployment": lambda name, value: _expect(
        name,
        value,
        "a deployment name or UUID (a non-empty str)",
        isinstance(value, str) and bool(value.strip()),
    ),
    "name": _of(str, type(None), what="a deployment name (str) or None"),
    "gpu_type": _of(str, type(None), what="a GPU family (str) or None"),
    "gpu_count": lambda name, value: _expect(
        name, value, "a number of GPUs (int) or None", value is None or _whole(value)
    ),
    "replicas": lambda name, value: _expect(name, value, "a number of replicas (int)", _whole(value)),
    "engine_version": _of(str, type(None), what="an engine version (str) or None"),
    "engine_args": lambda name, value: _expect(
        name,
        value,
        "a string or a list of strings",
        isinstance(value, str)
        or (
            isinstance(value, Sequence)
            and not isinstance(value, bytes)
            and all(isinstance(a, str) for a in value)
        ),
    ),
    "smoke_test": _of(bool, what="True or False"),
    "tail": lambda name, value: _lines(name, value),
}


def _lines(name: str, value: Any) -> None:
    _expect(name, value, "a number of lines (int)", _whole(value))
    if not 1 <= value <= 10_000:
        raise UsageError(f"{name} must be from 1 to 10000 lines, not {value}", fix=f"Pass e.g. {name}=50")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Refuse wrong arguments before anything is sent.

    Raises (from the wrapped function):
        TypeError: an argument of the wrong type (``get_model(None)``, ``preflight_many("org/model")``).
        InvalidModelIdError: a model name that is neither a repo id nor a UUID (nothing is sent).
        ConfigurationError: a zone no call could use (``zone=""``).
        UsageError: a number of seconds that is not one (``timeout=0``, ``nan``).
    """
    signature = inspect.signature(fn)
    unruled = set(signature.parameters) - _RULES.keys()
    if unruled:  # a new parameter needs its rule: fail at import, not silently unchecked
        raise TypeError(f"{fn.__name__}: no argument rule for {sorted(unruled)}")

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        for name, value in signature.bind(*args, **kwargs).arguments.items():
            _RULES[name](name, value)
        return await fn(*args, **kwargs)

    return wrapper


def _blocking(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_sync(fn(*args, **kwargs))

    wrapper.__doc__ = f"Blocking form of :func:`{fn.__name__}`.\n\n{fn.__doc__ or ''}"
    return wrapper


@_checked
async def apreflight(
    model_id: str, *, zone: str | None = None, hf_token: str | Secret | bool | None = None
) -> PreflightReport:
    """Run every preflight check for ``model_id`` in ``zone``; see :func:`core.preflight.preflight`."""
    return await checks.preflight(model_id, zone=zone, hf_token=hf_token)


@_checked
async def apreflight_many(
    model_ids: Sequence[str], *, zone: str | None = None, hf_token: str | Secret | bool | None = None
) -> list[PreflightReport]:
    """Preflight several models concurrently (one whoami, one model list per zone)."""
    return await checks.preflight_many(model_ids, zone=zone, hf_token=hf_token)


@_checked
async def astart_import(
    model_id: str,
    *,
    zone: str | None = None,
    hf_token: str | Secret | bool | None = None,
    force: bool = False,
) -> ImportJob:
    """Preflight and create (or attach to) the model; return its job without waiting."""
    return await imports.start_import(model_id, zone=zone, hf_token=hf_token, force=force)


@_checked
async def aimport_model(
    model_id: str,
    *,
    zone: str | None = None,
    hf_token: str | Secret | bool | None = None,
    wait: bool = True,
    timeout: float | None = None,
    force: bool = False,
    poll_interval: float | None = None,
    on_event: Callable[[StatusEvent], None] | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> ImportJob:
    """Import a Hugging Face model into Exoscale Dedicated Inference.

    Runs preflight (refusing on any failed check unless ``force``), creates the model once
    (attaching to an existing import of the same name), then watches it.

    Args:
        model_id: the exact Hugging Face repo id, e.g. ``meta-llama/Llama-3.1-8B-Instruct``.
        zone: Exoscale zone; default from EXOSCALE_ZONE, the exo config, or de-fra-1.
        hf_token: token to send to Exoscale; default from the login widget, HF_TOKEN, or the saved token.
        wait: watch until ``created`` (True) or return right after the creation starts (False;
            the job then keeps watching in the background).
        timeout: stop watching after this many seconds (the import goes on at Exoscale).
        force: import even when a check failed.
        poll_interval: fixed polling interval in seconds instead of the CLI's schedule.
        on_event: called with every :class:`StatusEvent`.

    Returns:
        The :class:`ImportJob`; ``job.model`` is the final model when ``wait``.

    Raises:
        PreflightFailed: a check failed (``.report`` has them all).
        ImportFailed: the model ended in ``error`` (``.cause`` and ``.fix`` say why).
        WatchTimeout: ``timeout`` passed first.

    Example:
        >>> job = import_model("sandbox-org/Tiny-Llama-1B", zone="de-fra-1")
        >>> job.model.state
        'created'
    """
    job = await imports.start_import(
        model_id, zone=zone, hf_token=hf_token, force=force, schedule=PollSchedule(poll_interval), clock=clock
    )
    return await _follow(job, wait, timeout, on_event)


J = TypeVar("J", ImportJob, DeploymentJob)


async def _follow(
    job: J, wait: bool, timeout: float | None, on_event: Callable[[StatusEvent], None] | None
) -> J:
    if not wait:  # watched in the background; on_event follows it for as long as it runs
        if on_event is not None:
            job.subscribe(on_event)
        job.start()
        return job
    await job.wait(timeout, on_event=on_event)
    return job


@_checked
async def aattach(
    model: str,
    *,
    zone: str | None = None,
    wait: bool = True,
    timeout: float | None = None,
    poll_interval: float | None = None,
    on_event: Callable[[StatusEvent], None] | None = None,
) -> ImportJob:
    """Resume watching an import by name or UUID (started elsewhere, or before a restart)."""
    job = await imports.attach(model, zone=zone, schedule=PollSchedule(poll_interval))
    return await _follow(job, wait, timeout, on_event)


@_checked
async def alist_models(zone: str | None = None) -> list[Model]:
    """The models of one zone."""
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        return await client.list_models()


class Listing(NamedTuple):
    """The models of one zone or of every zone (in zone order), and the zones that could not be listed."""

    models: list[Model]
    errors: dict[str, ExoModelsError]


async def _every_zone(
    call: Callable[[ExoscaleClient], Coroutine[Any, Any, list[T]]],
) -> tuple[list[T], dict[str, ExoModelsError]]:
    """``call`` in every zone concurrently, flattened in zone order; the zones that failed, and why."""
    credentials = resolve_exoscale()

    async def one(zone: str) -> list[T]:
        async with ExoscaleClient(credentials, zone) as client:
            return await call(client)

    results = await asyncio.gather(*(one(z) for z in ZONES), return_exceptions=True)
    items: list[T] = []
    errors: dict[str, ExoModelsError] = {}
    for zone, result in zip(ZONES, results):
        if isinstance(result, ExoModelsError):
            errors[zone] = result
        elif isinstance(result, BaseException):
            raise result
        else:
            items.extend(result)
    return items, errors


async def alist_models_all_zones() -> Listing:
    """The models of every zone, asked concurrently, in zone order; zones that failed are in ``errors``."""
    return Listing(*await _every_zone(lambda client: client.list_models()))


async def alisting(zone: str | None = None, *, all_zones: bool = False) -> Listing:
    """What the faces list: one zone's models, or every zone's (``all_zones``), with the zones that failed."""
    if all_zones:
        return await alist_models_all_zones()
    return Listing(await alist_models(zone), {})


@_checked
async def aget_model(model: str, zone: str | None = None) -> Model:
    """One model by name or UUID."""
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        return await lookup_model(client, model)


@_checked
async def adelete_model(model: str, zone: str | None = None) -> Operation:
    """Delete a model by name or UUID.

    Raises:
        ModelInUseError: deployments still use it (``.deployments`` lists them).
    """
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        found = await lookup_model(client, model)
        try:
            return await client.delete_model(found.id)
        except ModelInUseError as exc:
            raise await _named(client, exc) from None


async def _named(client: ExoscaleClient, exc: ModelInUseError) -> ModelInUseError:
    """The error with the deployments' names (Exoscale may list their ids) and how to delete them."""
    try:
        by_id = {d.id: d.name for d in await client.list_deployments()}
    except ExoModelsError:
        by_id = {}
    names = [by_id.get(d, d) for d in exc.deployments]
    exc.deployments = names
    exc.message = f"The model is used by deployment(s) {', '.join(names) or 'unknown'} in {client.zone}"
    exc.fix = f"Delete {'them' if len(names) > 1 else 'it'} first, then the model"
    exc.action = Action("delete-deployments", {"names": names, "zone": client.zone}) if names else None
    exc.args = (exc.message,)
    return exc


# -- deployments ---------------------------------------------------------------------------------
@_checked
async def adeploy_preflight(
    model: str,
    *,
    name: str | None = None,
    zone: str | None = None,
    gpu_type: str | None = None,
    gpu_count: int | None = None,
    replicas: int = 1,
    engine_version: str | None = None,
    engine_args: str | Sequence[str] = (),
    hf_token: str | Secret | bool | None = None,
) -> DeploymentReport:
    """Run every deployment check (README, "Deployment checks"); see :mod:`core.deploy_preflight`."""
    return await deploy_checks.deploy_preflight(
        model,
        name=name,
        zone=zone,
        gpu_type=gpu_type,
        gpu_count=gpu_count,
        replicas=replicas,
        engine_version=engine_version,
        engine_args=engine_args,
        hf_token=hf_token,
    )


@_checked
async def adeploy(
    model: str,
    *,
    name: str | None = None,
    zone: str | None = None,
    gpu_type: str | None = None,
    gpu_count: int | None = None,
    replicas: int = 1,
    engine_version: str | None = None,
    engine_args: str | Sequence[str] = (),
    hf_token: str | Secret | bool | None = None,
    wait: bool = True,
    timeout: float | None = None,
    smoke_test: bool = True,
    force: bool = False,
    poll_interval: float | None = None,
    on_event: Callable[[StatusEvent], None] | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> DeploymentJob:
    """Deploy a Hugging Face model on Exoscale Dedicated Inference, from its repo id to an answered prompt.

    Runs the deployment checks (and, for a model not imported yet, the import's; refusing on any failure
    unless ``force``), imports the model when needed (attaching to an import under way), creates the
    deployment once (attaching to an existing one of that name), watches it to ``ready`` on the SDK's
    schedule, then sends one short prompt (the smoke test).

    Args:
        model: the exact Hugging Face repo id, or the Exoscale model's UUID.
        name: the deployment's name (default: from the model id, e.g. ``llama-3-1-8b-instruct``).
        zone: the Exoscale zone (default: EXOSCALE_ZONE, the exo config's, or de-fra-1).
        gpu_type, gpu_count: the GPU family and count (default: the smallest authorized choice that fits, said
            in the ``gpu-type`` check).
        replicas: 1 or more at creation (scale to 0 later).
        engine_version: the inference engine (vLLM) version (default: the API's).
        engine_args: extra arguments of the engine's server, e.g. ``["--max-model-len=4096"]``.
        hf_token: the token Exoscale downloads a gated or private model with (for the import).
        wait: watch until ready (True), or return at once with the job watching in the background.
        timeout: stop waiting after this many seconds (the deployment goes on at Exoscale).
        smoke_test: send one short prompt once ready; a failed one fails the job.
        force: deploy even when a check failed.

    Returns:
        The :class:`DeploymentJob`: ``.deployment``, ``.endpoint`` (``.chat(prompt)``), ``.smoke_test``.

    Raises:
        PreflightFailed: a check failed (``.report`` has them all).
        DeploymentFailed: the import or the deployment ended in ``error``, or the smoke test failed
            (``.cause``, ``.fix``, ``.logs``).
        WatchTimeout: ``timeout`` passed first (``job.diagnosis`` says where it stands).

    Example:
        >>> job = deploy("sandbox-gated/Llama-Gated-8B", zone="de-fra-1")
        >>> job.endpoint.chat("Hello")
        '[SANDBOX] ...'
    """
    job = await deployments.start_deployment(
        model,
        name=name,
        zone=zone,
        gpu_type=gpu_type,
        gpu_count=gpu_count,
        replicas=replicas,
        engine_version=engine_version,
        engine_args=engine_args,
        hf_token=hf_token,
        smoke_test=smoke_test,
        force=force,
        schedule=PollSchedule(poll_interval),
        clock=clock,
    )
    return await _follow(job, wait, timeout, on_event)


@_checked
async def aattach_deployment(
    deployment: str,
    *,
    zone: str | None = None,
    wait: bool = True,
    timeout: float | None = None,
    smoke_test: bool = True,
    poll_interval: float | None = None,
    on_event: Callable[[StatusEvent], None] | None = None,
) -> DeploymentJob:
    """Resume watching a deployment by name or UUID (started elsewhere, or before a kernel restart)."""
    job = await deployments.attach_deployment(
        deployment, zone=zone, smoke_test=smoke_test, schedule=PollSchedule(poll_interval)
    )
    return await _follow(job, wait, timeout, on_event)


class DeploymentListing(NamedTuple):
    """The deployments of one zone or of every zone (in zone order), and the zones that failed."""

    deployments: list[Deployment]
    errors: dict[str, ExoModelsError]


@_checked
async def alist_deployments(zone: str | None = None, *, all_zones: bool = False) -> DeploymentListing:
    """The user's deployments (never Exoscale's public, managed ones) in one zone, or in every zone."""
    if all_zones:
        return DeploymentListing(*await _every_zone(lambda client: client.list_deployments()))
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        return DeploymentListing(await client.list_deployments(), {})


@_checked
async def aget_deployment(deployment: str, zone: str | None = None) -> Deployment:
    """One deployment by name or UUID, with its ``state-details``."""
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        return await deployments.lookup_deployment(client, deployment)


@_checked
async def ascale(
    deployment: str,
    replicas: int,
    *,
    zone: str | None = None,
    wait: bool = True,
    timeout: float | None = None,
) -> Deployment:
    """Scale a deployment to ``replicas`` (0: scale to zero, no GPU is paid for and the endpoint answers 503).

    With ``wait``, returns once Exoscale's operation is done (as the exo CLI waits).
    """
    if not 0 <= replicas <= 100:
        raise UsageError(
            f"replicas must be from 0 to 100, not {replicas}", fix="Pass 0 to scale to zero, or 1"
        )
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        found = await deployments.lookup_deployment(client, deployment)
        operation = await client.scale_deployment(found.id, replicas)
        deployments.forget_job(
            found.name, zone
        )  # what its watch concluded (e.g. scaled to zero) no longer holds
        if wait:
            await deployments.wait_operation(client, operation, timeout=timeout or 600.0)
        return await client.get_deployment(found.id)


@_checked
async def adeployment_logs(deployment: str, *, zone: str | None = None, tail: int = 50) -> list[LogLine]:
    """The last ``tail`` lines of the deployment's engine (redacted and cleaned), oldest first."""
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        found = await deployments.lookup_deployment(client, deployment)
        return await client.deployment_logs(found.id, tail)


@_checked
async def adelete_deployment(
    deployment: str, *, zone: str | None = None, wait: bool = True, timeout: float | None = None
) -> Operation:
    """Delete a deployment by name or UUID (its GPUs are released; the model stays imported)."""
    zone = validate_zone(default_zone(zone))
    async with ExoscaleClient(resolve_exoscale(zone=zone), zone) as client:
        found = await deployments.lookup_deployment(client, deployment)
        operation = await client.delete_deployment(found.id)
        if wait:
            operation = await deployments.wait_operation(client, operation, timeout=timeout or 600.0)
        deployments.forget_job(found.name, zone)
        return operation


@_checked
async def aendpoint(deployment: str, *, zone: str | None = None) -> Endpoint:
    """The endpoint of a ready deployment: ``.chat(prompt)``, ``.models()``, ``.openai_client()``.

    The key is asked from Exoscale when a request first needs it, and never shown.
    """
    zone = validate_zone(default_zone(zone))
    credentials = resolve_exoscale(zone=zone)
    async with ExoscaleClient(credentials, zone) as client:
        found = await deployments.lookup_deployment(client, deployment)
    return deployments.endpoint_of(found, credentials)


@dataclass(frozen=True)
class CredentialsCheck:
    """Whether credentials work: who the HF token is, and whether the Exoscale key may list models."""

    hf: TokenInfo | None
    hf_error: str | None
    exoscale_ok: bool | None
    exoscale_error: ExoModelsError | None
    zone: str
    exoscale_key: str | None = None

    @property
    def ok(self) -> bool:
        return self.hf is not None and bool(self.exoscale_ok)

    def __repr__(self) -> str:  # one line: login() and the CLI show summary() in full
        hf = self.hf.user if self.hf else "no valid token"
        exoscale = f"key {self.exoscale_key} in {self.zone}" if self.exoscale_ok else "not usable"
        return (
            f"<CredentialsCheck {'ok' if self.ok else 'incomplete'}: Hugging Face {hf}; Exoscale {exoscale}>"
        )

    def summary(self) -> str:
        hf = f"Hugging Face: {self.hf.summary()}" if self.hf else f"Hugging Face: {self.hf_error}"
        if self.exoscale_ok:
            exo = f"Exoscale: key {self.exoscale_key} works in {self.zone}"
        else:
            exo = f"Exoscale: {self.exoscale_error.message if self.exoscale_error else 'not checked'}"
        return f"{hf}\n{exo}"


@_checked
async def avalidate_credentials(
    *, hf_token: str | None = None, key: str | None = None, secret: str | None = None, zone: str | None = None
) -> CredentialsCheck:
    """Ask the Hub who the token is and Exoscale whether the key works in the zone, concurrently."""
    zone_name = default_zone(zone)
    token = resolve_hf_token(hf_token)
    endpoints = current_endpoints()

    async def hub_side() -> tuple[TokenInfo | None, str | None]:
        if token is None:
            return None, "no token found (set HF_TOKEN, or enter one)"
        if not token.well_formed:
            return None, token.malformed_message
        try:
            return await HubClient(endpoints.hub, token.value).whoami(), None
        except TokenRejected:
            return None, f"the token from {token.source} ({token.value.masked}) is invalid or revoked"
        except ExoModelsError as exc:
            return None, exc.message

    async def exoscale_side() -> tuple[bool, ExoModelsError | None, str | None]:
        try:
            credentials = resolve_exoscale(key, secret, zone=zone_name)
            async with ExoscaleClient(credentials, zone_name) as client:
                await client.list_models()
            return True, None, credentials.key
        except ExoModelsError as exc:
            return False, exc, key

    (info, hf_error), (ok, exo_error, used_key) = await asyncio.gather(hub_side(), exoscale_side())
    return CredentialsCheck(info, hf_error, ok, exo_error, zone_name, used_key)


def credentials_status() -> dict[str, Any]:
    """Which credentials are in force and where they came from; never the secrets themselves."""
    status: dict[str, Any] = {"sandbox": current_endpoints().sandbox}
    try:
        exo = resolve_exoscale()
        status["exoscale"] = {
            "found": True,
            "source": exo.source,
            "key": exo.key,
            "zone": exo.zone,
            "error": None,
        }
    except (ExoModelsError, ConfigurationError) as exc:
        status["exoscale"] = {
            "found": False,
            "source": None,
            "key": None,
            "zone": None,
            "error": exc.to_dict(),
        }
    token = resolve_hf_token()
    status["hf"] = {
        "found": token is not None,
        "source": token.source if token else None,
        "masked": token.value.masked if token else None,
    }
    return status


validate_credentials = _blocking(avalidate_credentials)
preflight = _blocking(apreflight)
preflight_many = _blocking(apreflight_many)
import_model = _blocking(aimport_model)
start_import = _blocking(astart_import)
attach = _blocking(aattach)
list_models = _blocking(alist_models)
list_models_all_zones = _blocking(alist_models_all_zones)
listing = _blocking(alisting)
get_model = _blocking(aget_model)
delete_model = _blocking(adelete_model)
deploy_preflight = _blocking(adeploy_preflight)
deploy = _blocking(adeploy)
attach_deployment = _blocking(aattach_deployment)
list_deployments = _blocking(alist_deployments)
get_deployment = _blocking(aget_deployment)
scale = _blocking(ascale)
deployment_logs = _blocking(adeployment_logs)
delete_deployment = _blocking(adelete_deployment)
endpoint = _blocking(aendpoint)


_DEPRECATED = {
    "preflight_sync": "preflight",
    "preflight_many_sync": "preflight_many",
    "start_import_sync": "start_import",
    "attach_sync": "attach",
}


def __getattr__(name: str) -> Any:
    """The ``_sync`` names of earlier releases: the blocking forms are now the plain names (``preflight``),
    the async ones ``a``-prefixed (``apreflight``), everywhere."""
    if name in _DEPRECATED:
        import warnings

        warnings.warn(
            f"{name} is deprecated: use {_DEPRECATED[name]} (async: a{_DEPRECATED[name]})",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[_DEPRECATED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
