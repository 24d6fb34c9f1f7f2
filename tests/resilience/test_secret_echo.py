"""A server quoting secrets back: Exoscale echoing the Hugging Face token and the Exoscale secret in every
operation message and error detail. No face may show them: the Python API (exceptions, reprs, job state,
events), the logs at every level, the command line (text and --json, -vv) and the magics. The REST API is
tested in tests/server/test_handlers.py."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from hostile import ECHOED_EXO_SECRET, echoing_services

from jupyter_exo_models.core import api
from jupyter_exo_models.core.errors import ImportFailed
from jupyter_exo_models.sandbox import DEMO

TINY = "sandbox-org/Tiny-Llama-1B"


@pytest.fixture
def echoing(monkeypatch):
    with echoing_services(monkeypatch) as exoscale:
        yield exoscale


def leaks(text: str) -> list[str]:
    return [s for s in (DEMO.hf_token, ECHOED_EXO_SECRET) if s in text]


async def test_the_python_api_and_the_logs_never_show_an_echoed_secret(echoing, caplog):
    seen = []
    with caplog.at_level(logging.DEBUG), pytest.raises(ImportFailed) as err:
        await api.aimport_model(TINY, zone="de-fra-1", timeout=30, on_event=seen.append)
    assert echoing.tokens == [DEMO.hf_token]  # the token was sent, and quoted back in every answer since
    assert err.value.cause == "hf-token"
    exc = err.value
    texts = [str(exc), repr(exc), json.dumps(exc.to_dict()), exc.fix, caplog.text, *(repr(e) for e in seen)]
    models = await api.alist_models(zone="de-fra-1")
    texts += [repr(models), json.dumps([m.to_dict() for m in models])]
    assert not [leak for text in texts for leak in leaks(text)]
    assert "hf_…" in exc.message  # what was quoted shows as a mask, so the user still sees what happened


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "jupyter_exo_models", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("flags", [(), ("--json",), ("-vv",)])
def test_the_command_line_never_shows_an_echoed_secret(echoing, flags):
    done = (
        run_cli(*flags, "import", TINY, "-z", "de-fra-1", "--timeout", "60")
        if flags == ("-vv",)
        else run_cli("import", TINY, "-z", "de-fra-1", "--timeout", "60", *flags)
    )
    assert done.returncode == 1, done.stderr
    assert "Invalid credentials" in done.stdout + done.stderr  # the failure is explained
    assert not leaks(done.stdout + done.stderr)
    status = run_cli("status", TINY, "-z", "de-fra-1", "--json")
    assert not leaks(status.stdout + status.stderr)


def test_the_magics_never_show_an_echoed_secret(echoing, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jupyter_exo_models")
    job = shell.run_line_magic("exo_import", f"{TINY} --zone de-fra-1 --timeout 60")
    shell.run_line_magic("exo_status", f"{TINY} --zone de-fra-1")
    out = capsys.readouterr()
    assert job is not None and job.state == "error" and job.diagnosis.cause == "hf-token"
    assert "Invalid credentials" in out.out
    assert not leaks(out.out + out.err + repr(job.to_dict()))
