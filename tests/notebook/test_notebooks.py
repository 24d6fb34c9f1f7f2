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


def run(nb: nbformat.NotebookNode, tmp_path: Path, name: str = "run.ipynb") -> tuple[nbformat.NotebookNode, str]:
    client = NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    path = tmp_path / name
    nbformat.write(nb, path)
    return nb, path.read_text()


def code(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def outputs(nb: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_tutorial_runs_top_to_bottom(sb, tmp_path, name):
    nb, _ = run(nbformat.read(NOTEBOOKS / name, as_version=4), tmp_path, name)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = outputs(nb)
    assert "created" in text or "Logged in" in text
    assert DEMO.hf_token not in text and DEMO.exo_secret not in text


def test_every_magic_and_widget_keeps_canaries_out(sb, tmp_path):
    sb.catalog.tokens[CANARY_HF] = Token(CANARY_HF, "demo-user", "canary", "read")
    sb.catalog.exoscale_keys["EXOcanarynotebook"] = (CANARY_SECRET, True)
    log_file = tmp_path / "debug.log"
    nb = code(
        f"import logging\nlogging.basicConfig(filename={str(log_file)!r}, level=logging.DEBUG, force=True)",
        "%load_ext jupyter_exo_models",
        "import os\nfrom jupyter_exo_models.notebook.login import LoginWidget\n"
        "w = LoginWidget(zone='de-fra-1')\n"
        f"w.token.value = os.environ['CANARY_HF']\nw.key.value = 'EXOcanarynotebook'\n"
        "w.secret.value = os.environ['CANARY_SECRET']\nresult = w.submit().result(60)\nw",
        "assert result.ok and w.token.value == '' and w.secret.value == ''",
        "%exo_login",
        "%exo_import sandbox-org/Tiny-Llama-1B --check",
        "job = %exo_import sandbox-org/Tiny-Llama-1B\nassert job.state == 'created', job",
        "%%exo_import --zone de-fra-1\nsandbox-org/single-safetensors\nsandbox-org/pytorch-only\nnot/a/valid/id",
        "%exo_import sandbox-gated/Llama-Gated-8B --force",
        "%exo_models\n%exo_models --all-zones",
        "%exo_status sandbox-org/Tiny-Llama-1B hf_SOMEtokenLIKEvalue12345",
        "%exo_delete sandbox-org/In-Use-Model --yes",
        "%exo_delete sandbox-org/Tiny-Llama-1B",
        "%exo_delete sandbox-org/Tiny-Llama-1B --yes",
        "from jupyter_exo_models import ModelImporter\nimp = ModelImporter('sandbox-org/gguf-only')\n"
        "imp.check().result(60)\nimp.cli_toggle.value = True\nimp",
        "print(get_ipython().find_line_magic('exo_import').__doc__)  # what %exo_import? shows",
    )
    import os

    os.environ["CANARY_HF"], os.environ["CANARY_SECRET"] = CANARY_HF, CANARY_SECRET
    try:
        nb, saved = run(nb, tmp_path)
    finally:
        del os.environ["CANARY_HF"], os.environ["CANARY_SECRET"]
    assert '"application/vnd.jupyter.widget-state+json"' in saved  # widget state was saved with the notebook
    for text in (saved, log_file.read_text()):
        assert CANARY_HF not in text and CANARY_SECRET not in text
    text = outputs(nb)
    assert "hf_SOMEtokenLIKEvalue12345" not in text and "token-like value" in text
    assert "demo-deployment" in text and "--yes" in text and "gated-access" in text
    assert "refused: weights-format" in text and "repo-id" in text
    assert "--force" in text and "--no-wait" in text  # %exo_import? documents every option
    assert any(r.service == "exoscale" and r.method == "DELETE" for r in sb.requests)


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
