"""The deployment commands, in-process (main()) against one sandbox, and as a subprocess."""

from __future__ import annotations

import json

import pytest
from test_cli import cli

from jupyter_exo_models.cli import main
from jupyter_exo_models.sandbox import DEMO

CREATED = DEMO.already_created


@pytest.fixture
def run(sb, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_deploy_chat_scale_logs_key_delete(run):
    code, out, err = run("deploy", CREATED, "-z", "de-fra-1", "--json")
    assert code == 0, err
    data = json.loads(out)
    d = data["deployment"]
    assert d.keys() >= {"id", "name", "zone", "state", "gpu-type", "gpu-count", "replicas", "url", "model"}
    assert d["state"] == "ready" and d["name"] == "already-created" and d["gpu-type"] == "gpu3"
    assert data["smoke_test"]["ok"] is True and data["smoke_test"]["reply"].startswith("[SANDBOX]")
    assert {c["id"] for c in data["checks"]} >= {"gpu-fit", "gpu-type", "model-ready"}

    code, out, _ = run("deployments", "-z", "de-fra-1", "--json")
    assert code == 0 and "already-created" in [x["name"] for x in json.loads(out)]
    code, out, _ = run("deployment", "chat", "already-created", "What is 2+2?", "--json")
    assert code == 0 and json.loads(out)["reply"].startswith("[SANDBOX]")
    code, out, _ = run("deployment", "show", "already-created")
    assert code == 0 and "ready" in out and "gpu3 × 1" in out

    code, out, err = run("deployment", "key", "already-created")
    assert code == 0 and "masked" in out and "--show" in out
    code, shown, err = run("deployment", "key", "already-created", "--show")
    key = shown.strip()
    assert code == 0 and key.startswith("sandbox") and "warning" in err
    assert key not in out and key not in data.__repr__()

    code, out, _ = run("deployment", "scale", "already-created", "0", "--json")
    assert code == 0 and json.loads(out)["replicas"] == 0
    code, _, err = run("deployment", "chat", "already-created", "hello")
    assert code == 1 and "scaled to zero" in err
    code, out, _ = run("deployment", "scale", "already-created", "1")
    assert code == 0 and "1 replica" in out
    code, out, _ = run("deployment", "logs", "already-created", "--tail", "3")
    assert code == 0 and 0 < len(out.strip().splitlines()) <= 3

    code, _, err = run("deployment", "delete", "already-created")  # no --yes, no terminal
    assert code == 2 and "--yes" in err
    code, out, _ = run("deployment", "delete", "already-created", "--yes")
    assert code == 0 and "Deleted" in out
    code, _, err = run("deployment", "show", "already-created")
    assert code == 1 and "No deployment named" in err


def test_check_only_sends_nothing_and_says_why(run, sb):
    code, out, _ = run(
        "deploy", DEMO.large, "-z", "de-fra-1", "--gpu-type", "gpu3", "--gpu-count", "1", "--check"
    )
    assert code == 1 and "gpu-fit" in out and "does not fit" in out
    assert (
        "run: python -m jupyter_exo_models deploy sandbox-gated/Llama-Large-70B" not in out
    )  # preflight: no run
    code, out, _ = run("deploy", CREATED, "-z", "de-fra-1", "--check", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"model", "zone", "ok", "checks"} and data["ok"] is True
    assert not [r for r in sb.requests if r.method == "POST"]


def test_a_failed_deployment_prints_its_diagnosis_logs_and_the_command_that_fixes_it(run):
    args = ("deploy", DEMO.large, "-z", "de-fra-1", "--gpu-type", "gpu3", "--gpu-count", "1", "--force")
    code, _, err = run(*args)
    assert code == 1 and "out of memory" in err.lower() and "log:" in err
    assert "run: python -m jupyter_exo_models deploy sandbox-gated/Llama-Large-70B -z de-fra-1" in err
    assert "--gpu-type gpurtx6000pro --gpu-count 2" in err
    code, out, _ = run(*args, "--name", "large-2", "--json")
    data = json.loads(out)
    assert code == 1 and data["cause"] == "gpu-fit" and data["logs"] and data["action"]["kind"] == "deploy"


def test_a_refused_deploy_in_json_carries_the_checks(run):
    code, out, _ = run("deploy", CREATED, "-z", "de-fra-1", "--gpu-type", "gpua5000", "--json")
    data = json.loads(out)
    assert code == 1 and data["code"] == "preflight-failed" and data["cause"] is None
    assert next(c for c in data["checks"] if c["id"] == "gpu-type")["status"] == "fail"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--gpu-count", "x"), 2),
        (("--gpu-count", "0"), 1),
        (("--gpu-count", "9"), 1),
        (("--gpu-count", "-1"), 1),
        (("--replicas", "-1"), 1),
        (("--name", "Bad_Name"), 1),
        (("--name", "../x"), 1),
        (("--name", "x" * 64), 1),
        (("--gpu-type", "nope"), 1),
        (("--engine-arg=--max-model-len=1\n--evil",), 2),
        (("--engine-arg=--x;rm -rf /",), 1),
        (("--timeout", "nan"), 2),
    ],
)
def test_bad_input_is_refused_with_nothing_sent(run, sb, capsys, args, code):
    try:
        got, _, err = run("deploy", CREATED, "-z", "de-fra-1", *args)
    except SystemExit as exc:  # argparse's own refusal
        got, err = exc.code, capsys.readouterr().err
    assert got == code and err
    assert not [r for r in sb.requests if r.method == "POST"]


def test_chat_refuses_an_empty_prompt(run):
    assert run("deploy", CREATED, "-z", "de-fra-1")[0] == 0
    code, _, err = run("deployment", "chat", "already-created", "  ")
    assert code == 2 and "empty" in err


def test_the_key_never_reaches_any_other_output_as_a_subprocess():
    result = cli("-vv", "deploy", CREATED, "-z", "de-fra-1", "--json")
    assert result.returncode == 0, result.stderr
    assert "sandbox-dk-" not in result.stdout + result.stderr  # the sandbox's keys are shaped so
    for secret in (DEMO.hf_token, DEMO.exo_secret):
        assert secret not in result.stdout and secret not in result.stderr
