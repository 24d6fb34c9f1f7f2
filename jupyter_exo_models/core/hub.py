"""What the Hugging Face Hub says about a repo and a token, asked concurrently.

The three questions (whoami-v2, model info, auth-check) are the GETs ``HfApi.whoami``, ``model_info`` and
``auth_check`` send, made here through huggingface_hub's own session (``get_session()``, so the user's proxy,
certificate and offline settings apply) and headers (``build_hf_headers``), and parsed with its ``ModelInfo``.
Sending them ourselves is what lets each call carry a deadline and a size cap: huggingface_hub's whoami and
auth_check take no timeout, and its shared client has none, and changing that client globally
(``set_client_factory``/``configure_http_backend``) would also change the user's own downloads.
The calls block, so they run in worker threads, all at once: a whole look-up costs about one round trip.

The Hub's answers are classified from the status and ``X-Error-Code``, and from the texts the real Hub sends
(docs/SERVICES.md): ``GatedRepo`` 403 "... awaiting a review ..." is a pending request, any other
``GatedRepo`` 403 a gate not accepted, ``GatedRepo`` 401 ("... Please log in.") an anonymous visitor; a 403
without a code is a fine-grained token without access to public gated repos ("Please enable access to public
gated repositories in your fine-grained token settings ..."); 401 "Invalid credentials in Authorization
header" a rejected token; ``RepoNotFound`` (401/404) a missing or unreadable repo.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import importlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from huggingface_hub import ModelInfo
from huggingface_hub.utils import HFValidationError, build_hf_headers, get_session, validate_repo_id

from .config import ensure_safe_url
from .errors import HubError, InvalidModelIdError, TokenRejected
from .ids import refuse_wrapped_repo_id
from .secrets import Secret
from .text import clean, shown


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


log = logging.getLogger("jupyter_exo_models.hub")
# huggingface_hub 0.x speaks requests, 1.x httpx, 2.x its fork httpx2: whichever is installed may raise
_MODULES = [mod for name in ("httpx", "httpx2", "requests") if (mod := _optional_module(name)) is not None]
_requests = _optional_module("requests")
_TIMEOUTS: tuple[type[Exception], ...] = tuple(
    getattr(mod, "TimeoutException", None) or mod.Timeout
    for mod in _MODULES  # requests.Timeout
)
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = tuple(
    getattr(mod, "TransportError", None) or mod.RequestException
    for mod in _MODULES  # requests' base error
)

READ_PERMISSION = "repo.content.read"
HUB_ATTEMPTS = 6
HUB_TIMEOUT = (
    20.0  # total seconds per Hub call (connect, send, every read); read at call time, tests lower it
)
HUB_MAX_BODY = 16_000_000  # bytes: model info with file sizes of a repo of thousands of files is a few MB
WHOAMI_TTL = 300.0  # whoami-v2 is rate-limited "intentionally strict": ask once per token per few minutes
TRANSIENT_STATUSES = {429, 500, 502, 503, 504}
INVALID_CREDENTIALS = (
    "invalid credentials"  # the Hub's 401 text: "Invalid credentials in Authorization header"
)
_PENDING = re.compile(r"\bawaiting\s+(?:a\s+)?review\b", re.IGNORECASE)  # "... is awaiting a review from ..."

Access = Literal[
    "granted",  # auth-check passed: the token may download the files
    "not-accepted",  # GatedRepo 403: the account has not accepted the gate (or was refused)
    "pending",  # GatedRepo 403 "... awaiting a review ...": a manual gate's request waits for the authors
    "login-required",  # GatedRepo 401 "... Please log in.": asked anonymously
    "no-gated-permission",  # 403 without X-Error-Code: a fine-grained token without public gated repos
    "not-found",  # RepoNotFound: missing, or private and unreadable
    "unknown",  # not asked, or an answer none of the above
]


def check_repo_id(repo_id: object) -> str:
    """Return ``repo_id`` if it is a valid ``namespace/name`` Hub id.

    Uses huggingface_hub's own validation, plus the namespace Exoscale requires.

    Raises:
        InvalidModelIdError: with the reason and an example of the valid form.
    """
    fix = "Use the form <namespace>/<model-name>, e.g. meta-llama/Llama-3.1-8B-Instruct"
    if not isinstance(repo_id, str) or not repo_id:
        raise InvalidModelIdError("The model id is empty", fix=fix)
    refuse_wrapped_repo_id(repo_id)  # a URL, a revision, .git, spaces: the fix names the id inside
    if repo_id.count("/") != 1:
        raise InvalidModelIdError(f"{shown(repo_id)} is not of the form namespace/name", fix=fix)
    try:
        if not (repo_id.isascii() and repo_id.isprintable()):  # huggingface_hub before 1.0 lets these through
            raise HFValidationError(repo_id)
        validate_repo_id(repo_id)
    except HFValidationError:
        raise InvalidModelIdError(
            f"{shown(repo_id)} is not a valid Hugging Face repo id: use letters, digits, '-', '_' or '.', "
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
    gate: dict[str, Any] = field(default_factory=dict)  # heading, prompt, button_content, description, fields
    parameters_by_dtype: dict[str, int] = field(
        default_factory=dict
    )  # the safetensors metadata: BF16 -> count

    @classmethod
    def from_model_info(cls, info: Any) -> RepoInfo:
        card = info.card_data.to_dict() if getattr(info, "card_data", None) is not None else {}
        gate: dict[str, Any] = {
            key: clean(card[f"extra_gated_{key}"], 2000)
            for key in ("heading", "prompt", "button_content", "description")
            if card.get(f"extra_gated_{key}")
        }
        if fields := gate_fields(card.get("extra_gated_fields")):
            gate["fields"] = fields
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
            parameters_by_dtype={
                str(dtype): count
                for dtype, count in (getattr(safetensors, "parameters", None) or {}).items()
                if isinstance(count, int) and count > 0
            },
        )


def gate_fields(raw: Any) -> list[dict[str, Any]]:
    """A model card's ``extra_gated_fields`` as ``[{name, type, options}]``, the one shape every face renders.

    The card maps a label to a type: ``text``, ``checkbox``, ``date_picker``, ``country``, ``ip_location``
    (the Hub records the visitor's IP location; nothing to fill in), or ``{type: select, options: [...]}``
    whose options are strings or ``{label, value}``. Unknown types are kept as they are named.
    """
    if not isinstance(raw, dict):
        return []
    fields = []
    for name, spec in raw.items():
        kind, options = spec, []
        if isinstance(spec, dict):
            choices = spec.get("options")
            kind = spec.get("type") or ("select" if choices else "text")
            for choice in choices if isinstance(choices, list) else ():
                label = choice.get("label") or choice.get("value") if isinstance(choice, dict) else choice
                if label not in (None, ""):
                    options.append(clean(label, 200))
        fields.append({"name": clean(name, 300), "type": clean(kind, 50), "options": options})
    return fields


@dataclass(frozen=True)
class HubFacts:
    """Everything preflight needs from the Hub; each part is a value or the error that replaced it."""

    repo_id: str
    token: TokenInfo | None = None
    token_error: str | None = None  # "invalid" when the Hub rejected the token
    token_problem: HubError | None = None  # whoami could not be asked (rate-limited, unreachable)
    repo: RepoInfo | None = None
    repo_visible: bool = False
    access: Access = "unknown"
    access_message: str = ""
    unreachable: HubError | None = None


@dataclass(frozen=True)
class Answer:
    """One Hub answer, read whole (within the deadline and the size cap)."""

    status: int
    headers: Mapping[str, str]  # case-insensitive (httpx's or requests' own mapping)
    body: bytes

    @property
    def code(self) -> str | None:
        """``X-Error-Code``: ``GatedRepo``, ``RepoNotFound``, ... (None on a 403 of a fine-grained token)."""
        return self.headers.get("X-Error-Code") or None

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def message(self) -> str:
        """The server's text (``X-Error-Message``, else the body's ``error``, else a short plain body),
        cleaned."""
        text: Any = self.headers.get("X-Error-Message") or ""
        if not text:
            try:
                data = self.json()
                text = (data.get("error") or data.get("message") or "") if isinstance(data, dict) else ""
                text = "; ".join(map(str, text)) if isinstance(text, list) else text
            except ValueError:
                kind = self.headers.get("Content-Type") or ""
                text = "" if "html" in kind else self.body[:2000].decode(errors="replace")
        return clean(text)

    @property
    def invalid_token(self) -> bool:
        return self.status == 401 and self.code is None and INVALID_CREDENTIALS in self.message.lower()


class HubClient:
    """A token-bound view of one Hub endpoint; thread-safe, cheap to create.

    One client serves one preflight batch: an auth-check asked twice for the same exact id (a wrong-case id
    re-asked with the canonical one that the batch also holds) is sent once.
    """

    def __init__(self, endpoint: str, token: Secret | None, *, attempts: int = HUB_ATTEMPTS) -> None:
        if token:
            ensure_safe_url(endpoint)
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._attempts = attempts
        self._auth_checks: dict[str, asyncio.Future[Answer]] = {}

    # -- one GET, bounded ---------------------------------------------------------------------
    def fetch(self, path: str, params: dict[str, Any] | None = None, *, anonymous: bool = False) -> Answer:
        """GET ``path`` through huggingface_hub's session, bounded: at most about ``HUB_TIMEOUT`` in all (a
        silent server meets the per-phase timeout; a trickling one the deadline, checked as bytes arrive with
        httpx, cut by a watchdog with requests; with urllib3 < 2.3 the watchdog cannot cut, and only the
        per-read timeout bounds it), and at most ``HUB_MAX_BODY`` bytes read.

        Raises:
            HubError: past the deadline or the cap.
            Exception: the HTTP library's transport errors, as they come.
        """
        deadline_s, cap = HUB_TIMEOUT, HUB_MAX_BODY
        # token=False: never huggingface_hub's saved token
        token = self._token.reveal() if (self._token and not anonymous) else False
        headers = build_hf_headers(token=token, library_name="jupyter_exo_models")
        url = self.endpoint + path
        end = time.monotonic() + deadline_s
        session = get_session()
        try:
            if _requests is not None and isinstance(session, _requests.Session):  # huggingface_hub < 1.0
                with session.get(url, headers=headers, params=params, timeout=deadline_s, stream=True) as r:
                    # urllib3 reads whole chunks, so a trickle never reaches the deadline check between them:
                    # at the deadline, shut the socket (urllib3 >= 2.3 can, from another thread)
                    watchdog = threading.Timer(max(0.0, end - time.monotonic()), _shutdown, (r.raw,))
                    watchdog.daemon = True
                    watchdog.start()
                    try:
                        return Answer(r.status_code, r.headers, self._read(r.iter_content(65536), end, cap))
                    finally:
                        watchdog.cancel()
            with session.stream(
                "GET", url, headers=headers, params=params, timeout=deadline_s
            ) as r:  # httpx(2)
                return Answer(r.status_code, r.headers, self._read(r.iter_bytes(), end, cap))
        except _TIMEOUTS:
            raise self._no_answer() from None
        except _TRANSPORT_ERRORS:
            if time.monotonic() >= end:  # the watchdog cut it
                raise self._no_answer() from None
            raise

    def _read(self, chunks: Iterator[bytes], end: float, cap: int) -> bytes:
        body = bytearray()
        for chunk in chunks:
            body += chunk
            if len(body) > cap:
                raise self._unreachable(f"an answer larger than {cap // 1_000_000} MB, not read further")
            if time.monotonic() > end:
                raise self._no_answer()
        return bytes(body)

    def _no_answer(self) -> HubError:
        return self._unreachable(f"no answer within {HUB_TIMEOUT:g} s")

    async def _get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        anonymous: bool = False,
        retry: Callable[[Answer], bool] = lambda a: a.status in TRANSIENT_STATUSES,
    ) -> Answer:
        """``fetch`` in a worker thread, retrying what a retry can fix (5xx, 429, a dropped connection).

        Returns the last answer when retries are exhausted; raises HubError when there is none."""
        for attempt in range(1, self._attempts + 1):
            why = ""
            try:
                call = asyncio.get_running_loop().run_in_executor(
                    _executor(), lambda: self.fetch(path, params, anonymous=anonymous)
                )
                answer = await asyncio.wait_for(call, HUB_TIMEOUT)
                if not retry(answer) or attempt == self._attempts:
                    return answer
                why = f"HTTP {answer.status}"
            except asyncio.TimeoutError:
                raise self._no_answer() from None  # a hung Hub: another try would only wait as long again
            except _TRANSPORT_ERRORS as exc:
                if attempt == self._attempts:
                    raise self._unreachable(type(exc).__name__) from None
                why = type(exc).__name__
            log.debug("Hub request failed (%s), retrying", why)
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def _unreachable(self, why: str) -> HubError:
        return HubError(
            f"The Hugging Face Hub at {self.endpoint} did not answer usefully ({why})",
            fix="Check your network (and HF_ENDPOINT), then try again",
        )

    def _unexpected(self, answer: Answer) -> HubError:
        text = f": {answer.message}" if answer.message else ""
        return self._unreachable(f"HTTP {answer.status}{text}")

    # -- the three questions ------------------------------------------------------------------
    async def whoami(self) -> TokenInfo:
        """Who the token belongs to; asked once per endpoint and token per ``WHOAMI_TTL`` in this process.

        Raises:
            TokenRejected: 401, the token is invalid or revoked.
            HubError: rate-limited (429) or unreachable.
        """
        if not self._token:
            raise TokenRejected("No Hugging Face token", fix="Provide a token")
        key = _whoami_key(self.endpoint, self._token)
        with _WHOAMI_LOCK:
            cached = _WHOAMI.get(key)
            fresh = cached is not None and cached[0] > time.monotonic()
            if not fresh:
                cached = (time.monotonic() + WHOAMI_TTL, concurrent.futures.Future())
                _WHOAMI[key] = cached
        assert cached is not None
        future = cached[1]
        if fresh:
            return await asyncio.wrap_future(future)
        try:
            info = await self._ask_whoami()
        except BaseException as exc:
            with _WHOAMI_LOCK:  # only an answer is remembered, never a failure
                if _WHOAMI.get(key) is cached:
                    del _WHOAMI[key]
            future.set_exception(exc)
            future.exception()  # retrieved: a waiter-less failure is not logged as "never retrieved"
            raise
        future.set_result(info)
        return info

    async def _ask_whoami(self) -> TokenInfo:
        # whoami is strict on rate limits: a 429 is reported, not retried
        answer = await self._get("/api/whoami-v2", retry=lambda a: a.status in TRANSIENT_STATUSES - {429})
        if answer.status == 200:
            return TokenInfo.from_whoami(answer.json())
        if answer.status == 401:
            raise TokenRejected(
                f"The Hub rejected the token ({answer.message or 'HTTP 401'})",
                fix="Create a new token at https://huggingface.co/settings/tokens",
            )
        if answer.status == 429:
            raise HubError(
                f"The Hugging Face Hub at {self.endpoint} is rate-limiting token checks "
                "(HTTP 429 on whoami-v2, "
                "which the Hub limits strictly)",
                fix="Wait a minute, then check again",
            )
        raise self._unexpected(answer)

    async def model_info(self, repo_id: str, *, anonymous: bool = False) -> Answer:
        return await self._get(f"/api/models/{repo_id}", {"blobs": True}, anonymous=anonymous)

    async def auth_check(self, repo_id: str) -> Answer:
        if repo_id not in self._auth_checks:
            self._auth_checks[repo_id] = asyncio.ensure_future(self._get(f"/api/models/{repo_id}/auth-check"))
        return await asyncio.shield(self._auth_checks[repo_id])

    async def access(self, repo_id: str) -> tuple[Access, str]:
        """Whether the token may download the repo's files, and the Hub's message when not.

        Raises:
            HubError: an answer that says none of that (a 400, a 5xx after the retries).
        """
        answer = await self.auth_check(repo_id)
        access, message = classify_access(answer, repo_id)
        if access == "unknown":
            raise self._unexpected(answer)
        return access, message

    async def repo_info(self, repo_id: str, *, anonymous: bool = False) -> RepoInfo:
        answer = await self.model_info(repo_id, anonymous=anonymous)
        if answer.status != 200:
            raise self._unexpected(answer)
        return _repo_info(answer)

    async def facts(self, repo_id: str, *, whoami: asyncio.Future[TokenInfo] | None = None) -> HubFacts:
        """Ask whoami, model info and auth-check at once and combine the answers.

        ``whoami`` may be a shared task (batch preflight asks it once for all models).
        """
        who = (
            whoami if whoami is not None else (asyncio.ensure_future(self.whoami()) if self._token else None)
        )
        info_task = asyncio.ensure_future(self.model_info(repo_id))
        access_task = asyncio.ensure_future(self.auth_check(repo_id))
        who_result, info_result, access_result = await asyncio.gather(
            who if who is not None else _none(), info_task, access_task, return_exceptions=True
        )
        for result in (info_result, access_result):
            if isinstance(result, HubError):
                return HubFacts(repo_id, unreachable=result)
            if isinstance(result, BaseException):
                raise result
        if isinstance(who_result, BaseException) and not isinstance(who_result, HubError):
            raise who_result
        assert isinstance(info_result, Answer) and isinstance(access_result, Answer)

        token = who_result if isinstance(who_result, TokenInfo) else None
        token_problem = (
            who_result
            if isinstance(who_result, HubError) and not isinstance(who_result, TokenRejected)
            else None
        )
        rejected = (
            isinstance(who_result, TokenRejected) or info_result.invalid_token or access_result.invalid_token
        )
        access, message = classify_access(access_result, repo_id)
        if access == "unknown" and not rejected:
            return HubFacts(repo_id, token, unreachable=self._unexpected(access_result))
        if info_result.status == 403 and info_result.code is None and not rejected:
            # a fine-grained token refused on the repo itself: its metadata (public for a gated repo)
            # anonymously
            access, message = "no-gated-permission", info_result.message
            info_result = await self.model_info(repo_id, anonymous=True)
        if rejected:
            _forget_whoami(self)
            token, token_problem = None, None
            # a rejected token spoils the other answers: ask about the repo anonymously instead
            info_result = await _capture(self.model_info(repo_id, anonymous=True))
            if isinstance(info_result, HubError):
                return HubFacts(repo_id, token_error="invalid", unreachable=info_result)
            access, message = "unknown", ""

        common: dict[str, Any] = {
            "token": token,
            "token_error": "invalid" if rejected else None,
            "token_problem": token_problem,
        }
        if info_result.status != 200:
            if _not_found(info_result):
                return HubFacts(repo_id, **common)
            return HubFacts(repo_id, **common, unreachable=self._unexpected(info_result))
        repo = _repo_info(info_result)
        if repo.id != repo_id and access != "granted" and not rejected:
            # gated access checks are unreliable under the wrong capitalization: ask with the canonical id
            again = await _capture(self.access(repo.id))
            if isinstance(again, HubError):
                return HubFacts(repo_id, **common, repo=repo, repo_visible=True, unreachable=again)
            access, message = again
        return HubFacts(
            repo_id, **common, repo=repo, repo_visible=True, access=access, access_message=message
        )


def classify_access(answer: Answer, repo_id: str) -> tuple[Access, str]:
    """What an auth-check answer says, from its status, ``X-Error-Code`` and the real Hub's texts."""
    message = answer.message
    if answer.status == 200:
        return "granted", ""
    if answer.code == "GatedRepo":
        if answer.status == 401:
            return "login-required", message
        # the message quotes the repo id (and its URL), which may itself hold any word
        words = re.sub(re.escape(repo_id), " ", message, flags=re.IGNORECASE)
        return ("pending" if _PENDING.search(words) else "not-accepted"), message
    if _not_found(answer):
        return "not-found", message
    if answer.status == 403 and answer.code is None:
        return "no-gated-permission", message
    return "unknown", message


def _not_found(answer: Answer) -> bool:
    return answer.code == "RepoNotFound" or (
        answer.status in (401, 404) and not answer.invalid_token and answer.code is None
    )


def _repo_info(answer: Answer) -> RepoInfo:
    return RepoInfo.from_model_info(ModelInfo(**answer.json()))  # type: ignore[no-untyped-call, unused-ignore]


_WHOAMI: dict[
    str, tuple[float, concurrent.futures.Future[TokenInfo]]
] = {}  # sha256(endpoint, token) -> answer
_WHOAMI_LOCK = threading.Lock()


def _forget_whoami(client: HubClient) -> None:
    """Drop a remembered whoami whose token the Hub has since rejected (revoked meanwhile)."""
    if client._token:
        with _WHOAMI_LOCK:
            _WHOAMI.pop(_whoami_key(client.endpoint, client._token), None)


def _whoami_key(endpoint: str, token: Secret) -> str:
    """A digest, never the token itself, keys the remembered answers."""
    return hashlib.sha256(f"{endpoint}\0{token.reveal()}".encode()).hexdigest()


def forget_whoami() -> None:
    """Forget every remembered whoami answer (after a logout, in tests)."""
    with _WHOAMI_LOCK:
        _WHOAMI.clear()


_EXECUTOR: concurrent.futures.ThreadPoolExecutor | None = None


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    """Threads for the blocking calls: the default pool (cores + 4) would serialize a batch preflight; 64
    bounds the load on the Hub."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="exo-models-hub")
    return _EXECUTOR


def _shutdown(raw: Any) -> None:
    try:
        raw.shutdown()
    except (AttributeError, ValueError, RuntimeError, OSError):  # urllib3 < 2.3, or already released
        pass


async def _none() -> None:
    return None


async def _capture(coro: Any) -> Any:
    try:
        return await coro
    except HubError as exc:
        return exc
