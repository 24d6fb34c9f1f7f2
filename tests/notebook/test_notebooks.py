"""Real kernels: the tutorials, every magic, secret hygiene of saved notebooks, and kernel responsiveness."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_exo_models.sandbox import DEMO
from jupyter_exo_models.sandbox.catalog import Token

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
CANARY_HF = "hf_CANARYnotebookCANARYnotebook000000001"
CANARY_SECRET = "CANARY-exoscale-notebook-secret-000001"
CANARY_KEY = "EXOcanarynotebook"
TUTORIALS = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def run(
    nb: nbformat.NotebookNode, tmp_path: Path, name: str = "run.ipynb"
) -> tuple[nbformat.NotebookNode, str]:
    client = NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    path = tmp_path / name
    nbformat.write(nb, path)
    return nb, path.read_text()


def code(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def outputs(nb: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def output_of(nb: nbformat.NotebookNode, source_start: str) -> str:
    """Every output of the (first) cell whose source starts so, as text."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start))
    return json.dumps(cell.outputs, ensure_ascii=False)


def result_text(nb: nbformat.NotebookNode, source_start: str) -> str:
    """The text/plain of the cell's Out[n] (what echoing its value shows)."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start))
    return "".join(o["data"]["text/plain"] for o in cell.outputs if o["output_type"] == "execute_result")


def with_canaries(sb, monkeypatch, tmp_path) -> Path:
    """Canary credentials the sandbox accepts, handed to the kernel through its environment (never a cell)."""
    sb.catalog.tokens[CANARY_HF] = Token(CANARY_HF, "demo-user", "canary", "read")
    sb.catalog.exoscale_keys[CANARY_KEY] = (CANARY_SECRET, True)
    monkeypatch.setenv("CANARY_HF", CANARY_HF)
    monkeypatch.setenv("CANARY_SECRET", CANARY_SECRET)
    return tmp_path / "debug.log"


def setup_cell(log_file: Path) -> nbformat.NotebookNode:
    """Logs at DEBUG, then logs in with the canaries, as the login widget would."""
    return nbformat.v4.new_code_cell(
        "import logging, os\n"
        f"logging.basicConfig(filename={str(log_file)!r}, level=logging.DEBUG, force=True)\n"
        "from jupyter_exo_models.core.credentials import set_session_credentials\n"
        f"set_session_credentials(hf_token=os.environ['CANARY_HF'], key={CANARY_KEY!r}, "
        "secret=os.environ['CANARY_SECRET'])"
    )


def assert_no_canary(sb, saved: str, log_file: Path) -> None:
    for text in (saved, log_file.read_text()):
        assert CANARY_HF not in text and CANARY_SECRET not in text
    # and they were really used: the Hub saw the token, Exoscale the key (signed with the secret)
    assert any(r.service == "hub" and r.bearer() == CANARY_HF for r in sb.requests)
    assert any(
        r.service == "exoscale" and CANARY_KEY in r.headers.get("authorization", "") for r in sb.requests
    )


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source
    assert "widgets" not in nb.metadata


def check_quickstart(nb: nbformat.NotebookNode, saved: str) -> None:
    assert "Logged in" in output_of(nb, "import jupyter_exo_models as jem\n\njem.login()")
    preflight = output_of(nb, "report = jem.preflight")
    assert (
        "gated-access" in preflight
        and "✘" in preflight
        and ("Acknowledge license" in preflight or "accept" in preflight)
    )
    assert result_text(nb, "job = jem.import_model") == "'created'"
    assert "sandbox-org/Tiny-Llama-1B" in output_of(nb, "for model in") and "created" in output_of(
        nb, "for model in"
    )


def check_scripting(nb: nbformat.NotebookNode, saved: str) -> None:
    check = output_of(nb, "%exo_import sandbox-org/mixed-case-model --check")
    assert "repo-id-case" in check and "sandbox-org/Mixed-Case-Model" in check
    assert result_text(nb, "job = %exo_import") == "'created'"
    batch = nb.cells[[c.source.startswith("%%exo_import") for c in nb.cells].index(True)].outputs
    final = (
        batch[0]["data"]["text/plain"]
        if batch[0]["output_type"] != "stream"
        else batch[1]["data"]["text/plain"]
    )
    assert "sandbox-org/single-safetensors" in final and "refused: weights-format" in final
    assert "fix:" in final and final.count("created") >= 2
    assert len(result_text(nb, "%%exo_import")) < 120  # the table is shown once; Out is one line
    assert "Tiny-Llama-1B" in output_of(nb, "%exo_models") and "created" in output_of(nb, "%exo_status")
    assert "demo-deployment" in output_of(nb, "%exo_delete sandbox-org/In-Use-Model")
    assert "Deleting sandbox-org/single-safetensors" in output_of(
        nb, "%exo_delete sandbox-org/single-safetensors"
    )
    assert " ".join(result_text(nb, "import jupyter_exo_models as jem").split()) == (
        "[('acme-ai/internal-model', True, []), ('sandbox-org/gguf-only', True, ['weights-format'])]"
    )
    assert result_text(nb, "job = await").endswith("'created']")
    assert "Operation" in result_text(nb, "await jem.adelete_model")


def check_colab(nb: nbformat.NotebookNode, saved: str) -> None:
    assert "Logged in" in output_of(nb, "import jupyter_exo_models as jem")
    assert "sandbox-org/Already-Created" in output_of(nb, "%load_ext")


def check_deploy(nb: nbformat.NotebookNode, saved: str) -> None:
    first = output_of(nb, "%load_ext jupyter_exo_models\nreport = %exo_deploy")
    assert (
        "✘ model-ready" in first and "✘ gated-access" in first and "run: " not in first.split("gpu-type")[0]
    )
    assert "Ready to deploy" in output_of(nb, "report = %exo_deploy")
    deployed = output_of(nb, "job = %exo_deploy")
    assert "importing" in deployed and "ready" in deployed and "Smoke test answered in" in deployed
    assert result_text(nb, "endpoint = jem.endpoint").startswith("'[SANDBOX] sandbox-gated/Llama-Gated-8B")
    assert "[SANDBOX]" in output_of(nb, "%%exo_chat")
    assert "application/vnd.jupyter.widget-view+json" in output_of(nb, "jem.Deployer(job)")
    assert "to 0 replica(s)" in output_of(nb, "%exo_scale")
    undeployed = output_of(nb, "%exo_undeploy")
    assert "Deleted llama-gated-8b" in undeployed and "demo-deployment" in undeployed
    assert result_text(nb, "%exo_undeploy") == "<1 deployments: 1 ready>"  # demo-deployment alone is left


CLAIMS = {
    "01_quickstart.ipynb": check_quickstart,
    "02_scripting.ipynb": check_scripting,
    "03_google_colab.ipynb": check_colab,
    "04_deploy_and_chat.ipynb": check_deploy,
}
WITH_IMPORTER = ("01_quickstart.ipynb", "03_google_colab.ipynb")
# The importer widget's verdict, asked in the kernel: nbclient keeps only the widget updates that arrive
# while a cell runs, so the saved widget state may predate the end of the checks.
IMPORTER_IS_READY = (
    "importer = next(v for v in Out.values() if type(v).__name__ == 'ModelImporter')\n"
    "assert importer.future.result(60).ok and 'Ready to import' in importer.results.value"
)


@pytest.mark.slow
@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_runs_top_to_bottom_and_reaches_its_goal(sb, tmp_path, monkeypatch, name):
    log_file = with_canaries(sb, monkeypatch, tmp_path)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.insert(0, setup_cell(log_file))
    if name in WITH_IMPORTER:
        nb.cells.append(nbformat.v4.new_code_cell(IMPORTER_IS_READY))
    nb, saved = run(nb, tmp_path, name)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    CLAIMS[name](nb, saved)
    assert_no_canary(sb, saved, log_file)
    assert DEMO.hf_token not in saved and DEMO.exo_secret not in saved


@pytest.mark.slow
def test_every_magic_and_widget_keeps_canaries_out(sb, tmp_path, monkeypatch):
    log_file = with_canaries(sb, monkeypatch, tmp_path)
    nb = code(
        "%load_ext jupyter_exo_models",
        "import os\nfrom jupyter_exo_models.notebook.login import LoginWidget\n"
        "w = LoginWidget(zone='de-fra-1')\n"
        f"w.token.value = os.environ['CANARY_HF']\nw.key.value = {CANARY_KEY!r}\n"
        "w.secret.value = os.environ['CANARY_SECRET']\nresult = w.submit().result(60)\nw",
        "assert result.ok and w.token.value == w.key.value == w.secret.value == ''",
        "%exo_login",
        "%exo_import sandbox-org/Tiny-Llama-1B --check",
        "job = %exo_import sandbox-org/Tiny-Llama-1B\nassert job.state == 'created', job",
        "%%exo_import --zone de-fra-1\nsandbox-org/single-safetensors\n"
        "sandbox-org/pytorch-only\nnot/a/valid/id",
        "%exo_import sandbox-gated/Llama-Gated-8B --force",
        "%exo_models\n%exo_models --all-zones",
        "%exo_delete sandbox-org/In-Use-Model --yes",
        "%exo_delete sandbox-org/Tiny-Llama-1B",
        "%exo_delete sandbox-org/Tiny-Llama-1B --yes",
        "from jupyter_exo_models import ModelImporter\nimp = ModelImporter('sandbox-org/gguf-only')\n"
        "imp.future.result(60)\nimp.cli_toggle.value = True\nimp",
        "import jupyter_exo_models as jem\njem.login(force=True)",
        "print(get_ipython().find_line_magic('exo_import').__doc__)  # what %exo_import? shows",
    )
    nb.cells.insert(0, setup_cell(log_file))
    nb, saved = run(nb, tmp_path)
    assert '"application/vnd.jupyter.widget-state+json"' in saved  # widget state was saved with the notebook
    assert_no_canary(sb, saved, log_file)
    text = outputs(nb)
    assert "demo-deployment" in text and "--yes" in text and "gated-access" in text
    assert "refused: weights-format" in text and "repo-id" in text
    assert "--force" in text and "--no-wait" in text  # %exo_import? documents every option
    assert any(r.service == "exoscale" and r.method == "DELETE" for r in sb.requests)
    # the login form's plain-text fallback (papermill, nbconvert) says what to do instead
    assert "HF_TOKEN" in output_of(nb, "import jupyter_exo_models as jem\njem.login(force=True)")
    # what the magics show in full, their Out[n] does not repeat
    assert result_text(nb, "%exo_import sandbox-org/Tiny-Llama-1B --check") == (
        "<PreflightReport sandbox-org/Tiny-Llama-1B in de-fra-1: ready to import>"
    )
    assert result_text(nb, "%exo_models").startswith("<") and result_text(nb, "%exo_models").count("\n") == 0


# Deploys from the panel (check, deploy, try it), from the magic and from Python, then reads the endpoint's
# key in the kernel and asserts no widget's state holds it (the saved file is checked by the test)
DEPLOYED_KEY_IS_NOWHERE = (
    "import ipywidgets\nfrom jupyter_exo_models.core.runner import run_sync\n"
    "key = run_sync(jem.endpoint('already-created', zone='de-fra-1').api_key()).reveal()\n"
    "live = getattr(ipywidgets.widgets.widget, '_instances', None) or ipywidgets.Widget.widgets\n"
    "states = repr([w.get_state() for w in list(live.values())])\n"
    "assert key and key not in states and os.environ['CANARY_HF'] not in states\n"
    "del key"
)


@pytest.mark.slow
def test_a_deployment_s_key_and_the_token_stay_out_of_the_saved_notebook(sb, tmp_path, monkeypatch):
    from jupyter_exo_models.core.runner import run_sync

    log_file = with_canaries(sb, monkeypatch, tmp_path)
    nb = code(
        "%load_ext jupyter_exo_models",
        "import os\nimport jupyter_exo_models as jem\n"
        "d = jem.Deployer('sandbox-org/Already-Created', zone='de-fra-1', hf_token=os.environ['CANARY_HF'])\n"
        "assert d.future.result(60).ok\nd.panel.deploy_button.click()\nd.panel.future.result(60)\n"
        "d.panel.job.result(60)\nd.panel.send_button.click()\nd.panel.future.result(60)\nd",
        "job = %exo_deploy sandbox-org/Already-Created --zone de-fra-1",
        "%%exo_chat already-created\nHello",
        "jem.deploy('sandbox-org/Already-Created', zone='de-fra-1')",
        "jem.endpoint('already-created', zone='de-fra-1').openai_client().base_url",
        DEPLOYED_KEY_IS_NOWHERE,
    )
    nb.cells.insert(0, setup_cell(log_file))
    nb, saved = run(nb, tmp_path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    assert '"application/vnd.jupyter.widget-state+json"' in saved and "Smoke test answered in" in saved
    from jupyter_exo_models.core import api

    key = run_sync(api.endpoint("already-created", zone="de-fra-1").api_key()).reveal()
    assert key and key not in saved and key not in log_file.read_text()
    assert_no_canary(sb, saved, log_file)


SECRET_ARG = "Zx8vQ2mN7pL4kR9tW3yB6cF1hJ5aa"  # shaped like an Exoscale API secret


def test_magic_lines_never_echo_secrets_and_keep_ids_intact(sb, tmp_path):
    nb = code(
        "%load_ext jupyter_exo_models",
        f"%exo_models --zone de-fra-1 {SECRET_ARG}",
        f"%exo_status sandbox-org/Tiny-Llama-1B hf_SOMEtokenLIKEvalue12345 {SECRET_ARG}",
        "%exo_status acme/hf_transformers_demo",
        f"%%exo_import --check\norg/EXOPLANETclassifier\n{SECRET_ARG}\nsandbox-org/Tiny-Llama-1B",
    )
    nb, _ = run(nb, tmp_path)
    assert "error" not in [o["output_type"] for c in nb.cells for o in c.outputs]
    text = outputs(nb)
    assert SECRET_ARG not in text and "hf_SOMEtokenLIKEvalue12345" not in text
    warnings = [
        o
        for c in nb.cells
        for o in c.outputs
        if o.get("name") == "stderr" and "looks like a token" in o["text"]
    ]
    assert len(warnings) == 3  # every time, not once per location
    assert "Already-Created" in output_of(
        nb, "%exo_models"
    )  # the command still ran, without the stray argument
    assert "acme/hf_transformers_demo" in output_of(nb, "%exo_status acme/")  # an id, not a token
    batch = output_of(nb, "%%exo_import")
    assert "org/EXOPLANETclassifier" in batch and "sandbox-org/Tiny-Llama-1B" in batch


def test_batch_import_shows_and_returns_each_failure(sb, tmp_path):
    sb.faults.once("exoscale", "POST", r"/ai/model$", 403)
    nb = code(
        "%load_ext jupyter_exo_models",
        "%%exo_import --zone de-fra-1\nsandbox-org/single-safetensors",
        "batch = _\nprint(batch.failed, [e.message for e in batch.errors.values()])",
        "%%exo_import --zone de-fra-1\nsandbox-org/single-safetensors\nsandbox-org/no-weights",
        "print(_.failed, {m: j.state for m, j in _.jobs.items()})",
    )
    nb, _ = run(nb, tmp_path)
    failed = nb.cells[1].outputs
    table = failed[-2]["data"]["text/plain"] if failed[-1]["output_type"] == "execute_result" else ""
    assert "sandbox-org/single-safetensors" in table and "failed" in table
    assert "403" in table and "fix:" in table  # the error message and its fix, on the model's row
    assert nb.cells[1].outputs[-1]["data"]["text/plain"] == "<%%exo_import of 1 models: 1 failed>"
    assert result_text(nb, "%%exo_import --zone de-fra-1\nsandbox-org/single-safetensors\n") == (
        "<%%exo_import of 2 models: 1 created, 1 refused>"
    )
    printed = nb.cells[2].outputs[0]["text"]
    assert "['sandbox-org/single-safetensors']" in printed and "403" in printed
    assert "sandbox-org/no-weights" in nb.cells[4].outputs[0]["text"]
    assert "'sandbox-org/single-safetensors': 'created'" in nb.cells[4].outputs[0]["text"]


@pytest.mark.slow
def test_kernel_stays_responsive_while_an_import_is_watched(sb, tmp_path):
    sb.exoscale.timings.downloading = 4.0
    nb = code(
        "import jupyter_exo_models as jem\n"
        "job = jem.import_model('sandbox-org/Tiny-Llama-1B', zone='de-fra-1', wait=False)",
        "answer = 1 + 1\nstate_during = job.state\ndone_during = job.done\nanswer",
        "final = job.result(timeout=60).state\nfinal",
        "print(answer, done_during, state_during, final)",
    )
    nb, _ = run(nb, tmp_path)
    printed = nb.cells[-1].outputs[0]["text"].split()
    assert printed[0] == "2" and printed[1] == "False"  # 1+1 finished while the import was still going
    assert printed[2] in ("creating", "downloading", "submitted") and printed[3] == "created"
