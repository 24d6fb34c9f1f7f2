"""The deployment magics and ``jem.deploy(...)``'s rich display, in a terminal IPython and in a kernel-like
one (a shell whose display messages are recorded, as a frontend would receive them), against the sandbox."""

from __future__ import annotations

import html
import warnings

import pytest
from IPython.core.displaypub import DisplayPublisher

from jupyter_exo_models.notebook import login as login_module
from jupyter_exo_models.sandbox import DEMO

ZONE = "de-fra-1"
NAME = "already-created"  # the default name of DEMO.already_created's deployment


class Recorder(DisplayPublisher):
    """What a frontend receives: each display and each update of a display, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: list[dict] = []

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.outputs.append({"data": data, "update": update})

    def html(self) -> str:
        return "\n".join(o["data"].get("text/html", "") for o in self.outputs)

    def text(self) -> str:
        return "\n".join(o["data"].get("text/plain", "") for o in self.outputs)


def deployed() -> list[str]:
    from jupyter_exo_models.core import api

    return [d.name for d in api.list_deployments(ZONE).deployments]


@pytest.fixture
def ip(sb):
    from IPython.core.interactiveshell import InteractiveShell

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Attempting to work in a virtualenv")
        shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jupyter_exo_models")
    return shell


@pytest.fixture
def kernel(ip, monkeypatch):
    """The same shell, taken for a kernel's (every poll redraws the display in place)."""
    monkeypatch.setattr(login_module, "_in_kernel", lambda: True)
    recorder = Recorder()
    monkeypatch.setattr(ip, "display_pub", recorder)
    ip.recorder = recorder
    return ip


def test_every_magic_is_documented_by_its_question_mark(ip):
    doc = ip.find_line_magic("exo_deploy").__doc__
    for option in ("--name", "--zone", "--gpu-type", "--gpu-count", "--replicas", "--engine-version"):
        assert option in doc
    for option in ("--engine-arg", "--check", "--no-wait", "--no-smoke-test", "--force", "--timeout"):
        assert option in doc
    assert "--all-zones" in ip.find_line_magic("exo_deployments").__doc__
    assert "--tail" in ip.find_line_magic("exo_logs").__doc__
    assert "--yes" in ip.find_line_magic("exo_undeploy").__doc__
    assert "REPLICAS" in ip.find_line_magic("exo_scale").__doc__
    assert "--max-tokens" in ip.find_cell_magic("exo_chat").__doc__


def test_check_shows_the_deployment_and_the_import_checks_and_sends_nothing(ip, sb, capsys):
    report = ip.run_line_magic("exo_deploy", f"{DEMO.gated} --zone {ZONE} --check")
    out = capsys.readouterr().out
    assert not report.ok and report.needs_import
    assert "✘ model-ready" in out and "✘ gated-access" in out and "fix: Open" in out
    assert not [r for r in sb.requests if r.method == "POST" and r.service == "exoscale"]


def test_a_terminal_prints_state_changes_and_the_echo_is_one_line(ip, sb, capsys):
    ip.run_cell(f"%exo_deploy {DEMO.already_created} --zone {ZONE}")
    out = capsys.readouterr().out
    assert out.count("ready (") == 1 and out.count("deploying (") == 1, out
    assert "smoke test (" in out and f'jem.endpoint("{NAME}", zone="{ZONE}").chat(' in out
    assert f"<DeploymentJob {NAME} in {ZONE}: ready>" in out  # Out[n]: the timeline is not shown twice
    polls = [r for r in sb.requests if r.service == "exoscale" and r.method == "GET"]
    assert out.count("\n") < len(polls)


def test_in_a_kernel_every_poll_redraws_the_timeline_in_place(kernel, sb):
    job = kernel.run_line_magic("exo_deploy", f"{DEMO.already_created} --zone {ZONE}")
    assert job.state == "ready" and job.smoke_test is not None
    outputs = kernel.recorder.outputs
    assert not outputs[0]["update"] and all(o["update"] for o in outputs[1:])  # one display, updated
    assert len(outputs) > 4  # every poll, not only the three state changes
    last = html.unescape(outputs[-1]["data"]["text/html"])
    assert "creating" in last and "deploying" in last and "ready" in last
    assert job.deployment.url in last and "Smoke test answered in" in last and job.smoke_test.model in last
    assert f'jem.endpoint("{NAME}", zone="{ZONE}").openai_client()' in last
    assert outputs[-1]["data"]["text/plain"].startswith(f"{NAME} in {ZONE}: ready")


def test_a_failed_deployment_shows_its_diagnosis_fix_command_and_logs(kernel, sb):
    job = kernel.run_line_magic(
        "exo_deploy", f"{DEMO.large} --zone {ZONE} --gpu-type gpu3 --gpu-count 1 --force"
    )
    assert job.state == "error" and job.diagnosis.cause == "gpu-fit"
    last = html.unescape(kernel.recorder.outputs[-1]["data"]["text/html"])
    assert "Diagnosis (gpu-fit)" in last and "CUDA out of memory" in last
    assert f"%exo_deploy {DEMO.large} --zone {ZONE} --gpu-type gpurtx6000pro --gpu-count 2" in last
    assert "log lines" in last and "EngineCore failed to start" in last


def test_a_refused_deployment_shows_the_checks_in_place_of_starting(kernel, sb):
    report = kernel.run_line_magic("exo_deploy", f"{DEMO.large} --zone {ZONE} --gpu-type gpu3 --gpu-count 1")
    assert not report.ok and report["gpu-fit"].status == "fail"
    assert "does not fit" in kernel.recorder.outputs[-1]["data"]["text/plain"]
    assert not [r for r in sb.requests if r.method == "POST" and r.service == "exoscale"]


def test_list_chat_scale_logs_and_undeploy(ip, sb, capsys):
    ip.run_line_magic("exo_deploy", f"{DEMO.already_created} --zone {ZONE}")
    capsys.readouterr()
    listed = ip.run_line_magic("exo_deployments", f"--zone {ZONE}")
    out = capsys.readouterr().out
    assert NAME in [d.name for d in listed] and NAME in out and "REPLICAS" in out
    assert repr(listed).count("\n") == 0

    reply = ip.run_cell_magic("exo_chat", f"{NAME} --max-tokens 32 --zone {ZONE}", "Say hello\n")
    out = capsys.readouterr().out
    assert reply.startswith("[SANDBOX]") and reply in out and reply.latency_ms > 0
    assert f"{reply.model} · " in out and repr(reply).startswith("<reply of ")

    scaled = ip.run_line_magic("exo_scale", f"{NAME} 0 --zone {ZONE}")
    assert scaled.replicas == 0 and "to 0 replica(s)" in capsys.readouterr().out
    assert ip.run_cell_magic("exo_chat", NAME, "Anyone?") is None
    out = capsys.readouterr().out
    assert out.startswith("error: ") and "503" in out and "scale it to 1" in out

    lines = ip.run_line_magic("exo_logs", f"{NAME} --tail 3 --zone {ZONE}")
    assert len(lines) == 3 and str(lines[-1]) in capsys.readouterr().out

    assert ip.run_line_magic("exo_undeploy", f"{NAME} --zone {ZONE}") is None
    assert "run again with --yes" in capsys.readouterr().out
    assert NAME in deployed()
    ip.run_line_magic("exo_undeploy", f"{NAME} --yes --zone {ZONE}")
    assert f"Deleted {NAME}" in capsys.readouterr().out
    assert NAME not in deployed()


def test_a_missing_deployment_is_an_error_with_its_fix(ip, capsys):
    for magic, line in (("exo_scale", "nope 1"), ("exo_logs", "nope"), ("exo_undeploy", "nope --yes")):
        assert ip.run_line_magic(magic, line) is None
        out = capsys.readouterr().out
        assert out.startswith("error: No deployment named nope") and "fix: " in out


def test_engine_args_and_quoted_values_reach_the_deployment(ip, sb):
    job = ip.run_line_magic(
        "exo_deploy",
        f"{DEMO.already_created} --name 'args-test' --engine-arg=--max-model-len=4096 --no-smoke-test",
    )
    assert job.state == "ready" and job.smoke_test is None
    assert job.deployment.name == "args-test" and job.report.plan.engine_args == ("--max-model-len=4096",)


def test_no_wait_returns_at_once_and_the_display_follows_to_ready(kernel, sb):
    job = kernel.run_line_magic("exo_deploy", f"{DEMO.already_created} --no-wait")
    assert not job.done
    job.result(30)
    last = kernel.recorder.outputs[-1]["data"]["text/plain"]
    assert last.startswith(f"{NAME} in {ZONE}: ready") and "smoke test" in last


def test_jem_deploy_as_a_cell_s_last_line_shows_the_timeline(kernel, sb):
    kernel.run_cell(
        "import jupyter_exo_models as jem\n"
        f"job = jem.deploy({DEMO.already_created!r}, zone={ZONE!r}, wait=False)\njob"
    )
    job = kernel.user_ns["job"]
    job.result(30)
    outputs = kernel.recorder.outputs
    assert not outputs[0]["update"] and len(outputs) > 2  # shown, then kept up to date while watched
    assert "Smoke test answered in" in outputs[-1]["data"]["text/html"]
    kernel.run_cell("job")  # done: shown as it ended
    assert "Smoke test answered in" in kernel.recorder.outputs[-1]["data"]["text/html"]
