"""The command line, run as users run it: a subprocess with the sandbox switched on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

TINY = "sandbox-org/Tiny-Llama-1B"


def cli(
    *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "EXO_MODELS_SANDBOX": "1", "EXO_MODELS_POLL_INTERVAL": "0.1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jupyter_exo_models", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        input=input,
        check=False,
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


def test_check_phrases_a_fix_s_action_as_this_face_s_command():
    result = cli("check", "sandbox-org/Broken-Import", "-z", "de-fra-1")
    assert result.returncode == 1
    assert "run: python -m jupyter_exo_models delete sandbox-org/Broken-Import -z de-fra-1" in result.stdout
    assert "%exo" not in result.stdout and "exo dedicated-inference" not in result.stdout
    data = json.loads(cli("check", "sandbox-org/Broken-Import", "-z", "de-fra-1", "--json").stdout)
    check = next(c for c in data["checks"] if c["id"] == "already-imported")
    assert isinstance(check["fix"], str) and check["action"]["kind"] == "delete-model"
    assert check["action"]["model"] == "sandbox-org/Broken-Import" and check["action"]["zone"] == "de-fra-1"


def test_a_model_in_use_names_the_command_deleting_its_deployments():
    result = cli("delete", "sandbox-org/In-Use-Model", "--yes")
    assert result.returncode == 1 and "demo-deployment" in result.stderr
    assert (
        "run: python -m jupyter_exo_models deployment delete demo-deployment -z de-fra-1 --yes"
        in result.stderr
    )
    data = json.loads(cli("delete", "sandbox-org/In-Use-Model", "--yes", "--json").stdout)
    assert data["deployments"] == ["demo-deployment"] and data["action"]["names"] == ["demo-deployment"]


def test_phrases_are_shell_quoted():
    from jupyter_exo_models.cli import phrase
    from jupyter_exo_models.core.fixes import Action

    command = phrase(Action("delete-model", {"model": "org/m;rm -rf ~", "id": "x", "zone": "de-fra-1"}))
    assert command == "python -m jupyter_exo_models delete 'org/m;rm -rf ~' -z de-fra-1"


def test_check_several_models_json_list():
    result = cli("check", TINY, "sandbox-org/pytorch-only", "--json")
    assert result.returncode == 1
    assert [r["ok"] for r in json.loads(result.stdout)] == [True, False]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["import"],
        ["import", TINY, "--timeout", "-1"],
        ["list", "--zone"],
        ["import", TINY, "--timeout", "abc"],
        ["list", "--zone", "de-fra-1", "--all-zones"],
    ],
)
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


def test_import_list_status_delete(sb, capsys):
    from jupyter_exo_models.cli import main

    def run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("import", TINY, "--json")
    imported = json.loads(out)
    assert code == 0 and imported["name"] == TINY and imported["state"] == "created"
    assert imported["zone"] == "de-fra-1" and imported["model_size"] > 0 and imported["id"]
    code, out, _ = run("list", "--json")
    assert code == 0 and TINY in [m["name"] for m in json.loads(out)["models"]]
    code, out, _ = run("status", TINY, "--json")
    assert code == 0 and json.loads(out)["id"] == imported["id"]
    code, out, err = run("status", TINY)
    assert "created" in out and "[SANDBOX]" in err
    code, out, _ = run("delete", TINY, "--yes", "--json")
    assert code == 0 and json.loads(out)["deleted"]["id"] == imported["id"]
    code, _, err = run("delete", "sandbox-org/In-Use-Model", "--yes")
    assert code == 1 and "demo-deployment" in err
    code, _, err = run("status", "sandbox-org/nope")
    assert code == 1 and "No model named" in err


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
    assert (
        "- Intended use (one of: Research, Education, Other)" in out and "{'type'" not in out
    )  # gate choices
    # then deployed, smoke-tested, chatted with, scaled to zero and deleted
    assert "smallest authorized choice that fits" in out and "is ready at http://127.0.0.1" in out
    assert out.count("[SANDBOX] sandbox-gated/Llama-Gated-8B received") == 2
    assert "0 replica(s)" in out and "deleted llama-gated-8b" in out and "sandbox-dk-" not in out


@pytest.mark.slow
def test_secrets_never_reach_cli_output_or_debug_logs():
    from jupyter_exo_models.sandbox.catalog import DEMO  # demo credentials are constants of the catalog

    result = cli("-vv", "import", TINY, "--json")
    assert result.returncode == 0, result.stderr
    for secret in (DEMO.hf_token, DEMO.exo_secret):
        assert secret not in result.stdout and secret not in result.stderr


def test_import_no_wait_json_has_the_model_shape(sb, capsys):
    from jupyter_exo_models.cli import main

    assert main(["import", "sandbox-org/single-safetensors", "--no-wait", "--json"]) == 0
    started = json.loads(capsys.readouterr().out)
    assert started.keys() >= {"id", "name", "zone", "state", "model_size"} and started["id"]
    assert started["state"] in ("creating", "downloading") and started["sandbox"] is True


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_listing_every_zone_fails_when_a_zone_could_not_be_listed(sb, json_flag):
    # real mode (the sandbox would lend its demo credentials), its endpoints pointing at the sandbox
    rejected = {
        "EXO_MODELS_SANDBOX": "0",
        "EXOSCALE_API_ENDPOINT": sb.exoscale_url_template,
        "HF_ENDPOINT": sb.hub_url,
        "EXOSCALE_API_KEY": sb.demo.exo_key,
        "EXOSCALE_API_SECRET": "not-the-secret-0000000000",
    }
    result = cli("list", "--all-zones", *json_flag, env=rejected)
    assert result.returncode == 1, result.stdout + result.stderr
    if json_flag:
        assert set(json.loads(result.stdout)["errors"]) >= {"de-fra-1", "ch-gva-2"}
    assert cli("list", "--all-zones", *json_flag).returncode == 0


def test_delete_json_without_yes_answers_json():
    result = cli("delete", "sandbox-org/Already-Created", "--json", input="")
    assert result.returncode == 2
    assert "--yes" in json.loads(result.stdout)["fix"]


def test_a_failed_import_in_json_names_the_model_and_the_cause():
    result = cli("import", "sandbox-org/pytorch-only", "--force", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["cause"] == "weights-format" and data["model"]["state"] == "error" and data["model"]["id"]


def test_sandbox_flag_after_the_command_as_the_readme_writes_it():
    result = cli("check", "sandbox-gated/Llama-Gated-8B", "--sandbox", env={"EXO_MODELS_SANDBOX": ""})
    assert result.returncode == 1 and "gated-access" in result.stdout and "[SANDBOX]" in result.stderr


def exo_config(tmp_path, sb, default="bad"):
    """Real mode (no sandbox credentials lent), an exo config of two accounts, endpoints at the sandbox."""
    path = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'defaultaccount = "{default}"\n'
        f'[[accounts]]\nname = "bad"\nkey = "{sb.demo.exo_key}"\nsecret = "not-the-secret-0000000000"\n'
        f'[[accounts]]\nname = "good"\nkey = "{sb.demo.exo_key}"\nsecret = "{sb.demo.exo_secret}"\n'
    )
    return {
        "EXO_MODELS_SANDBOX": "0",
        "EXOSCALE_API_ENDPOINT": sb.exoscale_url_template,
        "HF_ENDPOINT": sb.hub_url,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }


@pytest.mark.parametrize(
    "args", [["-A", "good", "list"], ["list", "--use-account", "good"], ["list", "-A", "good", "--json"]]
)
def test_use_account_picks_the_exo_config_account_before_or_after_the_command(tmp_path, sb, args):
    env = exo_config(tmp_path, sb)
    result = cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert cli("list", env=env).returncode == 1  # the default account's secret is rejected
    assert cli("list", env={**env, "EXOSCALE_ACCOUNT": "good"}).returncode == 0


@pytest.mark.parametrize("how", ["default", "env", "flag"])
def test_an_account_the_exo_config_lacks_is_refused_naming_the_accounts(tmp_path, sb, how):
    env = exo_config(tmp_path, sb, default="nope" if how == "default" else "good")
    if how == "env":
        env["EXOSCALE_ACCOUNT"] = "nope"
    result = cli("list", *(["-A", "nope"] if how == "flag" else []), env=env)
    assert result.returncode == 2 and "nope" in result.stderr, result.stderr
    assert "bad, good" in result.stderr and "Traceback" not in result.stderr
    assert not [r for r in sb.requests if r.service == "exoscale"]


@pytest.mark.parametrize("text", ["accounts = 5", 'accounts = "abc"', "[accounts]\nname = 'x'"])
def test_a_malformed_exo_config_is_reported_not_a_traceback(tmp_path, text):
    path = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    result = cli("list", "--json", env={"EXO_MODELS_SANDBOX": "0", "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    error = json.loads(result.stdout)
    assert "is malformed" in error["message"] and str(path) in error["message"] and error["fix"]


@pytest.mark.parametrize("command", [["list"], ["check", TINY], ["status", TINY, "--json"]])
@pytest.mark.parametrize(
    "variable, value",
    [
        ("EXOSCALE_API_ENDPOINT", "http://127.0.0.1:99999/{zone}/v2"),
        ("EXOSCALE_API_ENDPOINT", "https://api.exoscale.com/v2"),
        ("HF_ENDPOINT", "https://" + "a" * 3000 + ".co"),
    ],
)
def test_a_malformed_endpoint_is_a_usage_error_not_a_traceback(command, variable, value):
    env = {
        "EXO_MODELS_SANDBOX": "0",
        "EXOSCALE_API_KEY": "EXOkey",
        "EXOSCALE_API_SECRET": "secret-0000",
        variable: value,
    }
    result = cli(*command, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert variable in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["status", ""],
        ["status", "", "--watch"],
        ["delete", "a/b/c", "--yes"],
        ["status", "org/model "],
        ["delete", "https://huggingface.co/org/name", "--yes"],
        ["status", TINY, "-z", ""],
        ["list", "-z", " "],
        ["list", "-z", "de\x1b[31m"],
        ["status", "org/m\x1b]0;pwned\x07", "--json"],
    ],
)
def test_an_unusable_model_or_zone_is_bad_usage_with_nothing_sent(sb, capsys, args):
    from jupyter_exo_models.cli import main

    assert main(args) == 2
    out, err = capsys.readouterr()
    assert ("error:" in err and "fix:" in err) or json.loads(out)["fix"]
    assert "\x1b" not in out + err  # echoed input is shown escaped, never as a terminal escape
    assert not [r for r in sb.requests if r.service == "exoscale"]


@pytest.mark.parametrize("interrupt_after", ["SANDBOX demo:", "1. Import", "2. The same mistake"])
def test_ctrl_c_during_the_demo_exits_130_without_a_traceback(interrupt_after):
    import signal
    import threading

    env = {**os.environ, "EXO_MODELS_POLL_INTERVAL": "0.1"}
    demo = subprocess.Popen(
        [sys.executable, "-m", "jupyter_exo_models", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(120, demo.kill)  # a hung demo fails the test instead of hanging it
    watchdog.start()
    try:
        seen = ""
        for line in demo.stdout:  # wait for the demo to reach the step, on its output
            seen += line
            if line.startswith(interrupt_after):
                break
        assert interrupt_after in seen, seen
        demo.send_signal(signal.SIGINT)
        _, err = demo.communicate()
    finally:
        watchdog.cancel()
    assert demo.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err and "Warning" not in err, err


@pytest.mark.parametrize("value", ["nan", "-5", "0", "inf"])
def test_a_timeout_is_refused_by_the_cores_one_rule(value):
    from jupyter_exo_models.core.errors import UsageError
    from jupyter_exo_models.core.jobs import check_timeout

    result = cli("import", TINY, "--timeout", value)
    assert result.returncode == 2 and "must be a number of seconds greater than 0" in result.stderr
    with pytest.raises(UsageError, match="must be a number of seconds greater than 0"):
        check_timeout(float(value))


def test_no_command_for_a_model_in_use_by_unnamed_deployments():
    from jupyter_exo_models.cli import phrase
    from jupyter_exo_models.core.fixes import Action
    from jupyter_exo_models.notebook import render

    action = Action("delete-deployments", {"names": [], "zone": "de-fra-1"})
    assert phrase(action) is None and render.phrase(action) is None
