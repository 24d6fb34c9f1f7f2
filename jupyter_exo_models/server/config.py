"""The server extension's traitlets configuration: ``jupyter lab --ExoModelsConfig.default_zone=at-vie-1``,
or ``c.ExoModelsConfig.default_zone = "at-vie-1"`` in ``jupyter_server_config.py``."""

from __future__ import annotations

from typing import Any

from traitlets import TraitError, Unicode, validate
from traitlets.config import Configurable

from ..core.config import validate_zone
from ..core.errors import ConfigurationError


class ExoModelsConfig(Configurable):
    """What the Jupyter server's administrator sets for the sidebar's REST API."""

    default_zone = Unicode(
        None,
        allow_none=True,
        config=True,
        help="The zone the REST API uses when a request names none, and the sidebar's first zone "
        "(else EXOSCALE_ZONE, the exo config's zone, or de-fra-1).",
    )

    @validate("default_zone")
    def _valid_zone(self, proposal: dict[str, Any]) -> str | None:
        value = proposal["value"]
        if value is None:
            return None
        try:
            return validate_zone(value)
        except ConfigurationError as exc:
            raise TraitError(f"ExoModelsConfig.default_zone: {exc.message}. {exc.fix}") from None
