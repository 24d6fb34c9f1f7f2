"""Text from elsewhere made safe to show: server texts and echoed user input.

A server (or a hostile one) decides what its error details, operation messages and log lines say; a user's
argument may hold an escape sequence or a stray newline. Before any of it is stored for display, it is
redacted (:func:`secrets.redact`), stripped of control and format characters (ANSI escapes, CR/LF, bidi
overrides) and truncated.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .secrets import redact

MAX_TEXT = 500  # characters of one server text shown (a 5 MB detail is still one line of it)
MAX_SHOWN = 100  # characters of one echoed identifier
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_SPACES = re.compile(r"\s{2,}")


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def clean(text: Any, limit: int = MAX_TEXT) -> str:
    """``text`` as one safe line: secrets masked, escapes and control characters gone, at most ``limit``
    chars."""
    value = redact(str(text))
    value = _ANSI.sub("", value)
    if any(_unsafe(c) for c in value):
        value = _SPACES.sub(" ", "".join(" " if _unsafe(c) else c for c in value))
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


MAX_REPLY = 200_000  # characters of one model reply shown (the endpoint's body cap bounds it first)


def clean_reply(text: Any, limit: int = MAX_REPLY) -> str:
    """A model's reply made safe to show, its lines kept: secrets masked, escapes and control characters other
    than newlines and tabs gone."""
    value = _ANSI.sub("", redact(str(text)))
    value = "".join(c for c in value if c in "\n\t" or not _unsafe(c))
    return value if len(value) <= limit else value[: limit - 1] + "…"


def clean_data(data: Any, limit: int = MAX_TEXT) -> Any:
    """Every string inside a decoded JSON value cleaned (keys included); structure and other values kept."""
    if isinstance(data, str):
        return clean(data, limit)
    if isinstance(data, dict):
        return {clean(k, limit) if isinstance(k, str) else k: clean_data(v, limit) for k, v in data.items()}
    if isinstance(data, list):
        return [clean_data(v, limit) for v in data]
    return data


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """How a user's identifier appears in a message: as typed when plain, else ``repr``-like so that
    whitespace, control characters and an empty value are visible (``'org/model '``, ``'de\\x1b[31m'``)."""
    if not isinstance(value, str):
        return repr(value)[:limit]
    text = redact(value)
    plain = text and text.isprintable() and text == text.strip() and "'" not in text and '"' not in text
    if plain and len(text) <= limit:
        return text
    return repr(text[:limit]) + ("…" if len(text) > limit else "")
