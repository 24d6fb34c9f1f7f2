"""Deploy a model (importing it first when needed), watch it to ``ready``, smoke-test it, explain failures.

A deployment is a :class:`DeploymentJob`, the job engine's second user (see :mod:`core.jobs`): it supplies
what to poll (the import it waits for, its create, the operation, the deployment), what counts as success
(``ready`` with a URL, and a smoke test answered) and how a failure is explained (``state-details`` and the
last log lines, mapped to a check id and a fix). The same name in the same zone is never created twice:
preflight finds an existing deployment and the job attaches to it, concurrent starts share one job, and an
ambiguous POST is resolved by the client by looking before retrying.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import gpus
from .clock import SYSTEM_CLOCK, Clock
from .config import current_endpoints, validate_zone
from .credentials import ExoscaleCredentials, default_zone, resolve_exoscale
from .deploy_preflight import (
    IMPORTING_STATES,
    READY_MODEL_STATES,
    DeploymentReport,
    check_deployment_name,
    deploy_preflight,
)
from .endpoint import ChatReply, Endpoint
from .errors import (
    DeploymentFailed,
    EndpointError,
    ExoModelsError,
    ExoscaleAPIError,
    GpuUnavailableError,
    ImportFailed,
    NotFoundError,
    PreflightFailed,
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
    WatchTimeout,
)
from .exoscale.client import ExoscaleClient
from .exoscale.models import Deployment, Model, Operation, is_uuid
from .fixes import Action
from .imports import Diagnosis, ImportJob, attach, start_import
from .jobs import Verdict, WatchedJob
from .jobs.events import Callback
from .jobs.registry import Registry
from .polling import PollSchedule
from .runner import on_background_loop
from .secrets import Secret
from .text import clean

log = logging.getLogger("jupyter_exo_models.deployments")

LOG_LINES = 50  # lines fetched to diagnose a failure
SMOKE_PROMPT = "Reply with one short sentence: are you up?"
SMOKE_TOKENS = 16
SMOKE_ATTEMPTS = 5  # a ready endpoint may answer 503 (still loading) or time out cold, at first
NOT_LISTED_GRACE = 30.0  # seconds an ambiguously created deployment may take to be listed
DIAGNOSIS_BUDGET = 10.0  # seconds to read state-details and logs once a wait has timed out

# The likely cause from the words of state-details and the engine's log, most specific first.
# The phrases are vLLM's, PyTorch's and huggingface_hub's own texts.
_LOG_CAUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "gpu-fit",
        (
            "cuda out of memory",
            "outofmemoryerror",
            "out of memory",
            "no available memory for the cache",
            "not enough memory",
            "larger than the available kv cache memory",
        ),
    ),
    ("engine-args", ("unrecognized arguments", "invalid choice", "error: argument")),
    (
        "engine-version",
        ("are not supported for now", "is not supported", "unsupported architecture", "model architectures"),
    ),
    (
        "hf-token",
        (
            "401 client error",
            "invalid credentials in authorization header",
            "gatedrepoerror",
            "is restricted",
            "invalid user token",
            "please log in",
        ),
    ),
    ("gpu-type", ("insufficient gpu", "not enough gpu", "no gpu available", "unschedulable")),
)


@dataclass(frozen=True)
class Deployed:
    """What a finished deployment job hands back: the ready deployment, its endpoint, and the smoke test."""

    deployment: Deployment
    endpoint: Endpoint
    smoke_test: ChatReply | None


class DeploymentJob(WatchedJob[Deployed]):
    """A deployment in one zone, started here or elsewhere, and its watch (see :mod:`core.jobs`).

    Attributes:
        name: the deployment's name.
        zone: the Exoscale zone.
        deployment: the latest :class:`Deployment` seen (None until Exoscale names it).
        import_job: the import this deployment waits for (None when the model was imported already).
        report: the deployment checks it was started with (None when attached).
        smoke_test: the smoke test's reply and latency, once sent.
        diagnosis: set when the deployment failed, or when a wait timed out.
        logs: the last log lines read for the diagnosis (redacted and cleaned).
    """

    what = "deployment"

    def __init__(
        self,
        name: str,
        zone: str,
        credentials: ExoscaleCredentials,
        *,
        model: Model | None = None,
        deployment: Deployment | None = None,
        report: DeploymentReport | None = None,
        import_job: ImportJob | None = None,
        attached: bool = False,
        smoke_test: bool = True,
        schedule: PollSchedule | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(name, zone, schedule=schedule, clock=clock)
        self.model = model
        self.deployment = deployment
        self.report = report
        self.import_job = import_job
        self.attached = attached
        self.operation: Operation | None = None
        self.smoke_test: ChatReply | None = None
        self.diagnosis: Diagnosis | None = None
        self.logs: tuple[str, ...] = ()
        self._wants_smoke_test = smoke_test
        self._credentials = credentials
        self._endpoint: Endpoint | None = None
        self._seen = deployment  # as found when the job began, trusted for the first observation only
        self._smoke_failures = 0
        self._posted_at: float | None = None  # when a create got no usable answer (it may have been made)

    def __repr__(self) -> str:
        attached = " (attached)" if self.attached else ""
        return f"<DeploymentJob {self.name} in {self.zone}: {self.state}{attached}>"

    @property
    def observed_state(self) -> str:
        if self.deployment is not None:
            return self.deployment.state
        return "importing" if self.import_job is not None and self.operation is None else "creating"

    @property
    def endpoint(self) -> Endpoint:
        """The deployment's endpoint (its key is fetched from Exoscale on first use).

        Raises:
            UsageError: the deployment has no URL yet (not ready).
        """
        if self._endpoint is None or (self.deployment and self._endpoint.url != self.deployment.url):
            if self.deployment is None or not self.deployment.url:
                raise UsageError(
                    f"{self.name} has no endpoint yet (state {self.state})", fix="Wait until it is ready"
                )
            self._endpoint = endpoint_of(self.deployment, self._credentials)
        return self._endpoint

    def to_dict(self) -> dict[str, Any]:
        """The documented shape (README, "Command line": ``deploy --json``)."""
        deployment = (
            self.deployment.to_dict()
            if self.deployment
            else {
                "id": None,
                "name": self.name,
                "zone": self.zone,
                "state": self.state,
                "gpu-type": self.report.plan.gpu_type if self.report and self.report.plan else None,
                "gpu-count": self.report.plan.gpu_count if self.report and self.report.plan else None,
                "replicas": None,
                "url": None,
                "model": {"id": None, "name": self.model.name if self.model else None},
            }
        )
        deployment["state"] = self.state
        smoke = None
        if self.smoke_test is not None:
            smoke = {
                "ok": True,
                "latency_ms": round(self.smoke_test.latency_ms, 1),
                "reply": self.smoke_test.text,
            }
        elif self.diagnosis is not None and self.diagnosis.cause.startswith("endpoint-"):
            smoke = {"ok": False, "latency_ms": None, "reply": None}
        return {
            "deployment": deployment,
            "smoke_test": smoke,
            "checks": [c.to_dict() for c in self.report.checks] if self.report else [],
            "attached": self.attached,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "sandbox": current_endpoints().sandbox,
        }

    # -- the engine's questions -----------------------------------------------------------------
    def _open(self, on_wait: Callable[[str], None]) -> ExoscaleClient:
        return ExoscaleClient(self._credentials, self.zone, clock=self._clock, on_wait=on_wait)

    def _event_fields(self) -> dict[str, Any]:
        d = self.deployment
        return {"model_id": d.id if d else None, "size": None}

    def _result(self) -> Deployed:
        assert self.deployment is not None
        self.diagnosis, self.logs = None, ()  # a timeout's diagnosis of an earlier wait no longer holds
        return Deployed(self.deployment, self.endpoint, self.smoke_test)

    def _success_message(self) -> str:
        url = self.deployment.url if self.deployment else ""
        if self.smoke_test is None:
            return f"ready at {url}"
        return f"ready at {url}; smoke test answered in {self.smoke_test.latency_ms:.0f} ms"

    def _vanished(self) -> Exception:
        error = DeploymentFailed(
            f"{self.name} no longer exists in {self.zone} (deleted while being watched?)",
            fix="Deploy again",
            cause="exoscale",
        )
        return Verdict(error, error.message)

    def _resume_fix(self) -> str:
        return "The deployment goes on at Exoscale: attach to it to watch it again"

    def _resume_action(self) -> Action:
        return Action("attach-deployment", {"deployment": self.name, "zone": self.zone})

    async def _observe(self, client: ExoscaleClient) -> tuple[str, bool]:
        if self.deployment is None and self.operation is None and self._posted_at is None:
            model = await self._imported()
            if model is None:
                return "importing", False
            await self._create(client, model)
        await self._refresh(client)
        d = self.deployment
        if d is None:
            return "creating", False
        if d.state == "error":
            await self._fail(client)
        if d.state == "ready" and d.replicas == 0:  # scaled to zero: ready, but nothing will ever answer
            scale = Action("scale-deployment", {"deployment": self.name, "replicas": 1, "zone": self.zone})
            fix = "Scale it to 1 replica to use it (its GPUs are then paid for again)"
            self.diagnosis = Diagnosis("endpoint-unavailable", f"{self.name} is scaled to zero", fix, scale)
            error = DeploymentFailed(
                f"{self.name} is scaled to zero in {self.zone}: its endpoint answers nothing",
                fix=fix,
                cause="endpoint-unavailable",
                deployment=d,
                action=scale,
            )
            raise Verdict(error, error.message)
        if d.state == "ready" and d.url:
            if self._wants_smoke_test and self.smoke_test is None:
                await self._smoke(client)
            return d.state, True
        return d.state, False

    async def _imported(self) -> Model | None:
        """The model once imported; None while its import runs; a verdict when the import failed."""
        job = self.import_job
        if job is None:
            assert self.model is not None
            return self.model
        job.start()  # watching already, or again if someone else's timeout released it
        if not job.settled:
            return None
        if job.error is not None:
            error = job.error
            cause = getattr(job.diagnosis, "cause", None) or (
                error.cause if isinstance(error, ImportFailed) else None
            )
            raise Verdict(
                DeploymentFailed(
                    f"The import of {job.name} failed, so {self.name} was not created: {error.message}",
                    fix=error.fix,
                    cause=cause or "exoscale",
                ),
                f"import failed: {error.message}",
            )
        self.model = job.model
        return self.model

    async def _create(self, client: ExoscaleClient, model: Model) -> None:
        plan = self.report.plan if self.report else None
        assert plan is not None and plan.gpu_type is not None
        try:
            created = await client.create_deployment(
                self.name,
                model_id=model.id or None,
                model_name=model.name,
                gpu_type=plan.gpu_type,
                gpu_count=plan.gpu_count or 1,
                replicas=plan.replicas,
                engine_version=plan.engine_version,
                engine_parameters=plan.engine_args,
            )
        except GpuUnavailableError as exc:
            zones = self.report["gpu-type"].data.get("zones", []) if self.report else []
            where = f"; {plan.gpu_type} is authorized for you in {', '.join(zones)}" if zones else ""
            self.diagnosis = Diagnosis("gpu-type", f"{exc.message}{where}", exc.fix)
            raise Verdict(
                DeploymentFailed(exc.message + where, fix=exc.fix, cause="gpu-type"), exc.message
            ) from None
        except (TransportError, ServerError, RateLimitedError) as exc:
            if exc.not_sent or isinstance(exc, RateLimitedError):
                self.diagnosis = Diagnosis("exoscale", exc.message, exc.fix)
                raise Verdict(
                    DeploymentFailed(exc.message, fix=exc.fix, cause="exoscale"), exc.message
                ) from None
            self._posted_at = self.elapsed  # it may exist: look it up by name (below), never create again
            return
        except ExoscaleAPIError as exc:  # refused (400, 403)
            self.diagnosis = Diagnosis("exoscale", exc.message, exc.fix)
            raise Verdict(DeploymentFailed(exc.message, fix=exc.fix, cause="exoscale"), exc.message) from None
        self.operation = created.operation
        if created.deployment is not None:
            self.deployment, self.attached = created.deployment, True

    async def _refresh(self, client: ExoscaleClient) -> None:
        if self.deployment is not None:
            seen, self._seen = self._seen, None
            if seen is not None and seen.state == "ready" and seen.url:
                return  # just listed or fetched (attaching): a second look would only cost a round trip
            self.deployment = await client.get_deployment(self.deployment.id)
            return
        operation = self.operation
        if operation is not None and operation.id:
            self.operation = operation = await client.get_operation(operation.id)
            if operation.failed and operation.reason == "conflict":
                existing = await client.find_deployment(self.name)  # created meanwhile elsewhere
                if existing is not None and self._serves_our_model(existing):
                    self.deployment, self.attached = existing, True
                    return
            if operation.failed and operation.reference_id:  # the deployment failed: its logs say why
                self.deployment = await client.get_deployment(operation.reference_id)
                return
            if operation.failed:
                message = f"Exoscale refused the deployment ({operation.reason or operation.state})" + (
                    f": {operation.message}" if operation.message else ""
                )
                self.diagnosis = diagnose(message, (), self.report)
                raise Verdict(
                    DeploymentFailed(message, fix=self.diagnosis.fix, cause=self.diagnosis.cause), message
                )
            if operation.reference_id:
                self.deployment = await client.get_deployment(operation.reference_id)
                return
        found = await client.find_deployment(self.name)  # no reference (the API does not require one)
        if found is not None and self._serves_our_model(found):
            self.deployment = await client.get_deployment(found.id)
        elif self._posted_at is not None and self.elapsed - self._posted_at >= NOT_LISTED_GRACE:
            message = f"Exoscale never answered the create of {self.name}, and does not list it"
            self.diagnosis = Diagnosis("exoscale", message, "Deploy again")
            raise Verdict(DeploymentFailed(message, fix="Deploy again", cause="exoscale"), message)

    def _serves_our_model(self, deployment: Deployment) -> bool:
        model = self.model.name if self.model else self.report.model if self.report else None
        serves = deployment.model_name or deployment.model_id
        return model is None or serves is None or serves in (model, self.model.id if self.model else None)

    async def _read_logs(self, client: ExoscaleClient) -> tuple[str, ...]:
        if self.deployment is None or not self.deployment.id:
            return ()
        try:
            lines = await client.deployment_logs(self.deployment.id, LOG_LINES)
        except ExoModelsError:
            return ()
        return tuple(clean(str(line), 300) for line in lines)

    async def _fail(self, client: ExoscaleClient) -> None:
        self.logs = await self._read_logs(client)
        details = self.deployment.state_details if self.deployment else None
        self.diagnosis = diagnose(details or "", self.logs, self.report)
        message = f"Deployment {self.name} failed in {self.zone}: {self.diagnosis.message}"
        raise Verdict(
            DeploymentFailed(
                message,
                fix=self.diagnosis.fix,
                cause=self.diagnosis.cause,
                deployment=self.deployment,
                logs=self.logs,
                action=self.diagnosis.action,
            ),
            f"{self.diagnosis.message} — fix: {self.diagnosis.fix}",
        )

    async def _smoke(self, client: ExoscaleClient) -> None:
        try:
            self.smoke_test = await self.endpoint.achat_reply(SMOKE_PROMPT, SMOKE_TOKENS)
        except EndpointError as exc:
            transient = exc.cause == "endpoint-unavailable" or exc.status is None or exc.status >= 500
            self._smoke_failures += 1
            if transient and self._smoke_failures < SMOKE_ATTEMPTS:
                raise ExoModelsError(exc.message, fix=exc.fix) from None  # a polling error: asked again
            if exc.cause == "endpoint-error":
                self.logs = await self._read_logs(client)
            scale = Action("scale-deployment", {"deployment": self.name, "replicas": 1, "zone": self.zone})
            action = scale if exc.cause == "endpoint-unavailable" else None
            self.diagnosis = Diagnosis(exc.cause, f"The smoke test failed: {exc.message}", exc.fix, action)
            raise Verdict(
                DeploymentFailed(
                    self.diagnosis.message,
                    fix=exc.fix,
                    cause=exc.cause,
                    deployment=self.deployment,
                    logs=self.logs,
                    action=action,
                ),
                self.diagnosis.message,
            ) from None

    async def wait(self, timeout: float | None = None, *, on_event: Callback | None = None) -> Deployed:
        """Watch until ready and smoke-tested (see :meth:`WatchedJob.wait`); on a timeout, the diagnosis of
        where it stands (``state-details`` and the last log lines) is in ``job.diagnosis`` and the fix."""
        try:
            return await super().wait(timeout, on_event=on_event)
        except WatchTimeout as exc:
            try:  # bounded: the caller's timeout has passed already
                await asyncio.wait_for(on_background_loop(self._diagnose_now()), DIAGNOSIS_BUDGET)
            except (asyncio.TimeoutError, ExoModelsError):
                pass
            if self.diagnosis is not None and self.diagnosis.cause != "exoscale":
                exc.message += f"; {self.diagnosis.message}"
                exc.fix = f"{self.diagnosis.fix}. {exc.fix}"
                exc.args = (exc.message,)
            raise

    async def _diagnose_now(self) -> None:
        async with self._open(lambda why: None) as client:
            try:
                if self.deployment is not None:
                    self.deployment = await client.get_deployment(self.deployment.id)
            except ExoModelsError:
                pass
            self.logs = await self._read_logs(client)
        details = self.deployment.state_details if self.deployment else ""
        self.diagnosis = diagnose(details or "", self.logs, self.report)


def diagnose(details: str, logs: Sequence[str], report: DeploymentReport | None) -> Diagnosis:
    """The likely cause of a failed (or stuck) deployment, from ``state-details`` and its newest logs."""
    texts = [details, *reversed(logs)]
    for text in texts:
        lowered = text.lower()
        for cause, phrases in _LOG_CAUSES:
            if any(p in lowered for p in phrases):
                return Diagnosis(
                    cause, clean(text, 300), _fix_for(cause, text, report), _action_for(cause, report)
                )
    said = clean(details, 300) or "no state details from Exoscale"
    return Diagnosis(
        "exoscale", said, "Look at the deployment's logs; contact Exoscale support if it persists"
    )


def _larger(report: DeploymentReport | None) -> gpus.Fit | None:
    """The smallest authorized choice with more GPU memory than the one that ran out of it (None: none)."""
    if report is None or report.plan is None or not report.plan.gpu_type:
        return None
    failed = gpus.fit(report.plan.gpu_type, report.plan.gpu_count or 1, report.weights).usable or 0
    options = [
        gpus.fit(o.family, n, report.weights) for o in report.options if o.authorized for n in gpus.GPU_COUNTS
    ]
    larger = [f for f in options if f.fits is not False and (f.usable or 0) > failed]
    return min(larger, key=lambda f: (f.usable or 0, f.gpu_count, f.family), default=None)


def _fix_for(cause: str, text: str, report: DeploymentReport | None) -> str:
    if cause == "gpu-fit":
        better = _larger(report)
        if better is not None:
            return f"The model needs more GPU memory: deploy on {better.family} × {better.gpu_count}"
        return (
            "The model needs more GPU memory: more or larger GPUs, a shorter --max-model-len, or quantization"
        )
    if cause == "gpu-type":
        zones = report["gpu-type"].data.get("zones", []) if report else []
        return "Choose another GPU family" + (f", or deploy in {', '.join(zones)}" if zones else "")
    if cause == "engine-args":
        return "Remove or correct the engine argument the log names (see the engine's parameters)"
    if cause == "engine-version":
        return "Deploy with a newer inference engine version (e.g. the API's default), which knows the model"
    return "The engine could not download from Hugging Face: import the model again with a valid token"


def _action_for(cause: str, report: DeploymentReport | None) -> Action | None:
    """For a model that ran out of memory: deploy again on the smallest authorized choice with more."""
    better = _larger(report) if cause == "gpu-fit" else None
    if better is None or report is None or report.plan is None:
        return None
    args = {
        "model": report.plan.model,
        "zone": report.zone,
        "gpu_type": better.family,
        "gpu_count": better.gpu_count,
    }
    return Action("deploy", args)


def endpoint_of(deployment: Deployment, credentials: ExoscaleCredentials) -> Endpoint:
    """The endpoint of a deployment that has a URL; its key is asked from Exoscale on first use."""
    if not deployment.url:
        raise UsageError(
            f"{deployment.name} has no endpoint yet (state {deployment.state})", fix="Wait until ready"
        )

    async def key() -> Secret:
        async with ExoscaleClient(credentials, deployment.zone) as client:
            return await client.reveal_api_key(deployment.id)

    return Endpoint(deployment.url, deployment.name, lambda: on_background_loop(key()))


# -- starting and attaching --------------------------------------------------------------------
_jobs: Registry[DeploymentJob] = Registry()


async def start_deployment(
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
    exoscale: ExoscaleCredentials | None = None,
    smoke_test: bool = True,
    force: bool = False,
    schedule: PollSchedule | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> DeploymentJob:
    """Deployment preflight, then (importing the model first when needed) one create. Does not wait.

    Raises:
        PreflightFailed: a check failed (``.report`` has them, the import's too) and ``force`` is false.
        UsageError: a value no deployment could take (nothing sent).
    """
    zone = validate_zone(default_zone(zone))
    return await on_background_loop(
        _start(
            model,
            name,
            zone,
            gpu_type,
            gpu_count,
            replicas,
            engine_version,
            engine_args,
            hf_token,
            exoscale,
            smoke_test,
            force,
            schedule,
            clock,
        )
    )


async def _start(
    model: str,
    name: str | None,
    zone: str,
    gpu_type: str | None,
    gpu_count: int | None,
    replicas: int,
    engine_version: str | None,
    engine_args: str | Sequence[str],
    hf_token: str | Secret | bool | None,
    exoscale: ExoscaleCredentials | None,
    smoke_test: bool,
    force: bool,
    schedule: PollSchedule | None,
    clock: Clock,
) -> DeploymentJob:
    credentials = exoscale or resolve_exoscale(zone=zone)
    report = await deploy_preflight(
        model,
        name=name,
        zone=zone,
        gpu_type=gpu_type,
        gpu_count=gpu_count,
        replicas=replicas,
        engine_version=engine_version,
        engine_args=engine_args,
        hf_token=hf_token,
        exoscale=credentials,
    )
    plan = report.plan
    assert plan is not None
    async with _jobs.lock(plan.name, zone):
        running = _jobs.running(plan.name, zone)
        serving = running.report.model if running is not None and running.report else None
        if running is not None and serving in (None, plan.model):
            running.attached = True
            return running
        serving = serving or report["deployment-name"].data.get("serves")
        if running is not None or serving:
            # a name is one deployment: never another model's, whatever force says
            raise UsageError(
                f"A deployment named {plan.name} in {zone} serves {serving or 'another model'}, "
                f"not {plan.model}",
                fix="Choose another name",
            )
        if not report.ok and not force:
            raise PreflightFailed(report)
        common: dict[str, Any] = {
            "report": report,
            "smoke_test": smoke_test,
            "schedule": schedule,
            "clock": clock,
        }
        if report.existing is not None:
            job = DeploymentJob(
                plan.name, zone, credentials, deployment=report.existing, attached=True, **common
            )
        else:
            if plan.gpu_type is None:
                raise UsageError(
                    f"No GPU family to deploy {plan.model} on in {zone}",
                    fix="Pass gpu_type (see the gpu-type check)",
                )
            check_deployment_name(plan.name)
            imported = report.imported
            import_job = None
            if imported is not None and imported.state in IMPORTING_STATES:  # its import only needs following
                import_job = await attach(
                    imported.id, zone=zone, exoscale=credentials, schedule=schedule, clock=clock
                )
            elif imported is None or imported.state not in READY_MODEL_STATES:
                import_job = await start_import(
                    plan.model,
                    zone=zone,
                    hf_token=hf_token,
                    exoscale=credentials,
                    force=force,
                    schedule=schedule,
                    clock=clock,
                )
            job = DeploymentJob(plan.name, zone, credentials, model=imported, import_job=import_job, **common)
            if import_job is None and imported is not None:  # created now: a restart may attach to it at once
                async with ExoscaleClient(credentials, zone, clock=clock) as client:
                    try:
                        await job._create(client, imported)
                    except Verdict as verdict:
                        raise verdict.error from None
        return _jobs.put(job)


async def attach_deployment(
    deployment: str,
    *,
    zone: str | None = None,
    exoscale: ExoscaleCredentials | None = None,
    smoke_test: bool = True,
    schedule: PollSchedule | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> DeploymentJob:
    """Resume watching a deployment by name or UUID (started elsewhere, or before a kernel restart).

    Raises:
        NotFoundError: no such deployment in the zone.
    """
    zone = validate_zone(default_zone(zone))
    credentials = exoscale or resolve_exoscale(zone=zone)
    async with ExoscaleClient(credentials, zone) as client:
        found = await lookup_deployment(client, deployment)
    async with _jobs.lock(found.name, zone):  # the job under way, if any, is the one to follow
        running = _jobs.running(found.name, zone)
        return running or _jobs.put(_attached(found, zone, credentials, smoke_test, schedule, clock))


def _attached(
    found: Deployment,
    zone: str,
    credentials: ExoscaleCredentials,
    smoke_test: bool,
    schedule: PollSchedule | None,
    clock: Clock,
) -> DeploymentJob:
    return DeploymentJob(
        found.name,
        zone,
        credentials,
        deployment=found,
        attached=True,
        smoke_test=smoke_test,
        schedule=schedule,
        clock=clock,
    )


async def lookup_deployment(client: ExoscaleClient, deployment: str) -> Deployment:
    """A deployment by UUID or exact name (its full form, with ``state-details``).

    Raises:
        NotFoundError: with the zone's deployment names when there are a few.
    """
    if is_uuid(deployment):
        return await client.get_deployment(deployment)
    found = await client.find_deployment(deployment)
    if found is None:
        names = [d.name for d in await client.list_deployments()][:5]
        hint = (
            f"Deployments in {client.zone}: {', '.join(names)}"
            if names
            else f"No deployment in {client.zone}"
        )
        raise NotFoundError(f"No deployment named {clean(deployment, 100)} in {client.zone}", fix=hint)
    return await client.get_deployment(found.id)


async def wait_operation(
    client: ExoscaleClient,
    operation: Operation,
    *,
    timeout: float = 600.0,
    clock: Clock = SYSTEM_CLOCK,
    schedule: PollSchedule | None = None,
) -> Operation:
    """Poll an operation to its end on the SDK's schedule (as the exo CLI waits on scale and delete).

    Raises:
        ExoscaleAPIError: the operation failed (its reason and message).
        WatchTimeout: ``timeout`` passed first (it goes on at Exoscale).
    """
    schedule = schedule or PollSchedule()
    started = clock.time()
    while operation.id and not operation.done:
        if clock.time() - started > timeout:
            raise WatchTimeout(
                f"Exoscale's operation {operation.id} still runs after {timeout:g} s",
                fix="It goes on at Exoscale: check again later",
            )
        await clock.sleep(schedule.interval(clock.time() - started))
        operation = await client.get_operation(operation.id)
    if operation.failed:
        raise ExoscaleAPIError(
            f"Exoscale's operation failed ({operation.reason or operation.state})"
            + (f": {operation.message}" if operation.message else ""),
            fix="Retry; contact Exoscale support if it persists",
        )
    return operation


def known_deployment_job(name: str, zone: str) -> DeploymentJob | None:
    return _jobs.get(name, zone)


def forget_job(name: str, zone: str) -> None:
    """Stop and forget this process's job for a deployment that was scaled or deleted."""
    _jobs.drop(name, zone)


def forget_deployment_jobs() -> None:
    """Stop this process's deployment watches and drop the registry (for tests)."""
    _jobs.forget()
