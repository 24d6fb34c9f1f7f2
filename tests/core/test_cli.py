"""The command line, run as users run it: a subprocess with the sandbox switched on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

TINY = "sandbox-org/Tiny-Llama-1B"


def cli(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "EXO_MODELS_SANDBOX": "1", "EXO_MODELS_POLL_INTERVAL": "0.1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jupyter_exo_models", *args],
        capture_output=True, text=True, env=full_env, timeout=120, input=input,
    )


def test_check_json_passing_model():
    result = cli("check", TINY, "-z", "de-fra-1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == TINY and data["zone"] == "de-fra-1" and data["ok"] is True
    assert all(c.keys() >= {"id", "status", "message", "fix"} for c in data["checks"])


def test_check_failure_exits_1_with_the_fix():
    result = cli("check", "sandbox-gated/Llama-Gated-8B")
    assert result.returncode == 1
    assert "gated-access" in result.stdout and "fix:" in result.stdout and "SANDBOX" in result.stdout


def test_check_several_models_json_list():
    result = cli("check", TINY, "sandbox-org/pytorch-only", "--json")
    assert result.returncode == 1
    assert [r["ok"] for r in json.loads(result.stdout)] == [True, False]


@pytest.mark.parametrize("args", [[], ["bogus"], ["import"], ["import", TINY, "--timeout", "-1"],
                                  ["list", "--zone"], ["import", TINY, "--timeout", "abc"]])
def test_bad_usage_exits_2(args):
    assert cli(*args).returncode == 2


def test_unknown_zone_for_list_is_bad_usage():
    result = cli("list", "-z", "mars-1")
    assert result.returncode == 2 and "de-fra-1" in result.stderr


@pytest.mark.parametrize("model_id", ["../x", "a/b/c", "", "x" * 200])
def test_invalid_ids_fail_the_check(model_id):
    result = cli("check", model_id, "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["checks"][0]["status"] == "fail"


def test_import_list_status_delete_in_one_sandbox(tmp_path):
    # one process: a sandbox lives as long as the process that started it
    script = tmp_path / "flow.py"
    script.write_text(
        "import json, sys\n"
        "from jupyter_exo_models.cli import main\n"
        "codes = [main(['import', %r, '--json']), main(['list', '--json']), main(['status', %r, '--json']),\n"
        "         main(['delete', %r, '--yes', '--json']), main(['delete', 'sandbox-org/In-Use-Model', '--yes'])]\n"
        "print('CODES', json.dumps(codes))\n" % (TINY, TINY, TINY)
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "EXO_MODELS_SANDBOX": "1", "EXO_MODELS_POLL_INTERVAL": "0.1"})
    assert "CODES [0, 0, 0, 0, 1]" in result.stdout, result.stdout + result.stderr
    first = json.loads(result.stdout.split("\n{", 1)[0] if not result.stdout.startswith("{") else
                       result.stdout[: result.stdout.index("\n}") + 2])
    assert first["name"] == TINY and first["state"] == "created" and first["zone"] == "de-fra-1"
    assert "model_size" in first and "demo-deployment" in result.stderr


def test_import_refused_by_preflight_json():
    result = cli("import", "sandbox-org/mixed-case-model", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert any(c["id"] == "repo-id-case" and c["status"] == "fail" for c in data["checks"])


def test_delete_without_yes_and_no_tty_refuses():
    assert cli("delete", "sandbox-org/Already-Created", input="").returncode == 2


@pytest.mark.slow
def test_demo_walks_through_failure_diagnosis_and_success():
    result = cli("demo")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "SANDBOX" in out and "gated-access" in out and "created" in out and "Demo finished" in out


def test_secrets_never_reach_cli_output_or_debug_logs():
    from jupyter_exo_models.sandbox.catalog import DEMO  # demo credentials are constants of the catalog

    result = cli("-vv", "import", TINY, "--json")
    assert result.returncode == 0, result.stderr
    for secret in (DEMO.hf_token, DEMO.exo_secret):
        assert secret not in result.stdout and secret not in result.stderr
