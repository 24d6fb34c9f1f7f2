"""A deployment's endpoint: vLLM's OpenAI-compatible server, over httpx.

Where the API lives under ``deployment-url`` and which model id the server answers to are undocumented, so
both are found, never assumed: the URL is used as given when it ends in ``/v1``, else ``/v1`` is appended;
the served model id is the first of ``GET /v1/models``. The key is fetched from Exoscale only when a request
needs it, and held as a :class:`Secret` (masked in every repr and text; never written anywhere).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from .config import ensure_safe_url
from .errors import EndpointError, MissingExtraError, UsageError
from .exoscale.client import shared_ssl_context
from .runner import run_sync
from .secrets import Secret
from .text import clean, clean_data, clean_reply

ENDPOINT_TIMEOUT = 60.0  # seconds for one whole request (a cold vLLM may take a while to answer the first)
MAX_BODY = 1024 * 1024  # bytes of one answer
MAX_PROMPT = 32_000  # characters
MAX_TOKENS = 4096


@dataclass(frozen=True)
class ChatReply:
    text: str
    latency_ms: float
    model: str

    def to_dict(self) -> dict[str, Any]:
        return {"reply": self.text, "latency_ms": round(self.latency_ms, 1), "model": self.model}


def check_prompt(prompt: object, max_tokens: object) -> tuple[str, int]:
    """Raises: TypeError, UsageError (empty or huge prompt, max_tokens outside 1..4096)."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, not {type(prompt).__name__}")
    if not prompt.strip():
        raise UsageError("The prompt is empty", fix="Write something to send")
    if len(prompt) > MAX_PROMPT:
        raise UsageError(f"The prompt has {len(prompt)} characters (at most {MAX_PROMPT})", fix="Shorten it")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= MAX_TOKENS:
        raise UsageError(
            f"max_tokens must be a whole number from 1 to {MAX_TOKENS}", fix="Pass e.g. max_tokens=64"
        )
    return prompt, max_tokens


def api_base(url: str) -> str:
    """The OpenAI API's base: ``url`` when it ends in ``/v1``, else ``url + /v1``."""
    base = url.rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


class Endpoint:
    """The OpenAI-compatible endpoint of one deployment.

    Args:
        url: the deployment's ``deployment-url``.
        name: the deployment's name (for messages).
        key: a :class:`Secret`, or a coroutine function fetching it (asked once, on first need).
        model: the served model id (default: found with ``GET /v1/models``).
        transport: an httpx transport (tests).

    Example:
        >>> endpoint = job.endpoint
        >>> endpoint.chat("Say hello")
        '[SANDBOX] ...'
    """

    def __init__(
        self,
        url: str,
        name: str,
        key: Secret | Callable[[], Awaitable[Secret]],
        *,
        model: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = ENDPOINT_TIMEOUT,
    ) -> None:
        self.url = url
        self.base_url = api_base(url)
        ensure_safe_url(self.base_url)
        self.name = name
        self.timeout = timeout
        self._key = key if isinstance(key, Secret) else None
        self._fetch_key = None if isinstance(key, Secret) else key
        self._model = model
        self._transport = transport

    def __repr__(self) -> str:
        return f"<Endpoint {self.name} {self.base_url} model={self._model or '?'}>"

    async def api_key(self) -> Secret:
        """The endpoint's key (fetched from Exoscale on first use)."""
        if self._key is None:
            assert self._fetch_key is not None
            self._key = await self._fetch_key()
        return self._key

    async def amodels(self) -> list[str]:
        """The model ids the server answers to (``GET /v1/models``)."""
        data = await self._call("GET", "/models")
        items = data["data"] if isinstance(data.get("data"), list) else []
        ids = [clean(m["id"], 200) for m in items if isinstance(m, dict) and isinstance(m.get("id"), str)]
        if not ids:
            raise EndpointError(
                f"{self.name} lists no model at {self.base_url}/models", fix="Check the deployment's logs"
            )
        return ids

    async def served_model(self) -> str:
        if self._model is None:
            self._model = (await self.amodels())[0]
        return self._model

    async def achat_reply(self, prompt: str, max_tokens: int = 16) -> ChatReply:
        """One chat completion: the reply, its latency and the model that answered."""
        prompt, max_tokens = check_prompt(prompt, max_tokens)
        model = await self.served_model()
        started = time.perf_counter()
        body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens}
        data = await self._call("POST", "/chat/completions", body)
        latency = (time.perf_counter() - started) * 1000
        try:
            text = data["choices"][0]["message"]["content"]
            text = clean_reply(text) if isinstance(text, str) else ""
        except (KeyError, IndexError, TypeError):
            raise EndpointError(
                f"{self.name} answered a chat completion without a message", fix="Check the deployment's logs"
            ) from None
        return ChatReply(text.strip(), latency, model)

    async def achat(self, prompt: str, max_tokens: int = 16) -> str:
        return (await self.achat_reply(prompt, max_tokens)).text

    def chat(self, prompt: str, max_tokens: int = 16) -> str:
        """Send ``prompt``; the reply's text (blocking form of :meth:`achat`)."""
        return run_sync(self.achat(prompt, max_tokens))

    def models(self) -> list[str]:
        return run_sync(self.amodels())

    def openai_client(self) -> Any:
        """An ``openai.OpenAI`` client for this endpoint (the key given to it, never printed).

        Raises:
            MissingExtraError: ``openai`` is not installed (``pip install 'jupyter_exo_models[openai]'``).
        """
        try:
            import openai  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise MissingExtraError(
                "The openai package is not installed", fix="pip install 'jupyter_exo_models[openai]'"
            ) from None
        key = run_sync(self.api_key())
        return openai.OpenAI(base_url=self.base_url, api_key=key.reveal())

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request, bounded in time as a whole (a server trickling its answer cannot hang it) and in size.

        The answer is returned as sent: its texts are cleaned where they are used (a reply keeps its lines).
        """
        key = await self.api_key()
        headers = {"Authorization": f"Bearer {key.reveal()}", "Accept": "application/json"}
        try:
            status, raw = await asyncio.wait_for(self._fetch(method, path, body, headers), self.timeout)
        except (httpx.HTTPError, asyncio.TimeoutError) as exc:
            raise EndpointError(
                f"No whole answer from {self.name} ({type(exc).__name__}) for {method} {path} "
                f"within {self.timeout:g} s",
                fix="Check the deployment is ready (and not scaled to zero), then retry",
            ) from None
        try:
            data = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            data = None
        if status >= 400 or not isinstance(data, dict):
            raise _refused(self.name, method, path, status, clean_data(data), raw)
        return data

    async def _fetch(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        async with (
            httpx.AsyncClient(
                timeout=self.timeout, transport=self._transport, verify=shared_ssl_context()
            ) as http,
            http.stream(method, self.base_url + path, json=body, headers=headers) as response,
        ):
            return response.status_code, await _read_capped(response)


async def _read_capped(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise EndpointError(
                f"The endpoint's answer is larger than {MAX_BODY // 1024} KB: not read further", fix="Retry"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(name: str, method: str, path: str, status: int, data: Any, raw: bytes) -> EndpointError:
    detail = ""
    if isinstance(data, dict):
        error = data.get("error")
        detail = (
            str(error.get("message", ""))
            if isinstance(error, dict)
            else str(error or data.get("detail") or "")
        )
    elif raw:
        detail = clean(raw.decode("utf-8", "replace"), 200)
    said = f"{name} answered {status} to {method} {path}" + (f": {clean(detail, 200)}" if detail else "")
    if status < 400:
        return EndpointError(f"{name} answered {method} {path} with invalid JSON", status=status, fix="Retry")
    if status in (401, 403):
        return EndpointError(
            said,
            status=status,
            cause="endpoint-key",
            fix="The endpoint refused its key: reveal it again (it may have been rotated)",
        )
    if status == 404:
        return EndpointError(
            said,
            status=status,
            cause="endpoint-path",
            fix="The API is not at this path: check the deployment's URL",
        )
    if status == 503:
        return EndpointError(
            said,
            status=status,
            cause="endpoint-unavailable",
            fix="The deployment is scaled to zero or still loading: scale it to 1, or wait and retry",
        )
    return EndpointError(said, status=status, cause="endpoint-error", fix="Look at the deployment's logs")
