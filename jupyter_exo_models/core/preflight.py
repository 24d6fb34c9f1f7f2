"""Preflight: every reason an import would fail, found before anything is sent to Exoscale.

The check ids are a public interface (README, "Preflight checks"). The Hub questions (whoami,
model_info, auth-check) and the Exoscale question (the zone's model list) are
asked concurrently, so a whole preflight costs about one round trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .config import ZONES, Endpoints, current_endpoints
from .credentials import HF_TOKENS_URL, ExoscaleCredentials, HfToken, resolve_exoscale, resolve_hf_token
from .errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsMissingError,
    ExoModelsError,
    InvalidModelIdError,
)
from .exoscale.client import ExoscaleClient
from .exoscale.models import Model, find_existing
from .fixes import Action, action_dict
from .hub import HubClient, HubFacts, TokenInfo, check_repo_id
from .secrets import Secret

Status = Literal["pass", "warn", "fail", "skip"]

CHECK_IDS: tuple[str, ...] = (
    "repo-id",
    "hf-token",
    "repo-access",
    "repo-id-case",
    "gated-access",
    "weights-format",
    "exoscale-credentials",
    "zone",
    "already-imported",
    "license",
    "size",
)
LICENSE_RESPONSIBILITY = (
    "Exoscale downloads the model files you request. You remain responsible for following the model "
    "license and any terms set by the model owner."
)
GATED_TOKEN_URL = "https://huggingface.co/settings/tokens/new?canReadGatedRepos=true&tokenType=fineGrained"
IN_PROGRESS = ("creating", "downloading")


@dataclass(frozen=True)
class CheckResult:
    """One check: ``status`` is pass, warn, fail or skip; ``fix`` says what to do, ``action`` the same as
    data each face phrases (see :mod:`core.fixes`); ``data`` feeds UIs."""

    id: str
    status: Status
    message: str
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    action: Action | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "message": self.message,
            "fix": self.fix,
            "data": self.data,
            "action": action_dict(self.action),
        }


class Checks:
    """What every report of checks shares (an import's preflight, a deployment's): the verdict, lookup
    by check id, the dict form and the one text rendering of a list of checks."""

    model: str
    zone: str
    checks: tuple[CheckResult, ...]
    sandbox: bool
    title: ClassVar[str] = "Preflight"

    @property
    def ok(self) -> bool:
        return not any(c.status == "fail" for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "warn"]

    def __getitem__(self, check_id: str) -> CheckResult:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def _verdict(self) -> str:
        return "ready" if self.ok else f"{len(self.failures)} problem(s)"

    def __repr__(self) -> str:
        verdict = self._verdict() if self.ok else "failed: " + ", ".join(c.id for c in self.failures)
        return f"<{type(self).__name__} {self.model} in {self.zone}: {verdict}>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "zone": self.zone,
            "ok": self.ok,
            "sandbox": self.sandbox,
            "checks": [c.to_dict() for c in self.checks],
        }

    def __str__(self) -> str:
        return self.text()

    def text(self, phrase: Callable[[Action], str | None] = lambda action: None) -> str:
        """One line per check, with the fixes; ``phrase`` words a fix's action as the caller's face does."""
        marks = {"pass": "✔", "warn": "!", "fail": "✘", "skip": "-"}
        head = f"{self.title} for {self.model} in {self.zone}{' [SANDBOX]' if self.sandbox else ''}: "
        lines = [head + self._verdict()]
        for c in self.checks:
            lines.append(f"  {marks[c.status]} {c.id:<21} {c.message}")
            if c.fix and c.status in ("fail", "warn"):
                lines.append(f"  {'':<23} fix: {c.fix}")
                command = phrase(c.action) if c.action else None
                if command:
                    lines.append(f"  {'':<23} run: {command}")
        return "\n".join(lines)


@dataclass(frozen=True, repr=False)
class PreflightReport(Checks):
    model: str
    zone: str
    checks: tuple[CheckResult, ...]
    sandbox: bool = False
    existing: Model | None = field(default=None, compare=False)  # the model of that name in the zone

    def _verdict(self) -> str:
        return "ready to import" if self.ok else f"{len(self.failures)} problem(s)"

    @property
    def canonical_id(self) -> str | None:
        return self["repo-id-case"].data.get("canonical_id")


class _Shared:
    """Answers shared by a batch of preflights: one whoami, one model list per zone."""

    def __init__(self, hub: HubClient, exoscale: ExoscaleCredentials | None, endpoints: Endpoints) -> None:
        self.hub = hub
        self.exoscale = exoscale
        self.endpoints = endpoints
        self._whoami: asyncio.Future[TokenInfo] | None = None
        self._models: dict[str, asyncio.Future[list[Model]]] = {}

    def whoami(self, has_token: bool) -> asyncio.Future[TokenInfo] | None:
        if has_token and self._whoami is None:
            self._whoami = asyncio.ensure_future(self.hub.whoami())
        return self._whoami

    def models(self, zone: str) -> asyncio.Future[list[Model]]:
        if zone not in self._models:
            self._models[zone] = asyncio.ensure_future(self._list(zone))
        return self._models[zone]

    async def _list(self, zone: str) -> list[Model]:
        if self.exoscale is None:
            raise CredentialsMissingError("No Exoscale credentials")
        async with ExoscaleClient(self.exoscale, zone, endpoints=self.endpoints) as client:
            return await client.list_models()


async def preflight(
    model_id: str,
    *,
    zone: str | None = None,
    hf_token: str | Secret | bool | None = None,
    exoscale: ExoscaleCredentials | None = None,
) -> PreflightReport:
    """Run every preflight check (README, "Preflight checks") for one model.

    Args:
        model_id: the Hugging Face repo id, exactly as it would be sent to Exoscale.
        zone: the Exoscale zone (default: EXOSCALE_ZONE, the exo config's, or de-fra-1).
        hf_token: a token to use instead of the one found in the environment.
        exoscale: credentials to use instead of the ones found in the environment.

    Returns:
        A report whose ``ok`` is false when any check failed; never raises for a bad id,
        token, zone or credentials: those are check results.

    Example:
        >>> report = await preflight("sandbox-gated/Llama-Gated-8B", zone="de-fra-1")
        >>> report["gated-access"].status
        'fail'
    """
    [report] = await preflight_many([model_id], zone=zone, hf_token=hf_token, exoscale=exoscale)
    return report


async def preflight_many(
    model_ids: Sequence[str],
    *,
    zone: str | None = None,
    hf_token: str | Secret | bool | None = None,
    exoscale: ExoscaleCredentials | None = None,
    concurrency: int = 32,
) -> list[PreflightReport]:
    """Preflight several models at once, sharing whoami and the zone's model list; order is kept.

    Hub requests are further bounded by the Hub thread pool (64), so a large batch never floods the Hub.
    """
    endpoints = current_endpoints()
    token = resolve_hf_token(hf_token)
    credentials, credentials_error = _exoscale_credentials(exoscale, zone)
    zone_name = (zone or (credentials.zone if credentials else None) or _default_zone()).strip().lower()
    usable = token if token is not None and token.well_formed else None  # a malformed token is never sent
    hub = HubClient(endpoints.hub, usable.value if usable else None)
    shared = _Shared(hub, credentials, endpoints)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(model_id: str) -> PreflightReport:
        async with gate:
            return await _preflight_one(model_id, zone_name, token, credentials_error, shared)

    return list(await asyncio.gather(*(one(m) for m in model_ids)))


def _default_zone() -> str:
    from .credentials import default_zone

    return default_zone()


def _exoscale_credentials(
    explicit: ExoscaleCredentials | None, zone: str | None
) -> tuple[ExoscaleCredentials | None, ExoModelsError | None]:
    if explicit is not None:
        return explicit, None
    try:
        return resolve_exoscale(zone=zone), None
    except (CredentialsMissingError, ConfigurationError) as exc:
        return None, exc


async def _preflight_one(
    model_id: str,
    zone: str,
    token: HfToken | None,
    credentials_error: ExoModelsError | None,
    shared: _Shared,
) -> PreflightReport:
    results: dict[str, CheckResult] = {}
    zone_ok = zone in ZONES
    results["zone"] = (
        CheckResult("zone", "pass", f"Zone {zone}")
        if zone_ok
        else CheckResult(
            "zone",
            "fail",
            f"Unknown zone {zone!r}",
            "Use one of: " + ", ".join(ZONES),
            {"zones": list(ZONES)},
        )
    )
    try:
        check_repo_id(model_id)
        results["repo-id"] = CheckResult("repo-id", "pass", f"{model_id} is a valid repo id")
    except InvalidModelIdError as exc:
        results["repo-id"] = CheckResult("repo-id", "fail", exc.message, exc.fix, action=exc.action)

    id_ok = results["repo-id"].status == "pass"
    models_task = shared.models(zone) if (id_ok and zone_ok and shared.exoscale is not None) else None
    if id_ok:
        whoami = shared.whoami(token is not None and token.well_formed)
        facts = await shared.hub.facts(model_id, whoami=whoami)
        results.update(_hub_checks(model_id, token, facts, shared.endpoints.hub))
    else:
        skipped = "Skipped: the model id is invalid, so nothing was sent"
        for check_id in (
            "hf-token",
            "repo-access",
            "repo-id-case",
            "gated-access",
            "weights-format",
            "license",
            "size",
        ):
            results[check_id] = CheckResult(check_id, "skip", skipped)

    existing = await _exoscale_checks(model_id, zone, results, models_task, shared, credentials_error)
    return PreflightReport(
        model=model_id,
        zone=zone,
        checks=tuple(results[c] for c in CHECK_IDS),
        sandbox=shared.endpoints.sandbox,
        existing=existing,
    )


def _hub_checks(
    model_id: str, token: HfToken | None, facts: HubFacts, hub_url: str
) -> dict[str, CheckResult]:
    hub_ids = ("hf-token", "repo-access", "repo-id-case", "gated-access", "weights-format", "license", "size")
    if facts.unreachable is not None:
        err = facts.unreachable
        return {
            c: CheckResult(
                c, "fail" if c == "repo-access" else "skip", err.message, err.fix, action=err.action
            )
            for c in hub_ids
        }
    repo = facts.repo
    out = {"hf-token": _check_token(model_id, token, facts)}
    canonical = repo.id if repo else model_id
    url = f"{hub_url}/{canonical}"

    if repo is None:
        who = f" as {facts.token.user}" if facts.token else " anonymously"
        out["repo-access"] = CheckResult(
            "repo-access",
            "fail",
            f"{model_id} was not found{who}: it does not exist, or it is private and this token "
            "cannot read it",
            "Check the spelling at huggingface.co; if the repo is private, its owner must give your account "
            "access (or use a token of an account that has it)",
        )
    else:
        visibility = "private" if repo.private else ("gated" if repo.gated else "public")
        out["repo-access"] = CheckResult(
            "repo-access",
            "pass",
            f"{repo.id} is {visibility} and visible to this token",
            data={"private": repo.private, "url": url},
        )

    if repo is None:
        out["repo-id-case"] = CheckResult("repo-id-case", "skip", "Skipped: the repo was not found")
    elif repo.id != model_id:
        out["repo-id-case"] = CheckResult(
            "repo-id-case",
            "fail",
            f"Capitalization differs: the Hub's id is {repo.id}, not {model_id}; Exoscale needs the exact id",
            f"Use {repo.id}",
            {"canonical_id": repo.id},
            Action("use-id", {"model": repo.id}),
        )
    else:
        out["repo-id-case"] = CheckResult(
            "repo-id-case", "pass", "The id matches the Hub's exactly", data={"canonical_id": repo.id}
        )

    out["gated-access"] = _check_gate(model_id, token, facts, url)
    out["weights-format"] = _check_weights(facts)
    if repo is None:
        out["license"] = CheckResult("license", "skip", "Skipped: the repo was not found")
        out["size"] = CheckResult("size", "skip", "Skipped: the repo was not found")
    else:
        out["license"] = CheckResult(
            "license",
            "pass",
            f"License: {repo.license or 'not stated in the model card'}. {LICENSE_RESPONSIBILITY}",
            data={"license": repo.license, "url": url},
        )
        weights = [f for f in repo.files if f.name.endswith(".safetensors")]
        total = sum(f.size or 0 for f in weights) if weights else None
        params = f", {human_count(repo.parameters)} parameters" if repo.parameters else ""
        size = f"{human_bytes(total)} of safetensors weights" if total else "Download size unknown"
        out["size"] = CheckResult(
            "size",
            "pass",
            size + params,
            data={"bytes": total, "parameters": repo.parameters, "dtypes": dict(repo.parameters_by_dtype)},
        )
    return out


def _check_token(model_id: str, token: HfToken | None, facts: HubFacts) -> CheckResult:
    repo = facts.repo
    needs_token = repo is None or repo.private or bool(repo.gated)
    if token is None:
        if not needs_token:
            return CheckResult(
                "hf-token", "pass", "No token, and none needed: the repo is public and not gated"
            )
        what = "gated" if repo and repo.gated else "private (or missing)"
        return CheckResult(
            "hf-token",
            "fail",
            f"No Hugging Face token, and {model_id} is {what}",
            f"Create a read token at {HF_TOKENS_URL}, then set HF_TOKEN or log in",
            action=Action("login-hf"),
        )
    if not token.well_formed:
        return CheckResult(
            "hf-token",
            "fail",
            token.malformed_message,
            f"Copy the token again from {HF_TOKENS_URL} (it starts with hf_)",
        )
    if facts.token_error:
        return CheckResult(
            "hf-token",
            "fail",
            f"The Hugging Face token from {token.source} ({token.value.masked}) is invalid or revoked",
            f"Create a new read token at {HF_TOKENS_URL}",
        )
    info = facts.token
    data: dict[str, Any] = {"source": token.source, "masked": token.value.masked}
    if info is not None:
        data.update(
            {
                "user": info.user,
                "orgs": list(info.orgs),
                "token_name": info.name,
                "role": info.role,
                "can_read_gated": info.can_read_gated,
                "summary": info.summary(),
            }
        )
    label = f"Fine-grained token {info.name!r}" if info and info.fine_grained else "The token"
    if facts.access == "no-gated-permission":
        # the Hub's own verdict (403 without an error code), whatever whoami says of the token's scopes
        return CheckResult(
            "hf-token",
            "fail",
            f"{label} may not read public gated repos: the Hub refused it for {facts.repo_id}"
            + (f" ({facts.access_message})" if facts.access_message else ""),
            "Enable access to public gated repositories in the token's settings (or scope the token to "
            f"{repo.id if repo else model_id}): {HF_TOKENS_URL}",
            data,
        )
    # the Hub's access check reached the repo's gate or passed: the token's permissions suffice for it
    hub_says_readable = facts.access in ("granted", "not-accepted", "pending")
    if info is None:
        problem = facts.token_problem
        why = problem.message if problem else "the Hub did not say whom it belongs to"
        if hub_says_readable:
            return CheckResult(
                "hf-token",
                "pass",
                f"The Hub accepts the token from {token.source} for {facts.repo_id}"
                f" (who it belongs to is unknown: {why})",
                data=data,
            )
        return CheckResult(
            "hf-token",
            "warn",
            f"The token from {token.source} could not be checked: {why}",
            problem.fix if problem else "",
            data,
        )
    if info.fine_grained and repo is not None and not hub_says_readable:
        if repo.private and not info.may_read(repo.id):
            return CheckResult(
                "hf-token",
                "fail",
                f"Fine-grained token {info.name!r} is not scoped to read {repo.id} or its owner",
                f"Edit the token at {HF_TOKENS_URL}: add read access to {repo.id} "
                f"(or {repo.id.split('/')[0]})",
                data,
            )
        if repo.gated and not repo.private and not info.can_read_gated and not info.may_read(repo.id):
            return CheckResult(
                "hf-token",
                "fail",
                f"Fine-grained token {info.name!r} may not read public gated repos",
                "Enable access to public gated repositories in the token's settings "
                "('Read access to contents of "
                f"all public gated repos you can access'), or scope it to {repo.id} ({GATED_TOKEN_URL})",
                data,
            )
    if info.fine_grained and repo is None and not info.may_read(model_id):
        owner = model_id.split("/", 1)[0]
        if owner.lower() in {info.user.lower(), *(o.lower() for o in info.orgs)}:
            # the account could read its own (or its org's) private repo: the token's scope is what hides it
            return CheckResult(
                "hf-token",
                "fail",
                f"Fine-grained token {info.name!r} is not scoped to {owner}, "
                f"so it cannot see {owner}'s private repos",
                f"Edit the token at {HF_TOKENS_URL}: add read access to {model_id} (or to {owner})",
                data,
            )
        return CheckResult(
            "hf-token",
            "warn",
            f"Fine-grained token {info.name!r} is not scoped to {model_id}: "
            "if the repo is private, it cannot read it",
            f"Edit the token at {HF_TOKENS_URL} to add read access to it",
            data,
        )
    return CheckResult("hf-token", "pass", f"Token of {info.summary()} (from {token.source})", data=data)


def _check_gate(model_id: str, token: HfToken | None, facts: HubFacts, url: str) -> CheckResult:
    repo = facts.repo
    if repo is None:
        return CheckResult("gated-access", "skip", "Skipped: the repo was not found")
    if not repo.gated:
        return CheckResult("gated-access", "pass", "Not gated")
    data: dict[str, Any] = {"gated": repo.gated, "url": url, **repo.gate}
    if facts.access == "granted":
        return CheckResult(
            "gated-access", "pass", "Gated, and your access is granted", data={**data, "state": "granted"}
        )
    if token is None or not token.well_formed or facts.token_error:
        return CheckResult(
            "gated-access",
            "fail",
            f"{repo.id} is gated: downloading it needs a valid token of an account with access",
            f"Sign in, accept the conditions at {url}, and provide that account's token",
            {**data, "state": "unknown"},
        )
    if facts.access == "no-gated-permission":
        return CheckResult(
            "gated-access",
            "skip",
            "Cannot tell whether you accepted: the token may not read gated repos",
            data={**data, "state": "unknown"},
        )
    if facts.access not in ("pending", "not-accepted"):
        why = f" ({facts.access_message})" if facts.access_message else ""
        return CheckResult(
            "gated-access",
            "warn",
            f"The Hub did not say whether your access to {repo.id} is granted{why}",
            f"Check {url} in a browser signed in as the token's account",
            {**data, "state": "unknown"},
        )
    user = facts.token.user if facts.token else "your account"
    if facts.access == "pending" and repo.gated != "auto":  # an automatic gate never waits for anyone
        return CheckResult(
            "gated-access",
            "fail",
            f"Access to {repo.id} was requested by {user} and awaits the authors' approval (manual gate)",
            f"Wait for the repo authors to approve the request (see {url}), then re-check",
            {**data, "state": "pending"},
        )
    return CheckResult(
        "gated-access",
        "fail",
        f"{user} has not accepted the conditions of gated repo {repo.id}",
        f"Open {url}, accept the conditions"
        + (" (the authors then review the request)" if repo.gated == "manual" else "")
        + ", then re-check"
        + _gate_summary(repo.gate),
        {**data, "state": "not-accepted"},
        Action("accept-terms", {"url": url}),
    )


def _gate_summary(gate: dict[str, Any]) -> str:
    """What the Hub's form will ask, in one line, so a terminal shows it too (UIs render ``data``)."""
    text = " — ".join(str(gate[k]).strip() for k in ("heading", "prompt") if gate.get(k))
    if len(text) > 240:
        text = text[:239] + "…"
    names = ", ".join(field_label(f) for f in gate.get("fields") or ())
    return (f". The gate asks: {text}" if text else "") + (f" (fields: {names})" if names else "")


def field_label(field: dict[str, Any]) -> str:
    """One gate field as text: ``Use (one of: Research, Education)``, ``Company (text)``."""
    if field.get("options"):
        return f"{field['name']} (one of: {', '.join(field['options'])})"
    if field.get("type") == "ip_location":
        return f"{field['name']} (your IP location, recorded by the Hub)"
    return f"{field['name']} ({field.get('type', 'text')})"


def _check_weights(facts: HubFacts) -> CheckResult:
    repo = facts.repo
    if repo is None:
        return CheckResult("weights-format", "skip", "Skipped: the repo was not found")
    names = [f.name for f in repo.files]
    safetensors = [n for n in names if n.endswith(".safetensors")]
    if safetensors:
        index = any(n.endswith(".safetensors.index.json") for n in names)
        shape = f"{len(safetensors)} shards with an index" if index else f"{len(safetensors)} file(s)"
        if len(safetensors) > 1 and not index:
            return CheckResult(
                "weights-format",
                "warn",
                f"safetensors weights in {shape}, but no *.safetensors.index.json",
                "Sharded weights usually come with model.safetensors.index.json; check the repo is complete",
                {"files": safetensors},
            )
        return CheckResult(
            "weights-format", "pass", f"safetensors weights ({shape})", data={"files": safetensors}
        )
    gguf = [n for n in names if n.endswith(".gguf")]
    pickles = [n for n in names if n.endswith((".bin", ".pt", ".pth", ".ckpt"))]
    if gguf and not pickles:
        return CheckResult(
            "weights-format",
            "warn",
            f"Only GGUF weights ({', '.join(_few(gguf))}); Dedicated Inference supports safetensors",
            "Prefer the original safetensors repo of this model; GGUF imports may fail",
            {"files": gguf},
        )
    found = ", ".join(_few(pickles + gguf)) if pickles or gguf else "no weight files at all"
    return CheckResult(
        "weights-format",
        "fail",
        f"No safetensors weights: found {found}",
        "Use a repo that publishes *.safetensors (many have a safetensors variant or a conversion PR)",
        {"files": pickles + gguf},
    )


async def _exoscale_checks(
    model_id: str,
    zone: str,
    results: dict[str, CheckResult],
    models_task: asyncio.Future[list[Model]] | None,
    shared: _Shared,
    credentials_error: ExoModelsError | None,
) -> Model | None:
    """Fill in exoscale-credentials and already-imported; return the model of that name, if any."""
    out = results
    if credentials_error is not None:
        out["exoscale-credentials"] = CheckResult(
            "exoscale-credentials",
            "fail",
            credentials_error.message,
            credentials_error.fix,
            action=credentials_error.action,
        )
        out["already-imported"] = CheckResult("already-imported", "skip", "Skipped: no Exoscale credentials")
        return None
    if models_task is None:
        reason = "the zone is unknown" if results["zone"].status == "fail" else "the model id is invalid"
        for check_id in ("exoscale-credentials", "already-imported"):
            out[check_id] = CheckResult(check_id, "skip", f"Skipped: {reason}, so nothing was sent")
        return None
    creds = shared.exoscale
    assert creds is not None
    try:
        models = await models_task
    except AuthenticationError as exc:
        out["exoscale-credentials"] = CheckResult(
            "exoscale-credentials",
            "fail",
            f"Exoscale rejected key {creds.key} ({creds.source}): {exc.detail or exc.message}",
            exc.fix,
            action=exc.action,
        )
        out["already-imported"] = CheckResult(
            "already-imported", "skip", "Skipped: Exoscale credentials rejected"
        )
        return None
    except ExoModelsError as exc:
        out["exoscale-credentials"] = CheckResult(
            "exoscale-credentials", "fail", exc.message, exc.fix, action=exc.action
        )
        out["already-imported"] = CheckResult(
            "already-imported", "skip", "Skipped: Exoscale could not be asked"
        )
        return None
    out["exoscale-credentials"] = CheckResult(
        "exoscale-credentials",
        "pass",
        f"Key {creds.key} ({creds.source}) may use Dedicated Inference in {zone}",
        data={"key": creds.key, "source": creds.source},
    )
    model = find_existing(models, {model_id, results["repo-id-case"].data.get("canonical_id") or model_id})
    out["already-imported"] = _check_existing(model, zone)
    return model


def _check_existing(model: Model | None, zone: str) -> CheckResult:
    if model is None:
        return CheckResult("already-imported", "pass", f"Not yet imported in {zone}")
    data = {"model": model.to_dict()}
    if model.state == "error":
        return CheckResult(
            "already-imported",
            "fail",
            f"{model.name} exists in {zone} in state error (id {model.id})",
            "Delete it first, then import again",
            data,
            Action("delete-model", {"model": model.name, "id": model.id, "zone": zone}),
        )
    verb = "is being imported" if model.state in IN_PROGRESS else "is already imported"
    return CheckResult(
        "already-imported",
        "warn",
        f"{model.name} {verb} in {zone} (state {model.state}, id {model.id})",
        "Importing attaches to it instead of creating a duplicate",
        data,
    )


def _few(items: list[str], n: int = 3) -> list[str]:
    return items[:n] + ([f"… {len(items) - n} more"] if len(items) > n else [])


def human_bytes(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def human_count(n: int | None) -> str:
    if not n:
        return "?"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            return f"{n / div:.1f}{suffix}"
    return str(n)
