"""Start an import (or attach to one), watch it, and explain how it ended.

An import is an :class:`ImportJob`. UIs subscribe to its :class:`StatusEvent`
stream; scripts ``await job.wait()``. The same model name in the same zone is
never created twice: preflight finds an existing model and the job attaches to
it, concurrent starts in this process share one job, and an ambiguous POST is
resolved by the client by looking before retrying.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .clock import SYSTEM_CLOCK, Clock
from .config import current_endpoints, validate_zone
from .credentials import ExoscaleCredentials, default_zone, resolve_exoscale, resolve_hf_token
from .errors import (
    ExoModelsError,
    ImportFailed,
    NotFoundError,
    PreflightFailed,
    WatchTimeout,
)
from .exoscale.client import ExoscaleClient
from .exoscale.models import Model, Operation, is_uuid
from .hub import check_repo_id
from .polling import MAX_CONSECUTIVE_ERRORS, PollSchedule
from .preflight import PreflightReport, find_existing, preflight
from .runner import background_loop, on_background_loop, submit
from .secrets import Secret

log = logging.getLogger("jupyter_exo_models.importer")

SUCCESS_STATES = ("created", "ready")
NOT_LISTED_GRACE = 30.0  # seconds a created model may take to appear in the zone's list
HUB_CAUSES = ("repo-id", "repo-id-case", "repo-access", "hf-token", "gated-access", "weights-format")
NEXT_STEP = (
    "Deploy it: exo dedicated-inference deployment create <deployment-name> --model-name {name} "
    "--gpu-type <type> --gpu-count 1 --replicas 1 -z {zone}"
)


@dataclass(frozen=True)
class StatusEvent:
    """One observation of an import, for progress displays."""

    name: str
    zone: str
    state: str  # a model state, or "timeout" / "stopped" when watching ends without a verdict
    elapsed: float
    model_id: str | None = None
    size: int | None = None
    message: str = ""
    final: bool = False
    changed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Diagnosis:
    """The most likely preflight cause of a failed import, and what to do."""

    cause: str  # a preflight check id, or "exoscale"
    message: str
    fix: str


class ImportJob:
    """A model import in one zone, started here or elsewhere, and its watch.

    Attributes:
        name: the Hugging Face repo id (the Exoscale model name).
        zone: the Exoscale zone.
        model: the latest :class:`Model` seen (None until Exoscale names it).
        attached: True when this job joined an import that already existed.
        events: the :class:`StatusEvent` of each state change so far (``last_event`` is the newest poll).
        diagnosis: set when the import ended in ``error``.
    """

    def __init__(
        self,
        name: str,
        zone: str,
        credentials: ExoscaleCredentials,
        *,
        model: Model | None = None,
        operation: Operation | None = None,
        attached: bool = False,
        report: PreflightReport | None = None,
        hf_token: str | bool | None = None,
        schedule: PollSchedule | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.name = name
        self.zone = zone
        self.model = model
        self.operation = operation
        self.attached = attached
        self.report = report
        self.events: list[StatusEvent] = []  # state transitions (and the final event)
        self.last_event: StatusEvent | None = None
        self.diagnosis: Diagnosis | None = None
        self.error: ExoModelsError | None = None
        self._credentials = credentials
        # only to re-run the Hub checks for a diagnosis
        self._hf_token = Secret(hf_token) if isinstance(hf_token, str) else hf_token
        self._schedule = schedule or PollSchedule()
        self._clock = clock
        self._started = clock.time()
        self._subscribers: list[Callable[[StatusEvent], None]] = []
        self._lock = threading.Lock()  # subscribers, history and the watch: touched from several threads
        self._watch: concurrent.futures.Future[Model] | None = None  # on the package's loop, whoever started it
        self._stopped_watch: object = None  # the watch stop() cancelled; its cancellation may still be in flight
        self._waiters: set[object] = set()
        self._task: asyncio.Task[Model] | None = None  # the current watch's task, on the package's loop
        self._unlisted_since: float | None = None  # when a model with no reference was first missing from the list

    def __repr__(self) -> str:
        return f"<ImportJob {self.name} in {self.zone}: {self.state}{' (attached)' if self.attached else ''}>"

    @property
    def state(self) -> str:
        if self.last_event:
            return self.last_event.state
        return self.model.state if self.model else "creating"  # Exoscale accepted the create: the model is being made

    @property
    def done(self) -> bool:
        return self.last_event is not None and self.last_event.final

    @property
    def elapsed(self) -> float:
        return self._clock.time() - self._started

    def to_dict(self) -> dict[str, Any]:
        reference = self.operation.reference_id if self.operation else None
        model = self.model.to_dict() if self.model else {"id": reference, "name": self.name, "zone": self.zone,
                                                         "model_size": None}
        return {
            **model,
            "state": self.state,
            "attached": self.attached,
            "elapsed": round(self.elapsed, 1),
            "diagnosis": asdict(self.diagnosis) if self.diagnosis else None,
            "sandbox": current_endpoints().sandbox,
        }

    # -- events -------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[StatusEvent], None], *, replay: bool = True) -> Callable[[], None]:
        """Call ``callback`` with every event (from the watching loop's thread); returns an unsubscribe."""
        past = self._register(callback)
        for event in past if replay else ():
            self._safe_call(callback, event)
        return lambda: self._unsubscribe(callback)

    def _unsubscribe(self, callback: Callable[[StatusEvent], None]) -> None:
        with self._lock:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    def _register(self, callback: Callable[[StatusEvent], None]) -> list[StatusEvent]:
        """Add a subscriber; the events it did not get live. One step, as for the watch's thread in _emit."""
        with self._lock:
            self._subscribers.append(callback)
            return list(self.events)

    async def stream(self):
        """``async for event in job.stream()``: past events, then live ones until the final one."""
        queue: asyncio.Queue[StatusEvent] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def forward(event: StatusEvent) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, event)

        # queued now, the past comes before any live event, which the loop only queues after this step;
        # a final event followed by others ended an earlier watch: history, not the end of this stream
        past = self._register(forward)
        for event in past:
            if not event.final or event is past[-1]:
                queue.put_nowait(event)
        try:
            while True:
                event = await queue.get()
                yield event
                if event.final:
                    return
        finally:
            self._unsubscribe(forward)

    def _emit(self, state: str, *, message: str = "", final: bool = False) -> StatusEvent:
        previous = self.last_event.state if self.last_event else None
        event = StatusEvent(
            name=self.name,
            zone=self.zone,
            state=state,
            elapsed=round(self.elapsed, 3),
            model_id=self.model.id if self.model else None,
            size=self.model.size if self.model else None,
            message=message,
            final=final,
            changed=state != previous,
        )
        with self._lock:  # each subscriber gets this event either live or in its replay, never neither
            self.last_event = event
            if event.changed or final:  # history keeps transitions only, so a 2-hour watch stays small
                self.events.append(event)
            subscribers = list(self._subscribers)
        if event.changed:
            log.info("%s in %s: %s %s", self.name, self.zone, state, message)
        for callback in subscribers:
            self._safe_call(callback, event)
        return event

    @staticmethod
    def _safe_call(callback: Callable[[StatusEvent], None], event: StatusEvent) -> None:
        try:
            callback(event)
        except Exception:  # a broken display must not break the watch
            log.exception("status subscriber failed")

    # -- watching ----------------------------------------------------------------------------
    @property
    def settled(self) -> bool:
        """Whether Exoscale gave its verdict (created/ready or error); a stopped or timed-out watch did not."""
        return self.done and self.state in (*SUCCESS_STATES, "error")

    def _needs_watch(self) -> bool:
        watch = self._watch
        return watch is None or watch is self._stopped_watch or (watch.done() and not self.settled)

    def start(self) -> ImportJob:
        """Start watching in the background, on the package's loop: any loop or thread may then wait."""
        with self._lock:  # a widget's thread and a cell may both start it: one watch
            if self._needs_watch():
                self._watch = submit(self._run())
        return self

    async def wait(self, timeout: float | None = None) -> Model:
        """Watch until the model is created (returned) or fails (``ImportFailed``).

        Raises:
            ImportFailed: the model ended in ``error``; ``.cause``/``.fix`` say why and what to do.
            WatchTimeout: ``timeout`` seconds passed first (the import goes on at Exoscale).
        """
        self.start()
        future = asyncio.wrap_future(self._watch)  # type: ignore[arg-type]
        waiter = object()
        self._waiters.add(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.CancelledError:
            if not future.cancelled():  # the waiter itself was cancelled (Ctrl-C on result())
                self.release("stopped", waiter)
                raise
            raise WatchTimeout(  # stop() ended the watch under this waiter
                f"Stopped watching {self.name} (state {self.state})",
                fix=f"The import goes on at Exoscale: attach again with attach({self.name!r}, zone={self.zone!r})",
            ) from None
        except asyncio.TimeoutError:
            self.release("timeout", waiter)
            raise WatchTimeout(
                f"Stopped waiting for {self.name} after {timeout:g} s (state {self.state})",
                fix=f"The import goes on at Exoscale: attach again later with attach({self.name!r}, zone={self.zone!r})",
            ) from None
        finally:
            self._waiters.discard(waiter)

    def result(self, timeout: float | None = None) -> Model:
        """Blocking form of :meth:`wait`, for plain scripts."""
        from .runner import run_sync

        return run_sync(self.wait(timeout))

    def release(self, reason: str = "stopped", waiter: object = None) -> None:
        """Stop watching unless another waiter or a subscriber still follows this job (a widget, a stream)."""
        if not (self._waiters - {waiter}) and not self._subscribers:
            self.stop(reason)

    def stop(self, reason: str = "stopped") -> None:
        """Stop watching; the import itself goes on at Exoscale."""
        watch = self._watch
        if watch is None or watch.done() or watch is self._stopped_watch or self.settled:
            return  # settled: the verdict is in, the watch is only returning it
        self._stopped_watch = watch
        loop = background_loop()
        if not loop.is_closed():
            loop.call_soon_threadsafe(self._cancel_watch, watch, reason)

    def _cancel_watch(self, watch: concurrent.futures.Future[Model], reason: str) -> None:
        if not watch.done() and not (watch is self._watch and self.settled):
            if watch is self._watch and self._task is not None:
                self._task.cancel()  # at once: a wake-up already queued must not poll (and emit) again
            watch.cancel()
            if watch is self._watch and not self.done:  # a watch started again since must not look stopped
                self._emit(reason, message="stopped watching; the import goes on at Exoscale", final=True)

    async def _run(self) -> Model:
        self._task = asyncio.current_task()
        try:
            # a poll retries what a retry can fix (rate limits, gateways) before it counts as one of the 5 failures
            async with ExoscaleClient(self._credentials, self.zone, clock=self._clock,
                                      on_wait=lambda why: self._emit(self.state, message=why)) as client:
                return await self._poll(client)
        except Exception as exc:
            if not isinstance(exc, ExoModelsError):
                log.error("watching %s failed: %s", self.name, type(exc).__name__)  # its text might quote a secret
                exc = ExoModelsError(f"Watching {self.name} failed unexpectedly ({type(exc).__name__})",
                                     fix=f"attach({self.name!r}, zone={self.zone!r}) to watch it again")
            self.error = exc
            if not self.settled:  # a watch stopped earlier left a final event that is not the verdict
                last_known = self.model.state if self.model else "creating"
                self._emit("error" if isinstance(exc, ImportFailed) else last_known, message=exc.message, final=True)
            raise exc from None

    async def _poll(self, client: ExoscaleClient) -> Model:
        failures = 0
        while True:
            try:
                await self._refresh(client)
                failures = 0
            except ImportFailed:
                raise
            except NotFoundError:
                raise ImportFailed(
                    f"{self.name} no longer exists in {self.zone} (deleted while being watched?)",
                    fix="Start the import again",
                    cause="exoscale",
                ) from None
            except ExoModelsError as exc:
                failures += 1
                log.debug("polling %s failed (%d in a row): %s", self.name, failures, type(exc).__name__)
                if failures >= MAX_CONSECUTIVE_ERRORS:
                    raise ExoModelsError(
                        f"Gave up watching {self.name} after {failures} polling errors in a row: {exc.message}",
                        fix=f"The import may go on at Exoscale: attach({self.name!r}, zone={self.zone!r}) later",
                    ) from None
            else:
                model = self.model
                if model is None:  # accepted, not listed yet
                    self._emit("creating")
                elif model.state in SUCCESS_STATES:
                    self._emit(model.state, message=NEXT_STEP.format(name=self.name, zone=self.zone), final=True)
                    return model
                else:
                    if model.state == "error":
                        await self._fail(client)
                    self._emit(model.state)  # an unknown state too: shown as it is, and watched
            await self._clock.sleep(self._schedule.interval(self.elapsed))

    async def _refresh(self, client: ExoscaleClient) -> None:
        if self.model is None and self.operation is not None and self.operation.id:
            self.operation = await client.get_operation(self.operation.id)
            if self.operation.failed:  # refused before any model existed
                await self._fail(client)
            if self.operation.reference_id:
                self.model = await client.get_model(self.operation.reference_id)
                return
        if self.model is None:
            # no reference (the API does not require one) or no operation (attached): look the model up by name;
            # a model not listed yet is not a verdict while its operation runs, nor for a grace period after
            found = await client.find_model(self.name)
            if found is None:
                self._unlisted_since = self._unlisted_since if self._unlisted_since is not None else self.elapsed
                pending = self.operation is not None and not self.operation.done
                if not pending and self.elapsed - self._unlisted_since >= NOT_LISTED_GRACE:
                    raise NotFoundError(f"{self.name} not found in {self.zone}")
                return
            self.model = found
            return
        self.model = await client.get_model(self.model.id)

    async def _fail(self, client: ExoscaleClient) -> None:
        if self.operation is not None and not self.operation.failed:
            try:
                self.operation = await client.get_operation(self.operation.id)
            except ExoModelsError:
                pass
        self.diagnosis = await diagnose(self.name, self.zone, self.operation, hf_token=self._hf_token)
        self._emit("error", message=f"{self.diagnosis.message} — fix: {self.diagnosis.fix}", final=True)
        raise ImportFailed(
            f"Import of {self.name} failed in {self.zone}: {self.diagnosis.message}",
            fix=self.diagnosis.fix,
            model=self.model,
            cause=self.diagnosis.cause,
        )


async def diagnose(
    name: str, zone: str, operation: Operation | None, *, hf_token: str | Secret | bool | None = None
) -> Diagnosis:
    """Map a failed import back to its most likely cause.

    The Hub checks are asked again (one round trip): their first failure is
    the cause. Failing that, Exoscale's operation reason and message decide.
    """
    try:
        report = await preflight(name, zone=zone, hf_token=hf_token)
    except ExoModelsError:
        report = None
    if report is not None:
        for check in report.checks:
            if check.id in HUB_CAUSES and check.status == "fail":
                return Diagnosis(check.id, check.message, check.fix)
    return diagnose_operation(name, operation)


# The likely cause from words a failed download leaves in the operation's message, most specific first:
# (cause, operation reasons, phrases). Exoscale relays what the Hub answered its download, so the phrases are the
# Hub's own texts (and huggingface_hub's error names), never guesses of what Exoscale might write.
_OPERATION_CAUSES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("hf-token", (), ("enable access to public gated repositories", "invalid credentials in authorization header",
                      "please log in", "invalid user token")),
    ("gated-access", (), ("awaiting a review", "not in the authorized list", "is restricted", "gatedrepo",
                          "gated repo")),
    ("weights-format", ("unsupported",), ("safetensors",)),
    ("repo-access", ("not-found",), ("repository not found", "repositorynotfound", "reponotfound")),
    ("hf-token", ("forbidden",), ("401 client error", "unauthorized")),
)
_CAUSE_FIXES = {
    "gated-access": ("Exoscale could not pass the model's gate", ("Accept the conditions at {hub}/{name} with the "
                     "account of your token, wait until access is granted, then import again")),
    "weights-format": ("Unsupported weights", "Use a repo with *.safetensors weights"),
    "repo-access": ("Hugging Face did not let Exoscale see the repo", ("Check the id is exact, capitalization "
                    "included, and that the token's account can read it (a fine-grained token must be scoped to "
                    "the repo or its owner)")),
    "hf-token": ("Hugging Face refused the token Exoscale downloaded with", ("Use a valid read token of an account "
                 "that can read the repo (a fine-grained one needs access to public gated repos for a gated model)")),
}


def diagnose_operation(name: str, operation: Operation | None) -> Diagnosis:
    """The likely cause from Exoscale's own words alone (when the Hub cannot be asked again)."""
    reason = operation.reason if operation else None
    detail = (operation.message if operation and operation.message else "") or "no message from Exoscale"
    text = " ".join(detail.lower().replace(name.lower(), " ").split())  # the model's own name may hold any word
    # the message's words are more specific than the reason code: they decide first
    matches = [c for c, _, words in _OPERATION_CAUSES if any(w in text for w in words)]
    matches += [c for c, reasons, _ in _OPERATION_CAUSES if reason in reasons]
    if matches:
        title, fix = _CAUSE_FIXES[matches[0]]
        return Diagnosis(matches[0], f"{title}: {detail}", fix.format(hub=current_endpoints().hub, name=name))
    return Diagnosis("exoscale", f"Exoscale reported {reason or 'an error'}: {detail}",
                     f"Delete the model ({name}) and retry; contact Exoscale support if it persists")


# -- starting and attaching --------------------------------------------------------------------
_jobs: dict[tuple[str, str, str], ImportJob] = {}
_job_locks: dict[tuple[str, str, str], asyncio.Lock] = {}  # all on the package's loop


def _job_key(name: str, zone: str) -> tuple[str, str, str]:
    return (current_endpoints().exoscale(zone), zone, name)


async def start_import(
    model_id: str,
    *,
    zone: str | None = None,
    hf_token: str | bool | None = None,
    exoscale: ExoscaleCredentials | None = None,
    force: bool = False,
    schedule: PollSchedule | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> ImportJob:
    """Preflight, then create the model at Exoscale (or attach to the existing one). Does not wait.

    Raises:
        InvalidModelIdError / ConfigurationError: bad id or zone (nothing sent).
        PreflightFailed: a check failed and ``force`` is false (nothing sent to create).
        ExoscaleAPIError: the create request itself failed.
    """
    check_repo_id(model_id)
    zone = validate_zone(default_zone(zone))
    # every start runs on the package's loop, so one lock serializes them whatever loop or thread asked
    return await on_background_loop(
        _start_import(model_id, zone, hf_token, exoscale, force, schedule, clock))


async def _start_import(
    model_id: str, zone: str, hf_token: str | bool | None, exoscale: ExoscaleCredentials | None, force: bool,
    schedule: PollSchedule | None, clock: Clock,
) -> ImportJob:
    key = _job_key(model_id, zone)
    async with _job_locks.setdefault(key, asyncio.Lock()):  # double clicks and concurrent cells share one job
        existing_job = _jobs.get(key)
        # only a watch still under way is shared: a finished one may describe a model deleted since
        if existing_job is not None and not existing_job.done and existing_job.error is None:
            existing_job.attached = True
            return existing_job
        credentials = exoscale or resolve_exoscale(zone=zone)
        report = await preflight(model_id, zone=zone, hf_token=hf_token, exoscale=credentials)
        if not report.ok and not force:
            raise PreflightFailed(report)
        job_args: dict[str, Any] = {"report": report, "hf_token": hf_token, "schedule": schedule, "clock": clock}
        if report.existing is not None and report.existing.state != "error":
            job = ImportJob(model_id, zone, credentials, model=report.existing, attached=True, **job_args)
        else:
            token = resolve_hf_token(hf_token)
            async with ExoscaleClient(credentials, zone) as client:
                created = await client.create_model(model_id, token.value if token else None)
            job = ImportJob(
                model_id, zone, credentials,
                model=created.model, operation=created.operation, attached=created.adopted, **job_args,
            )
        _jobs[key] = job
        return job


async def attach(
    model: str,
    *,
    zone: str | None = None,
    exoscale: ExoscaleCredentials | None = None,
    schedule: PollSchedule | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> ImportJob:
    """Resume watching an import started elsewhere (another kernel, the CLI, before a restart).

    Args:
        model: the model's name (Hugging Face id) or its Exoscale UUID.

    Raises:
        NotFoundError: no such model in the zone.
    """
    zone = validate_zone(default_zone(zone))
    credentials = exoscale or resolve_exoscale(zone=zone)
    async with ExoscaleClient(credentials, zone) as client:
        found = await find_model(client, model)
    job = ImportJob(found.name, zone, credentials, model=found, attached=True, schedule=schedule, clock=clock)
    _jobs[_job_key(found.name, zone)] = job
    return job


async def find_model(client: ExoscaleClient, model: str) -> Model:
    """A model by UUID or exact name.

    Raises:
        NotFoundError: with the names that differ only by case, if any.
    """
    if is_uuid(model):
        return await client.get_model(model)
    models = await client.list_models()
    found = find_existing(models, {model})
    if found is not None:
        return found
    similar = [m.name for m in models if m.name.lower() == model.lower()]
    hint = f"Did you mean {similar[0]}?" if similar else "List the zone's models with %exo_models or `list`"
    raise NotFoundError(f"No model named {model} in {client.zone}", fix=hint)


def known_job(name: str, zone: str) -> ImportJob | None:
    """The job this process started or attached to for ``name`` in ``zone`` (with its diagnosis), if any."""
    return _jobs.get(_job_key(name, zone))


def forget_jobs() -> None:
    """Stop this process's watches and drop its job registry (for tests: each starts with none)."""
    for job in _jobs.values():
        job.stop()
    _jobs.clear()
    _job_locks.clear()

