"""Deployment preflight: every reason a deployment would fail, found before a GPU is paid for.

The check ids are a public interface (README, "Deployment checks"). The zone's models, deployments and GPU
families, every zone's GPU families, the engine's flags and (for a model not imported yet, and for its size)
the import preflight are asked concurrently: a whole deployment preflight costs about one round trip.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import gpus
from .config import ZONES, Endpoints, current_endpoints
from .credentials import ExoscaleCredentials, default_zone, resolve_exoscale
from .errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsMissingError,
    ExoModelsError,
    NotFoundError,
    UsageError,
)
from .exoscale.client import ExoscaleClient
from .exoscale.models import Deployment, EngineParameter, InstanceType, Model, is_uuid
from .fixes import Action
from .preflight import CheckResult, Checks, PreflightReport, preflight
from .secrets import Secret
from .text import shown

DEPLOY_CHECK_IDS: tuple[str, ...] = (
    "exoscale-credentials",
    "zone",
    "model-ready",
    "deployment-name",
    "gpu-type",
    "gpu-count",
    "gpu-fit",
    "replicas",
    "engine-version",
    "engine-args",
)
# create-deployment-request's inference-engine-version enum and default (exoscale/openapi.json; a test
# compares them)
ENGINE_VERSIONS: tuple[str, ...] = (
    "0.12.0",
    "0.15.1",
    "0.16.0",
    "0.17.0",
    "0.18.0",
    "0.18.1",
    "0.19.0",
    "0.19.1",
    "0.20.0",
    "0.20.1",
    "0.20.2",
    "0.21.0",
    "0.22.0",
    "0.22.1",
    "0.23.0",
    "0.24.0",
    "0.25.0",
    "0.25.1",
    "0.26.0",
    "0.27.0",
    "0.27.1",
    "0.28.0",
)
DEFAULT_ENGINE_VERSION = "0.28.0"
MAX_GPU_COUNT = 8
MAX_NAME = 63
# our rule, not the API's (it only asks for one character): a DNS label, as an endpoint's host name may use it
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
SECRET_FLAGS = frozenset({"--api-key", "--hf-token"})  # vLLM's: a secret in plain text in the arguments
_SHELL = re.compile(r"[;&|`$<>\\]")
READY_MODEL_STATES = ("created", "ready")
IMPORTING_STATES = ("creating", "downloading")


def default_deployment_name(model: str) -> str:
    """A valid name from a model id: its name part, lower case, ``[a-z0-9-]``, at most 63 characters."""
    base = model.rsplit("/", 1)[-1].lower()
    name = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:MAX_NAME].strip("-")
    return name or "deployment"


def check_deployment_name(name: object) -> str:
    """``name`` if valid.

    Raises:
        TypeError: not a string.
        UsageError: empty, too long, or not lower-case ``[a-z0-9-]`` beginning and ending alphanumeric.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, not {type(name).__name__}")
    if not _NAME.match(name):
        why = (
            "is empty"
            if not name
            else f"is longer than {MAX_NAME} characters"
            if len(name) > MAX_NAME
            else "may hold only lower-case letters, digits and '-', and must begin and end with a letter "
            "or digit"
        )
        raise UsageError(
            f"Deployment name {shown(name)} {why}", fix=f"Use e.g. {default_deployment_name(name)!r}"
        )
    return name


def parse_engine_args(args: str | Sequence[str]) -> tuple[str, ...]:
    """The engine's server arguments as a list (a string is split as a shell would, without running one).

    Raises:
        UsageError: a newline or control character, or a string that does not split (an open quote).
    """
    if isinstance(args, str):
        try:
            items = shlex.split(args)
        except ValueError as exc:
            raise UsageError(f"Engine arguments do not parse ({exc})", fix="Close the quote") from None
    elif isinstance(args, Sequence) and all(isinstance(a, str) for a in args):
        items = list(args)
    else:
        raise TypeError("engine_args must be a string or a sequence of strings")
    if secret := sorted({item.partition("=")[0] for item in items} & SECRET_FLAGS):  # named, never echoed
        raise UsageError(
            f"Engine argument {', '.join(secret)} would put a secret in the deployment's arguments, which "
            "the API and the engine's logs show",
            fix="Leave it out: the Hugging Face token goes with the import; the endpoint's key is Exoscale's",
        )
    for item in items:
        if any(ord(c) < 32 or ord(c) == 127 for c in item):
            raise UsageError(
                f"Engine argument {shown(item)} holds a newline or a control character",
                fix="Give each flag and value on one line, e.g. --max-model-len=4096",
            )
    return tuple(items)


@dataclass(frozen=True)
class DeploymentPlan:
    """What ``deploy`` would send: the choices given, or made (``chosen``: the GPU, and ``reason``)."""

    model: str
    name: str
    zone: str
    gpu_type: str | None
    gpu_count: int | None
    replicas: int
    engine_version: str | None
    engine_args: tuple[str, ...]
    chosen: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "name": self.name,
            "zone": self.zone,
            "gpu-type": self.gpu_type,
            "gpu-count": self.gpu_count,
            "replicas": self.replicas,
            "engine-version": self.engine_version,
            "engine-args": list(self.engine_args),
            "chosen": self.chosen,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class GpuOption:
    """One GPU family of the zone, for a choice list: its memory and the fit verdict for this model."""

    family: str
    authorized: bool
    memory_gib: int | None
    gpu_count: int | None  # the fewest GPUs of this family that fit (None: none fits, or unknown)
    verdict: str  # fits, tight, too small, unknown

    def label(self) -> str:
        memory = f"{self.memory_gib} GB" if self.memory_gib else "memory unknown"
        count = f" × {self.gpu_count}" if self.gpu_count and self.gpu_count > 1 else ""
        return f"{self.family}{count} · {memory} · {self.verdict}"


@dataclass(frozen=True)
class DeploymentReport(Checks):
    """The deployment checks, the plan, and what was found (the model, a deployment of that name)."""

    model: str
    zone: str
    checks: tuple[CheckResult, ...]
    plan: DeploymentPlan | None = None
    sandbox: bool = False
    imported: Model | None = field(default=None, compare=False)  # the model in the zone, if imported
    existing: Deployment | None = field(default=None, compare=False)  # a deployment of that name
    import_report: PreflightReport | None = field(
        default=None, compare=False
    )  # when the model is not imported
    options: tuple[GpuOption, ...] = ()
    weights: int | None = None  # bytes of weights, when known

    title = "Deployment checks"

    @property
    def needs_import(self) -> bool:
        return self.imported is None and self.import_report is not None

    @property
    def ok(self) -> bool:
        own = not any(c.status == "fail" for c in self.checks)
        return own and (not self.needs_import or self.import_report is None or self.import_report.ok)

    def _verdict(self) -> str:
        return "ready to deploy" if self.ok else f"{len(self.all_failures)} problem(s)"

    @property
    def all_failures(self) -> list[CheckResult]:
        """This report's failures, and the import's when the model must be imported first."""
        imported = self.import_report.failures if self.needs_import and self.import_report else []
        return self.failures + imported

    def text(self, phrase: Callable[[Action], str | None] = lambda action: None) -> str:
        """The checks, then the import's when ``deploy`` would import the model first."""
        text = super().text(phrase)
        if self.needs_import and self.import_report is not None:
            text += "\n\n" + self.import_report.text(phrase)
        return text

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(
            {
                "name": self.plan.name if self.plan else None,
                "plan": self.plan.to_dict() if self.plan else None,
                "import_checks": [c.to_dict() for c in self.import_report.checks]
                if self.needs_import and self.import_report
                else None,
                "gpu_options": [{**o.__dict__, "label": o.label()} for o in self.options],
            }
        )
        return data


@dataclass
class _Answers:
    instance_types: dict[str, list[InstanceType] | ExoModelsError] = field(default_factory=dict)
    deployments: list[Deployment] | ExoModelsError | None = None
    parameters: list[EngineParameter] | ExoModelsError | None = None
    model: Model | ExoModelsError | None = None  # by UUID


async def deploy_preflight(
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
) -> DeploymentReport:
    """Run every deployment check (README, "Deployment checks") for one model.

    Args:
        model: the Hugging Face repo id (the Exoscale model's name), or the Exoscale model's UUID.
        name: the deployment's name (default: derived from the model id).
        gpu_type, gpu_count: the GPU family and count (default: the smallest authorized choice that fits).
        replicas: at least 1 at creation.
        engine_version: one of the API's versions (default: the API's default).
        engine_args: the engine server's extra arguments (a list, or one string split as a shell would).

    Returns:
        A report whose ``ok`` is false when a check failed (or, for a model not imported yet, an import
        check); bad values are check results, never exceptions.

    Raises:
        UsageError: ``engine_args`` holds a newline or a control character (nothing is sent).
    """
    args = parse_engine_args(engine_args)
    endpoints = current_endpoints()
    zone_name = (zone or "").strip().lower() or default_zone()
    results: dict[str, CheckResult] = {}
    zone_ok = zone_name in ZONES
    results["zone"] = (
        CheckResult("zone", "pass", f"Zone {zone_name}")
        if zone_ok
        else CheckResult(
            "zone", "fail", f"Unknown zone {shown(zone_name)}", "Use one of: " + ", ".join(ZONES)
        )
    )
    plan_name = name if name is not None else default_deployment_name(model)
    results["deployment-name"] = _check_name(plan_name)
    results["gpu-count"] = _check_count(gpu_count)
    results["replicas"] = _check_replicas(replicas)
    results["engine-version"] = _check_version(engine_version)

    credentials: ExoscaleCredentials | None = exoscale
    credentials_error: ExoModelsError | None = None
    if credentials is None:
        try:
            credentials = resolve_exoscale(zone=zone_name if zone_ok else None)
        except (CredentialsMissingError, ConfigurationError) as exc:
            credentials_error = exc

    by_uuid = is_uuid(model)
    import_task = None
    if (
        not by_uuid
    ):  # the Hub's facts give the weights' size; the zone's model list says whether it is imported
        import_task = asyncio.ensure_future(
            preflight(model, zone=zone_name, hf_token=hf_token, exoscale=credentials)
        )
    answers = _Answers()
    if zone_ok and credentials is not None:
        version = engine_version if engine_version in ENGINE_VERSIONS else None
        await _ask_exoscale(answers, credentials, zone_name, endpoints, model if by_uuid else None, version)
    report = await import_task if import_task is not None else None

    # -- credentials and the model ---------------------------------------------------------------
    imported: Model | None = None
    if credentials_error is not None:
        results["exoscale-credentials"] = CheckResult(
            "exoscale-credentials", "fail", credentials_error.message, credentials_error.fix
        )
    elif not zone_ok:
        results["exoscale-credentials"] = CheckResult(
            "exoscale-credentials", "skip", "Skipped: the zone is unknown, so nothing was sent"
        )
    else:
        assert credentials is not None
        own = _zone_answers(answers, zone_name)
        errors = [a for a in own if isinstance(a, ExoModelsError) and not _missing(a)]
        failure = next(
            (e for e in errors if isinstance(e, AuthenticationError)), errors[0] if errors else None
        )
        results["exoscale-credentials"] = (
            CheckResult("exoscale-credentials", "fail", failure.message, failure.fix)
            if failure is not None
            else CheckResult(
                "exoscale-credentials",
                "pass",
                f"Key {credentials.key} ({credentials.source}) may use Dedicated Inference in {zone_name}",
            )
        )
    asked = results["exoscale-credentials"].status == "pass"
    if by_uuid:
        imported = answers.model if isinstance(answers.model, Model) else None
    elif report is not None:
        imported = report.existing
    model_name = imported.name if imported else model
    results["model-ready"] = _check_model(model, imported, report, asked, by_uuid, zone_name)

    # -- the deployment of that name ---------------------------------------------------------------
    existing: Deployment | None = None
    if isinstance(answers.deployments, list) and results["deployment-name"].status == "pass":
        existing = next((d for d in answers.deployments if d.name == plan_name), None)
        if existing is not None:
            results["deployment-name"] = _check_existing(existing, model_name, imported)

    # -- GPUs ----------------------------------------------------------------------------------------
    weights = _weights(report, imported)
    here = answers.instance_types.get(zone_name)
    zone_types = here if isinstance(here, list) else None
    elsewhere = {z: t for z, t in answers.instance_types.items() if isinstance(t, list) and z != zone_name}
    if existing is not None and existing.gpu_type and gpu_type is None:
        gpu_type, gpu_count = existing.gpu_type, gpu_count or existing.gpu_count  # attaching: its own GPUs
    plan_type, plan_count, chosen, reason = gpu_type, gpu_count, False, ""
    if zone_types is None:
        skip = (
            "Skipped: Exoscale could not be asked" if asked or not zone_ok else "Skipped: no Exoscale answer"
        )
        results["gpu-type"] = CheckResult("gpu-type", "skip", skip)
        results["gpu-fit"] = CheckResult("gpu-fit", "skip", skip)
    else:
        authorized = [t.family for t in zone_types if t.authorized]
        if gpu_type is None:
            results["gpu-type"], plan_type, plan_count, reason = _choose(
                authorized, weights, gpu_count, elsewhere
            )
            chosen = plan_type is not None
        else:
            results["gpu-type"] = _check_family(gpu_type, zone_types, zone_name, elsewhere)
        results["gpu-fit"] = _check_fit(plan_type, plan_count or 1, weights, authorized, elsewhere, chosen)
        if chosen and results["gpu-count"].status == "pass" and plan_count:
            results["gpu-count"] = _check_count(plan_count)
    results["engine-args"] = _check_args(args, answers.parameters, engine_version)

    options = _options(zone_types or [], weights)
    plan = DeploymentPlan(
        model=model_name,
        name=plan_name,
        zone=zone_name,
        gpu_type=plan_type,
        gpu_count=plan_count,
        replicas=replicas,
        engine_version=engine_version,
        engine_args=args,
        chosen=chosen,
        reason=reason,
    )
    return DeploymentReport(
        model=model_name,
        zone=zone_name,
        checks=tuple(results[c] for c in DEPLOY_CHECK_IDS),
        plan=plan,
        sandbox=endpoints.sandbox,
        imported=imported,
        existing=existing,
        import_report=report if imported is None and not by_uuid else None,
        options=options,
        weights=weights,
    )


async def _ask_exoscale(
    answers: _Answers,
    credentials: ExoscaleCredentials,
    zone: str,
    endpoints: Endpoints,
    model_id: str | None,
    version: str | None,
) -> None:
    """Every Exoscale question at once; each answer is a value or the error that replaced it."""

    async def in_zone(z: str, call: Any) -> Any:
        try:
            async with ExoscaleClient(credentials, z, endpoints=endpoints) as client:
                return await call(client)
        except ExoModelsError as exc:
            return exc

    async def types(z: str) -> None:
        answers.instance_types[z] = await in_zone(z, lambda c: c.list_instance_types())

    async def deployments() -> None:
        answers.deployments = await in_zone(zone, lambda c: c.list_deployments())

    async def parameters() -> None:
        answers.parameters = await in_zone(zone, lambda c: c.engine_parameters(version))

    async def model() -> None:
        assert model_id is not None
        answers.model = await in_zone(zone, lambda c: c.get_model(model_id))

    tasks = [types(z) for z in ZONES] + [deployments(), parameters()] + ([model()] if model_id else [])
    await asyncio.gather(*tasks)


def _zone_answers(answers: _Answers, zone: str) -> list[Any]:
    """The zone's own answers: they decide the credentials check (other zones only inform a failure)."""
    return [answers.instance_types.get(zone), answers.deployments, answers.parameters, answers.model]


def _missing(error: ExoModelsError) -> bool:
    """A 404 for the model asked by UUID: the model-ready check's to report, not the credentials'."""
    return isinstance(error, NotFoundError)


def _weights(report: PreflightReport | None, imported: Model | None) -> int | None:
    data = report["size"].data if report is not None else {}
    return gpus.weights_bytes(data.get("dtypes"), data.get("bytes") or (imported.size if imported else None))


def _check_name(name: str) -> CheckResult:
    try:
        check_deployment_name(name)
    except (UsageError, TypeError) as exc:
        return CheckResult(
            "deployment-name", "fail", str(getattr(exc, "message", exc)), getattr(exc, "fix", "")
        )
    return CheckResult("deployment-name", "pass", f"Deployment name {name}", data={"name": name})


def _check_existing(existing: Deployment, model_name: str, imported: Model | None) -> CheckResult:
    data = {"deployment": existing.to_dict()}
    serves = existing.model_name or existing.model_id
    same = serves in (model_name, imported.id if imported else None) or serves is None
    if not same:
        return CheckResult(
            "deployment-name",
            "fail",
            f"A deployment named {existing.name} already serves {serves} in {existing.zone}",
            "Choose another name for this model's deployment",
            {**data, "serves": serves},
        )
    if existing.state == "error":
        return CheckResult(
            "deployment-name",
            "fail",
            f"Deployment {existing.name} exists in {existing.zone} in state error",
            "Delete it first (its logs say why it failed), or choose another name",
            data,
            Action("delete-deployments", {"names": [existing.name], "zone": existing.zone}),
        )
    return CheckResult(
        "deployment-name",
        "warn",
        f"Deployment {existing.name} exists in {existing.zone} (state {existing.state})",
        "Deploying attaches to it instead of creating a second one",
        data,
    )


def _check_count(count: object) -> CheckResult:
    if count is None:
        return CheckResult("gpu-count", "pass", "GPU count: chosen to fit (it cannot change after creation)")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_GPU_COUNT:
        return CheckResult(
            "gpu-count",
            "fail",
            f"GPU count {shown(count)} is not a whole number from 1 to {MAX_GPU_COUNT}",
            f"Use 1 to {MAX_GPU_COUNT} GPUs (the API's range)",
        )
    return CheckResult(
        "gpu-count",
        "pass",
        f"{count} GPU(s) per replica (cannot change after creation)",
        data={"gpu_count": count},
    )


def _check_replicas(replicas: object) -> CheckResult:
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        return CheckResult(
            "replicas",
            "fail",
            f"Replicas {shown(replicas)}: a deployment starts with at least 1",
            "Create it with 1 replica; scale it to 0 later to stop paying for its GPUs",
        )
    return CheckResult("replicas", "pass", f"{replicas} replica(s)")


def _check_version(version: object) -> CheckResult:
    if version is None:
        return CheckResult(
            "engine-version", "pass", f"Engine version: the API's default ({DEFAULT_ENGINE_VERSION})"
        )
    if version not in ENGINE_VERSIONS:
        return CheckResult(
            "engine-version",
            "fail",
            f"Unknown inference engine version {shown(version)}",
            f"Use one of {', '.join(ENGINE_VERSIONS[-5:])} (or older, down to {ENGINE_VERSIONS[0]}), or "
            f"omit it for {DEFAULT_ENGINE_VERSION}",
            {"versions": list(ENGINE_VERSIONS)},
        )
    return CheckResult("engine-version", "pass", f"Engine version {version}")


def _check_model(
    model: str, imported: Model | None, report: PreflightReport | None, asked: bool, by_uuid: bool, zone: str
) -> CheckResult:
    if imported is not None:
        data = {"model": imported.to_dict()}
        if imported.state in READY_MODEL_STATES:
            return CheckResult(
                "model-ready", "pass", f"{imported.name} is imported in {zone} ({imported.state})", data=data
            )
        if imported.state == "error":
            return CheckResult(
                "model-ready",
                "fail",
                f"{imported.name} is in state error in {zone}: it cannot be deployed",
                "Delete the model and import it again (its preflight says why it failed)",
                data,
            )
        return CheckResult(
            "model-ready",
            "warn",
            f"{imported.name} is being imported in {zone} (state {imported.state})",
            "Deploying waits for the import to finish",
            data,
        )
    if not asked:
        return CheckResult("model-ready", "skip", "Skipped: Exoscale could not be asked")
    if by_uuid:
        return CheckResult(
            "model-ready",
            "fail",
            f"No model with id {model} in {zone}",
            "Check the id and the zone, or give the Hugging Face id to import it",
        )
    if report is not None and not report.ok:
        first = report.failures[0]
        return CheckResult(
            "model-ready",
            "fail",
            f"{model} is not imported in {zone}, and importing it would fail: {first.message}",
            first.fix,
        )
    return CheckResult(
        "model-ready",
        "warn",
        f"{model} is not imported in {zone} yet",
        "Deploying imports it first (its import checks pass)",
    )


def _zones_with(family: str, elsewhere: dict[str, list[InstanceType]]) -> list[str]:
    return sorted(
        z for z, types in elsewhere.items() if any(t.family == family and t.authorized for t in types)
    )


def _check_family(
    family: str, types: list[InstanceType], zone: str, elsewhere: dict[str, list[InstanceType]]
) -> CheckResult:
    authorized = sorted(t.family for t in types if t.authorized)
    here = next((t for t in types if t.family == family), None)
    zones = _zones_with(family, elsewhere)
    data = {"authorized": authorized, "zones": zones}
    where = f"; authorized for you in {', '.join(zones)}" if zones else ""
    if here is None:
        return CheckResult(
            "gpu-type",
            "fail",
            f"Unknown GPU family {shown(family)} in {zone}{where}",
            f"Use one of the families authorized in {zone}: {', '.join(authorized) or 'none'}",
            data,
        )
    if not here.authorized:
        return CheckResult(
            "gpu-type",
            "fail",
            f"GPU family {family} is not authorized for you in {zone}{where}",
            (
                f"Use one authorized here ({', '.join(authorized)})"
                if authorized
                else "No family is authorized here"
            )
            + (f", or deploy in {zones[0]}" if zones else "")
            + ", or ask Exoscale support for access",
            data,
        )
    known = gpus.FAMILIES.get(family)
    gpu = f" ({known.gpu}, {known.memory_gib} GB)" if known else ""
    return CheckResult("gpu-type", "pass", f"GPU family {family}{gpu} is authorized in {zone}", data=data)


def _choose(
    authorized: list[str], weights: int | None, count: int | None, elsewhere: dict[str, list[InstanceType]]
) -> tuple[CheckResult, str | None, int | None, str]:
    """Pick the smallest authorized family (and count) that fits; say why."""
    if count is not None:
        fitting = [gpus.fit(f, count, weights) for f in authorized if f in gpus.FAMILIES]
        best = (
            min((f for f in fitting if f.fits), key=lambda f: f.usable or 0, default=None)
            if weights
            else None
        )
    else:
        best = gpus.choose(authorized, weights)
    if best is not None:
        known = gpus.FAMILIES[best.family]
        reason = (
            f"Chose {best.family} × {best.gpu_count} ({known.gpu}, {known.memory_gib} GB each): the smallest "
            f"authorized choice that fits an estimated {gpus.gib(best.need)}"
        )
        return (
            CheckResult("gpu-type", "pass", reason, data={"chosen": best.family}),
            best.family,
            best.gpu_count,
            reason,
        )
    known_here = sorted(
        (f for f in authorized if f in gpus.FAMILIES), key=lambda f: gpus.FAMILIES[f].memory_gib
    )
    if not weights and known_here:
        reason = f"Chose {known_here[0]}, the smallest authorized family: the model's size is unknown"
        return (
            CheckResult(
                "gpu-type",
                "warn",
                reason,
                "Check the fit yourself, or pass gpu_type",
                {"chosen": known_here[0]},
            ),
            known_here[0],
            count or 1,
            reason,
        )
    if not authorized:
        return (
            CheckResult(
                "gpu-type",
                "fail",
                "No GPU family is authorized for you in this zone",
                "Ask Exoscale support for access, or choose another zone",
            ),
            None,
            None,
            "",
        )
    zones = sorted(
        {
            z
            for z, types in elsewhere.items()
            if gpus.choose([t.family for t in types if t.authorized], weights)
        }
    )
    where = f"; a fitting family is authorized in {', '.join(zones)}" if zones else ""
    return (
        CheckResult(
            "gpu-type",
            "fail",
            f"No authorized family here fits an estimated {gpus.gib(gpus.estimate_need(weights or 0))}"
            f"{where}",
            "Choose another zone, a quantized variant of the model, or ask Exoscale for larger GPUs",
            {"authorized": authorized, "zones": zones},
        ),
        None,
        None,
        "",
    )


def _check_fit(
    family: str | None,
    count: int,
    weights: int | None,
    authorized: list[str],
    elsewhere: dict[str, list[InstanceType]],
    chosen: bool,
) -> CheckResult:
    if family is None:
        return CheckResult("gpu-fit", "skip", "Skipped: no GPU family to fit")
    result = gpus.fit(family, count, weights)
    data: dict[str, Any] = {
        "need": result.need,
        "usable": result.usable,
        "headroom": result.headroom,
        "verdict": result.verdict,
        "formula": "core/gpus.py",
    }
    if result.usable is None:
        return CheckResult(
            "gpu-fit",
            "warn",
            f"Cannot estimate the fit: the memory of {family} is unknown here",
            "Check the family's GPU memory against the model's size yourself",
            data,
        )
    if result.need is None:
        return CheckResult(
            "gpu-fit",
            "warn",
            "Cannot estimate the fit: the model's size is unknown",
            "Check the model's size against the GPUs' memory yourself",
            data,
        )
    numbers = (
        f"an estimated {gpus.gib(result.need)} of {gpus.gib(result.usable)} usable on {count} × {family}"
    )
    if result.fits is False:
        better = gpus.choose(authorized, weights)
        alternative = (
            f"Use {better.family} × {better.gpu_count}"
            if better
            else "No authorized family here fits: choose another zone or a quantized variant"
        )
        if better:
            data["fits"] = {"gpu_type": better.family, "gpu_count": better.gpu_count}
        return CheckResult("gpu-fit", "fail", f"The model does not fit: {numbers}", alternative, data)
    headroom = result.headroom or 0.0
    if result.verdict == "tight":
        return CheckResult(
            "gpu-fit",
            "warn",
            f"Tight fit ({headroom:.0%} headroom): {numbers}",
            "More GPUs or a larger family leave room for longer contexts",
            data,
        )
    return CheckResult(
        "gpu-fit", "pass", f"Fits ({headroom:.0%} headroom): {numbers} (an estimate)", data=data
    )


def _check_args(
    args: tuple[str, ...], parameters: list[EngineParameter] | ExoModelsError | None, version: str | None
) -> CheckResult:
    if not args:
        return CheckResult("engine-args", "pass", "No extra engine arguments")
    if shell := [a for a in args if _SHELL.search(a)]:
        return CheckResult(
            "engine-args",
            "fail",
            f"Engine argument {shown(shell[0])} holds a shell character (; & | ` $ < > \\)",
            "The arguments go to the engine as they are, with no shell: remove the shell syntax",
        )
    if not isinstance(parameters, list):
        return CheckResult("engine-args", "skip", "Skipped: the engine's parameters could not be asked")
    by_flag = {flag: p for p in parameters for flag in p.flags}
    unknown: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if not arg.startswith("-"):
            continue  # a value of the flag before it
        flag, _, value = arg.partition("=")
        parameter = by_flag.get(flag)
        if parameter is None:
            unknown.append(flag)
            continue
        if not value and index < len(args) and not args[index].startswith("-") and parameter.allowed_values:
            value = args[index]
        if parameter.allowed_values and value and value not in parameter.allowed_values:
            return CheckResult(
                "engine-args",
                "fail",
                f"{flag} {shown(value)} is not one of its allowed values",
                f"Use one of: {', '.join(parameter.allowed_values)}",
                {"flag": flag, "allowed": list(parameter.allowed_values)},
            )
    for_version = version or DEFAULT_ENGINE_VERSION
    if unknown:
        return CheckResult(
            "engine-args",
            "warn",
            f"Unknown to engine {for_version}: {', '.join(unknown)}",
            "Check the spelling against the engine's parameters (the deployment fails on an unknown flag)",
            {"unknown": unknown},
        )
    return CheckResult(
        "engine-args", "pass", f"{len(args)} engine argument(s), all known to engine {for_version}"
    )


def _options(types: list[InstanceType], weights: int | None) -> tuple[GpuOption, ...]:
    out = []
    for t in types:
        known = gpus.FAMILIES.get(t.family)
        best = gpus.choose([t.family], weights) if weights else None
        verdict = gpus.fit(t.family, 1, weights).verdict if known and weights else "unknown"
        if best is not None and best.gpu_count > 1:
            verdict = f"fits on {best.gpu_count}"
        out.append(
            GpuOption(
                t.family,
                t.authorized,
                known.memory_gib if known else None,
                best.gpu_count if best else None,
                verdict,
            )
        )
    return tuple(sorted(out, key=lambda o: (not o.authorized, o.memory_gib or 10**6, o.family)))
