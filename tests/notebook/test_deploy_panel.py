"""The deploy panel (in ModelImporter, and on its own as Deployer) driven by clicking its buttons, against the
sandbox: check, deploy, try it, scale, delete, a failure's diagnosis, and no secret in any widget's state."""

from __future__ import annotations

import contextlib
import html

import ipywidgets
import pytest

import jupyter_exo_models as jem
from jupyter_exo_models.core.errors import ExoModelsError
from jupyter_exo_models.core.runner import run_sync
from jupyter_exo_models.notebook.deployer import Deployer, DeployPanel
from jupyter_exo_models.notebook.importer import ModelImporter
from jupyter_exo_models.sandbox import DEMO

WAIT = 30
ZONE = "de-fra-1"
NAME = "already-created"


def creates(sb) -> list:
    return [
        r
        for r in sb.requests
        if r.service == "exoscale" and r.method == "POST" and r.path.endswith("/ai/deployment")
    ]


def settle(panel: DeployPanel):
    """Wait for the panel's latest action, then for the deployment it follows."""
    result = panel.future.result(WAIT)
    if panel.job is not None:
        with contextlib.suppress(ExoModelsError):  # a deployment ending in error is an outcome too
            panel.job.result(WAIT)
    return result


def imported_panel(**kwargs) -> tuple[ModelImporter, DeployPanel]:
    """The importer of an already created model: it attaches to the import, then offers the deployment."""
    importer = ModelImporter(DEMO.already_created, zone=ZONE, **kwargs)
    importer.future.result(WAIT)
    importer.job.result(WAIT)
    panel = importer.deploy_panel
    panel.future.result(WAIT)
    return importer, panel


def deployed(sb, **kwargs) -> tuple[ModelImporter, DeployPanel]:
    importer, panel = imported_panel(**kwargs)
    panel.deploy_button.click()
    settle(panel)
    assert panel.job.state == "ready", panel.status.value
    return importer, panel


def text(widget) -> str:
    return html.unescape(widget.value)


def live_states() -> str:
    live = getattr(ipywidgets.widgets.widget, "_instances", None)  # ipywidgets 8; 7 keeps Widget.widgets
    return repr(
        [w.get_state() for w in list((live if live is not None else ipywidgets.Widget.widgets).values())]
    )


def test_the_importer_offers_the_deployment_once_created_with_the_core_s_defaults(sb):
    importer, panel = imported_panel()
    assert importer.job.state == "created" and panel.layout.display == ""
    report = panel.report
    authorized = [o for o in report.options if o.authorized]
    assert list(panel.gpu_type.options) == [(o.label(), o.family) for o in authorized]
    assert any("48 GB · fits" in label for label, _ in panel.gpu_type.options)
    plan = report.plan
    assert (panel.gpu_type.value, panel.gpu_count.value, panel.replicas.value, panel.name.value) == (
        plan.gpu_type,
        plan.gpu_count,
        1,
        NAME,
    )
    assert "Ready to deploy" in panel.results.value and "gpu-fit" in panel.results.value
    assert not panel.deploy_button.disabled and not creates(sb)


def test_deploy_shows_the_live_timeline_then_the_endpoint_smoke_test_and_code(sb):
    _, panel = imported_panel()
    seen = []
    panel.status.observe(lambda change: seen.append(change["new"]), names="value")
    panel.deploy_button.click()
    panel.deploy_button.click()  # a double click
    settle(panel)
    assert len(creates(sb)) == 1 and panel.job.state == "ready"
    assert any("<b>deploying</b>" in s or "font-weight:bold'>deploying" in s for s in seen)  # live states
    status = text(panel.status)
    d = panel.job.deployment
    assert "creating" in status and "ready" in status and d.url not in status  # shown once, below
    assert panel.manage.layout.display == "" and panel.try_box.layout.display == ""
    info = text(panel.info)
    assert d.url in info and panel.job.smoke_test.model in info and "Smoke test answered in" in info
    code = text(panel.code)
    assert f'jem.endpoint("{NAME}", zone="{ZONE}").chat(' in code and ".openai_client()" in code
    assert panel.deploy_button.disabled  # deployed: deleting it comes first
    assert "ready" in repr(panel)


def test_try_it_sends_the_prompt_and_shows_the_reply_and_latency(sb):
    _, panel = deployed(sb)
    panel.prompt.value = "What is 2 + 2?"
    panel.send_button.click()
    reply = panel.future.result(WAIT)
    assert reply.text in text(panel.reply) and f"{reply.latency_ms:.0f} ms" in panel.reply.value
    chats = [r for r in sb.requests if r.service == "inference" and r.path.endswith("/chat/completions")]
    assert len(chats) == 2  # the smoke test, then this prompt


def test_scale_to_zero_then_back_to_one(sb):
    _, panel = deployed(sb)
    panel.scale_zero_button.click()
    assert panel.future.result(WAIT).replicas == 0
    assert "answers 503" in panel.manage_status.value
    panel.send_button.click()
    with pytest.raises(ExoModelsError):
        panel.future.result(WAIT)
    assert "503" in text(panel.reply) and "scale it to 1" in text(panel.reply)
    panel.scale_one_button.click()
    assert panel.future.result(WAIT).replicas == 1
    panel.job.result(WAIT)  # watched again to ready and smoke-tested
    assert panel.job.state == "ready" and panel.job.smoke_test is not None
    assert "Smoke test answered in" in panel.info.value


def test_delete_asks_for_a_confirmation_first(sb):
    _, panel = deployed(sb)
    panel.delete_button.click()
    assert panel.confirm_delete.layout.display == "" and panel.delete_button.layout.display == "none"
    panel.cancel_delete.click()
    assert panel.confirm_delete.layout.display == "none"
    assert NAME in [d.name for d in jem.list_deployments(ZONE).deployments]
    panel.delete_button.click()
    panel.confirm_delete.click()
    panel.future.result(WAIT)
    assert NAME not in [d.name for d in jem.list_deployments(ZONE).deployments]
    assert f"Deleted {NAME}" in panel.status.value and panel.manage.layout.display == "none"
    assert panel.job is None and panel.deploy_button.disabled  # check again to deploy anew


def test_a_model_that_does_not_fit_fails_with_the_gpu_fit_diagnosis_and_logs(sb):
    deployer = Deployer(DEMO.large, zone=ZONE)
    panel = deployer.panel
    report = deployer.future.result(WAIT)
    assert report.ok and panel.gpu_type.value != "gpu3"  # the core chose GPUs that fit
    panel.gpu_type.value = "gpu3"
    panel.gpu_count.value = 1
    assert "check again" in panel.results.value and panel.deploy_button.disabled
    panel.check_button.click()
    report = panel.future.result(WAIT)
    assert report["gpu-fit"].status == "fail" and "does not fit" in text(panel.results)
    assert panel.deploy_button.disabled and panel.force.layout.display == ""
    panel.force.value = True
    panel.deploy_button.click()
    settle(panel)
    status = text(panel.status)
    assert panel.job.state == "error" and "Diagnosis (gpu-fit)" in status and "fix: " in status
    assert f"%exo_deploy {DEMO.large} --zone {ZONE} --gpu-type gpurtx6000pro --gpu-count 2" in status
    assert "log lines" in status and "EngineCore failed to start" in status


def test_a_gated_model_shows_the_deployment_and_the_import_checks(sb):
    deployer = Deployer(DEMO.gated, zone=ZONE)
    report = deployer.future.result(WAIT)
    results = text(deployer.panel.results)
    assert not report.ok and "model-ready" in results and "gated-access" in results
    assert "Import checks" in results and deployer.panel.deploy_button.disabled


def test_a_deployment_name_is_followed_and_managed(sb):
    deployer = Deployer("demo-deployment", zone=ZONE)
    job = deployer.future.result(WAIT)
    job.result(WAIT)
    panel = deployer.panel
    assert panel.model == DEMO.in_use and DEMO.in_use in panel.title.value
    assert panel.name.value == "demo-deployment" and panel.manage.layout.display == ""
    assert "Smoke test answered in" in panel.info.value and "ready" in repr(deployer)


def test_a_job_started_in_code_is_shown(sb):
    job = jem.deploy(DEMO.already_created, zone=ZONE, wait=False)
    deployer = Deployer(job)
    job.result(WAIT)
    assert deployer.panel.job is job and "Smoke test answered in" in deployer.panel.info.value


def test_an_unknown_zone_is_shown_and_nothing_is_sent(sb):
    sb.clear_log()
    deployer = Deployer(DEMO.already_created, zone="xx-nowhere-1")
    with pytest.raises(ExoModelsError):
        deployer.future.result(WAIT)
    assert "xx-nowhere-1" in text(deployer.panel.status)
    assert not [r for r in sb.requests if r.service == "exoscale"]


def test_no_widget_state_holds_the_deployment_key_nor_the_token(sb):
    _, panel = deployed(sb, hf_token=DEMO.hf_token)
    panel.send_button.click()
    panel.future.result(WAIT)
    key = run_sync(jem.endpoint(NAME, zone=ZONE).api_key()).reveal()
    assert key and key not in repr(panel.job.endpoint)
    states = live_states()
    assert key not in states and DEMO.hf_token not in states and DEMO.exo_secret not in states
