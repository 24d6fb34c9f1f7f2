"""The JupyterLab sidebar and its server extension, in a real JupyterLab driven by headless Chromium."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser
TINY = "sandbox-org/Tiny-Llama-1B"


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
    panel.locator("li[data-model='sandbox-org/Already-Created']").wait_for(timeout=60_000)
    return panel


def check(panel, model_id: str) -> None:
    form = panel.locator("form.jp-ExoModels-form")
    if form.is_hidden():
        panel.get_by_role("button", name="Import model…").click()
    panel.get_by_label("Hugging Face model id").fill(model_id)
    panel.get_by_role("button", name="Check", exact=True).click()
    panel.locator("li[data-check='size']").wait_for(timeout=60_000)


def test_import_through_the_form_reaches_created(sidebar, page, lab, screenshot):
    assert "SANDBOX" in sidebar.inner_text()
    check(sidebar, TINY)
    assert sidebar.locator("li.jp-ExoModels-check-fail").count() == 0
    sidebar.get_by_role("button", name="Import", exact=True).click()
    row = sidebar.locator(f"li[data-model='{TINY}']")
    row.locator(".jp-ExoModels-badge", has_text="created").wait_for(timeout=60_000)
    screenshot(page, "lab-sidebar", docs=True)
    assert [m["state"] for m in lab.sandbox.exoscale.models("de-fra-1") if m["name"] == TINY] == ["created"]


def test_gated_model_shows_its_diagnosis_and_gate(sidebar, page, screenshot):
    check(sidebar, "sandbox-gated/Llama-Gated-8B")
    failed = sidebar.locator("li[data-check='gated-access'].jp-ExoModels-check-fail")
    assert failed.count() == 1 and "has not accepted" in failed.inner_text()
    gate = sidebar.locator(".jp-ExoModels-gate")
    assert "Company" in gate.inner_text() and gate.get_by_role("link").get_attribute("href").endswith(
        "/sandbox-gated/Llama-Gated-8B"
    )
    assert sidebar.get_by_role("button", name="Import", exact=True).is_disabled()
    screenshot(page, "lab-sidebar-gated", docs=True)
    check(sidebar, "sandbox-org/mixed-case-model")
    sidebar.get_by_role("button", name="Use sandbox-org/Mixed-Case-Model").click()
    sidebar.locator("li[data-check='repo-id-case'].jp-ExoModels-check-pass").wait_for(timeout=60_000)


def test_failed_import_shows_its_diagnosis(sidebar, page, lab, screenshot):
    # the sidebar never forces past a failed check: a script does, through the server's REST API
    request = urllib.request.Request(
        f"{lab.url}/jupyter-exo-models/imports",
        method="POST",
        data=json.dumps({"model": "sandbox-org/pytorch-only", "zone": "de-fra-1", "force": True}).encode(),
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    assert urllib.request.urlopen(request, timeout=30).status == 201
    sidebar.get_by_role("button", name="Refresh", exact=True).click()
    diagnosis = sidebar.locator(
        "li[data-model='sandbox-org/pytorch-only'] .jp-ExoModels-diagnosis[data-cause='weights-format']"
    )
    diagnosis.wait_for(timeout=60_000)
    assert "safetensors" in diagnosis.inner_text() and "fix:" in diagnosis.inner_text()
    screenshot(page, "lab-sidebar-diagnosis", docs=True)
    # a model that failed before this server watched it: the checks say why
    broken = sidebar.locator("li[data-model='sandbox-org/Broken-Import']")
    broken.get_by_role("button", name="Find out why").click()
    assert sidebar.get_by_label("Hugging Face model id").input_value() == "sandbox-org/Broken-Import"
    sidebar.locator("li[data-check='already-imported'].jp-ExoModels-check-fail").wait_for(timeout=60_000)
    assert sidebar.get_by_role("button", name="Import", exact=True).is_disabled()


def test_form_toggle_and_narrow_rows(sidebar, page):
    toggle = sidebar.get_by_role("button", name="Import model…")
    expanded = toggle.get_attribute("aria-expanded")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") != expanded
    name = sidebar.locator("li[data-model='sandbox-org/Already-Created'] .jp-ExoModels-name")
    line_height = float(name.evaluate("n => parseFloat(getComputedStyle(n).lineHeight) || 16"))
    assert name.bounding_box()["height"] < 2 * line_height  # one line at the default sidebar width


def luminance(css_color: str) -> float:
    r, g, b = (float(v) for v in re.findall(r"[\d.]+", css_color)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_dark_theme_follows_jupyterlab(sidebar, page, screenshot):
    change = "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})"
    page.evaluate(change, "JupyterLab Dark")
    try:
        page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        page.wait_for_timeout(500)
        name = sidebar.locator("li[data-model='sandbox-org/Already-Created'] .jp-ExoModels-name")
        assert luminance(sidebar.evaluate("n => getComputedStyle(n).backgroundColor")) < 0.3
        assert luminance(name.evaluate("n => getComputedStyle(n).color")) > 0.6
        screenshot(page, "lab-sidebar-dark")
    finally:
        page.evaluate(change, "JupyterLab Light")
        page.wait_for_function("document.body.dataset.jpThemeLight === 'true'", timeout=30_000)


def test_delete_with_confirmation_and_in_use_refusal(sidebar, page, lab):
    sidebar.get_by_role("button", name="Delete sandbox-org/Already-Created").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Delete").click()
    sidebar.locator("li[data-model='sandbox-org/Already-Created']").wait_for(state="detached", timeout=30_000)
    assert not [
        m for m in lab.sandbox.exoscale.models("de-fra-1") if m["name"] == "sandbox-org/Already-Created"
    ]
    sidebar.get_by_role("button", name="Delete sandbox-org/In-Use-Model").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Delete").click()
    page.locator(".jp-Dialog", has_text="demo-deployment").wait_for(timeout=30_000)


def put_settings(lab, raw: str) -> None:
    """The sidebar's user settings, as the settings editor saves them (read by the page it loads next)."""
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/jupyter-exo-models:plugin",
        method="PUT",
        data=json.dumps({"raw": raw}).encode(),
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    assert urllib.request.urlopen(request, timeout=30).status == 204


def test_settings_choose_the_zone_and_the_file_menu_opens_the_form(page, lab):
    put_settings(lab, '{"defaultZone": "ch-gva-2"}')
    try:
        page.goto(lab.page_url("lab"))
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
        page.evaluate("async () => { await window.jupyterapp.restored; }")
        # the File menu entry is declared in schema/plugin.json (jupyter.lab.menus), not added in code
        page.locator("#jp-MainMenu").get_by_text("File", exact=True).click()
        page.locator(".lm-Menu").get_by_text("Import a Hugging Face model into Exoscale…").click()
        panel = page.locator("#jp-exo-models")
        panel.get_by_label("Hugging Face model id").wait_for(timeout=30_000)
        panel.get_by_text("No models in ch-gva-2 yet").wait_for(timeout=60_000)
        assert panel.get_by_label("Zone").input_value() == "ch-gva-2"
    finally:
        put_settings(lab, "{}")
