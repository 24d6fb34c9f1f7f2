"""Where to talk to: zones, endpoints, and the switch to the embedded sandbox."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ConfigurationError, InsecureEndpointError

ZONES: tuple[str, ...] = (
    "at-vie-1",
    "at-vie-2",
    "bg-sof-1",
    "ch-dk-2",
    "ch-gva-2",
    "de-fra-1",
    "de-muc-1",
    "hr-zag-1",
)
FALLBACK_ZONE = "de-fra-1"  # the zone of Exoscale's import guide
DEFAULT_HUB = "https://huggingface.co"
DEFAULT_EXOSCALE_TEMPLATE = "https://api-{zone}.exoscale.com/v2"


@dataclass(frozen=True)
class Endpoints:
    """The Hub URL and the per-zone Exoscale API template in force."""

    hub: str
    exoscale_template: str
    sandbox: bool = False

    def exoscale(self, zone: str) -> str:
        return self.exoscale_template.replace("{zone}", zone).rstrip("/")


def current_endpoints() -> Endpoints:
    """The sandbox's endpoints when it is on (in-process or ``EXO_MODELS_SANDBOX=1``), else the env's.

    ``HF_ENDPOINT`` is read here at call time rather than trusting the value
    huggingface_hub froze at import time.
    """
    from .. import sandbox  # lazy: the sandbox is never imported unless asked for

    running = sandbox.current()
    if running is not None:
        return Endpoints(running.hub_url, running.exoscale_url_template, sandbox=True)
    template = os.environ.get("EXOSCALE_API_ENDPOINT", "").strip() or DEFAULT_EXOSCALE_TEMPLATE
    if "{zone}" not in template:
        raise ConfigurationError(
            f"EXOSCALE_API_ENDPOINT={template!r} has no '{{zone}}' placeholder",
            fix="Use a template such as https://api-{zone}.exoscale.com/v2",
        )
    hub = (os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_HUB).rstrip("/")
    return Endpoints(hub, template)


def sandbox_requested() -> bool:
    return os.environ.get("EXO_MODELS_SANDBOX", "").strip().lower() in {"1", "true", "yes", "on"}


def validate_zone(zone: str | None) -> str:
    """Return the zone name, normalized, or raise with the list of zones."""
    name = (zone or "").strip().lower()
    if name not in ZONES:
        raise ConfigurationError(
            f"Unknown zone {zone!r}",
            fix="Use one of: " + ", ".join(ZONES),
        )
    return name


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_safe_url(url: str) -> None:
    """Refuse to send a secret anywhere but HTTPS, or plain HTTP to loopback.

    Raises:
        InsecureEndpointError: for ``http://`` to a non-loopback host or an unknown scheme.
    """
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise InsecureEndpointError(
        f"Refusing to send credentials to {parts.scheme or '?'}://{parts.hostname or '?'}: "
        "only HTTPS, or plain HTTP to this machine (loopback), is allowed",
        fix="Use an https:// endpoint (check EXOSCALE_API_ENDPOINT / HF_ENDPOINT)",
    )
