"""What a fix asks the user to do, as data: the core's ``fix`` text names no face's command, and each face
(the notebook, the CLI, the sidebar) phrases an :class:`Action` in its own words, in one place.

Kinds and their ``args``:

========================  ===================================================================
``delete-model``          ``model`` (name), ``id``, ``zone``: delete the model, then import again
``delete-deployments``    ``names``, ``zone``: the deployments that keep a model from being deleted
``attach``                ``model``, ``zone``: watch an import that goes on at Exoscale again
``list-models``           ``zone``: list the zone's models (a name was not found)
``use-id``                ``model``: the exact repo id to use instead (capitalization, a URL, ...)
``login-hf``              none: provide a Hugging Face token
``login-exoscale``        none: provide an Exoscale API key and secret
``accept-terms``          ``url``: accept a gated repo's conditions on its page
``retry-later``           ``seconds`` (None when the server did not say): try the same again later
``attach-deployment``     ``deployment``, ``zone``: watch a deployment that goes on at Exoscale again
``scale-deployment``      ``deployment``, ``replicas``, ``zone``: scale a deployment (e.g. back from 0)
``deploy``                ``model``, ``zone``, ``gpu_type``, ``gpu_count``: deploy again with these GPUs
========================  ===================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal[
    "delete-model",
    "delete-deployments",
    "attach",
    "list-models",
    "use-id",
    "login-hf",
    "login-exoscale",
    "accept-terms",
    "retry-later",
    "attach-deployment",
    "scale-deployment",
    "deploy",
]


@dataclass(frozen=True)
class Action:
    """One kind of fix and its arguments (plain JSON values: names, ids, zones, URLs, seconds)."""

    kind: Kind
    args: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.args}


def action_dict(action: Action | None) -> dict[str, Any] | None:
    return action.to_dict() if action is not None else None
