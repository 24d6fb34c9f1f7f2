"""Exoscale API objects, as the OpenAPI document shapes them."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

MODEL_STATES = ("creating", "downloading", "created", "ready", "error")


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
            id=str(data["id"]),
            name=str(data.get("name", "")),
            state=str(data.get("state", "")),
            zone=zone,
            size=data.get("model-size"),
            created_at=data.get("created-at"),
            updated_at=data.get("updated-at"),
        )

    @property
    def succeeded(self) -> bool:
        return self.state in ("created", "ready")

    def __repr__(self) -> str:
        return f"<Model {self.name} in {self.zone}: {self.state} ({self.id})>"

    @property
    def is_terminal(self) -> bool:
        return self.succeeded or self.state == "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "zone": self.zone, "state": self.state,
            "model_size": self.size, "created_at": self.created_at, "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Operation:
    """An asynchronous Exoscale operation (``pending`` → ``success``/``failure``/``timeout``)."""

    id: str
    state: str
    zone: str
    reason: str | None = None
    message: str | None = None
    reference_id: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any], zone: str) -> Operation:
        reference = data.get("reference") or {}
        return cls(
            id=str(data["id"]),
            state=str(data.get("state", "")),
            zone=zone,
            reason=data.get("reason"),
            message=data.get("message"),
            reference_id=reference.get("id"),
        )

    def __repr__(self) -> str:
        return f"<Operation {self.id} in {self.zone}: {self.state}>"

    @property
    def done(self) -> bool:
        return self.state != "pending"

    @property
    def failed(self) -> bool:
        return self.state in ("failure", "timeout")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID (model and operation ids are; model names are not)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Zone:
    name: str
    api_endpoint: str | None = None
