"""The widgets driven from Python (set values, click), against the sandbox, for every check outcome."""

from __future__ import annotations

import pytest

from jupyter_exo_models.notebook.importer import ModelImporter
from jupyter_exo_models.notebook.login import LoginWidget, login
from jupyter_exo_models.sandbox import DEMO

WAIT = 30


def checked(model_id: str, zone: str = "de-fra-1") -> ModelImporter:
    widget = ModelImporter(zone=zone)
    widget.model_input.value = model_id
    widget.check_button.click()
    widget.check().result(WAIT)
    return widget


@pytest.mark.parametrize("model_id, failing", [
    ("sandbox-org/Tiny-Llama-1B", None),
    ("sandbox-org/mixed-case-model", "repo-id-case"),
    ("other-user/secret-model", "repo-access"),
    ("sandbox-gated/Llama-Gated-8B", "gated-access"),
    ("sandbox-gated/Manual-Gated-7B", "gated-access"),
    ("sandbox-org/pytorch-only", "weights-format"),
    ("sandbox-org/no-weights", "weights-format"),
    ("sandbox-org/Broken-Import", "already-imported"),
    ("not a valid id", "repo-id"),
])
def test_check_rows_and_import_button(sb, model_id, failing):
    widget = checked(model_id)
    assert widget.report is not None and widget.report.model == model_id
    assert widget.results.value.count("<tr>") == 11
    if failing is None:
        assert not widget.import_button.disabled and "Ready to import" in widget.results.value
    else:
        assert widget.import_button.disabled and widget.report[failing].status == "fail"
        assert "✘" in widget.results.value and "fix:" in widget.results.value


def test_canonical_id_one_click(sb):
    widget = checked("sandbox-org/mixed-case-model")
    assert widget.use_canonical.layout.display == "" and "Mixed-Case-Model" in widget.use_canonical.description
    widget._apply_canonical()
    widget.check().result(WAIT)
    assert widget.model_input.value == "sandbox-org/Mixed-Case-Model" and widget.report.ok


def test_gate_shows_prompt_fields_link_and_recheck(sb):
    widget = checked("sandbox-gated/Llama-Gated-8B")
    assert "Acknowledge the SANDBOX Llama license" in widget.gate.value
    assert "Company" in widget.gate.value and sb.hub_url + "/sandbox-gated/Llama-Gated-8B" in widget.gate.value
    assert widget.recheck_button.layout.display == ""
    sb.hub.accept("demo-user", "sandbox-gated/Llama-Gated-8B")
    widget.check().result(WAIT)
    assert widget.report.ok and widget.gate.value == "" and not widget.import_button.disabled


def test_pending_says_so(sb):
    assert "pending approval" in checked("sandbox-gated/Manual-Gated-7B").gate.value


def test_warning_needs_the_override(sb):
    widget = checked("sandbox-org/gguf-only")
    assert widget.report.ok and widget.report.warnings
    assert widget.import_button.disabled and widget.override.layout.display == ""
    widget.override.value = True
    assert not widget.import_button.disabled


def test_import_live_status_and_double_click(sb):
    widget = checked(DEMO.tiny)
    assert "16" not in widget.facts.value and "apache-2.0" in widget.facts.value
    first = widget.start_import()
    second = widget.start_import()  # a double click while starting
    job = first.result(WAIT)
    assert second.result(WAIT) in (None, job)
    job.result(WAIT)
    assert "created" in widget.status.value and "deployment create" in widget.status.value
    assert len([m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.tiny]) == 1
    assert widget.import_button.disabled
    assert "created" in repr(widget)


def test_failed_import_shows_the_diagnosis(sb):
    widget = checked("sandbox-gated/Llama-Gated-8B")
    from jupyter_exo_models.core import api

    job = api.import_model("sandbox-gated/Llama-Gated-8B", zone="de-fra-1", force=True, wait=False)
    widget._follow(job)
    with pytest.raises(Exception):
        job.result(WAIT)
    assert "Diagnosis (gated-access)" in widget.status.value


def test_a_new_widget_attaches_to_an_import_under_way(sb):
    from jupyter_exo_models.core import api

    api.import_model(DEMO.tiny, zone="de-fra-1", wait=False)
    widget = ModelImporter(DEMO.tiny, zone="de-fra-1")  # as after a kernel restart
    widget.check().result(WAIT)
    assert widget.job is not None and widget.job.attached
    widget.job.result(WAIT)
    assert "created" in widget.status.value


def test_cli_command_never_contains_the_token(sb):
    widget = checked(DEMO.tiny)
    widget.cli_toggle.value = True
    import html

    assert '--huggingface-token "$HF_TOKEN"' in html.unescape(widget.cli.value) and DEMO.hf_token not in widget.cli.value
    assert widget.cli.layout.display == ""


def test_login_skips_when_valid_and_widget_clears_secrets(sb, capsys):
    check = login()
    assert check.ok and "Logged in" in capsys.readouterr().out
    widget = LoginWidget(zone="de-fra-1")
    widget.token.value = DEMO.hf_fine_grained_gated
    widget.key.value, widget.secret.value = DEMO.exo_key, DEMO.exo_secret
    future = widget.submit()
    assert widget.token.value == "" and widget.secret.value == ""
    result = future.result(WAIT)
    assert result.ok and "fine-grained" in widget.status.value
    assert DEMO.hf_fine_grained_gated not in widget.status.value and DEMO.exo_secret not in widget.status.value
    from jupyter_exo_models.core.credentials import resolve_hf_token

    assert resolve_hf_token().source == "login"


def test_login_reports_bad_credentials(sb):
    widget = LoginWidget(zone="de-fra-1")
    widget.token.value = DEMO.hf_revoked
    widget.key.value, widget.secret.value = DEMO.exo_key_no_ai, DEMO.exo_secret_no_ai
    result = widget.submit().result(WAIT)
    assert not result.ok and "invalid or revoked" in widget.status.value and "IAM" in widget.status.value
    assert DEMO.hf_revoked not in widget.status.value
