"""Secrets: a string wrapper masked in every textual form, and the redactor every server text passes through.

Every :class:`Secret` made in this process is remembered, so that a server quoting one back (an Exoscale
error detail echoing the Hugging Face token it was sent, say) gets it masked before the text is stored,
logged, raised or shown. Token-shaped strings (``hf_…``) are masked too, whether or not this process holds
them.
"""

from __future__ import annotations

import re
import threading
from typing import NoReturn
from urllib.parse import quote

MIN_REMEMBERED = 8  # shorter values would mask ordinary words; no real token or secret is that short
TOKEN_SHAPED = re.compile(r"(?<![A-Za-z0-9])(?:hf_|api_org_)[A-Za-z0-9]{16,}")
_known: dict[str, str] = {}  # every secret value (and its URL-quoted form) -> its mask
_known_lock = threading.Lock()


class Secret:
    """Holds a credential; every textual form of it is masked (``hf_…abcd``).

    The raw value is only reachable through :meth:`reveal`, so an accidental
    ``print``, f-string, ``logging`` call or exception message shows the mask.

    Example:
        >>> s = Secret("hf_abcdefghijklmnop")
        >>> s
        Secret('hf_…mnop')
        >>> s.reveal()
        'hf_abcdefghijklmnop'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = value
        remember(value)

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:  # never pickle a secret into a notebook or cache
        raise TypeError("Secret values cannot be pickled")


def mask(value: str | None) -> str:
    """``hf_…abcd`` for long values, ``***`` for short ones (nothing useful to guess from)."""
    if not value:
        return ""
    if len(value) < 12:
        return "***"
    prefix = value.split("_", 1)[0] + "_" if "_" in value[:5] else ""  # hf_ names the kind, not the secret
    return f"{prefix}…{value[-4:]}"


def well_formed(value: str) -> bool:
    """Whether ``value`` can be a token or key: visible ASCII only (no smart quotes or line breaks from a
    paste)."""
    return all("!" <= c <= "~" for c in value)


def reveal(value: Secret | str | None) -> str | None:
    return value.reveal() if isinstance(value, Secret) else value


def remember(value: str | None) -> None:
    """Have :func:`redact` mask ``value`` (what every :class:`Secret` does when made)."""
    if not value or len(value) < MIN_REMEMBERED:
        return
    masked = mask(value)
    with _known_lock:
        _known[value] = masked
        _known[quote(value, safe="")] = masked


def redact(text: str) -> str:
    """``text`` with every secret this process holds, and every token-shaped string, masked."""
    with _known_lock:
        known = sorted(
            _known.items(), key=lambda item: len(item[0]), reverse=True
        )  # longest first: no partial masks
    for value, masked in known:
        if value in text:
            text = text.replace(value, masked)
    return TOKEN_SHAPED.sub(lambda m: mask(m.group()), text)
