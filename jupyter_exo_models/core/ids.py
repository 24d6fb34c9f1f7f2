"""Model ids as users paste them: a repo id inside a Hub URL, with a revision or ``.git``, or with spaces.

Exoscale needs the bare repo id (``org/name``). A URL copied from the browser
(``https://huggingface.co/org/name``, ``.../tree/main``), a pinned revision (``org/name@main``), a git
remote (``org/name.git``) or a pasted space around the id all name a repo, but are not its id: these
functions recognise them, so that the refusal names the id to use instead of only the valid form.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from huggingface_hub.utils import HFValidationError, validate_repo_id

from .errors import InvalidModelIdError
from .fixes import Action
from .text import shown

_HUB_URL = (
    re.compile(  # https://huggingface.co/org/name, hf.co/org/name, git@hf.co:org/name.git, hf://org/name
        r"(?:(?:https?://|git@)?(?:www\.)?(?:huggingface\.co|hf\.co)[/:]|hf://)(?P<path>.*)", re.IGNORECASE
    )
)
_REPO_PAGES = {"tree", "blob", "resolve", "commit", "commits", "discussions", "files", "raw"}
_NOT_MODELS = {"datasets", "spaces", "collections", "docs", "settings", "organizations", "papers"}


def repo_id_inside(value: str) -> str | None:
    """The repo id that ``value`` wraps (URL, ``@revision``, ``.git``, surrounding spaces), else None.

    None too when ``value`` is a bare id already, or wraps nothing that is a valid repo id. A URL of
    another host (an ``HF_ENDPOINT`` Hub) counts when it has a path; ``datasets/`` and ``spaces/`` URLs
    name no model.
    """
    text = value.strip()
    url = _HUB_URL.fullmatch(text)
    if url is not None:
        path, is_url = url["path"], True
    elif "://" in text:
        try:
            path, is_url = urlsplit(text).path, True
        except ValueError:
            return None
    else:
        path, is_url = text, False
    parts = [p for p in re.split(r"[?#]", path, maxsplit=1)[0].split("/") if p]
    if len(parts) < 2 or parts[0].lower() in _NOT_MODELS:
        return None
    if len(parts) > 2 and not is_url and parts[2] not in _REPO_PAGES:
        return None  # a/b/c is not a wrapped id: only a URL (or a repo page path) has more parts
    candidate = f"{parts[0]}/{parts[1].split('@', 1)[0].removesuffix('.git')}"
    return candidate if candidate != value and _valid(candidate) else None


def refuse_wrapped_repo_id(value: str) -> None:
    """Raise when ``value`` wraps a repo id rather than being one, naming the id to use.

    Raises:
        InvalidModelIdError: e.g. for ``https://huggingface.co/org/name``: "use the repo id org/name".
    """
    inside = repo_id_inside(value)
    if inside is None:
        return
    if value.strip() == inside:
        what, without = "has spaces around the repo id", "without the spaces"
    elif "://" in value or _HUB_URL.fullmatch(value.strip()):
        what, without = "is a URL, not a repo id", "without the URL"
    elif "@" in value:
        what, without = (
            "names a revision, not only the repo",
            "without the revision (the main branch is imported)",
        )
    else:
        what, without = "is a path or git remote, not a repo id", "without the path or .git"
    raise InvalidModelIdError(
        f"{shown(value)} {what}",
        fix=f"Use the repo id {inside}, {without}",
        action=Action("use-id", {"model": inside}),
    )


def _valid(repo_id: str) -> bool:
    if repo_id.count("/") != 1 or not (repo_id.isascii() and repo_id.isprintable()):
        return False
    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        return False
    return True
