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


DEPLOYMENT_STATES = ("creating", "deploying", "error", "preparing", "ready", "scaling", "updating")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass(frozen=True)
class Deployment:
    """A Dedicated Inference deployment (a vLLM endpoint serving one model) in one zone.

    ``url`` stays None until Exoscale gives one (before ``ready``); ``state_details`` comes with a single GET
    only (the list omits it, and the engine fields).
    """

    id: str
    name: str
    state: str
    zone: str
    gpu_type: str | None = None
    gpu_count: int | None = None
    replicas: int | None = None
    url: str | None = None
    model_id: str | None = None
    model_name: str | None = None
    state_details: str | None = None
    engine_version: str | None = None
    engine_parameters: tuple[str, ...] = ()
    visibility: str | None = None
    service_level: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any], zone: str) -> Deployment:
        model = data["model"] if isinstance(data.get("model"), dict) else {}
        parameters = data.get("inference-engine-parameters")
        return cls(
            id=_text(data.get("id")) or "",
            name=_text(data.get("name")) or "",
            state=_state(data),
            zone=zone,
            gpu_type=_text(data.get("gpu-type")),
            gpu_count=_count(data.get("gpu-count")),
            replicas=_count(data.get("replicas")),
            url=_text(data.get("deployment-url")),
            model_id=_text(model.get("id")) or _text(data.get("model-id")),  # legacy: a top-level model-id
            model_name=_text(model.get("name")) or _text(data.get("model-name")),
            state_details=_text(data.get("state-details")),
            engine_version=_text(data.get("inference-engine-version")),
            engine_parameters=tuple(p for p in parameters if isinstance(p, str))
            if isinstance(parameters, list)
            else (),
            visibility=_text(data.get("visibility")),
            service_level=_text(data.get("service-level")),
            created_at=_text(data.get("created-at")),
            updated_at=_text(data.get("updated-at")),
        )

    def __repr__(self) -> str:
        return f"<Deployment {self.name} in {self.zone}: {self.state} ({self.id})>"

    @property
    def private(self) -> bool:
        """The user's own (``public`` ones are Exoscale's managed ones); unknown counts as the user's."""
        return self.visibility != "public"

    def to_dict(self) -> dict[str, Any]:
        """The documented shape (README, "Command line": ``deploy --json``)."""
        return {
            "id": self.id,
            "name": self.name,
            "zone": self.zone,
            "state": self.state,
            "gpu-type": self.gpu_type,
            "gpu-count": self.gpu_count,
            "replicas": self.replicas,
            "url": self.url,
            "model": {"id": self.model_id, "name": self.model_name},
            "state-details": self.state_details,
            "inference-engine-version": self.engine_version,
            "inference-engine-parameters": list(self.engine_parameters),
            "created-at": self.created_at,
        }


@dataclass(frozen=True)
class InstanceType:
    family: str
    authorized: bool


@dataclass(frozen=True)
class EngineParameter:
    """One flag of the inference engine's server (``GET /ai/help/inference-engine-parameters``)."""

    name: str
    flags: tuple[str, ...]
    type: str | None = None
    section: str | None = None
    description: str | None = None
    default: str | None = None
    allowed_values: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> EngineParameter:
        flags = _list(data.get("flags"))
        allowed = _list(data.get("allowed-values"))
        name = _text(data.get("name")) or ""
        default = data.get("default")
        return cls(
            name=name,
            flags=tuple(f for f in flags if isinstance(f, str)) or ((name,) if name.startswith("-") else ()),
            type=_text(data.get("type")),
            section=_text(data.get("section")),
            description=_text(data.get("description")),
            default=None if default is None else str(default),
            allowed_values=tuple(str(v) for v in allowed if isinstance(v, (str, int, float))),
        )


@dataclass(frozen=True)
class LogLine:
    time: str | None
    node: str | None
    message: str

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> LogLine:
        return cls(_text(data.get("time")), _text(data.get("node")), str(data.get("message") or ""))

    def __str__(self) -> str:
        return " ".join(part for part in (self.time, self.node, self.message) if part)
