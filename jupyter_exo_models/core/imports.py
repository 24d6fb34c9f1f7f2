"""Start an import (or attach to one), watch it, and explain how it ended.

An import is an :class:`ImportJob`. UIs subscribe to its :class:`StatusEvent`
stream; scripts ``await job.wait()``. The same model name in the same zone is
never created twice: preflight finds an existing model and the job attaches to
it, concurrent starts in this process share one job, and an ambiguous POST is
resolved by the client by looking before retrying.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .clock import SYSTEM_CLOCK, Clock
from .config import current_endpoints, validate_zone
from .credentials import ExoscaleCredentials, default_zone, resolve_exoscale, resolve_hf_token
from .errors import ExoModelsError, ImportFailed, NotFoundError, PreflightFailed
from .exoscale.client import ExoscaleClient
from .exoscale.models import Model, Operation, find_existing, is_uuid
from .fixes import Action, action_dict
from .hub import check_repo_id
from .jobs import (
    StatusEvent,  # noqa: F401  (re-exported: part of this module's surface)
    Verdict,
    WatchedJob,
)
from .jobs.registry import Registry
from .polling import PollSchedule
from .preflight import PreflightReport, preflight
from .runner import on_background_loop
from .secrets import Secret

log = logging.getLogger("jupyter_exo_models.importer")

SUCCESS_STATES = ("created", "ready")
NOT_LISTED_GRACE = 30.0  # seconds a created model may take to appear in the zone's list
HUB_CAUSES = ("repo-id", "repo-id-case", "repo-access", "hf-token", "gated-access", "weights-format")
NEXT_STEP = "imported in {zone}: deploy it next (the deployment checks choose GPUs that fit)"


@dataclass(frozen=True)
class Diagnosis:
    """The most likely preflight cause of a failed import, and what to do."""

    cause: str  # a preflight check id, or "exoscale"
    message: str
    fix: str
    action: Action | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "message": self.message,
            "fix": self.fix,
            "action": action_dict(self.action),
        }


class ImportJob(WatchedJob[Model]):
    """A model import in one zone, started here or elsewhere, and its watch (see :mod:`core.jobs`).

    Attributes:
        name: the Hugging Face repo id (the Exoscale model name).
        zone: the Exoscale zone.
        model: the latest :class:`Model` seen (None until Exoscale names it).
        attached: True when this job joined an import that already existed.
        events: the :class:`StatusEvent` of each state change so far (``last_event`` is the newest poll).
        diagnosis: set when the import ended in ``error``.
    """

    what = "import"

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
        hf_token: str | Secret | bool | None = None,
        schedule: PollSchedule | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(name, zone, schedule=schedule, clock=clock)
        self.model = model
        self.operation = operation
        self.attached = attached
        self.report = report
        self.diagnosis: Diagnosis | None = None
        self._credentials = credentials
        # only to re-run the Hub checks for a diagnosis
        self._hf_token = Secret(hf_token) if isinstance(hf_token, str) else hf_token
        self._unlisted_since: float | None = (
            None  # when a model with no reference was first missing from the list
        )

    def __repr__(self) -> str:
        return f"<ImportJob {self.name} in {self.zone}: {self.state}{' (attached)' if self.attached else ''}>"

    @property
    def observed_state(self) -> str:
        return (
            self.model.state if self.model else "creating"
        )  # Exoscale accepted the create: the model is being made

    def to_dict(self) -> dict[str, Any]:
        reference = self.operation.reference_id if self.operation else None
        model = (
            self.model.to_dict()
            if self.model
            else {"id": reference, "name": self.name, "zone": self.zone, "model_size": None}
        )
        return {
            **model,
            "state": self.state,
            "attached": self.attached,
            "elapsed": round(self.elapsed, 1),
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "sandbox": current_endpoints().sandbox,
        }

    # -- the engine's questions -----------------------------------------------------------------
    def _open(self, on_wait: Callable[[str], None]) -> ExoscaleClient:
        # a poll retries what a retry can fix (rate limits, gateways) before it counts as one of the 5
        # failures
        return ExoscaleClient(self._credentials, self.zone, clock=self._clock, on_wait=on_wait)

    def _event_fields(self) -> dict[str, Any]:
        return {
            "model_id": self.model.id if self.model else None,
            "size": self.model.size if self.model else None,
        }

    def _result(self) -> Model:
        assert self.model is not None
        return self.model

    def _success_message(self) -> str:
        return NEXT_STEP.format(zone=self.zone)

    def _vanished(self) -> Exception:
        return Verdict(
            ImportFailed(
                f"{self.name} no longer exists in {self.zone} (deleted while being watched?)",
                fix="Start the import again",
                cause="exoscale",
            ),
            f"{self.name} no longer exists in {self.zone}",
        )

    def _resume_fix(self) -> str:
        return "The import goes on at Exoscale: attach to it to watch it again"

    def _resume_action(self) -> Action:
        return Action("attach", {"model": self.name, "zone": self.zone})

    async def _observe(self, client: ExoscaleClient) -> tuple[str, bool]:
        await self._refresh(client)
        if self.model is None:
            return "creating", False  # accepted, not listed yet
        if self.model.state in SUCCESS_STATES:
            return self.model.state, True
        if self.model.state == "error":
            await self._fail(client)
        return self.model.state, False

    async def _refresh(self, client: ExoscaleClient) -> None:
        if self.model is None and self.operation is not None and self.operation.id:
            self.operation = await client.get_operation(self.operation.id)
            if self.operation.failed and self.operation.reason == "conflict":
                # the name exists already (created since preflight looked, from another kernel): attach to it
                existing = await client.find_model(self.name)
                if existing is not None:
                    self.model, self.attached = existing, True
                    return
            if self.operation.failed:  # refused before any model existed
                await self._fail(client)
            if self.operation.reference_id:
                self.model = await client.get_model(self.operation.reference_id)
                return
        if self.model is None:
            # no reference (the API does not require one) or no operation (attached): look the model up by
            # name; a model not listed yet is not a verdict while its operation runs, nor for a grace period
            # after
            found = await client.find_model(self.name)
            if found is None:
                self._unlisted_since = (
                    self._unlisted_since if self._unlisted_since is not None else self.elapsed
                )
                pending = self.operation is not None and not self.operation.done
                if not pending and self.elapsed - self._unlisted_since >= NOT_LISTED_GRACE:
                    raise NotFoundError(f"{self.name} not found in {self.zone}")
                return
            self.model = found
            return
        self.model = await client.get_model(self.model.id)

    async def _fail(self, client: ExoscaleClient) -> None:
        if self.operation is not None and self.operation.id and not self.operation.failed:
            try:
                self.operation = await client.get_operation(self.operation.id)
            except ExoModelsError:
                pass
        self.diagnosis = await diagnose(self.name, self.zone, self.operation, hf_token=self._hf_token)
        raise Verdict(
            ImportFailed(
                f"Import of {self.name} failed in {self.zone}: {self.diagnosis.message}",
                fix=self.diagnosis.fix,
                action=self.diagnosis.action,
                model=self.model,
                cause=self.diagnosis.cause,
            ),
            f"{self.diagnosis.message} — fix: {self.diagnosis.fix}",
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
                return Diagnosis(check.id, check.message, check.fix, check.action)
    return diagnose_operation(name, operation)


# The likely cause from words a failed download leaves in the operation's message, most specific first:
# (cause, operation reasons, phrases). Exoscale relays what the Hub answered its download, so the phrases are
# the Hub's own texts (and huggingface_hub's error names), never guesses of what Exoscale might write.
_OPERATION_CAUSES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "hf-token",
        (),
        (
            "enable access to public gated repositories",
            "invalid credentials in authorization header",
            "please log in",
            "invalid user token",
        ),
    ),
    (
        "gated-access",
        (),
        ("awaiting a review", "not in the authorized list", "is restricted", "gatedrepo", "gated repo"),
    ),
    ("weights-format", ("unsupported",), ("safetensors",)),
    ("repo-access", ("not-found",), ("repository not found", "repositorynotfound", "reponotfound")),
    ("hf-token", ("forbidden",), ("401 client error", "unauthorized")),
)
_CAUSE_FIXES = {
    "gated-access": (
        "Exoscale could not pass the model's gate",
        (
            "Accept the conditions at {hub}/{name} with the "
            "account of your token, wait until access is granted, then import again"
        ),
    ),
    "weights-format": ("Unsupported weights", "Use a repo with *.safetensors weights"),
    "repo-access": (
        "Hugging Face did not let Exoscale see the repo",
        (
            "Check the id is exact, capitalization "
            "included, and that the token's account can read it (a fine-grained token must be scoped to "
            "the repo or its owner)"
        ),
    ),
    "hf-token": (
        "Hugging Face refused the token Exoscale downloaded with",
        (
            "Use a valid read token of an account "
            "that can read the repo (a fine-grained one needs access to public gated repos for a gated model)"
        ),
    ),
}


def diagnose_operation(name: str, operation: Operation | None) -> Diagnosis:
    """The likely cause from Exoscale's own words alone (when the Hub cannot be asked again)."""
    reason = operation.reason if operation else None
    detail = (operation.message if operation and operation.message else "") or "no message from Exoscale"
    text = " ".join(
        detail.lower().replace(name.lower(), " ").split()
    )  # the model's own name may hold any word
    # the message's words are more specific than the reason code: they decide first
    matches = [c for c, _, words in _OPERATION_CAUSES if any(w in text for w in words)]
    matches += [c for c, reasons, _ in _OPERATION_CAUSES if reason in reasons]
    if matches:
        title, fix = _CAUSE_FIXES[matches[0]]
        return Diagnosis(matches[0], f"{title}: {detail}", fix.format(hub=current_endpoints().hub, name=name))
    return Diagnosis(
        "exoscale",
        f"Exoscale reported {reason or 'an error'}: {detail}",
        f"Delete the model ({name}) and retry; contact Exoscale support if it persists",
    )


# -- starting and attaching --------------------------------------------------------------------
_jobs: Registry[ImportJob] = Registry()


async def start_import(
    model_id: str,
    *,
    zone: str | None = None,
    hf_token: str | Secret | bool | None = None,
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
    return await on_background_loop(_start_import(model_id, zone, hf_token, exoscale, force, schedule, clock))


async def _start_import(
    model_id: str,
    zone: str,
    hf_token: str | Secret | bool | None,
    exoscale: ExoscaleCredentials | None,
    force: bool,
    schedule: PollSchedule | None,
    clock: Clock,
) -> ImportJob:
    async with _jobs.lock(model_id, zone):
        existing_job = _jobs.running(model_id, zone)
        if existing_job is not None:
            existing_job.attached = True
            return existing_job
        credentials = exoscale or resolve_exoscale(zone=zone)
        report = await preflight(model_id, zone=zone, hf_token=hf_token, exoscale=credentials)
        if not report.ok and not force:
            raise PreflightFailed(report)
        job_args: dict[str, Any] = {
            "report": report,
            "hf_token": hf_token,
            "schedule": schedule,
            "clock": clock,
        }
        if report.existing is not None and report.existing.state != "error":
            job = ImportJob(model_id, zone, credentials, model=report.existing, attached=True, **job_args)
        else:
            token = resolve_hf_token(hf_token)
            async with ExoscaleClient(credentials, zone) as client:
                created = await client.create_model(model_id, token.value if token else None)
            job = ImportJob(
                model_id,
                zone,
                credentials,
                model=created.model,
                operation=created.operation,
                attached=created.adopted,
                **job_args,
            )
        return _jobs.put(job)


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
        found = await lookup_model(client, model)
    job = ImportJob(found.name, zone, credentials, model=found, attached=True, schedule=schedule, clock=clock)
    return _jobs.put(job)


async def lookup_model(client: ExoscaleClient, model: str) -> Model:
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
    if similar:
        raise NotFoundError(
            f"No model named {model} in {client.zone}",
            fix=f"Did you mean {similar[0]}?",
            action=Action("use-id", {"model": similar[0]}),
        )
    raise NotFoundError(
        f"No model named {model} in {client.zone}",
        fix="List the zone's models to find its name",
        action=Action("list-models", {"zone": client.zone}),
    )


def known_job(name: str, zone: str) -> ImportJob | None:
    """The job this process started or attached to for ``name`` in ``zone`` (with its diagnosis), if any."""
    return _jobs.get(name, zone)


def forget_jobs() -> None:
    """Stop this process's watches and drop its job registry (for tests: each starts with none)."""
    _jobs.forget()
