"""One tree of typed errors. Every one carries a human message, the fix, and a stable ``code`` that faces
and scripts compare (never the Python class name); none carries a secret. Every one pickles (a notebook's
result cache, a multiprocessing worker) and unpickles to an equal error."""

from __future__ import annotations

from typing import Any, ClassVar

from .fixes import Action, action_dict


def _rebuild(cls: type[ExoModelsError], args: tuple[Any, ...], state: dict[str, Any]) -> ExoModelsError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ExoModelsError(Exception):
    """Base class: ``message`` says what went wrong, ``fix`` what to do about it (naming no face's command),
    ``action`` the same as data each face phrases (see :mod:`core.fixes`), ``code`` which kind it is."""

    code: ClassVar[str] = "error"
    action: Action | None = None  # also for errors pickled before actions existed

    def __init__(self, message: str, *, fix: str = "", action: Action | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.action = action

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.fix}" if self.fix else self.message

    def __reduce__(self) -> tuple[Any, ...]:  # subclasses' own __init__ signatures need not take args back
        return _rebuild, (type(self), self.args, dict(self.__dict__))

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "action": action_dict(self.action),
        }


class UsageError(ExoModelsError):
    """A call was made with arguments that cannot be right (a negative timeout, a list where an id
    belongs)."""

    code = "usage"


class ConfigurationError(ExoModelsError):
    """Bad local configuration: unknown zone, malformed endpoint, unreadable config file."""

    code = "configuration"


class CredentialsMissingError(ConfigurationError):
    """No Exoscale key/secret (or no Hugging Face token where one is required)."""

    code = "credentials-missing"


class ExoConfigError(CredentialsMissingError):
    """The exo CLI's config file cannot give credentials: malformed, or naming an account it lacks.

    A credentials problem (every face reports it as missing credentials, with the fix), not a crash.
    """

    code = "exo-config"


class InsecureEndpointError(ConfigurationError):
    """A secret would travel over plain HTTP to a host that is not loopback."""

    code = "insecure-endpoint"


class InvalidModelIdError(ExoModelsError):
    """The model id is not a valid ``namespace/name`` Hugging Face repo id."""

    code = "repo-id"


class ExoscaleAPIError(ExoModelsError):
    """An Exoscale API call failed.

    Attributes:
        status: the HTTP status (None when no answer came).
        title, detail, problem_type: from the problem JSON (RFC 9457), or the legacy ``message``/``error``
            fields, or a plain-text body; redacted and cleaned for display.
        errors: a 422's ``errors[]`` (each ``{"detail", "location", "pointer", "path"}``), cleaned.
        body: the decoded JSON body (cleaned), or None.
        retry_after: seconds the server asked to wait (429/5xx), when it said.
        not_sent: the request never reached the server (connection refused): safe to retry, even a POST.
        timed_out: no whole answer within the deadline; the request may have been processed.
        after_ambiguous_attempt: an earlier attempt of the same call got no usable answer, so it may have
            been processed (a 404 on a retried DELETE then means "already deleted").
    """

    code = "exoscale-api"

    def __init__(
        self,
        message: str,
        *,
        fix: str = "",
        action: Action | None = None,
        status: int | None = None,
        title: str = "",
        detail: str = "",
        body: Any = None,
        problem_type: str = "",
        errors: list[dict[str, Any]] | None = None,
        retry_after: float | None = None,
        not_sent: bool = False,
        timed_out: bool = False,
    ) -> None:
        super().__init__(message, fix=fix, action=action)
        self.status = status
        self.title = title
        self.detail = detail
        self.body = body
        self.problem_type = problem_type
        self.errors = errors or []
        self.retry_after = retry_after
        self.not_sent = not_sent
        self.timed_out = timed_out
        self.after_ambiguous_attempt = False

    def to_dict(self) -> dict[str, Any]:
        data = {**super().to_dict(), "status": self.status, "title": self.title, "detail": self.detail}
        if self.problem_type:
            data["type"] = self.problem_type
        if self.errors:
            data["errors"] = self.errors
        return data


class AuthenticationError(ExoscaleAPIError):
    """401/403: key unknown, secret wrong, signature expired, or the IAM role lacks permission."""

    code = "credentials-rejected"


class NotFoundError(ExoscaleAPIError):
    """404: no such model or operation in this zone."""

    code = "not-found"


class ConflictError(ExoscaleAPIError):
    """409: a model of that name already exists in the zone."""

    code = "conflict"


class ModelInUseError(ExoscaleAPIError):
    """412 on delete: deployments still use the model (listed in ``deployments``)."""

    code = "model-in-use"

    def __init__(self, message: str, *, deployments: list[str], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.deployments = deployments


class GpuUnavailableError(ExoscaleAPIError):
    """412 on a deployment's create or scale: "probably insufficient GPUs" of that family in the zone."""

    code = "gpu-unavailable"


class RateLimitedError(ExoscaleAPIError):
    """429 that outlasted the retries."""

    code = "rate-limited"


class ServerError(ExoscaleAPIError):
    """5xx that outlasted the retries."""

    code = "exoscale-server"


class TransportError(ExoscaleAPIError):
    """Connection refused/reset, DNS, TLS or timeout: no HTTP answer at all."""

    code = "exoscale-unreachable"


class HubError(ExoModelsError):
    """The Hugging Face Hub could not be asked (network, 5xx): not a verdict on the repo."""

    code = "hub-unreachable"


class PreflightFailed(ExoModelsError):
    """Import refused because a preflight check failed. ``report`` has every check."""

    code = "preflight-failed"

    def __init__(self, report: Any) -> None:
        # a deployment's report also holds the failures of the import it would start
        failed = list(
            getattr(report, "all_failures", None) or [c for c in report.checks if c.status == "fail"]
        )
        first = failed[0] if failed else None
        super().__init__(
            "Preflight failed: " + "; ".join(f"[{c.id}] {c.message}" for c in failed),
            fix=first.fix if first else "",
            action=first.action if first else None,
        )
        self.report = report


class ImportFailed(ExoModelsError):
    """The model ended in ``error`` at Exoscale. ``diagnosis`` names the likely cause."""

    code = "import-failed"

    def __init__(
        self,
        message: str,
        *,
        fix: str = "",
        action: Action | None = None,
        model: Any = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(message, fix=fix, action=action)
        self.model = model
        self.cause = cause

    def to_dict(self) -> dict[str, Any]:
        model = self.model.to_dict() if self.model is not None else None
        return {**super().to_dict(), "cause": self.cause, "model": model}  # the failed model is still listed


class WatchTimeout(ExoModelsError):
    """Stopped waiting after ``timeout`` seconds; the job goes on at Exoscale."""

    code = "watch-timeout"


class WatchStopped(ExoModelsError):
    """``stop()`` ended the watch before the verdict; the job goes on at Exoscale."""

    code = "watch-stopped"


class TokenRejected(HubError):
    """The Hub answered 401 "Invalid credentials": the token is wrong or revoked."""

    code = "hf-token"


class LoopStopped(ExoModelsError):
    """The package's background loop stopped before this finished."""

    code = "loop-stopped"

    def __init__(self) -> None:
        super().__init__(
            "The package's background loop stopped before this finished",
            fix="Call again: a new background loop starts with the next call",
        )


class DeploymentFailed(ExoModelsError):
    """The deployment ended in ``error``, its import failed, or its smoke test did not answer.

    Attributes:
        cause: the likely cause, a check id (``gpu-fit``, ``gpu-type``, ``engine-args``, ``engine-version``,
            ``hf-token``) or an endpoint cause (``endpoint-key``, ``endpoint-path``, ``endpoint-unavailable``,
            ``endpoint-error``), else ``exoscale``.
        deployment: the deployment as last seen (None when it was never created).
        logs: the last log lines (redacted and cleaned), newest last.
    """

    code = "deployment-failed"

    def __init__(
        self,
        message: str,
        *,
        fix: str = "",
        cause: str | None = None,
        deployment: Any = None,
        logs: tuple[str, ...] = (),
        action: Action | None = None,
    ) -> None:
        super().__init__(message, fix=fix, action=action)
        self.cause = cause
        self.deployment = deployment
        self.logs = logs

    def to_dict(self) -> dict[str, Any]:
        deployment = self.deployment.to_dict() if self.deployment is not None else None
        return {**super().to_dict(), "cause": self.cause, "deployment": deployment, "logs": list(self.logs)}


class EndpointError(ExoModelsError):
    """The deployment's OpenAI-compatible endpoint refused or failed a request.

    Attributes:
        status: the HTTP status (None when no answer came).
        cause: ``endpoint-key`` (401/403), ``endpoint-path`` (404), ``endpoint-unavailable`` (503: scaled to
            zero or still loading), ``endpoint-error`` (anything else).
    """

    code = "endpoint"

    def __init__(
        self,
        message: str,
        *,
        fix: str = "",
        status: int | None = None,
        cause: str = "endpoint-error",
        action: Action | None = None,
    ) -> None:
        super().__init__(message, fix=fix, action=action)
        self.status = status
        self.cause = cause


class MissingExtraError(ExoModelsError):
    """An optional dependency is not installed (``pip install 'jupyter_exo_models[extra]'``)."""

    code = "missing-extra"
