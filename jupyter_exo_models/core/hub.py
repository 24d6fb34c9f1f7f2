"""What the Hugging Face Hub says about a repo and a token, asked concurrently.

Every Hub call goes through ``huggingface_hub.HfApi`` with an explicit
``endpoint=`` (huggingface_hub reads ``HF_ENDPOINT`` only at import time).
HfApi is synchronous, so its calls run in worker threads, all at once: a
whole look-up costs about one round trip.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from huggingface_hub import HfApi
from huggingface_hub.utils import (  # where every version from 0.24 to 2.x exports them
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    RepositoryNotFoundError,
    validate_repo_id,
)

from .config import ensure_safe_url
from .errors import HubError, InvalidModelIdError
from .secrets import Secret


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


log = logging.getLogger("jupyter_exo_models.hub")
# huggingface_hub 1.x speaks httpx, 2.x its fork httpx2: a dropped connection is either's TransportError
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = tuple(
    mod.TransportError for name in ("httpx", "httpx2") if (mod := _optional_module(name)) is not None
)
T = TypeVar("T")

READ_PERMISSION = "repo.content.read"
HUB_ATTEMPTS = 6
# huggingface_hub's shared client never times out; a Hub that stops answering must not hang a preflight
HUB_TIMEOUT = 20.0
TRANSIENT_STATUSES = {429, 500, 502, 503, 504}

Access = Literal["granted", "not-accepted", "pending", "not-found", "unknown"]


def check_repo_id(repo_id: object) -> str:
    """Return ``repo_id`` if it is a valid ``namespace/name`` Hub id.

    Uses huggingface_hub's own validation, plus the namespace Exoscale requires.

    Raises:
        InvalidModelIdError: with the reason and an example of the valid form.
    """
    fix = "Use the form <namespace>/<model-name>, e.g. meta-llama/Llama-3.1-8B-Instruct"
    if not isinstance(repo_id, str) or not repo_id:
        raise InvalidModelIdError("The model id is empty", fix=fix)
    shown = repo_id if len(repo_id) <= 100 and repo_id.isprintable() else repr(repo_id[:100])
    if repo_id.count("/") != 1:
        raise InvalidModelIdError(f"{shown!s} is not of the form namespace/name", fix=fix)
    try:
        if not (repo_id.isascii() and repo_id.isprintable()):  # huggingface_hub before 1.0 lets these through
            raise HFValidationError(repo_id)
        validate_repo_id(repo_id)
    except HFValidationError:
        raise InvalidModelIdError(
            f"{shown!s} is not a valid Hugging Face repo id: use letters, digits, '-', '_' or '.', "
            "at most 96 characters, no '--' or '..', not starting or ending with '-' or '.'",
            fix=fix,
        ) from None
    return repo_id


@dataclass(frozen=True)
class TokenScope:
    entity_type: str  # "user", "org" or "model"
    name: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class TokenInfo:
    """Who a token belongs to and what it may read (from ``whoami``)."""

    user: str
    orgs: tuple[str, ...]
    name: str | None
    role: str  # "read", "write" or "fineGrained"
    can_read_gated: bool | None = None
    scopes: tuple[TokenScope, ...] = ()

    @classmethod
    def from_whoami(cls, data: dict[str, Any]) -> TokenInfo:
        token = (data.get("auth") or {}).get("accessToken") or {}
        fine = token.get("fineGrained") or {}
        scopes = tuple(
            TokenScope(
                str((s.get("entity") or {}).get("type", "")),
                str((s.get("entity") or {}).get("name", "")),
                tuple(s.get("permissions") or ()),
            )
            for s in fine.get("scoped") or ()
        )
        return cls(
            user=str(data.get("name", "")),
            orgs=tuple(o.get("name", "") for o in data.get("orgs") or () if isinstance(o, dict)),
            name=token.get("displayName"),
            role=str(token.get("role") or ("fineGrained" if fine else "read")),
            can_read_gated=fine.get("canReadGatedRepos") if fine else None,
            scopes=scopes,
        )

    @property
    def fine_grained(self) -> bool:
        return self.role == "fineGrained"

    def may_read(self, repo_id: str) -> bool:
        """Whether the token's scopes cover reading this repo (always true for read/write tokens)."""
        if not self.fine_grained:
            return True
        owner = repo_id.split("/", 1)[0].lower()
        for scope in self.scopes:
            if READ_PERMISSION not in scope.permissions:
                continue
            if scope.entity_type == "model" and scope.name.lower() == repo_id.lower():
                return True
            if scope.entity_type in ("user", "org") and scope.name.lower() == owner:
                return True
        return False

    def summary(self) -> str:
        """One readable line: who, which token, what it may read."""
        label = f"token {self.name!r}" if self.name else "token"
        orgs = f" (orgs: {', '.join(self.orgs)})" if self.orgs else ""
        if not self.fine_grained:
            return f"{self.user}{orgs}, {label} with {self.role} role: reads every repo {self.user} can read"
        readable = [s.name for s in self.scopes if READ_PERMISSION in s.permissions]
        reads = ", ".join(readable) if readable else "no private repos"
        gated = "public gated repos you have access to" if self.can_read_gated else "no gated repos"
        return f"{self.user}{orgs}, fine-grained {label}: reads {reads}; {gated}"


@dataclass(frozen=True)
class RepoFile:
    name: str
    size: int | None


@dataclass(frozen=True)
class RepoInfo:
    """The parts of ``model_info`` that decide an import."""

    id: str
    private: bool
    gated: Literal["auto", "manual"] | None
    files: tuple[RepoFile, ...]
    license: str | None
    parameters: int | None
    gate: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_model_info(cls, info: Any) -> RepoInfo:
        card = info.card_data.to_dict() if getattr(info, "card_data", None) is not None else {}
        gate = {
            key: card[f"extra_gated_{key}"]
            for key in ("heading", "prompt", "fields", "button_content", "description")
            if card.get(f"extra_gated_{key}")
        }
        safetensors = getattr(info, "safetensors", None)
        license_ = card.get("license")
        if isinstance(license_, list):
            license_ = ", ".join(map(str, license_))
        return cls(
            id=info.id,
            private=bool(info.private),
            gated=info.gated or None,
            files=tuple(RepoFile(s.rfilename, s.size) for s in info.siblings or ()),
            license=license_ or card.get("license_name"),
            parameters=getattr(safetensors, "total", None) if safetensors else None,
            gate=gate,
        )


@dataclass(frozen=True)
class HubFacts:
    """Everything preflight needs from the Hub; each part is a value or the error that replaced it."""

    repo_id: str
    token: TokenInfo | None = None
    token_error: str | None = None  # "invalid" when the Hub rejected the token
    repo: RepoInfo | None = None
    repo_visible: bool = False
    access: Access = "unknown"
    access_message: str = ""
    unreachable: HubError | None = None


class HubClient:
    """A token-bound view of one Hub endpoint; thread-safe, cheap to create."""

    def __init__(self, endpoint: str, token: Secret | None, *, attempts: int = HUB_ATTEMPTS) -> None:
        if token:
            ensure_safe_url(endpoint)
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._attempts = attempts

    def _api(self, anonymous: bool = False) -> HfApi:
        # token=False stops huggingface_hub from falling back to a saved token
        token = self._token.reveal() if (self._token and not anonymous) else False
        return HfApi(endpoint=self.endpoint, token=token)

    async def _call(self, fn: Callable[[], T]) -> T:
        """Run a blocking HfApi call in a thread, retrying what a retry can fix (429, 5xx, network)."""
        for attempt in range(1, self._attempts + 1):
            try:
                call = asyncio.get_running_loop().run_in_executor(_executor(), fn)
                return await asyncio.wait_for(call, HUB_TIMEOUT)
            except asyncio.TimeoutError:
                # model_info's own timeout frees its thread; whoami and auth_check take none, so theirs stays blocked
                # until the Hub closes the connection, and retrying would only block more
                raise self._unreachable(f"no answer within {HUB_TIMEOUT:g} s") from None
            except Exception as exc:
                why = _transient(exc)
                if why is None:
                    raise
                if attempt == self._attempts:
                    raise self._unreachable(why) from None
                log.debug("Hub request failed (%s), retrying", why)
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def _unreachable(self, why: str) -> HubError:
        return HubError(
            f"The Hugging Face Hub at {self.endpoint} did not answer usefully ({why})",
            fix="Check your network (and HF_ENDPOINT), then try again",
        )

    async def whoami(self) -> TokenInfo:
        try:
            return TokenInfo.from_whoami(await self._call(lambda: self._api().whoami()))
        except OSError as exc:
            # huggingface_hub 0.x re-raises a rejected token as a plain HTTPError caused by the HfHubHTTPError
            if not isinstance(exc, HfHubHTTPError) and isinstance(exc.__cause__, HfHubHTTPError):
                raise exc.__cause__ from None
            raise

    async def repo_info(self, repo_id: str, *, anonymous: bool = False) -> RepoInfo:
        api = self._api(anonymous)
        return RepoInfo.from_model_info(await self._call(lambda: api.model_info(repo_id, files_metadata=True, timeout=HUB_TIMEOUT)))

    async def access(self, repo_id: str) -> tuple[Access, str]:
        """Whether the token may download the repo's files, and the Hub's message when not."""
        try:
            await self._call(lambda: self._api().auth_check(repo_id))
        except GatedRepoError as exc:
            message = _server_message(exc)
            # the message quotes the repo id, which may itself hold any of the words
            words = message.lower().replace(repo_id.lower(), " ")
            pending = any(w in words for w in ("awaiting", "pending", "review"))
            return ("pending" if pending else "not-accepted"), message
        except RepositoryNotFoundError as exc:
            return "not-found", _server_message(exc)
        return "granted", ""

    async def facts(self, repo_id: str, *, whoami: asyncio.Future[TokenInfo] | None = None) -> HubFacts:
        """Ask whoami, model_info and auth-check at once and combine the answers.

        ``whoami`` may be a shared task (batch preflight asks it once for all models).
        """
        who = whoami if whoami is not None else (asyncio.ensure_future(self.whoami()) if self._token else None)
        info_task = asyncio.ensure_future(self.repo_info(repo_id))
        access_task = asyncio.ensure_future(self.access(repo_id))
        results = await asyncio.gather(
            *(t for t in (who, info_task, access_task) if t is not None), return_exceptions=True
        )
        who_result = results[0] if who is not None else None
        info_result, access_result = results[-2], results[-1]
        for result in results:
            if isinstance(result, HubError):
                return HubFacts(repo_id, unreachable=result)
            if isinstance(result, BaseException) and not isinstance(result, HfHubHTTPError):
                raise result

        token, token_error = None, None
        if isinstance(who_result, TokenInfo):
            token = who_result
        elif isinstance(who_result, HfHubHTTPError):
            token_error = "invalid"
            # a rejected token spoils the other answers: ask about the repo anonymously instead
            info_result = await _capture(self.repo_info(repo_id, anonymous=True))
            access_result = ("unknown", "")
            if isinstance(info_result, HubError):
                return HubFacts(repo_id, token_error=token_error, unreachable=info_result)

        repo = info_result if isinstance(info_result, RepoInfo) else None
        if isinstance(info_result, HfHubHTTPError) and not isinstance(info_result, RepositoryNotFoundError):
            status = info_result.response.status_code if info_result.response is not None else "?"
            return HubFacts(repo_id, token, token_error, unreachable=self._unreachable(f"HTTP {status}"))
        access, message = access_result if isinstance(access_result, tuple) else ("unknown", "")
        if repo is not None and repo.id != repo_id and access != "granted" and token_error is None:
            # gated access checks are unreliable under the wrong capitalization: ask with the canonical id
            again = await _capture(self.access(repo.id))
            if not isinstance(again, tuple):
                if isinstance(again, HfHubHTTPError):
                    again = self._unreachable(f"HTTP {getattr(again.response, 'status_code', '?')}")
                return HubFacts(repo_id, token, token_error, repo=repo, repo_visible=True, unreachable=again)
            access, message = again
        return HubFacts(
            repo_id,
            token=token,
            token_error=token_error,
            repo=repo,
            repo_visible=repo is not None,
            access=access,
            access_message=message,
        )


_EXECUTOR: concurrent.futures.ThreadPoolExecutor | None = None


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    """Threads for blocking HfApi calls: the default pool (cores + 4) would serialize a batch preflight; 64 bounds the load on the Hub."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="exo-models-hub")
    return _EXECUTOR


def _transient(exc: Exception) -> str | None:
    """Why ``exc`` is worth a retry (rate limit, server error, network), or None."""
    if isinstance(exc, (GatedRepoError, RepositoryNotFoundError)):
        return None
    response = getattr(exc, "response", None)  # huggingface_hub 0.x's whoami raises a plain HTTPError with one
    if isinstance(exc, HfHubHTTPError) or response is not None:
        status = getattr(response, "status_code", None)
        return f"HTTP {status}" if status in TRANSIENT_STATUSES else None
    if isinstance(exc, (OSError, *_TRANSPORT_ERRORS)):
        return type(exc).__name__
    return None


async def _capture(coro: Any) -> Any:
    try:
        return await coro
    except (HfHubHTTPError, HubError) as exc:
        return exc


def _server_message(exc: HfHubHTTPError) -> str:
    message = getattr(exc, "server_message", None) or ""
    if not message and exc.response is not None:
        message = exc.response.headers.get("X-Error-Message", "")
    return str(message)
