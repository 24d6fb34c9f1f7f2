"""Where to talk to: zones, endpoints, and the switch to the embedded sandbox."""

from __future__ import annotations

import functools
import ipaddress
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError, InsecureEndpointError
from .text import shown

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
MAX_URL = 2048  # what browsers and most servers accept; a longer endpoint is a paste gone wrong


@dataclass(frozen=True)
class Endpoints:
    """The Hub URL and the per-zone Exoscale API template in force."""

    hub: str
    exoscale_template: str
    sandbox: bool = False

    def exoscale(self, zone: str) -> str:
        return self.exoscale_template.replace("{zone}", zone).rstrip("/")


@dataclass(frozen=True)
class Override:
    """Services to use instead of the real ones, and the credentials that replace the ambient ones (the
    environment, the saved token, the exo config) while they are in force; credentials given in this process
    (arguments, the login widget) still win. The sandbox fills this slot when activated; the core never
    starts or imports a sandbox itself."""

    hub: str
    exoscale_template: str
    hf_token: str | None = field(default=None, repr=False)
    exo_key: str | None = None
    exo_secret: str | None = field(default=None, repr=False)


_overrides: list[Override] = []  # a stack: nested activations restore the outer one
_overrides_lock = threading.Lock()


def push_override(override: Override) -> None:
    with _overrides_lock:
        _overrides.append(override)


def pop_override(override: Override) -> None:
    with _overrides_lock:
        if override in _overrides:
            _overrides.remove(override)


def current_override() -> Override | None:
    """The override in force (the sandbox's, when one is active), or None for the real services."""
    return _overrides[-1] if _overrides else None


def current_endpoints() -> Endpoints:
    """The override's endpoints when one is in force, else the environment's (a plain getter: starts nothing).

    ``HF_ENDPOINT`` is read here at call time rather than trusting the value
    huggingface_hub froze at import time.

    Raises:
        ConfigurationError: ``EXOSCALE_API_ENDPOINT`` or ``HF_ENDPOINT`` is not a usable URL.
    """
    override = current_override()
    if override is not None:
        return Endpoints(override.hub, override.exoscale_template, sandbox=True)
    return _endpoints(os.environ.get("EXOSCALE_API_ENDPOINT", ""), os.environ.get("HF_ENDPOINT", ""))


@functools.lru_cache(maxsize=8)  # validated once per value, however often the environment is read
def _endpoints(template: str, hub: str) -> Endpoints:
    template = template.strip() or DEFAULT_EXOSCALE_TEMPLATE
    hub = (hub.strip() or DEFAULT_HUB).rstrip("/")
    if "{zone}" not in template:
        raise _bad_endpoint("EXOSCALE_API_ENDPOINT", template, "it has no {zone} placeholder")
    check_base_url("EXOSCALE_API_ENDPOINT", template, template.replace("{zone}", FALLBACK_ZONE))
    check_base_url("HF_ENDPOINT", hub, hub)
    return Endpoints(hub, template)


def check_base_url(variable: str, value: str, url: str) -> None:
    """Refuse a base URL (``url``, the ``value`` of ``variable`` as configured) no request could use.

    Raises:
        ConfigurationError: naming the variable, the value as given, what is wrong and an example.
    """
    if len(url) > MAX_URL:
        raise _bad_endpoint(variable, value, f"it is {len(url)} characters long (at most {MAX_URL})")
    if not url.isprintable() or any(c.isspace() for c in url) or "{" in url or "}" in url:
        raise _bad_endpoint(
            variable, value, "it contains spaces, control characters or an unknown {placeholder}"
        )
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when out of range or not a number
        host = parts.hostname or ""
        if (
            ":" in host or "[" in parts.netloc
        ):  # a bracketed host must be an IPv6 literal (3.10 lets [1.2.3.4] by)
            ipaddress.IPv6Address(host)
        else:
            host.encode("idna")  # UnicodeError: an empty or over-long label
    except (ValueError, UnicodeError) as exc:
        raise _bad_endpoint(variable, value, f"it does not parse as a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise _bad_endpoint(variable, value, "it needs an https:// scheme and a host")
    if parts.query or parts.fragment or parts.username is not None or port == 0:
        raise _bad_endpoint(variable, value, "a base URL has no ?query, #fragment, user name or port 0")


def _bad_endpoint(variable: str, value: str, why: str) -> ConfigurationError:
    example = DEFAULT_EXOSCALE_TEMPLATE if variable == "EXOSCALE_API_ENDPOINT" else DEFAULT_HUB
    return ConfigurationError(
        f"{variable}={shown(value)} is not a usable endpoint: {why}",
        fix=f"Set {variable} to a URL such as {example}, or unset it",
    )


def sandbox_requested() -> bool:
    """Whether ``EXO_MODELS_SANDBOX`` asks for the sandbox (the entry points then activate it)."""
    return os.environ.get("EXO_MODELS_SANDBOX", "").strip().lower() in {"1", "true", "yes", "on"}


def validate_zone(zone: str | None) -> str:
    """Return the zone name, normalized, or raise with the list of zones."""
    name = (zone or "").strip().lower()
    if name not in ZONES:
        raise ConfigurationError(
            f"Unknown zone {shown(zone)}",
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
