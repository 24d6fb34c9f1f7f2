"""The sidebar when JupyterLab's server has no Exoscale credentials, then wrong ones, then right ones.

Not in sandbox mode (so no demo credentials): the endpoints merely point at a sandbox on 127.0.0.1, and
the credentials come from an exo config file the test writes while JupyterLab runs, as `exo config` would.
"""

from __future__ import annotations

import os

import pytest

from jupyter_exo_models.core.credentials import hf_login_command

pytestmark = pytest.mark.browser
SANDBOX_VARS = ("EXO_MODELS_SANDBOX", "EXO_MODELS_SANDBOX_HUB_URL", "EXO_MODELS_SANDBOX_EXOSCALE_URL")


@pytest.fixture(scope="module")
def bare_lab(tmp_path_factory, start_lab):
    from jupyter_exo_models.sandbox import Sandbox

    with Sandbox() as sb:
        env = {k: v for k, v in os.environ.items() if k not in SANDBOX_VARS}
        env.update(EXOSCALE_API_ENDPOINT=sb.exoscale_url_template, HF_ENDPOINT=sb.hub_url)
        with start_lab(tmp_path_factory.mktemp("bare-lab"), env, sb) as lab:
            yield lab


def write_exo_config(lab, key: str, secret: str) -> None:
    config = lab.root.parent / "home" / ".config" / "exoscale" / "exoscale.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'defaultAccount = "ci"\n\n[[accounts]]\nname = "ci"\nkey = "{key}"\nsecret = "{secret}"\n'
        'defaultZone = "de-fra-1"\n'
    )


def test_missing_then_rejected_then_working_credentials(bare_lab, page, screenshot):
    from jupyter_exo_models.sandbox import DEMO

    page.goto(bare_lab.page_url("lab"))
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    page.evaluate(
        "async () => { await window.jupyterapp.restored; "
        "window.jupyterapp.shell.activateById('jp-exo-models'); }"
    )
    panel = page.locator("#jp-exo-models")
    notice = panel.locator(".jp-ExoModels-notice")

    missing = notice.locator("[data-notice='credentials-missing']")
    missing.wait_for(timeout=60_000)
    assert "EXOSCALE_API_KEY" in missing.inner_text() and "exoscale.toml" in missing.inner_text()
    assert "No Hugging Face token" in notice.inner_text()
    assert f"`{hf_login_command()}`" in notice.inner_text()  # the login of the server's huggingface_hub
    assert "once the Exoscale credentials work" in panel.inner_text()
    screenshot(page, "lab-sidebar-credentials-missing")

    write_exo_config(bare_lab, DEMO.exo_key, "not-the-secret-of-this-key-0000")
    missing.get_by_role("button", name="Retry").click()
    rejected = notice.locator("[data-notice='credentials-rejected']")
    rejected.wait_for(timeout=30_000)
    assert "rejected" in rejected.inner_text().lower()
    assert "not-the-secret" not in page.content()

    write_exo_config(bare_lab, DEMO.exo_key, DEMO.exo_secret)
    rejected.get_by_role("button", name="Retry").click()
    panel.locator("li[data-model='sandbox-org/Already-Created']").wait_for(timeout=30_000)
    assert notice.locator("[data-notice]").count() == 0
