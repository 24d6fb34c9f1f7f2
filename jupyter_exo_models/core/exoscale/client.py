"""Exoscale API v2 client for Dedicated Inference models, on httpx.

Idempotent calls (GET, DELETE) are retried on 429 (honouring Retry-After),
502/503/504 and connection errors. The create POST is never retried blindly:
after an ambiguous failure the zone is searched for the model first, and a
409 is answered by adopting the existing model, so one name is created once.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from ..clock import SYSTEM_CLOCK, Clock
from ..config import Endpoints, current_endpoints, ensure_safe_url, validate_zone
from ..credentials import EXOSCALE_KEYS_URL, ExoscaleCredentials
from ..errors import (
    AuthenticationError,
    ConflictError,
    ExoscaleAPIError,
    ModelInUseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from ..secrets import Secret
from .auth import ExoscaleV2Signer
from .models import Model, Operation, Zone

T = TypeVar("T")

log = logging.getLogger("jupyter_exo_models.exoscale")

RETRY_STATUSES = {429, 500, 502, 503, 504}  # safe for idempotent calls only
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class CreateResult:
    """What ``create_model`` led to: a new operation, or an existing model adopted."""

    operation: Operation | None
    model: Model | None
    adopted: bool


class ExoscaleClient:
    """Async client for one zone. Use as ``async with ExoscaleClient(credentials, zone) as client:``.

    Args:
        credentials: the key and secret (the secret stays masked in every repr).
        zone: the zone; defaults to the credentials' zone.
        endpoints: where to send requests (default: the sandbox's or the environment's).
        transport: an httpx transport (tests).
        timeout: seconds per request.
        max_retries: retries of an idempotent call.

    Raises (from every call):
        AuthenticationError, NotFoundError, ConflictError, ModelInUseError, RateLimitedError,
        ServerError, TransportError, ExoscaleAPIError: each with the server's title/detail and a fix.
        InsecureEndpointError: the endpoint is plain HTTP to a non-loopback host (nothing is sent).
    """

    def __init__(
        self,
        credentials: ExoscaleCredentials,
        zone: str | None = None,
        *,
        endpoints: Endpoints | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.zone = validate_zone(zone or credentials.zone)
        self.credentials = credentials
        self.base_url = (endpoints or current_endpoints()).exoscale(self.zone)
        ensure_safe_url(self.base_url)
        self.max_retries = max_retries
        self._clock = clock
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=ExoscaleV2Signer(credentials.key, credentials.secret),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "jupyter-exo-models", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"<ExoscaleClient zone={self.zone} endpoint={self.base_url} key={self.credentials.key}>"

    async def __aenter__(self) -> ExoscaleClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- calls --------------------------------------------------------------------------------
    async def list_zones(self) -> list[Zone]:
        data = await self._request("GET", "/zone")
        return _shaped("GET /zone", lambda: [Zone(z["name"], z.get("api-endpoint")) for z in data.get("zones", [])])

    async def list_models(self) -> list[Model]:
        data = await self._request("GET", "/ai/model")
        return _shaped("GET /ai/model", lambda: [Model.from_api(m, self.zone) for m in data.get("models") or []])

    async def get_model(self, model_id: str) -> Model:
        data = await self._request("GET", f"/ai/model/{model_id}")
        return _shaped("GET /ai/model/{id}", lambda: Model.from_api(data, self.zone))

    async def find_model(self, name: str) -> Model | None:
        """The model with exactly this name (case-sensitive), preferring one not in error."""
        found = [m for m in await self.list_models() if m.name == name]
        return next((m for m in found if m.state != "error"), found[0] if found else None)

    async def get_operation(self, operation_id: str) -> Operation:
        data = await self._request("GET", f"/operation/{operation_id}")
        return _shaped("GET /operation/{id}", lambda: Operation.from_api(data, self.zone))

    async def delete_model(self, model_id: str) -> Operation:
        try:
            data = await self._request("DELETE", f"/ai/model/{model_id}")
            return _shaped("DELETE /ai/model/{id}", lambda: Operation.from_api(data, self.zone))
        except NotFoundError as exc:
            if not getattr(exc, "after_ambiguous_attempt", False):
                raise
            # an earlier attempt deleted it but its answer was lost: the model is gone, as asked
            return Operation(id="", state="success", zone=self.zone, reference_id=model_id)

    async def create_model(self, name: str, hf_token: Secret | None = None, *, attempts: int = 6) -> CreateResult:
        """Create the model once, adopting an existing one rather than ever creating a duplicate."""
        body: dict[str, Any] = {"name": name}
        for attempt in range(1, attempts + 1):
            if hf_token:
                body["huggingface-token"] = hf_token.reveal()
            try:
                data = await self._send("POST", "/ai/model", json_body=body)
                return CreateResult(_shaped("POST /ai/model", lambda: Operation.from_api(data, self.zone)), None,
                                    adopted=False)
            except ConflictError:
                existing = await self.find_model(name)
                if existing is None:
                    raise
                return CreateResult(None, existing, adopted=True)
            except (TransportError, ServerError, RateLimitedError) as exc:
                if attempt == attempts:
                    raise
                if not getattr(exc, "not_sent", False) and not isinstance(exc, RateLimitedError):
                    # the request may have been processed: look before trying again
                    existing = await self.find_model(name)
                    if existing is not None:
                        log.debug("create of %s answered ambiguously; adopting the existing model", name)
                        return CreateResult(None, existing, adopted=True)
                await self._backoff(attempt, getattr(exc, "retry_after", None))
            finally:
                body.pop("huggingface-token", None)
        raise AssertionError("unreachable")

    # -- plumbing -----------------------------------------------------------------------------
    async def _request(self, method: str, path: str) -> dict[str, Any]:
        """An idempotent call, retried on rate limits, gateway errors and connection failures.

        A request that timed out is retried once only: a server that hangs would otherwise cost minutes.
        """
        ambiguous = timeouts = 0
        for attempt in range(self.max_retries + 1):
            try:
                return await self._send(method, path)
            except (TransportError, RateLimitedError, ServerError) as exc:
                retryable = isinstance(exc, TransportError) or exc.status in RETRY_STATUSES
                timeouts += bool(getattr(exc, "timed_out", False))
                if not retryable or attempt == self.max_retries or timeouts > 1:
                    raise
                ambiguous += not getattr(exc, "not_sent", False)
                await self._backoff(attempt + 1, getattr(exc, "retry_after", None))
            except ExoscaleAPIError as exc:
                exc.after_ambiguous_attempt = ambiguous > 0  # type: ignore[attr-defined]
                raise
        raise AssertionError("unreachable")

    async def _backoff(self, attempt: int, retry_after: float | None) -> None:
        delay = retry_after if retry_after is not None else min(8.0, 0.25 * 2 ** (attempt - 1))
        await self._clock.sleep(min(MAX_RETRY_AFTER, delay) * (1 if retry_after is not None else 0.5 + random.random()))

    async def _send(self, method: str, path: str, json_body: dict[str, Any] | None = None) -> dict[str, Any]:
        content = json.dumps(json_body).encode() if json_body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        started = time.perf_counter()
        try:
            response = await self._http.request(method, path, content=content, headers=headers)
        except httpx.TransportError as exc:
            not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
            log.debug("%s %s%s: %s", method, self.base_url, path, type(exc).__name__)
            error = TransportError(
                f"No answer from Exoscale ({type(exc).__name__}) for {method} {path} in {self.zone}",
                fix="Check your network (and EXOSCALE_API_ENDPOINT), then retry",
            )
            error.not_sent = not_sent  # type: ignore[attr-defined]
            error.timed_out = isinstance(exc, httpx.TimeoutException) and not not_sent  # type: ignore[attr-defined]
            raise error from None
        log.debug("%s %s%s -> %s in %.0f ms", method, self.base_url, path, response.status_code,
                  (time.perf_counter() - started) * 1000)
        if response.is_success:
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ServerError(f"Exoscale answered {method} {path} with invalid JSON", status=response.status_code,
                                  fix="Retry later") from None
            return data
        raise _error(response, method, path, self.zone)


def _shaped(call: str, parse: Callable[[], T]) -> T:
    """``parse()`` an answer, a typed error when it is not of the documented shape."""
    try:
        return parse()
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ServerError(f"Exoscale answered {call} with an unexpected shape ({type(exc).__name__})",
                          status=200, fix="Retry later; if it persists, contact Exoscale support") from None


def _error(response: httpx.Response, method: str, path: str, zone: str) -> ExoscaleAPIError:
    """A typed error from a problem-JSON (RFC 9457) answer."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    title = str(body.get("title") or response.reason_phrase or "")
    detail = str(body.get("detail") or body.get("message") or "")
    summary = f"Exoscale answered {status} {title}".rstrip() + (f": {detail}" if detail else "")
    kwargs: dict[str, Any] = {"status": status, "title": title, "detail": detail, "body": body}
    if status in (401, 403):
        return AuthenticationError(
            summary,
            fix="Check EXOSCALE_API_KEY and EXOSCALE_API_SECRET (or the exo config), and that the key's IAM role "
            f"allows Dedicated Inference (service 'ai'): {EXOSCALE_KEYS_URL}",
            **kwargs,
        )
    if status == 404:
        return NotFoundError(summary, fix=f"Check the id and the zone ({zone})", **kwargs)
    if status == 409:
        return ConflictError(summary, fix="A model of that name exists: attach to it, or delete it first", **kwargs)
    if status == 412:
        deployments = [str(d) for d in body.get("deployments") or []]
        return ModelInUseError(
            f"The model is used by deployment(s): {', '.join(deployments) or 'unknown'}",
            deployments=deployments,
            fix="Delete those deployments first (exo dedicated-inference deployment delete <name>)",
            **kwargs,
        )
    if status == 429:
        error = RateLimitedError(summary, fix="Too many requests: wait a moment and retry", **kwargs)
        error.retry_after = _retry_after(response)  # type: ignore[attr-defined]
        return error
    if status >= 500:
        error = ServerError(summary, fix="Exoscale had a problem: retry in a moment", **kwargs)
        error.retry_after = _retry_after(response)  # type: ignore[attr-defined]
        return error
    return ExoscaleAPIError(summary, fix=f"Exoscale refused {method} {path}", **kwargs)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date (RFC 9110)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
