"""``login()``: give this notebook a Hugging Face token (and Exoscale credentials when none are found).

Like ``huggingface_hub.notebook_login``, with three promises: a secret field is
emptied the moment it is read (a saved notebook keeps widget state), a token
is saved only on request and only in Hugging Face's own token store, and
nothing secret is ever displayed.
"""

from __future__ import annotations

import concurrent.futures
import getpass
import logging
import sys
from typing import Any

import ipywidgets as widgets

from ..core import api
from ..core.config import ZONES, current_endpoints, validate_zone
from ..core.credentials import default_zone, set_session_credentials
from ..core.errors import ConfigurationError, ExoModelsError
from ..core.runner import submit
from . import render

log = logging.getLogger("jupyter_exo_models.notebook")


def _in_kernel() -> bool:
    """Whether a Jupyter kernel runs us, Colab's included (its shell subclasses ZMQInteractiveShell)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    # by name along the MRO, so terminal IPython never has to import ipykernel
    return shell is not None and any(cls.__name__ == "ZMQInteractiveShell" for cls in type(shell).__mro__)


def login(*, force: bool = False, zone: str | None = None) -> LoginWidget | api.CredentialsCheck | None:
    """Check the credentials in force; ask for the missing or broken ones.

    Args:
        force: ask again even when valid credentials are already present.
        zone: the zone in which to check the Exoscale key (default from the environment).

    Returns:
        In a notebook, the widget (when something must be entered); else the credentials check
        (its repr is one line: the details were shown already); None when nothing could be checked
        (an unknown zone, a malformed endpoint: the error and its fix are shown instead).
    """
    try:
        check = api.validate_credentials(zone=zone)
    except ExoModelsError as exc:
        _show(render.error_bundle(exc))
        return None
    if check.ok and not force:
        line = check.summary().replace("\n", " · ")  # nothing to enter: one line, not a form
        _show(
            render.bundle(
                f"Logged in. {line}",
                f"{render.sandbox_badge(current_endpoints().sandbox)}"
                f"{render.ICONS['pass']} Logged in. {render.esc(line)}",
            )
        )
        return check
    if _in_kernel():
        return LoginWidget(zone=zone, ask_exoscale=force or not check.exoscale_ok)
    return _terminal_login(check, zone)


def _show(data: dict[str, str]) -> None:
    if _in_kernel():
        from IPython.display import display

        display(data, raw=True)
    else:
        print(data["text/plain"])


def _terminal_login(check: api.CredentialsCheck, zone: str | None) -> api.CredentialsCheck:
    """No widget frontend (terminal IPython, scripts): prompts, or the environment."""
    if not sys.stdin or not sys.stdin.isatty():
        print(
            "No interactive input: set HF_TOKEN, EXOSCALE_API_KEY and EXOSCALE_API_SECRET "
            "in the environment.\n" + check.summary()
        )
        return check
    token = (
        getpass.getpass("Hugging Face token (input hidden, Enter to keep the current one): ").strip() or None
    )
    key = secret = None
    if not check.exoscale_ok:
        key = input("Exoscale API key: ").strip() or None
        secret = getpass.getpass("Exoscale API secret (input hidden): ").strip() or None
    result = api.validate_credentials(hf_token=token, key=key, secret=secret, zone=zone)
    if result.hf is not None and token:
        set_session_credentials(hf_token=token)
    if result.exoscale_ok and key and secret:
        set_session_credentials(key=key, secret=secret, zone=result.zone)
    print(result.summary())
    return result


class LoginWidget(widgets.VBox):
    """The login form; see :func:`login`."""

    def __init__(self, *, zone: str | None = None, ask_exoscale: bool = True, **kwargs: Any) -> None:
        sandbox = current_endpoints().sandbox
        self.token = widgets.Password(
            description="HF token", placeholder="hf_…", layout=widgets.Layout(width="420px")
        )
        self.key = widgets.Text(
            description="API key", placeholder="EXO…", layout=widgets.Layout(width="420px")
        )
        self.secret = widgets.Password(description="API secret", layout=widgets.Layout(width="420px"))
        zone_value, zone_error = valid_zone_or_error(zone)
        self.zone = widgets.Dropdown(options=list(ZONES), value=zone_value, description="Zone")
        self.save = widgets.Checkbox(
            value=False,
            indent=False,
            disabled=sandbox,
            description=(
                "Save the HF token on this machine (huggingface_hub's token store, never in the notebook)"
            ),
            layout=widgets.Layout(width="auto"),
        )
        self.button = widgets.Button(description="Log in", icon="sign-in", button_style="primary")
        self.status = widgets.HTML(render.error_html(zone_error) if zone_error else "")
        exoscale_box = widgets.VBox(
            [
                widgets.HTML("<b>Exoscale</b> API key with Dedicated Inference permission"),
                self.key,
                self.secret,
                self.zone,
            ]
        )
        exoscale_box.layout.display = "" if ask_exoscale else "none"
        hint = (
            "Create a read token (or a fine-grained one scoped to your repos, with access to gated repos) at "
            "<a href='https://huggingface.co/settings/tokens' target='_blank' rel='noopener'>"
            "huggingface.co/settings/tokens</a>."
        )
        super().__init__(
            children=[
                widgets.HTML(
                    f"{render.sandbox_badge(sandbox)}<b>Log in</b> — {hint}"
                    + (
                        "<br>The sandbox already uses its demo credentials: leave the fields empty "
                        "or try another sandbox token."
                        if sandbox
                        else ""
                    )
                ),
                self.token,
                exoscale_box,
                self.save,
                self.button,
                self.status,
            ],
            **kwargs,
        )
        self.button.on_click(lambda _: self.submit())

    def __repr__(self) -> str:
        # the plain-text fallback where widgets do not render (papermill, nbconvert): ipywidgets keeps 110
        # chars
        return (
            "Login form (no form above? set HF_TOKEN, EXOSCALE_API_KEY, EXOSCALE_API_SECRET, then run again)"
        )

    def submit(self) -> concurrent.futures.Future[api.CredentialsCheck]:
        """Read the fields, empty them at once, then validate in the background."""
        token, key, secret = (
            self.token.value.strip() or None,
            self.key.value.strip() or None,
            self.secret.value.strip() or None,
        )
        # out of the widget state before anything else (the key is not secret, but need not linger either)
        self.token.value = self.key.value = self.secret.value = ""
        save, zone = self.save.value, self.zone.value
        if zone is None:  # the zone given was unknown: never check (or save) the key in another one
            self.status.value = f"{render.ICONS['fail']} Choose a zone first."
            refused: concurrent.futures.Future[api.CredentialsCheck] = concurrent.futures.Future()
            refused.set_exception(ConfigurationError("No zone chosen", fix="Choose a zone in the list"))
            return refused
        self.button.disabled = True
        self.status.value = "<i>Checking…</i>"
        future = submit(self._validate(token, key, secret, zone, save))
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: concurrent.futures.Future[api.CredentialsCheck]) -> None:
        self.button.disabled = False
        exc = future.exception() if not future.cancelled() else concurrent.futures.CancelledError()
        if exc is None:
            return
        if isinstance(exc, ExoModelsError):  # our errors never carry a secret
            self.status.value = render.problem(
                exc.message, exc.fix, exc.action, mark=f"{render.ICONS['fail']} ", tint=False
            )[1]
        else:  # any other exception's text might quote one: only its type is shown
            log.error("login failed: %s", type(exc).__name__)
            text = f"Unexpected error ({type(exc).__name__}); nothing was saved: try again"
            self.status.value = f"{render.ICONS['fail']} {render.esc(text)}"

    async def _validate(
        self, token: str | None, key: str | None, secret: str | None, zone: str, save: bool
    ) -> api.CredentialsCheck:
        result = await api.avalidate_credentials(hf_token=token, key=key, secret=secret, zone=zone)
        saved = ""
        if result.hf is not None and token:
            set_session_credentials(hf_token=token)
            if save:
                saved = await _save_token(token)
        if result.exoscale_ok and key and secret:
            set_session_credentials(key=key, secret=secret, zone=zone)
        elif result.exoscale_ok:
            set_session_credentials(zone=zone)
        ok, bad = render.ICONS["pass"], render.ICONS["fail"]
        lines = [
            f"{ok if result.hf else bad} Hugging Face: "
            + render.esc(result.hf.summary() if result.hf else result.hf_error or "")
        ]
        if result.exoscale_ok:
            lines.append(
                f"{ok} Exoscale: key {render.esc(result.exoscale_key or '')} "
                f"works in {render.esc(result.zone)}"
            )
        elif result.exoscale_error is not None:
            error = result.exoscale_error
            lines.append(
                render.problem(
                    error.message, error.fix, error.action, lead="Exoscale:", mark=f"{bad} ", tint=False
                )[1]
            )
        if saved:
            lines.append(render.esc(saved))
        self.status.value = "<br>".join(lines)
        return result


def valid_zone_or_error(zone: str | None) -> tuple[str | None, ExoModelsError | None]:
    """The zone to preselect, or None and why: an unknown zone is shown as an error, never replaced."""
    try:
        return validate_zone(default_zone(zone)), None
    except ExoModelsError as exc:
        return None, exc


async def _save_token(token: str) -> str:
    """Save the token with ``huggingface_hub.login``; what happened, in one sentence.

    ``login`` checks the token against the Hub huggingface_hub was configured for (HF_ENDPOINT when it
    was imported). A token for another Hub (the sandbox, HF_ENDPOINT set later) is kept for this session
    only, rather than written where it would replace the user's token for that other Hub.
    """
    import asyncio

    from huggingface_hub import constants
    from huggingface_hub import login as hf_login

    store_hub = constants.ENDPOINT.rstrip("/")
    if store_hub != current_endpoints().hub.rstrip("/"):
        return f"Not saved: the token store belongs to {store_hub}; the token is used for this session only."
    try:
        await asyncio.to_thread(hf_login, token=token, add_to_git_credential=False)
    except Exception as exc:  # noqa: BLE001  ValueError, OSError, HTTP errors: the session login holds
        log.warning("saving the Hugging Face token failed: %s", type(exc).__name__)
        return f"Could not save the token ({type(exc).__name__}): it is used for this session only."
    return "Saved the token in Hugging Face's token store."
