"""Find credentials where the Hugging Face and Exoscale tools keep them.

Hugging Face: explicit argument, then the token set by this session's login
widget, then ``huggingface_hub.get_token()`` (``HF_TOKEN``, the saved token,
Colab secrets). Exoscale: explicit arguments, then the session's, then
``EXOSCALE_API_KEY``/``EXOSCALE_API_SECRET``, then the exo CLI config file.
With the sandbox on, the sandbox's demo credentials replace the ambient ones
(environment, saved token, exo config), so a real token found on the machine is
never sent to a fake service; credentials given in this process (arguments, the
login widget) are used as given, which is how the sandbox's other demo tokens
are tried.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import huggingface_hub

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]

from .config import FALLBACK_ZONE, current_override
from .errors import ConfigurationError, CredentialsMissingError, ExoConfigError
from .fixes import Action
from .secrets import Secret, well_formed
from .text import shown

HF_TOKENS_URL = "https://huggingface.co/settings/tokens"
EXOSCALE_KEYS_URL = "https://portal.exoscale.com/iam/api-keys"


@dataclass(frozen=True)
class HfToken:
    """A Hugging Face token and where it came from (``argument``, ``login``, ``environment``, ...)."""

    value: Secret
    source: str

    def __repr__(self) -> str:
        return f"HfToken({self.value.masked!r}, source={self.source!r})"

    @property
    def well_formed(self) -> bool:
        """False for a value no HTTP header can carry; such a token is never sent."""
        return well_formed(self.value.reveal())

    @property
    def malformed_message(self) -> str:
        return (
            f"The Hugging Face token from {self.source} ({self.value.masked}) contains characters "
            "no token has "
            "(a smart quote, space or line break from a copy-paste?)"
        )


@dataclass(frozen=True)
class ExoscaleCredentials:
    """An Exoscale API key/secret pair, the default zone, and where they came from."""

    key: str
    secret: Secret = field(repr=False)
    zone: str = FALLBACK_ZONE
    source: str = "argument"

    def __post_init__(self) -> None:
        if not (well_formed(self.key) and well_formed(self.secret.reveal())):
            raise ConfigurationError(
                f"The Exoscale API key or secret from {self.source} contains characters no key or secret has "
                "(a smart quote, space or line break from a copy-paste?)",
                fix=f"Copy the key and secret again from {EXOSCALE_KEYS_URL}",
            )

    def __repr__(self) -> str:
        return (
            f"ExoscaleCredentials(key={self.key!r}, secret={self.secret.masked!r}, "
            f"zone={self.zone!r}, source={self.source!r})"
        )


@dataclass
class _Session:
    """Credentials typed into the login widget: process memory only, never on disk."""

    hf_token: Secret | None = None
    exo_key: str | None = None
    exo_secret: Secret | None = None
    zone: str | None = None


SESSION = _Session()


def clean_token(value: str | Secret | None) -> str | None:
    """Strip whitespace and newlines a copy-paste adds; ``None`` for empty."""
    if value is None:
        return None
    value = value.reveal() if isinstance(value, Secret) else str(value)
    value = value.strip()
    return value or None


def set_session_credentials(
    *, hf_token: str | None = None, key: str | None = None, secret: str | None = None, zone: str | None = None
) -> None:
    """Remember credentials for this process (what the login widget calls)."""
    if (token := clean_token(hf_token)) is not None:
        SESSION.hf_token = Secret(token)
    if (k := clean_token(key)) is not None:
        SESSION.exo_key = k
    if (s := clean_token(secret)) is not None:
        SESSION.exo_secret = Secret(s)
    if zone:
        SESSION.zone = zone.strip().lower()


def clear_session_credentials() -> None:
    SESSION.hf_token = SESSION.exo_key = SESSION.exo_secret = SESSION.zone = None


def resolve_hf_token(explicit: str | Secret | bool | None = None) -> HfToken | None:
    """The Hugging Face token to use, or ``None`` when there is none anywhere (or ``explicit`` is False)."""
    if explicit is False:
        return None
    if explicit is True:
        explicit = None
    if (token := clean_token(explicit)) is not None:
        return HfToken(Secret(token), "argument")
    if SESSION.hf_token:
        return HfToken(SESSION.hf_token, "login")
    override = current_override()
    if override is not None and override.hf_token:
        return HfToken(Secret(override.hf_token), "sandbox")
    from huggingface_hub import get_token

    if (token := clean_token(get_token())) is not None:
        source = "environment" if clean_token(os.environ.get("HF_TOKEN")) == token else "huggingface_hub"
        return HfToken(Secret(token), source)
    return None


def exo_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "exoscale" / "exoscale.toml"


def read_exo_config(path: Path | None = None) -> ExoscaleCredentials | None:
    """The account of the exo CLI's config file that the exo CLI would use, if there is a file.

    The account is chosen as the exo CLI chooses it: ``-A/--use-account`` (our CLI sets
    ``EXOSCALE_ACCOUNT`` from it), else ``EXOSCALE_ACCOUNT``, else ``defaultaccount``; a name that no
    account has is refused with the names that exist. Unlike the exo CLI (which refuses), a file with
    no default and a single account uses that account: there is no doubt which one is meant.

    Raises:
        ExoConfigError: the file is not valid TOML, is not shaped as the exo CLI writes it, names an
            account that does not exist, or its account has no key or secret.
    """
    path = path or exo_config_path()
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _malformed(path, f"not readable TOML ({type(exc).__name__})") from None
    accounts = data.get("accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
        raise _malformed(path, "`accounts` must be a list of [[accounts]] tables")
    for account in accounts:
        for name in ("name", "key", "secret", "defaultZone"):
            if not isinstance(account.get(name, ""), str):
                raise _malformed(path, f"the `{name}` of an account must be a string")
    if not accounts:
        return None
    default = data.get("defaultaccount", "")
    if not isinstance(default, str):
        raise _malformed(path, "`defaultaccount` must be a string")
    names = [a.get("name", "") for a in accounts]
    wanted = os.environ.get("EXOSCALE_ACCOUNT", "").strip() or default.strip()
    if not wanted and len(accounts) > 1:
        raise ExoConfigError(
            f"The exo config at {shown(str(path))} has several accounts and no default account",
            fix=f"Set defaultaccount in it, or EXOSCALE_ACCOUNT, to one of: {_names(names)}",
        )
    account = next((a for a in accounts if a.get("name") == wanted), None) if wanted else accounts[0]
    if account is None:
        source = "EXOSCALE_ACCOUNT" if os.environ.get("EXOSCALE_ACCOUNT", "").strip() else "defaultaccount"
        raise ExoConfigError(
            f"No account named {shown(wanted)} in the exo config at {shown(str(path))} (from {source})",
            fix=f"Use one of its accounts: {_names(names)}",
        )
    key, secret = clean_token(account.get("key")), clean_token(account.get("secret"))
    if not key or not secret:
        raise ExoConfigError(
            f"Account {shown(account.get('name', ''))} in the exo config at {shown(str(path))} "
            "has no key or secret",
            fix="Run `exo config` to set the account's API key and secret",
        )
    # an unknown defaultZone is kept, so that using it fails with the list of zones instead of silently moving
    zone = (account.get("defaultZone") or FALLBACK_ZONE).strip().lower()
    return ExoscaleCredentials(key, Secret(secret), zone, f"exo config ({path})")


def _malformed(path: Path, why: str) -> ExoConfigError:
    return ExoConfigError(
        f"The exo config at {shown(str(path))} is malformed: {why}",
        fix="Fix the file (see `exo config show`), or run `exo config` to recreate it",
    )


def _names(names: list[str]) -> str:
    return ", ".join(shown(n) for n in names) or "(none has a name)"


def default_zone(explicit: str | None = None) -> str:
    """Explicit zone, else ``EXOSCALE_ZONE``, else the session's, else the exo config's, else de-fra-1."""
    for candidate in (explicit, os.environ.get("EXOSCALE_ZONE"), SESSION.zone):
        if candidate and candidate.strip():
            return candidate.strip().lower()
    try:
        config = read_exo_config()
    except ConfigurationError:
        config = None
    return config.zone if config else FALLBACK_ZONE


def resolve_exoscale(
    key: str | None = None, secret: str | Secret | None = None, zone: str | None = None
) -> ExoscaleCredentials:
    """The Exoscale credentials to use.

    Raises:
        CredentialsMissingError: none found anywhere (the fix names each place looked at).
        ConfigurationError: the exo config exists but is broken.
    """
    zone = default_zone(zone)
    key, secret_value = clean_token(key), clean_token(secret)
    if key and secret_value:
        return ExoscaleCredentials(key, Secret(secret_value), zone, "argument")
    if key or secret_value:
        raise CredentialsMissingError(
            "Only one of the Exoscale API key and secret was given",
            fix="Pass both key and secret, or neither to use the environment",
        )
    if SESSION.exo_key and SESSION.exo_secret:
        return ExoscaleCredentials(SESSION.exo_key, SESSION.exo_secret, zone, "login")
    override = current_override()
    if override is not None and override.exo_key and override.exo_secret:
        return ExoscaleCredentials(override.exo_key, Secret(override.exo_secret), zone, "sandbox")
    env_key = clean_token(os.environ.get("EXOSCALE_API_KEY"))
    env_secret = clean_token(os.environ.get("EXOSCALE_API_SECRET"))
    if env_key and env_secret:
        return ExoscaleCredentials(env_key, Secret(env_secret), zone, "environment")
    config = read_exo_config()
    if config is not None:
        return ExoscaleCredentials(config.key, config.secret, zone, config.source)
    raise CredentialsMissingError(
        "No Exoscale API credentials found",
        fix=(
            "Set EXOSCALE_API_KEY and EXOSCALE_API_SECRET, run `exo config`, or log in. "
            f"Create a key with Dedicated Inference permission at {EXOSCALE_KEYS_URL}"
        ),
        action=Action("login-exoscale"),
    )


def hf_login_command(version: str | None = None) -> str:
    """How to save a Hugging Face token with the installed huggingface_hub: its ``hf`` CLI exists from 0.34,
    older ones have only ``huggingface-cli``."""
    from packaging.version import InvalidVersion, Version

    try:
        new = Version(version or huggingface_hub.__version__) >= Version("0.34")
    except InvalidVersion:
        new = True  # an unparsable (development) version is a recent one
    return "hf auth login" if new else "huggingface-cli login"
