"""The sidebar's Deployments section and its Deploy dialog, in a real JupyterLab driven by headless Chromium,
against the sandbox."""

from __future__ import annotations

import json
import urllib.request

import pytest

from jupyter_exo_models.sandbox import DEMO

pytestmark = pytest.mark.browser
CREATED = DEMO.already_created
SEEDED = "demo-deployment"


@pytest.fixture
def sidebar(page, lab):
    page.goto(lab.page_url("lab"))
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    page.wait_for_function("document.getElementById('jp-exo-models') !== null", timeout=90_000)
    page.evaluate("""async () => {  // after the layout restorer, or it may collapse the side bar again
        await window.jupyterapp.restored;
        window.jupyterapp.shell.activateById('jp-exo-models');
    }""")
    panel = page.locator("#jp-exo-models")
    panel.locator(f"li[data-deployment='{SEEDED}']").wait_for(timeout=60_000)
    return panel


def deploy_dialog(sidebar, page):
    sidebar.get_by_role("button", name=f"Deploy {CREATED}").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("li[data-check='gpu-fit']").wait_for(timeout=60_000)  # the server's choice, checked
    return dialog


def test_deploy_from_the_sidebar_until_ready_then_try_it(sidebar, page, lab, screenshot):
    dialog = deploy_dialog(sidebar, page)
    gpus = dialog.get_by_label("GPU type")
    labels = gpus.locator("option").all_inner_texts()
    assert labels and all(" · " in label for label in labels) and any("fits" in label for label in labels)
    assert not any(label.startswith("gpua5000") for label in labels)  # not authorized in de-fra-1
    assert dialog.locator("li.jp-ExoModels-check-fail").count() == 0
    name = dialog.get_by_label("Deployment name").input_value()
    dialog.get_by_role("button", name="Deploy", exact=True).click()
    status = dialog.locator(".jp-ExoModels-deployStatus[data-kind='ready']")
    status.wait_for(timeout=120_000)
    assert "smoke test answered" in status.inner_text()
    dialog.get_by_role("button", name="Close").click()

    row = sidebar.locator(f"li[data-deployment='{name}']")
    row.locator(".jp-ExoModels-badge", has_text="ready").wait_for(timeout=60_000)
    assert " × " in row.inner_text() and "replica" in row.inner_text()
    assert row.locator(".jp-ExoModels-url").inner_text().startswith("http")
    row.get_by_label(f"Prompt for {name}").fill("Hello from the sidebar")
    row.get_by_role("button", name="Send").click()
    reply = row.locator(".jp-ExoModels-reply[data-latency]")
    reply.wait_for(timeout=60_000)
    assert reply.inner_text().startswith("[SANDBOX]") and reply.inner_text().endswith("ms)")
    row.get_by_role("button", name="Logs").click()
    row.locator(".jp-ExoModels-logLines", has_text="INFO").wait_for(timeout=30_000)
    screenshot(page, "lab-sidebar-deployments", docs=True)
    key = next(d for d in lab.sandbox.exoscale.deployments._deployments.values() if d.name == name).api_key
    assert key not in page.content()  # the key stays on the server


def test_a_failing_check_keeps_deploy_disabled(sidebar, page):
    dialog = deploy_dialog(sidebar, page)
    dialog.get_by_label("Replicas").fill("0")
    dialog.get_by_role("button", name="Check", exact=True).click()
    failed = dialog.locator("li[data-check='replicas'].jp-ExoModels-check-fail")
    failed.wait_for(timeout=60_000)
    assert failed.locator(".jp-ExoModels-fix").count() == 1
    assert dialog.get_by_role("button", name="Deploy", exact=True).is_disabled()
    dialog.get_by_role("button", name="Close").click()


def test_a_failed_deployment_shows_its_diagnosis(sidebar, page, lab, screenshot):
    # the sidebar never forces past a failed check: a script does, through the server's REST API
    body = {"model": DEMO.large, "zone": "de-fra-1", "gpu_type": "gpu3", "gpu_count": 1, "force": True}
    request = urllib.request.Request(
        f"{lab.url}/jupyter-exo-models/deployments",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 201
        name = json.load(answer)["deployment"]["name"]
    sidebar.get_by_role("button", name="Refresh", exact=True).click()
    diagnosis = sidebar.locator(f"li[data-deployment='{name}'] .jp-ExoModels-diagnosis[data-cause='gpu-fit']")
    diagnosis.wait_for(timeout=120_000)
    assert "memory" in diagnosis.inner_text().lower() and "fix:" in diagnosis.inner_text()
    screenshot(page, "lab-sidebar-deployment-diagnosis")


def test_scale_to_zero_then_delete(sidebar, page, lab):
    row = sidebar.locator(f"li[data-deployment='{SEEDED}']")
    row.get_by_role("button", name="Scale to zero").click()
    row.get_by_role("button", name="Scale to 1").wait_for(timeout=60_000)
    row.locator(".jp-ExoModels-badge", has_text="scaled to zero").wait_for(timeout=60_000)
    assert row.locator(".jp-ExoModels-try").is_hidden()
    row.get_by_role("button", name=f"Delete deployment {SEEDED}").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Cancel").click()
    assert row.count() == 1
    row.get_by_role("button", name=f"Delete deployment {SEEDED}").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Delete").click()
    row.wait_for(state="detached", timeout=60_000)
    assert not [d for d in lab.sandbox.exoscale.deployments._deployments.values() if d.name == SEEDED]
