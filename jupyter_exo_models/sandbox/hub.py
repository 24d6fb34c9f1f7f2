"""A fake Hugging Face Hub: the endpoints huggingface_hub uses, with the Hub's access rules.

Repo ids resolve case-insensitively and answers carry the canonical id; a
private repo the token cannot read looks exactly like a missing one; a gated
repo's metadata is public but its files answer 403 ``GatedRepo`` until access
is granted (401 ``GatedRepo`` to an anonymous visitor); fine-grained tokens read
only what they are scoped to. Error texts are the real Hub's (docs/SERVICES.md,
"Real-service facts").

Assumed where the real Hub is undocumented: a fine-grained token scoped to a
gated repo (a ``model`` scope with ``repo.content.read``, as Exoscale's guide
recommends) or to its owner reads it like a token with ``canReadGatedRepos``:
the gate itself still applies (accepted, pending, not accepted). A fine-grained
token with neither gets 403 without ``X-Error-Code`` from auth-check and file
downloads; its model info stays public, as for everyone.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from typing import Literal
from urllib.parse import parse_qs, unquote

from .catalog import Catalog, Repo, Token
from .server import Request, Response, json_response

INVALID_TOKEN = "Invalid credentials in Authorization header"
NOT_FOUND = "Repository not found"
NO_GATED_PERMISSION = (
    "Please enable access to public gated repositories in your fine-grained token settings to "
    "view this repository."
)
LFS_THRESHOLD = 10_000_000
MAX_SERVED_FILE = 1_000_000
Access = Literal["granted", "not-found", "gated", "pending", "anonymous", "token-no-gated"]

_REPO_API = re.compile(r"^/api/models/([^/]+/[^/]+?)(?:/revision/([^/]+))?$")
_AUTH_CHECK = re.compile(r"^/api/models/([^/]+/[^/]+)/auth-check$")
_TREE = re.compile(r"^/api/models/([^/]+/[^/]+)/tree/([^/]+)(?:/(.*))?$")
_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")
_PAGE = re.compile(r"^/([^/]+/[^/]+?)/?$")
_ASK = re.compile(r"^/([^/]+/[^/]+)/ask-access$")


def hub_error(status: int, message: str, code: str | None = None) -> Response:
    headers = {"X-Error-Message": message}
    if code:
        headers["X-Error-Code"] = code
    return json_response(status, {"error": message}, headers)


class FakeHub:
    """State and HTTP handler of the fake Hub (thread-safe)."""

    def __init__(self, catalog: Catalog, lock: threading.RLock) -> None:
        self.catalog = catalog
        self._lock = lock

    # -- control ------------------------------------------------------------------------------
    def accept(self, user: str, repo_id: str) -> str:
        """The user accepts the gate: granted at once for ``auto`` gating, pending for ``manual``."""
        with self._lock:
            repo = self._repo(repo_id)
            state = "accepted" if repo.gated == "auto" else "pending"
            self.catalog.access[(user, repo.id.lower())] = state
            return state

    def approve(self, user: str, repo_id: str) -> None:
        with self._lock:
            self.catalog.access[(user, self._repo(repo_id).id.lower())] = "accepted"

    def revoke(self, token: str) -> None:
        with self._lock:
            self.catalog.tokens[token].revoked = True

    def add_repo(self, repo: Repo) -> Repo:
        with self._lock:
            return self.catalog.add_repo(repo)

    def _repo(self, repo_id: str) -> Repo:
        repo = self.catalog.repo(repo_id)
        if repo is None:
            raise KeyError(repo_id)
        return repo

    # -- rules --------------------------------------------------------------------------------
    def token(self, value: str | None) -> Token | None:
        token = self.catalog.tokens.get(value or "")
        return token if token is not None and not token.revoked else None

    def can_see(self, token: Token | None, repo: Repo) -> bool:
        if not repo.private:
            return True
        if token is None:
            return False
        user = self.catalog.users.get(token.user)
        member = repo.owner == token.user or (user is not None and repo.owner in user.orgs)
        if not member:
            return False
        if token.role != "fineGrained":
            return True
        return token.covers(repo.id)

    def access(self, token: Token | None, repo: Repo) -> Access:
        """May this token download the repo's files?"""
        if not self.can_see(token, repo):
            return "not-found"
        if not repo.gated or (token is not None and repo.owner == token.user):
            return "granted"
        if token is None:
            return "anonymous"
        if (
            token.role == "fineGrained"
            and not token.can_read_gated
            and not repo.private
            and not token.covers(repo.id)
        ):
            return "token-no-gated"
        state = self.catalog.access.get((token.user, repo.id.lower()))
        return "granted" if state == "accepted" else ("pending" if state == "pending" else "gated")

    # -- HTTP ---------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self._lock:
            raw = request.bearer()
            token = self.token(raw)
            if raw is not None and token is None and request.path.startswith("/api/"):
                return hub_error(401, INVALID_TOKEN)
            path = unquote(request.path)
            if request.method == "GET" and path == "/api/whoami-v2":
                return self._whoami(token)
            if request.method == "GET" and (m := _AUTH_CHECK.match(path)):
                return self._auth_check(token, m.group(1))
            if request.method == "GET" and (m := _TREE.match(path)):
                return self._tree(token, m.group(1), m.group(3) or "")
            if request.method == "GET" and (m := _REPO_API.match(path)):
                return self._model_info(token, m.group(1), "blobs" in request.query)
            if request.method in ("GET", "HEAD") and (m := _RESOLVE.match(path)):
                return self._resolve(token, m.group(1), m.group(3))
            if request.method == "POST" and (m := _ASK.match(path)):
                return self._ask_access(request, m.group(1))
            if request.method == "GET" and (m := _PAGE.match(path)):
                return self._page(m.group(1))
            return hub_error(404, "Sorry, we can't find the page you are looking for.")

    def _whoami(self, token: Token | None) -> Response:
        if token is None:
            return hub_error(401, INVALID_TOKEN)
        user = self.catalog.users[token.user]
        return json_response(
            200,
            {
                "type": "user",
                "id": hashlib.md5(user.name.encode()).hexdigest()[:24],
                "name": user.name,
                "fullname": user.fullname,
                "email": f"{user.name}@sandbox.invalid",
                "emailVerified": True,
                "isPro": False,
                "orgs": [
                    {"type": "org", "name": o, "fullname": self.catalog.orgs.get(o, o)} for o in user.orgs
                ],
                "auth": token.whoami_auth(),
            },
        )

    def _visible(self, token: Token | None, repo_id: str) -> Repo | Response:
        repo = self.catalog.repo(repo_id)
        if repo is None or not self.can_see(token, repo):
            return hub_error(401 if token is None else 404, NOT_FOUND, "RepoNotFound")
        return repo

    def _model_info(self, token: Token | None, repo_id: str, blobs: bool) -> Response:
        repo = self._visible(token, repo_id)
        if isinstance(repo, Response):
            return repo
        card = {"license": repo.license, **repo.card} if repo.license else dict(repo.card)
        info = {
            "_id": hashlib.md5(repo.id.encode()).hexdigest()[:24],
            "id": repo.id,
            "modelId": repo.id,
            "author": repo.owner,
            "sha": repo.sha,
            "lastModified": "2026-06-01T12:00:00.000Z",
            "createdAt": "2026-01-15T09:30:00.000Z",
            "private": repo.private,
            "gated": repo.gated or False,
            "disabled": False,
            "downloads": 1234,
            "likes": 56,
            "library_name": "transformers",
            "pipeline_tag": "text-generation",
            "tags": ["sandbox", "text-generation"] + ([f"license:{repo.license}"] if repo.license else []),
            "cardData": card,
            "siblings": [self._sibling(path, size, blobs) for path, size in repo.files.items()],
            "spaces": [],
            "usedStorage": sum(repo.files.values()),
        }
        if repo.safetensors_bytes and repo.parameters:
            info["safetensors"] = {"parameters": {"BF16": repo.parameters}, "total": repo.parameters}
        return json_response(200, info)

    @staticmethod
    def _sibling(path: str, size: int, blobs: bool) -> dict:
        if not blobs:
            return {"rfilename": path}
        sibling = {"rfilename": path, "size": size, "blobId": _oid(path, size)}
        if size >= LFS_THRESHOLD:
            sibling["lfs"] = {
                "sha256": hashlib.sha256(f"{path}:{size}".encode()).hexdigest(),
                "size": size,
                "pointerSize": 135,
            }
        return sibling

    def _auth_check(self, token: Token | None, repo_id: str) -> Response:
        repo = self._visible(token, repo_id)
        if isinstance(repo, Response):
            return repo
        verdict = self.access(token, repo)
        return _GATE_ANSWERS[verdict](repo) if verdict != "granted" else json_response(200, {})

    def _tree(self, token: Token | None, repo_id: str, prefix: str) -> Response:
        repo = self._visible(token, repo_id)
        if isinstance(repo, Response):
            return repo
        entries = []
        for path, size in repo.files.items():
            if prefix and not path.startswith(prefix.rstrip("/") + "/"):
                continue
            entry = {"type": "file", "oid": _oid(path, size), "size": size, "path": path}
            if size >= LFS_THRESHOLD:
                entry["lfs"] = {
                    "oid": hashlib.sha256(f"{path}:{size}".encode()).hexdigest(),
                    "size": size,
                    "pointerSize": 135,
                }
            entries.append(entry)
        return json_response(200, entries)

    def _resolve(self, token: Token | None, repo_id: str, path: str) -> Response:
        repo = self._visible(token, repo_id)
        if isinstance(repo, Response):
            return repo
        verdict = self.access(token, repo)
        if verdict != "granted":
            return _GATE_ANSWERS[verdict](repo)
        if path not in repo.files:
            return hub_error(404, "Entry not found", "EntryNotFound")
        size = repo.files[path]
        headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{_oid(path, size)}"', "Accept-Ranges": "bytes"}
        if size > MAX_SERVED_FILE:
            # weights are described, never served: the sandbox has no real model files
            return Response(
                200, b"", {**headers, "Content-Type": "application/octet-stream", "X-Linked-Size": str(size)}
            )
        return Response(
            200, _content(repo, path, size), {**headers, "Content-Type": "application/octet-stream"}
        )

    def _page(self, repo_id: str) -> Response:
        repo = self.catalog.repo(repo_id)
        if repo is None or repo.private:
            return Response(404, b"<h1>404 (SANDBOX)</h1>", {"Content-Type": "text/html"})
        esc = html.escape
        if repo.gated:
            fields = "".join(
                _form_field(name, kind) for name, kind in (repo.card.get("extra_gated_fields") or {}).items()
            )
            heading = repo.card.get(
                "extra_gated_heading",
                "You need to agree to share your contact information to access this model",
            )
            gate = (
                f"<h2>{esc(heading)}</h2>"
                f"<p>{esc(repo.card.get('extra_gated_prompt', ''))}</p>"
                f"<form method='post' action='/{esc(repo.id)}/ask-access'>{fields}<button>"
                f"{esc(repo.card.get('extra_gated_button_content', 'Agree and access repository'))}"
                "</button></form>"
            )
        else:
            gate = "<p>This model is not gated.</p>"
        body = (
            f"<!doctype html><title>{esc(repo.id)} (SANDBOX)</title>"
            f"<h1>{esc(repo.id)} — SANDBOX Hub</h1>{gate}"
        )
        return Response(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})

    def _ask_access(self, request: Request, repo_id: str) -> Response:
        repo = self.catalog.repo(repo_id)
        if repo is None or not repo.gated:
            return hub_error(404, NOT_FOUND, "RepoNotFound")
        token = self.token(request.bearer())
        user = token.user if token else next(iter(self.catalog.users))  # the page's visitor: the demo user
        state = self.accept(user, repo.id)
        if "json" in request.headers.get("accept", ""):
            return json_response(200, {"status": state})
        fields = parse_qs(request.body.decode(errors="replace"))
        text = "Access granted" if state == "accepted" else "Your request is pending the authors' review"
        return Response(
            200,
            (
                f"<p>{text} (SANDBOX){' — ' + str(len(fields)) + ' field(s) recorded' if fields else ''}</p>"
            ).encode(),
            {"Content-Type": "text/html"},
        )


def _form_field(name: str, spec: object) -> str:
    """One gate field as the Hub's form shows it: a select's options, nothing to fill for ``ip_location``."""
    esc = html.escape
    if spec == "ip_location":
        return f"<p>{esc(name)}: your IP location is recorded</p>"
    if isinstance(spec, dict):
        options = "".join(
            f"<option>{esc(str(o.get('label', o.get('value', '')) if isinstance(o, dict) else o))}</option>"
            for o in spec.get("options") or ()
        )
        return f"<p><label>{esc(name)} <select name='{esc(name)}'>{options}</select></label></p>"
    kind = {"checkbox": "checkbox", "date_picker": "date"}.get(str(spec), "text")
    return f"<p><label>{esc(name)} <input name='{esc(name)}' type='{kind}'></label></p>"


def _oid(path: str, size: int) -> str:
    return hashlib.sha1(f"{path}:{size}".encode()).hexdigest()


def _content(repo: Repo, path: str, size: int) -> bytes:
    """Deterministic bytes of exactly ``size`` (JSON where the name says so)."""
    fields: dict = {"sandbox": True, "repo": repo.id, "file": path}
    if path == "config.json":
        fields["architectures"] = [repo.architecture]  # what vLLM reads to pick its model class
    seed = json.dumps(fields).encode() if path.endswith(".json") else f"SANDBOX {repo.id} {path}\n".encode()
    return (seed + b" " * size)[:size] if len(seed) <= size else seed[:size]


_GATE_ANSWERS = {
    "not-found": lambda repo: hub_error(404, NOT_FOUND, "RepoNotFound"),
    "gated": lambda repo: hub_error(
        403,
        f"Access to model {repo.id} is restricted and you are not in the authorized list. "
        f"Visit https://huggingface.co/{repo.id} to ask for access.",
        "GatedRepo",
    ),
    "pending": lambda repo: hub_error(
        403,
        f"Your request to access model {repo.id} is awaiting a review from the repo authors.",
        "GatedRepo",
    ),
    "anonymous": lambda repo: hub_error(
        401,
        f"Access to model {repo.id} is restricted. You must have access to it and be authenticated to access "
        "it. Please log in.",
        "GatedRepo",
    ),
    "token-no-gated": lambda repo: hub_error(403, NO_GATED_PERMISSION),  # the real Hub sends no X-Error-Code
}


def answer_text(verdict: Access, repo: Repo) -> tuple[int, str]:
    """The status and text the Hub answers a download refused for ``verdict`` (what Exoscale would relay)."""
    response = _GATE_ANSWERS[verdict](repo)
    return response.status, response.headers["X-Error-Message"]
