"""Deploy, watch, smoke-test, manage and diagnose, over real HTTP against the sandbox."""

from __future__ import annotations

import pickle

import pytest

from jupyter_exo_models.core import api, gpus
from jupyter_exo_models.core.deploy_preflight import (
    DEPLOY_CHECK_IDS,
    ENGINE_VERSIONS,
    default_deployment_name,
    deploy_preflight,
)
from jupyter_exo_models.core.deployments import attach_deployment, forget_deployment_jobs, start_deployment
from jupyter_exo_models.core.endpoint import api_base
from jupyter_exo_models.core.errors import (
    DeploymentFailed,
    EndpointError,
    ModelInUseError,
    NotFoundError,
    PreflightFailed,
    UsageError,
)
from jupyter_exo_models.sandbox import DEMO

CREATED = DEMO.already_created  # imported in de-fra-1 from the start
TINY = "sandbox-org/Tiny-Llama-1B"  # not imported
ZONE = "de-fra-1"


def posts(sb, path="/ai/deployment"):
    return [
        r for r in sb.requests if r.service == "exoscale" and r.method == "POST" and r.path.endswith(path)
    ]


def statuses(report):
    return {c.id: c.status for c in report.checks}


# -- preflight -------------------------------------------------------------------------------------
async def test_every_check_passes_for_an_imported_model_and_the_gpu_is_chosen(sb):
    report = await deploy_preflight(CREATED, zone=ZONE)
    assert [c.id for c in report.checks] == list(DEPLOY_CHECK_IDS)
    assert report.ok, str(report)
    assert statuses(report)["model-ready"] == "pass"
    plan = report.plan
    assert plan.name == "already-created" and plan.chosen and plan.replicas == 1
    # de-fra-1 authorizes gpu3 (48 GB) and gpurtx6000pro (96 GB): the smaller that fits is chosen, and why
    assert (plan.gpu_type, plan.gpu_count) == ("gpu3", 1)
    assert "smallest" in report["gpu-type"].message and "fits" in report["gpu-type"].message
    assert report["gpu-fit"].status == "pass" and "estimate" in report["gpu-fit"].message
    labels = [o.label() for o in report.options if o.authorized]
    assert labels[0].startswith("gpu3 · 48 GB · fits")
    assert not sb.requests or not posts(sb)  # nothing created


async def test_a_model_not_imported_yet_runs_the_import_checks(sb):
    report = await deploy_preflight(TINY, zone=ZONE)
    assert report["model-ready"].status == "warn" and "imports it first" in report["model-ready"].fix
    assert report.needs_import and report.import_report is not None and report.import_report.ok
    assert report.ok
    gated = await deploy_preflight("sandbox-gated/Llama-Gated-8B", zone=ZONE)
    assert not gated.ok and gated["model-ready"].status == "fail"
    assert [c.id for c in gated.all_failures] == ["model-ready", "gated-access"]


async def test_an_unauthorized_family_names_the_families_here_and_the_zones_that_have_it(sb):
    report = await deploy_preflight(CREATED, zone=ZONE, gpu_type="gpua5000")
    check = report["gpu-type"]
    assert check.status == "fail" and "not authorized" in check.message
    assert set(check.data["zones"]) == {"at-vie-2", "bg-sof-1"} and "at-vie-2" in check.message
    assert "gpu3" in check.fix and "gpurtx6000pro" in check.fix
    unknown = await deploy_preflight(CREATED, zone=ZONE, gpu_type="gpu9000")
    assert unknown["gpu-type"].status == "fail" and "Unknown GPU family" in unknown["gpu-type"].message


async def test_a_model_too_large_for_the_gpus_fails_the_fit_with_a_choice_that_fits(sb):
    report = await deploy_preflight(DEMO.large, zone=ZONE, gpu_type="gpu3", gpu_count=1)
    fit = report["gpu-fit"]
    assert fit.status == "fail" and "does not fit" in fit.message
    need = gpus.estimate_need(gpus.weights_bytes({"BF16": 70_553_706_496}))
    assert fit.data["need"] == need
    # as much memory as 4 × gpu3, on fewer GPUs
    assert (
        fit.data["fits"] == {"gpu_type": "gpurtx6000pro", "gpu_count": 2} and "gpurtx6000pro × 2" in fit.fix
    )
    chosen = await deploy_preflight(DEMO.large, zone=ZONE)
    assert (chosen.plan.gpu_type, chosen.plan.gpu_count) == ("gpurtx6000pro", 2)


@pytest.mark.parametrize(
    ("kwargs", "check", "status"),
    [
        ({"gpu_count": 0}, "gpu-count", "fail"),
        ({"gpu_count": 9}, "gpu-count", "fail"),
        ({"replicas": 0}, "replicas", "fail"),
        ({"engine_version": "0.99.0"}, "engine-version", "fail"),
        ({"engine_version": ENGINE_VERSIONS[0]}, "engine-version", "pass"),
        ({"name": "My_Model"}, "deployment-name", "fail"),
        ({"name": "../etc"}, "deployment-name", "fail"),
        ({"name": "x" * 64}, "deployment-name", "fail"),
        ({"name": "modèle"}, "deployment-name", "fail"),
        ({"name": ""}, "deployment-name", "fail"),
        ({"engine_args": ["--max-model-len=4096"]}, "engine-args", "pass"),
        ({"engine_args": "--no-such-flag 3"}, "engine-args", "warn"),
        ({"engine_args": ["--dtype", "float7"]}, "engine-args", "fail"),
        ({"engine_args": ["--max-model-len=1; rm -rf /"]}, "engine-args", "fail"),
    ],
)
async def test_bad_values_are_check_results(sb, kwargs, check, status):
    report = await deploy_preflight(CREATED, zone=ZONE, **kwargs)
    assert report[check].status == status, str(report)


async def test_an_engine_argument_with_a_newline_is_refused_before_anything_is_sent(sb):
    with pytest.raises(UsageError, match="newline"):
        await deploy_preflight(CREATED, zone=ZONE, engine_args=["--max-model-len=1\n--evil"])
    assert not sb.requests


def test_default_names():
    assert default_deployment_name("meta-llama/Llama-3.1-8B-Instruct") == "llama-3-1-8b-instruct"
    assert default_deployment_name("org/" + "A" * 80) == "a" * 63
    assert default_deployment_name("org/___") == "deployment"


def test_the_engine_versions_are_the_apis():
    import json

    from contract.openapi import SPEC_PATH  # the installed exoscale package's openapi.json

    schema = json.loads(SPEC_PATH.read_text())["components"]["schemas"]["inference-engine-version"]
    assert tuple(schema["enum"]) == ENGINE_VERSIONS and schema["default"] == ENGINE_VERSIONS[-1]


def test_the_base_path_is_found_not_assumed():
    assert api_base("https://x.example/abc") == "https://x.example/abc/v1"
    assert api_base("https://x.example/abc/v1/") == "https://x.example/abc/v1"


# -- deploy ---------------------------------------------------------------------------------------
async def test_deploy_from_a_repo_id_imports_then_deploys_then_answers(sb):
    job = await api.adeploy(TINY, zone=ZONE)
    assert job.state == "ready" and job.import_job is not None and job.import_job.model.state == "created"
    assert job.smoke_test is not None and job.smoke_test.text.startswith("[SANDBOX]")
    assert job.smoke_test.latency_ms > 0
    reply = await job.endpoint.achat("What is 2 + 2?", max_tokens=8)
    assert reply.startswith("[SANDBOX]")
    assert TINY in await job.endpoint.amodels()
    assert len(posts(sb)) == 1 and len(posts(sb, "/ai/model")) == 1
    states = [e.state for e in job.events if e.changed]
    assert states[0] == "importing" and states[-1] == "ready" and "deploying" in states
    data = job.to_dict()
    assert data["deployment"]["state"] == "ready" and data["smoke_test"]["ok"] is True
    assert data["deployment"]["url"] and data["deployment"]["gpu-type"] == "gpu3"


async def test_deploying_again_attaches_and_never_creates_a_second(sb):
    first = await api.adeploy(CREATED, zone=ZONE)
    forget_deployment_jobs()
    again = await api.adeploy(CREATED, zone=ZONE)
    assert again.attached and again.deployment.id == first.deployment.id
    assert len(posts(sb)) == 1
    assert again.smoke_test is not None


async def test_a_lost_create_response_makes_exactly_one_deployment(sb):
    sb.faults.once("exoscale", "POST", r"/ai/deployment$", "lose-response")
    job = await api.adeploy(CREATED, zone=ZONE)
    assert job.state == "ready"
    listing = await api.alist_deployments(ZONE)
    assert [d.name for d in listing.deployments].count("already-created") == 1


async def test_a_refused_preflight_sends_nothing(sb):
    with pytest.raises(PreflightFailed) as err:
        await api.adeploy(CREATED, zone=ZONE, gpu_type="gpua5000")
    assert err.value.report["gpu-type"].status == "fail"
    assert not posts(sb)


@pytest.mark.parametrize(
    ("model", "kwargs", "cause"),
    [
        (DEMO.large, {"gpu_type": "gpu3", "gpu_count": 1}, "gpu-fit"),
        (CREATED, {"engine_args": ["--no-such-flag"]}, "engine-args"),
        (DEMO.new_architecture, {"engine_version": "0.20.0"}, "engine-version"),
    ],
)
async def test_a_failed_deployment_is_diagnosed_from_its_state_details_and_logs(sb, model, kwargs, cause):
    with pytest.raises(DeploymentFailed) as err:
        await api.adeploy(model, zone=ZONE, force=True, **kwargs)
    assert err.value.cause == cause, err.value
    assert err.value.logs and err.value.deployment.state == "error"
    pickle.loads(pickle.dumps(err.value))
    if cause == "gpu-fit":
        assert "gpurtx6000pro × 2" in err.value.fix


async def test_scale_to_zero_then_back(sb):
    job = await api.adeploy(CREATED, zone=ZONE)
    scaled = await api.ascale("already-created", 0, zone=ZONE)
    assert scaled.replicas == 0
    with pytest.raises(EndpointError) as err:
        await job.endpoint.achat("hello")
    assert err.value.cause == "endpoint-unavailable" and err.value.status == 503
    back = await api.ascale("already-created", 1, zone=ZONE)
    assert back.replicas == 1 and back.state == "ready"
    assert (await job.endpoint.achat("hello")).startswith("[SANDBOX]")


async def test_logs_delete_and_a_model_in_use(sb):
    await api.adeploy(CREATED, zone=ZONE)
    lines = await api.adeployment_logs("already-created", zone=ZONE, tail=5)
    assert 0 < len(lines) <= 5
    with pytest.raises(ModelInUseError) as err:
        await api.adelete_model(CREATED, zone=ZONE)
    assert "already-created" in err.value.deployments and "already-created" in err.value.message
    await api.adelete_deployment("already-created", zone=ZONE)
    with pytest.raises(NotFoundError):
        await api.aget_deployment("already-created", zone=ZONE)


async def test_attach_after_a_restart(sb):
    job = await start_deployment(CREATED, zone=ZONE)
    forget_deployment_jobs()  # the kernel restarted: only Exoscale remembers
    resumed = await attach_deployment(job.name, zone=ZONE)
    deployed = await resumed.wait(60)
    assert deployed.deployment.state == "ready" and deployed.smoke_test is not None
    with pytest.raises(NotFoundError, match="No deployment named"):
        await attach_deployment("nope", zone=ZONE)


async def test_the_key_is_never_shown(sb):
    job = await api.adeploy(CREATED, zone=ZONE)
    key = (await job.endpoint.api_key()).reveal()
    shown = [repr(job), repr(job.endpoint), str(job.to_dict()), repr(job.deployment), str(job.events)]
    assert key and not any(key in text for text in shown)
    assert "sandbox" in key  # recognisably the sandbox's (a canary)


async def test_the_openai_client_talks_to_the_endpoint_and_its_absence_names_the_extra(sb, monkeypatch):
    import asyncio
    import sys

    from jupyter_exo_models.core.errors import MissingExtraError

    job = await api.adeploy(CREATED, zone=ZONE)
    client = await asyncio.to_thread(job.endpoint.openai_client)
    served = (await job.endpoint.amodels())[0]
    answer = await asyncio.to_thread(
        client.chat.completions.create,
        model=served,
        messages=[{"role": "user", "content": "hi"}],
        max_tokens=8,
    )
    assert answer.choices[0].message.content.startswith("[SANDBOX]")
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(MissingExtraError, match=r"jupyter_exo_models\[openai\]"):
        job.endpoint.openai_client()


@pytest.mark.parametrize("fault", [429, 503, "drop"])
async def test_a_create_that_fails_once_makes_exactly_one_deployment(sb, fault):
    sb.faults.once("exoscale", "POST", r"/ai/deployment$", fault)
    job = await api.adeploy(CREATED, zone=ZONE)
    assert job.state == "ready"
    listing = await api.alist_deployments(ZONE)
    assert [d.name for d in listing.deployments].count("already-created") == 1


@pytest.mark.parametrize("prompt", ["", "   ", "x" * 40_000])
async def test_bad_prompts_are_refused_before_anything_is_sent(sb, prompt):
    job = await api.adeploy(CREATED, zone=ZONE)
    sb.clear_log()
    with pytest.raises(UsageError):
        await job.endpoint.achat(prompt)
    assert not [r for r in sb.requests if r.service == "inference"]
    assert (await job.endpoint.achat("héllo ✓ 日本")).startswith("[SANDBOX]")


async def test_failures_carry_the_action_that_fixes_them(sb):
    with pytest.raises(DeploymentFailed) as err:
        await api.adeploy(DEMO.large, zone=ZONE, gpu_type="gpu3", gpu_count=1, force=True)
    action = err.value.action
    assert (
        action.kind == "deploy"
        and action.args["gpu_type"] == "gpurtx6000pro"
        and action.args["gpu_count"] == 2
    )
    job = await api.adeploy(CREATED, zone=ZONE)
    await api.ascale(job.name, 0, zone=ZONE)
    with pytest.raises(DeploymentFailed) as err:
        await api.aattach_deployment(job.name, zone=ZONE)
    assert err.value.cause == "endpoint-unavailable"
    assert err.value.action.kind == "scale-deployment" and err.value.action.args["replicas"] == 1


# -- every check's outcomes, over real HTTP ------------------------------------------------------------
async def test_an_unknown_zone_fails_and_nothing_is_asked_of_exoscale(sb):
    report = await deploy_preflight(CREATED, zone="xx-nowhere-1")
    assert report["zone"].status == "fail" and report["exoscale-credentials"].status == "skip"
    assert report["gpu-type"].status == "skip" and not [r for r in sb.requests if r.service == "exoscale"]


async def test_rejected_credentials_fail_one_check_and_skip_what_needs_them(sb):
    from jupyter_exo_models.core.credentials import ExoscaleCredentials
    from jupyter_exo_models.core.secrets import Secret

    wrong = ExoscaleCredentials(DEMO.exo_key, Secret("wrong-secret-canary-000"), "de-fra-1")
    report = await deploy_preflight(CREATED, zone=ZONE, exoscale=wrong)
    assert report["exoscale-credentials"].status == "fail" and "403" in report["exoscale-credentials"].message
    assert report["gpu-type"].status == "skip" and report["model-ready"].status == "skip"


async def test_a_model_in_error_cannot_be_deployed(sb):
    report = await deploy_preflight(DEMO.broken_import, zone=ZONE)
    assert report["model-ready"].status == "fail" and "error" in report["model-ready"].message


async def test_a_name_taken_by_another_models_deployment_fails_and_one_of_this_model_warns(sb):
    taken = await deploy_preflight(CREATED, zone=ZONE, name="demo-deployment")  # serves In-Use-Model
    assert taken["deployment-name"].status == "fail" and "already serves" in taken["deployment-name"].message
    same = await deploy_preflight(DEMO.in_use, zone=ZONE, name="demo-deployment")
    assert same["deployment-name"].status == "warn" and "attaches" in same["deployment-name"].fix
    assert same.existing is not None and same.ok


async def test_a_tight_fit_warns_and_an_unknown_family_cannot_be_estimated(sb):
    tight = await deploy_preflight(DEMO.large, zone=ZONE, gpu_type="gpu3", gpu_count=4)
    assert tight["gpu-fit"].status == "warn" and "Tight fit" in tight["gpu-fit"].message
    sb.exoscale.catalog.instance_types[ZONE]["gpunext"] = True  # a family newer than the memory table
    unknown = await deploy_preflight(CREATED, zone=ZONE, gpu_type="gpunext")
    assert unknown["gpu-type"].status == "pass"
    assert unknown["gpu-fit"].status == "warn" and "Cannot estimate" in unknown["gpu-fit"].message
    assert unknown.ok


def test_deployments_are_read_tolerantly():
    from jupyter_exo_models.core.exoscale.models import Deployment

    legacy = Deployment.from_api(
        {
            "id": "x",
            "name": "n",
            "status": "Ready",
            "model-id": "m",
            "deployment-url": None,
            "gpu-count": "2",
        },
        "de-fra-1",
    )
    assert (
        legacy.state == "ready" and legacy.model_id == "m" and legacy.url is None and legacy.gpu_count is None
    )
    odd = Deployment.from_api(
        {"name": "n", "state": "warming-up", "model": {"id": "m", "name": "org/x"}}, "z"
    )
    assert odd.state == "warming-up" and odd.model_name == "org/x" and odd.private
    assert not Deployment.from_api({"visibility": "public"}, "z").private


def test_an_endpoint_over_plain_http_elsewhere_is_refused():
    from jupyter_exo_models.core.endpoint import Endpoint
    from jupyter_exo_models.core.errors import InsecureEndpointError
    from jupyter_exo_models.core.secrets import Secret

    with pytest.raises(InsecureEndpointError):
        Endpoint("http://example.com/abc", "d", Secret("sandbox-canary-key"))
    with pytest.raises(InsecureEndpointError):
        Endpoint("javascript:alert(1)", "d", Secret("sandbox-canary-key"))


@pytest.mark.parametrize(
    ("line", "cause"),
    [
        ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "gpu-fit"),
        ("vllm serve: error: unrecognized arguments: --no-such-flag", "engine-args"),
        ("ValueError: Model architectures ['NextForCausalLM'] are not supported for now.", "engine-version"),
        ("huggingface_hub.errors.GatedRepoError: 401 Client Error. Cannot access gated repo", "hf-token"),
        ("Loading weights took 3.1 s", "exoscale"),
    ],
)
def test_the_diagnosis_reads_vllm_s_own_words(line, cause):
    from jupyter_exo_models.core.deployments import diagnose

    diagnosis = diagnose("", ["INFO starting", line], None)
    assert diagnosis.cause == cause and diagnosis.fix


def test_log_lines_are_redacted_and_truncated():
    from jupyter_exo_models.core.deployments import diagnose
    from jupyter_exo_models.core.secrets import Secret

    secret = Secret("sandbox-canary-secret-in-a-log-line-0001")
    diagnosis = diagnose("", [f"CUDA out of memory {secret.reveal()} " + "x" * 1000], None)
    assert secret.reveal() not in diagnosis.message and len(diagnosis.message) <= 300


async def test_a_deployment_of_that_name_in_error_must_be_deleted_first(sb):
    with pytest.raises(DeploymentFailed):
        await api.adeploy(DEMO.large, zone=ZONE, gpu_type="gpu3", gpu_count=1, force=True)
    report = await deploy_preflight(DEMO.large, zone=ZONE, gpu_type="gpurtx6000pro", gpu_count=2)
    check = report["deployment-name"]
    assert check.status == "fail" and "state error" in check.message
    assert check.action.kind == "delete-deployments" and check.action.args["names"] == ["llama-large-70b"]


# -- review findings -------------------------------------------------------------------------------------
async def test_a_long_reply_keeps_its_lines_and_its_length():
    import httpx

    from jupyter_exo_models.core.endpoint import Endpoint
    from jupyter_exo_models.core.secrets import Secret

    reply = "Here is code:\n```python\nprint('hi')\n```\n" + "word " * 400

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": "m"}]})
        return httpx.Response(200, json={"choices": [{"message": {"content": reply + "\x1b[31m"}}]})

    endpoint = Endpoint(
        "http://127.0.0.1:9/d", "d", Secret("sandbox-canary-key-1"), transport=httpx.MockTransport(answer)
    )
    text = await endpoint.achat("hello")
    assert text == reply.strip() and "\n```python\n" in text


async def test_a_trickling_endpoint_is_cut_off_by_one_deadline_per_call():
    import asyncio

    from hostile import HostileServer

    from jupyter_exo_models.core.endpoint import Endpoint
    from jupyter_exo_models.core.secrets import Secret

    def trickle(h, _):  # a byte every 0.2 s: no read timeout ever fires
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        while not h.server.stopping.wait(0.2):
            h.wfile.write(b" ")
            h.wfile.flush()

    with HostileServer() as server:
        server.route("POST", r"/d/v1/chat/completions", trickle)
        endpoint = Endpoint(server.url + "/d", "d", Secret("sandbox-canary-key-2"), model="m", timeout=1.0)
        with pytest.raises(EndpointError, match="within 1 s"):
            await asyncio.wait_for(endpoint.achat("hi"), 30)


async def test_a_name_is_never_shared_with_another_models_deployment(sb):
    first = await start_deployment(CREATED, zone=ZONE, name="shared-name")
    with pytest.raises(UsageError, match="serves"):
        await start_deployment(DEMO.in_use, zone=ZONE, name="shared-name", force=True)
    await first.wait(60)
    forget_deployment_jobs()
    with pytest.raises(UsageError, match="serves"):  # the deployment itself, without a job of this process
        await start_deployment(DEMO.in_use, zone=ZONE, name="shared-name", force=True)
    assert len(posts(sb)) == 1


async def test_a_smoke_test_that_fails_once_is_asked_again(sb):
    sb.faults.services = {"hub", "exoscale", "inference"}
    sb.faults.once("inference", "POST", r"/chat/completions$", 503)
    job = await api.adeploy(CREATED, zone=ZONE)
    assert job.smoke_test is not None and job.diagnosis is None


async def test_an_unanswered_create_is_looked_up_not_posted_again(sb, monkeypatch):
    from jupyter_exo_models.core.errors import ServerError
    from jupyter_exo_models.core.exoscale.client import ExoscaleClient

    create = ExoscaleClient.create_deployment

    async def processed_but_unanswered(self, *args, **kwargs):  # as after the client's last ambiguous attempt
        await create(self, *args, **kwargs)
        raise ServerError("Exoscale answered 502 Bad Gateway", status=502)

    monkeypatch.setattr(ExoscaleClient, "create_deployment", processed_but_unanswered)
    job = await api.adeploy(CREATED, zone=ZONE)
    assert job.state == "ready" and len(posts(sb)) == 1


async def test_a_secret_in_the_engine_arguments_is_refused_without_echoing_it(sb):
    with pytest.raises(UsageError) as err:
        await deploy_preflight(CREATED, zone=ZONE, engine_args=["--api-key=sandbox-canary-value-77"])
    assert "--api-key" in err.value.message and "canary-value" not in str(err.value)
    assert not sb.requests


async def test_scaling_forgets_the_watch_s_verdict_and_a_timeout_s_diagnosis_is_bounded(sb):
    job = await api.adeploy(CREATED, zone=ZONE)
    await api.ascale(job.name, 0, zone=ZONE)
    with pytest.raises(DeploymentFailed):
        await api.aattach_deployment(job.name, zone=ZONE)
    assert api.deployments.known_deployment_job(job.name, ZONE).diagnosis is not None
    await api.ascale(job.name, 1, zone=ZONE)
    assert api.deployments.known_deployment_job(job.name, ZONE) is None


def test_tail_out_of_range_is_a_usage_error(sb):
    with pytest.raises(UsageError, match="1 to 10000"):
        api.deployment_logs("demo-deployment", zone=ZONE, tail=0)


async def test_a_watch_with_a_limit_ends_when_it_passes(sb_clock):
    from jupyter_exo_models.core.errors import ExoModelsError
    from jupyter_exo_models.core.polling import PollSchedule

    _, clock = sb_clock
    job = await start_deployment(CREATED, zone=ZONE, clock=clock, schedule=PollSchedule())
    job.watch_limit = 3600.0
    with pytest.raises(ExoModelsError, match="after 1 h"):
        await job.wait()
    assert not job.settled and job.error is not None and job.error.action.kind == "attach-deployment"


@pytest.fixture
def sb_clock(monkeypatch):
    from jupyter_exo_models.core.clock import VirtualClock
    from jupyter_exo_models.sandbox import Sandbox, Timings

    monkeypatch.delenv("EXO_MODELS_POLL_INTERVAL", raising=False)
    clock = VirtualClock()
    with Sandbox(
        clock=clock, timings=Timings(deployment_creating=60, deployment_deploying=20_000)
    ) as sandbox:
        yield sandbox, clock
