"""The notebook widgets in a real JupyterLab, rendered and clicked in headless Chromium."""

from __future__ import annotations

import nbformat
import pytest

pytestmark = pytest.mark.browser


def open_and_run(page, lab, name: str, until: str | None = None) -> None:
    """Open a notebook and run its cells, all of them or up to the first one containing ``until``."""
    # `reset`: JupyterLab would otherwise restore the previous test's notebook into the server-side workspace
    page.goto(lab.page_url(f"lab/tree/{name}") + "&reset")
    page.wait_for_function(
        """(name) => {
        const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return widget && widget.context && widget.context.path === name
            && widget.sessionContext.session && widget.sessionContext.session.kernel
            && widget.sessionContext.session.kernel.status === 'idle';
    }""",
        arg=name,
        timeout=90_000,
    )
    page.evaluate(
        """async (until) => {
        const app = window.jupyterapp, notebook = app.shell.currentWidget.content;
        const last = until === null ? notebook.widgets.length - 1
            : notebook.widgets.findIndex(cell => cell.model.sharedModel.getSource().includes(until));
        notebook.activeCellIndex = 0;
        for (let i = 0; i <= last; i++) { await app.commands.execute('notebook:run-cell-and-select-next'); }
    }""",
        until,
    )


def test_quickstart_check_and_import_in_the_rendered_widget(page, lab, screenshot):
    open_and_run(page, lab, "01_quickstart.ipynb", until="ModelImporter(")
    importer = page.locator(".widget-vbox", has_text="Import a Hugging Face model").first
    importer.wait_for(timeout=120_000)
    importer.get_by_text("Ready to import").wait_for(timeout=60_000)
    importer.get_by_role("button", name="Check").click()
    importer.get_by_text("Ready to import").wait_for(timeout=60_000)
    import_button = importer.locator(
        "button.mod-primary"
    ).first  # Import (the deploy panel's Deploy comes later)
    import_button.wait_for()
    page.wait_for_function("b => !b.disabled", arg=import_button.element_handle(), timeout=30_000)
    import_button.click()
    importer.locator("text=deploy it next").wait_for(timeout=90_000)
    assert "created" in importer.inner_text()
    importer.scroll_into_view_if_needed()
    screenshot(page, "notebook-importer", docs=True)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-below')")  # the rest of the tutorial
    page.get_by_text("sandbox-org/Tiny-Llama-1B                created").wait_for(timeout=60_000)
    models = [m for m in lab.sandbox.exoscale.models("de-fra-1") if m["name"] == "sandbox-org/Tiny-Llama-1B"]
    assert len(models) == 1 and models[0]["state"] == "created"


def test_login_widget_masks_and_empties_the_token(page, lab, screenshot):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import jupyter_exo_models as jem\njem.login(force=True)")]
    nbformat.write(nb, lab.root / "login.ipynb")
    open_and_run(page, lab, "login.ipynb")
    field = page.locator("input[type=password]").first
    try:
        field.wait_for(timeout=120_000)
    except Exception:
        screenshot(page, "notebook-login-failure")
        raise
    field.fill(lab.sandbox.demo.hf_token)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Hugging Face: demo-user").wait_for(timeout=60_000)
    assert field.get_attribute("type") == "password"
    assert field.input_value() == ""
    screenshot(page, "notebook-login", docs=True)
    assert lab.sandbox.demo.hf_token not in page.content()


# -- Notebook 7 ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook7(tmp_path_factory, start_lab):
    """Notebook 7 (``jupyter notebook``) in sandbox mode, with deployments slow enough to be seen."""
    import os

    from jupyter_exo_models.sandbox import Sandbox, Timings

    timings = Timings(creating=1.0, downloading=2.0, deployment_creating=1.0, deployment_deploying=2.0)
    with Sandbox(timings=timings) as sb:
        env = {**os.environ, "EXO_MODELS_POLL_INTERVAL": "0.2"}
        with start_lab(tmp_path_factory.mktemp("notebook7"), env, sb, app="notebook") as server:
            yield server


def test_deploy_panel_in_notebook_7_deploys_and_answers(page, notebook7, screenshot):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import jupyter_exo_models as jem\njem.Deployer('sandbox-org/Already-Created', zone='de-fra-1')"
        )
    ]
    nbformat.write(nb, notebook7.root / "deploy.ipynb")
    page.goto(notebook7.page_url("tree"))
    entry = page.get_by_text("deploy.ipynb", exact=True)
    entry.wait_for(timeout=90_000)
    with page.context.expect_page(timeout=30_000) as opened:  # Notebook 7 opens a notebook in a new tab
        entry.dblclick()
    tab = opened.value
    tab.wait_for_function(
        """() => {
        const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return widget && widget.sessionContext && widget.sessionContext.session
            && widget.sessionContext.session.kernel
            && widget.sessionContext.session.kernel.status === 'idle';
    }""",
        timeout=90_000,
    )
    tab.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    panel = tab.locator(".widget-vbox", has_text="Ready to deploy").first
    try:
        panel.wait_for(timeout=120_000)
    except Exception:
        screenshot(tab, "notebook7-deployer-failure")
        raise
    deploy = panel.locator("button.mod-primary")  # the primary button: Deploy
    tab.wait_for_function("b => !b.disabled", arg=deploy.element_handle(), timeout=30_000)
    deploy.click()
    panel.get_by_text("Smoke test answered in").first.wait_for(timeout=120_000)
    assert "deploying" in panel.inner_text() and "Try it" in panel.inner_text()
    panel.scroll_into_view_if_needed()
    screenshot(tab, "notebook-deployer", docs=True)
    panel.get_by_role("button", name="Try it").click()
    panel.get_by_text("received 1 message(s)").nth(1).wait_for(timeout=60_000)  # the smoke test's, then ours
    from jupyter_exo_models.core import api

    deployments = [d for d in api.list_deployments("de-fra-1").deployments if d.name == "already-created"]
    assert len(deployments) == 1 and deployments[0].state == "ready"
