"""A string wrapper that keeps secrets out of reprs, logs, exceptions and tracebacks."""

from __future__ import annotations


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

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    __str__ = masked.fget  # type: ignore[assignment]

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

    def __reduce__(self):  # never pickle a secret into a notebook or cache
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
    """Whether ``value`` can be a token or key: visible ASCII only (no smart quotes or line breaks from a paste)."""
    return all("!" <= c <= "~" for c in value)


def reveal(value: Secret | str | None) -> str | None:
    return value.reveal() if isinstance(value, Secret) else value
