"""Resilience: faults at scale, restarts, bad input at scale, and secrets through every core interface."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_exo_models.core import api
from jupyter_exo_models.core.errors import ExoModelsError, InsecureEndpointError
from jupyter_exo_models.core.hub import HubClient
from jupyter_exo_models.core.preflight import preflight_many
from jupyter_exo_models.core.secrets import Secret
from jupyter_exo_models.sandbox import DEMO, Repo

CANARY_HF = "hf_CANARYcanaryCANARYcanaryCANARY00000000"
CANARY_EXO = "CANARY-exoscale-secret-canary-0000000000"


@pytest.mark.slow
async def test_thirty_concurrent_imports_under_20_percent_faults(sb):
    names = [f"sandbox-org/load-model-{i:02d}" for i in range(30)]
    for name in names:
        sb.hub.add_repo(
            Repo(name, {"config.json": 600, "model.safetensors": 1_000_000_000}, parameters=500_000_000)
        )
    sb.faults.error_rate, sb.faults.drop_rate = 0.15, 0.05
    sb.faults.error_statuses = (429, 500, 503)
    results = await asyncio.gather(
        *(api.aimport_model(n, zone="de-fra-1") for n in names), return_exceptions=True
    )
    sb.faults.error_rate = sb.faults.drop_rate = 0.0
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    assert all(job.model.state == "created" for job in results)
    models = [
        m["name"] for m in sb.exoscale.models("de-fra-1") if m["name"].startswith("sandbox-org/load-model")
    ]
    assert sorted(models) == sorted(names)  # exactly 30: no duplicates, none missing
    assert any(r.fault for r in sb.requests)  # faults really happened


@pytest.mark.slow
def test_restart_resumes_a_watch_from_a_new_process(sb, tmp_path):
    env = {
        **os.environ,
        "EXO_MODELS_POLL_INTERVAL": "0.05",
    }  # the sandbox exported its URLs: children share it
    sb.exoscale.timings.downloading = 3.0
    first = subprocess.Popen(
        [sys.executable, "-m", "jupyter_exo_models", "import", DEMO.tiny],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while not any(r.method == "POST" and r.status == 200 for r in sb.requests):
        assert time.time() < deadline and first.poll() is None, "the import never started"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    state = next(m["state"] for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.tiny)
    assert state in ("creating", "downloading")
    second = subprocess.run(
        [sys.executable, "-m", "jupyter_exo_models", "status", DEMO.tiny, "--watch", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["state"] == "created"
    assert len([m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.tiny]) == 1


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    model_id=st.one_of(st.text(max_size=150), st.from_regex(r"[\w.\-/ ]{0,100}", fullmatch=True)),
    zone=st.one_of(st.sampled_from(["de-fra-1", "ch-gva-2"]), st.text(max_size=20)),
    token=st.one_of(st.none(), st.text(max_size=60)),
)
async def test_bad_input_at_scale_never_crashes_or_sends_for_invalid_ids(sb, model_id, zone, token):
    sb.clear_log()
    # A suffix no report text can contain by chance, so finding the token means it was echoed.
    canary = (
        None if token is None else token + hashlib.sha256(token.encode(errors="replace")).hexdigest()[:16]
    )
    [report] = await preflight_many([model_id], zone=zone, hf_token=canary or False)
    assert {c.status for c in report.checks} <= {"pass", "warn", "fail", "skip"}
    if report["repo-id"].status == "fail":
        assert sb.requests == []
    if canary:
        assert canary.strip() not in json.dumps(report.to_dict(), ensure_ascii=False)


@pytest.mark.slow
def test_bad_input_at_scale_through_the_cli(sb, capsys):
    from jupyter_exo_models.cli import main

    ids = [
        "",
        " ",
        "a/b/c",
        "../x",
        "x" * 300,
        "ünï/cødé",
        "org/",
        "/m",
        "http://x/y",
        "a//b",
        "\x00/\x01",
    ] * 100
    sb.clear_log()
    codes = {main(["check", model_id, "--json"]) for model_id in ids}
    assert codes == {1} and sb.requests == []
    for zone in ["mars", "x" * 100, "de-fra-1/../x", "de fra 1"]:
        assert main(["list", "--zone", zone]) == 2
    capsys.readouterr()
    from jupyter_exo_models.core.credentials import set_session_credentials

    tokens = [
        "hf_revoked_or_never_issued_0000",
        "“hf_smart_quotes”",
        "hf_line\nbreak",
        "hf_\x00nul",
        "x" * 500,
        "ü" * 20,
    ]
    for token in tokens:
        set_session_credentials(hf_token=token)
        assert main(["check", "sandbox-gated/Llama-Gated-8B", "--json"]) == 1
        [token_check] = [c for c in json.loads(capsys.readouterr().out)["checks"] if c["id"] == "hf-token"]
        assert token_check["status"] == "fail" and token.strip() not in json.dumps(token_check)


async def test_canaries_never_appear_in_outputs_logs_or_foreign_requests(sb, caplog, capsys, monkeypatch):
    from jupyter_exo_models.cli import main

    connected = []
    real_connect = socket.socket.connect

    def record(self, address):
        connected.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", record)

    sb.catalog.tokens[CANARY_HF] = sb.catalog.tokens[DEMO.hf_token].__class__(
        CANARY_HF, "demo-user", "canary", "read"
    )
    sb.catalog.exoscale_keys["EXOcanarykey"] = (CANARY_EXO, True)
    texts = []
    with caplog.at_level(logging.DEBUG):
        from jupyter_exo_models.core.credentials import set_session_credentials

        set_session_credentials(hf_token=CANARY_HF, key="EXOcanarykey", secret=CANARY_EXO)
        report = await api.apreflight(DEMO.tiny, zone="de-fra-1")
        texts += [str(report), json.dumps(report.to_dict()), repr(report)]
        job = await api.aimport_model(DEMO.tiny, zone="de-fra-1")
        texts += [repr(job), json.dumps(job.to_dict()), str(job.events)]
        for bad in ("sandbox-gated/Llama-Gated-8B", "sandbox-org/mixed-case-model"):
            try:
                await api.aimport_model(bad, zone="de-fra-1", force=True)
            except ExoModelsError as exc:
                texts += [str(exc), repr(exc), json.dumps(exc.to_dict(), default=str)]
        texts.append(json.dumps(api.credentials_status()))
        main(["-vv", "list", "--json"])
        main(["-vv", "check", DEMO.gated])
        main(["status", DEMO.tiny, "--json"])
    out, err = capsys.readouterr()
    texts += [out, err, caplog.text]
    for text in texts:
        assert CANARY_HF not in text and CANARY_EXO not in text
    # the HF token goes only to the Hub, and to Exoscale only inside the create body; the secret never travels
    for request in sb.requests:
        raw = json.dumps(request.headers) + request.body.decode(errors="replace")
        assert CANARY_EXO not in raw
        if CANARY_HF in raw:
            assert request.service == "hub" or (
                request.method == "POST" and request.path.endswith("/ai/model")
            )
    # and no connection went anywhere but the sandbox
    sandbox_ports = {urlsplit(sb.hub_url).port, urlsplit(sb.exoscale_url("de-fra-1")).port}
    tcp = [a for a in connected if isinstance(a, tuple)]
    assert tcp and {(host, port) for host, port, *_ in tcp} <= {("127.0.0.1", p) for p in sandbox_ports}


async def test_plain_http_hub_is_refused_before_a_token_is_sent():
    with pytest.raises(InsecureEndpointError):
        HubClient("http://huggingface.example", Secret(CANARY_HF))
    with pytest.raises(InsecureEndpointError):
        HubClient("http://10.0.0.1:8080", Secret(CANARY_HF))
    HubClient("http://127.0.0.1:1", Secret(CANARY_HF))  # loopback (the sandbox) is allowed


def test_bad_input_at_scale_through_the_magics(sb, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_exo_models")
    ids = [
        "",
        "a/b/c",
        "../x",
        "x" * 300,
        "ünï/cødé",
        "org/",
        "/m",
        "http://x/y",
        "a//b",
        "--zone",
        "'quoted'",
    ]
    from IPython.core.error import UsageError

    sb.clear_log()
    usage_errors = 0
    for i in range(100):
        for model_id in ids:
            try:
                shell.run_line_magic("exo_import", f"{model_id}{' ' * (i % 2)} --check")
            except UsageError:  # IPython shows it as a one-line "UsageError: ...", never a traceback
                usage_errors += 1
    assert usage_errors == 100  # only "--zone" with no value is bad usage
    for bad_zone in ("mars-1", "x" * 50):
        shell.run_line_magic("exo_models", f"--zone {bad_zone}")
        shell.run_line_magic("exo_status", f"sandbox-org/Tiny-Llama-1B --zone {bad_zone}")
    out = capsys.readouterr().out
    assert "Traceback" not in out and sb.requests == []
    assert "Unknown zone" in out
