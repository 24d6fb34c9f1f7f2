"""Exoscale API objects, parsed tolerantly.

The authority is ``exoscale/openapi.json``, but the service drifts ahead of (and behind) it: model ``status``
became ``state`` in 2026, ``reference`` is optional on an operation, fields may be missing or of another type.
Every field is read with a fallback; an unknown value is kept as it is (shown, and watched), never guessed.
Every string was already redacted and cleaned by the client when the answer was decoded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

UNKNOWN = "unknown"
OPERATION_TERMINAL = ("success", "failure", "timeout")


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _state(data: dict[str, Any]) -> str:
    """``state``, else the legacy ``status``, lower-cased; ``unknown`` when neither is a string."""
    return (_text(data.get("state")) or _text(data.get("status")) or UNKNOWN).lower()


def _size(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@dataclass(frozen=True)
class Model:
    """A Dedicated Inference model in one zone."""

    id: str
    name: str
    state: str
    zone: str
    size: int | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any], zone: str) -> Model:
        return cls(
            id=_text(data.get("id")) or "",
            name=_text(data.get("name")) or "",
            state=_state(data),
            zone=zone,
            size=_size(data.get("model-size")),
            created_at=_text(data.get("created-at")),
            updated_at=_text(data.get("updated-at")),
        )

    def __repr__(self) -> str:
        return f"<Model {self.name} in {self.zone}: {self.state} ({self.id})>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "zone": self.zone,
            "state": self.state,
            "model_size": self.size,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Operation:
    """An asynchronous Exoscale operation (``pending`` → ``success``/``failure``/``timeout``).

    ``reference`` is not required by the API: ``reference_id`` may stay None even on success.
    """

    id: str
    state: str
    zone: str
    reason: str | None = None
    message: str | None = None
    reference_id: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any], zone: str) -> Operation:
        reference = data.get("reference")
        return cls(
            id=_text(data.get("id")) or "",
            state=_state(data),
            zone=zone,
            reason=_text(data.get("reason")),
            message=_text(data.get("message")),
            reference_id=_text(reference.get("id")) if isinstance(reference, dict) else None,
        )

    def __repr__(self) -> str:
        return f"<Operation {self.id} in {self.zone}: {self.state}>"

    @property
    def done(self) -> bool:
        """A final state; an unknown one is still under way (keep polling)."""
        return self.state in OPERATION_TERMINAL

    @property
    def failed(self) -> bool:
        return self.state in ("failure", "timeout")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_existing(models: Iterable[Model], names: set[str]) -> Model | None:
    """The model with one of these exact names (case-sensitive, as Exoscale's), preferring one not in
    error."""
    found = [m for m in models if m.name in names]
    return next((m for m in found if m.state != "error"), found[0] if found else None)


def is_uuid(value: object) -> bool:
    """Whether ``value`` is a UUID in its canonical text form (model and operation ids are; names are not)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


@dataclass(frozen=True)
class Zone:
    name: str
    api_endpoint: str | None = None
