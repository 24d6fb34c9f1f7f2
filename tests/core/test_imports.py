"""Import, watch, attach and diagnose, over real HTTP against the sandbox."""

from __future__ import annotations

import asyncio
import gc
import logging
import tracemalloc

import pytest

from jupyter_exo_models.core import api
from jupyter_exo_models.core.clock import VirtualClock
from jupyter_exo_models.core.credentials import resolve_exoscale
from jupyter_exo_models.core.errors import (
    ExoModelsError,
    ImportFailed,
    NotFoundError,
    PreflightFailed,
    WatchTimeout,
)
from jupyter_exo_models.core.exoscale.client import ExoscaleClient
from jupyter_exo_models.core.exoscale.models import Operation
from jupyter_exo_models.core.imports import ImportJob, attach, diagnose_operation, start_import
from jupyter_exo_models.core.polling import PollSchedule, sdk_interval

TINY = "sandbox-org/Tiny-Llama-1B"
SEED_CAUSES = [
    ("sandbox-org/mixed-case-model", "repo-id-case"),
    ("other-user/secret-model", "repo-access"),
    ("sandbox-gated/Llama-Gated-8B", "gated-access"),
    ("sandbox-org/pytorch-only", "weights-format"),
]


def creates(sb, name=None):
    return [
        r
        for r in sb.requests
        if r.service == "exoscale" and r.method == "POST" and (name is None or name.encode() in r.body)
    ]


def models_named(sb, name, zone="de-fra-1"):
    return [m for m in sb.exoscale.models(zone) if m["name"] == name]


async def test_import_reaches_created_with_a_state_timeline(sb, caplog):
    events = []
    with caplog.at_level(logging.DEBUG):
        job = await api.aimport_model(TINY, zone="de-fra-1", on_event=events.append)
    assert job.model.state == "created" and job.done and not job.attached
    states = [e.state for e in events if e.changed]
    assert [e.state for e in job.events] == states
    assert states[-1] == "created" and "downloading" in states
    # in order (a loaded machine may poll first after "creating" ended: then it is not seen at all)
    assert states == [s for s in ("creating", "downloading", "created") if s in states]
    assert events[-1].final and events[-1].size and "deploy it next" in events[-1].message
    assert len(creates(sb)) == 1 and len(models_named(sb, TINY)) == 1
    assert sb.demo.hf_token not in caplog.text and sb.demo.exo_secret not in caplog.text


@pytest.mark.parametrize("model_id, cause", SEED_CAUSES)
async def test_preflight_refuses_the_four_seed_causes_before_any_post(sb, model_id, cause):
    with pytest.raises(PreflightFailed) as err:
        await api.aimport_model(model_id, zone="de-fra-1")
    assert err.value.report[cause].status == "fail"
    assert creates(sb) == []


@pytest.mark.parametrize("model_id, cause", SEED_CAUSES)
async def test_forced_import_fails_at_exoscale_and_is_diagnosed(sb, model_id, cause):
    with pytest.raises(ImportFailed) as err:
        await api.aimport_model(model_id, zone="de-fra-1", force=True)
    assert err.value.cause == cause, err.value
    assert err.value.fix and err.value.model.state == "error"
    assert sb.demo.hf_token not in str(err.value)


async def test_existing_import_is_attached_not_duplicated(sb):
    job = await api.aimport_model("sandbox-org/Already-Created", zone="de-fra-1")
    assert job.attached and job.model.state == "created"
    assert creates(sb) == []


async def test_concurrent_starts_share_one_job(sb):
    jobs = await asyncio.gather(*(start_import(TINY, zone="de-fra-1") for _ in range(5)))
    assert len({id(j) for j in jobs}) == 1
    await jobs[0].wait()
    assert len(creates(sb)) == 1 and len(models_named(sb, TINY)) == 1


async def test_reimport_after_delete_creates_again(sb):
    first = await api.aimport_model(TINY, zone="de-fra-1")
    await api.adelete_model(TINY, zone="de-fra-1")
    again = await api.aimport_model(TINY, zone="de-fra-1")
    assert not again.attached and again.model.id != first.model.id
    assert len(creates(sb)) == 2 and [m["state"] for m in models_named(sb, TINY)] == ["created"]


async def test_reimport_of_a_created_model_attaches(sb):
    first = await api.aimport_model(TINY, zone="de-fra-1")
    again = await api.aimport_model(TINY, zone="de-fra-1")
    assert again.attached and again.model.id == first.model.id and len(creates(sb)) == 1


async def test_lost_create_response_is_adopted(sb):
    sb.faults.once("exoscale", "POST", r"/ai/model$", "lose-response")
    job = await api.aimport_model(TINY, zone="de-fra-1")
    assert job.model.state == "created" and job.attached
    assert len(models_named(sb, TINY)) == 1


async def test_timeout_then_attach_by_name_and_uuid(sb):
    with pytest.raises(WatchTimeout) as err:
        await api.aimport_model(TINY, zone="de-fra-1", timeout=0.05)
    assert "attach" in err.value.fix
    by_name = await attach(TINY, zone="de-fra-1")
    model = await by_name.wait()
    assert model.state == "created"
    by_uuid = await attach(model.id, zone="de-fra-1")
    assert (await by_uuid.wait()).id == model.id


async def test_waiting_again_after_a_timeout_resumes_the_watch(sb):
    job = await api.aimport_model(TINY, zone="de-fra-1", wait=False)
    with pytest.raises(WatchTimeout):
        await job.wait(timeout=0.01)
    assert (await job.wait(timeout=30)).state == "created" and job.settled


def test_blocking_result_again_after_a_timeout(sb):
    job = api.import_model(TINY, zone="de-fra-1", wait=False)
    with pytest.raises(WatchTimeout):
        job.result(timeout=0.01)
    assert job.result(timeout=30).state == "created"
    assert len(creates(sb)) == 1


async def test_attach_to_unknown_model_suggests_the_case(sb):
    with pytest.raises(NotFoundError) as err:
        await attach("sandbox-org/already-created", zone="de-fra-1")
    assert "sandbox-org/Already-Created" in err.value.fix


async def test_stop_watching_leaves_the_import_running(sb):
    job = await api.aimport_model(TINY, zone="de-fra-1", wait=False)
    await asyncio.sleep(0.05)
    job.stop()
    await asyncio.sleep(0.05)
    assert job.done and job.state == "stopped"
    resumed = await attach(TINY, zone="de-fra-1")
    assert (await resumed.wait()).state == "created"


def test_blocking_api_from_plain_code(sb):
    job = api.import_model(TINY, zone="de-fra-1", wait=False)
    assert job.result(timeout=30).state == "created"
    assert [m.name for m in api.list_models("de-fra-1")].count(TINY) == 1
    assert api.get_model(TINY, "de-fra-1").state == "created"


async def test_stream_yields_until_final(sb):
    job = await api.aimport_model(TINY, zone="de-fra-1", wait=False)
    seen = [e.state async for e in job.stream()]
    assert seen[-1] == "created"


async def test_polling_economy_with_simulated_time(monkeypatch):
    """A 10-minute import at the CLI's schedule: no more requests than the schedule implies (+1 per state)."""
    from jupyter_exo_models.sandbox import Sandbox, Timings

    monkeypatch.delenv("EXO_MODELS_POLL_INTERVAL", raising=False)
    clock = VirtualClock()
    with Sandbox(clock=clock, timings=Timings(creating=60, downloading=540)) as sb:
        job = await start_import(TINY, zone="de-fra-1", clock=clock, schedule=PollSchedule())
        sb.clear_log()
        await job.wait()
        polls = [r for r in sb.requests if r.service == "exoscale" and r.method == "GET"]
    expected, t = 1, 0.0
    while t < 600:
        t += sdk_interval(t)
        expected += 1
    assert job.model.state == "created"
    assert len(polls) <= expected + 2, (len(polls), expected)
    assert max(clock.slept) <= 60


@pytest.mark.slow
async def test_long_import_caps_the_interval_at_60s(monkeypatch):
    from jupyter_exo_models.sandbox import Sandbox, Timings

    monkeypatch.delenv("EXO_MODELS_POLL_INTERVAL", raising=False)
    clock = VirtualClock()
    memory = []

    def sample(
        event,
    ):  # every poll: what the core holds (another test's leftover thread may allocate meanwhile)
        sb.clear_log()
        gc.collect()
        core = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, "*/jupyter_exo_models/core/*")]
        )
        memory.append(sum(stat.size for stat in core.statistics("filename")))

    tracemalloc.start()
    try:
        with Sandbox(clock=clock, timings=Timings(creating=60, downloading=7200)) as sb:
            job = await start_import(TINY, zone="de-fra-1", clock=clock, schedule=PollSchedule())
            job.subscribe(sample)
            await job.wait()
    finally:
        tracemalloc.stop()
    assert job.model.state == "created"
    assert max(clock.slept) == 60 and clock.slept[:5] == [3, 3, 3, 3, 3]
    assert len(job.events) <= 4  # transitions only: the history does not grow with the number of polls
    assert len(memory) > 100
    settled = memory[len(memory) // 4 :]
    # flat over ~1.5 simulated hours and ~120 polls (about 20 KB of noise here; keeping each poll's event
    # would add 60 KB)
    assert max(settled) - min(settled) < 48 * 1024, (min(settled), max(settled))


# What the Hub answers a download for each cause (its real texts, docs/SERVICES.md), as Exoscale relays them
# (assumed: the operation's message quotes the Hub's answer), and Exoscale's reason codes alone
@pytest.mark.parametrize(
    ("reason", "message", "cause"),
    [
        (
            "forbidden",
            (
                "403 Client Error. Access to model x/y is restricted and you are not in the authorized list. "
                "Visit https://huggingface.co/x/y to ask for access."
            ),
            "gated-access",
        ),
        (
            "forbidden",
            "Your request to access model x/y is awaiting a review from the repo authors.",
            "gated-access",
        ),
        (
            "forbidden",
            (
                "Access to model x/y is restricted. You must have access to it and be authenticated "
                "to access it. "
                "Please log in."
            ),
            "hf-token",
        ),
        (
            "forbidden",
            (
                "403 Forbidden: Please enable access to public gated repositories in your fine-grained token "
                "settings to view this repository."
            ),
            "hf-token",
        ),
        ("forbidden", "401 Client Error: Invalid credentials in Authorization header", "hf-token"),
        (
            "not-found",
            "404 Client Error. Repository Not Found for url: https://huggingface.co/api/models/x/y",
            "repo-access",
        ),
        ("unsupported", "no *.safetensors weights in the repository", "weights-format"),
        ("unsupported", "", "weights-format"),
        ("not-found", "", "repo-access"),
        ("forbidden", "", "hf-token"),
        ("fault", "internal error", "exoscale"),
        (None, None, "exoscale"),
    ],
)
def test_exoscale_words_alone_name_the_cause(reason, message, cause):
    operation = Operation("op", "failure", "de-fra-1", reason, message) if reason or message else None
    diagnosis = diagnose_operation("x/y", operation)
    assert diagnosis.cause == cause and diagnosis.fix


@pytest.mark.parametrize(
    "name",
    ["acme/private-gpt-8B", "acme/ungated-llama", "acme/token-classifier", "acme/Restricted-gated-repo"],
)
def test_the_model_name_in_exoscale_words_does_not_steer_the_diagnosis(name):
    operation = Operation(
        "op", "failure", "de-fra-1", "not-found", f"Repository {name} not found on Hugging Face"
    )
    assert diagnose_operation(name, operation).cause == "repo-access"


async def test_an_operation_refused_before_any_model_exists_is_diagnosed(sb, monkeypatch):
    refused = Operation(
        "op-1",
        "failure",
        "de-fra-1",
        "forbidden",
        "Access to gated repository is restricted: accept the license terms",
    )

    async def get_operation(self, operation_id):
        return refused

    monkeypatch.setattr(ExoscaleClient, "get_operation", get_operation)
    job = ImportJob(TINY, "de-fra-1", resolve_exoscale(), operation=Operation("op-1", "pending", "de-fra-1"))
    with pytest.raises(ImportFailed) as err:
        await job.wait(timeout=10)
    assert err.value.cause == "gated-access" and job.state == "error" and job.done


async def test_a_job_is_awaited_from_any_loop_and_blocked_on_from_its_starters_thread(sb):
    # started from plain Python (the package's loop), awaited on this test's loop
    job = await asyncio.to_thread(api.import_model, TINY, zone="de-fra-1", wait=False)
    assert (await job.wait(timeout=30)).state == "created"
    # started on this loop, then blocked on from it, as a kernel cell calling .result() does
    other = (await start_import("sandbox-org/single-safetensors", zone="de-fra-1")).start()
    assert other.result(timeout=30).state == "created"


async def test_starts_from_different_loops_create_once(sb):
    jobs = await asyncio.gather(
        asyncio.to_thread(api.start_import, TINY, zone="de-fra-1"), start_import(TINY, zone="de-fra-1")
    )
    assert jobs[0] is jobs[1]
    await jobs[0].wait(timeout=30)
    assert len(creates(sb, TINY)) == 1  # not a second POST answered 409


async def test_a_waiter_timing_out_leaves_the_watch_to_the_others(sb):
    job = (await start_import(TINY, zone="de-fra-1")).start()
    seen = []
    job.subscribe(seen.append)
    with pytest.raises(WatchTimeout) as err:
        await job.wait(timeout=0.01)
    assert "waiting" in err.value.message
    assert (await job.wait(timeout=30)).state == "created"
    assert [e.state for e in seen if e.final] == ["created"]


async def test_a_restarted_watch_reports_its_own_end(sb):
    clock = VirtualClock()  # the client's backoff between retries follows the job's clock too
    job = (await start_import(TINY, zone="de-fra-1", clock=clock)).start()
    job.stop()
    while job.state != "stopped":  # the cancellation happens on the package's loop
        await asyncio.sleep(0.01)
    sb.faults.services, sb.faults.error_rate, sb.faults.error_statuses = {"exoscale"}, 1.0, (503,)
    sb.clear_log()
    seen = []
    job.subscribe(seen.append, replay=False)
    with pytest.raises(ExoModelsError) as err:
        await job.wait(timeout=30)
    assert "5 polling errors" in err.value.message
    assert seen[-1].final and "Gave up" in seen[-1].message and seen[-1].state != "stopped"
    assert len(clock.slept) >= 25  # each failed poll retried with backoff before counting as one failure


async def test_an_unexpected_failure_ends_the_watch_with_a_typed_error(sb, monkeypatch):
    async def broken(self, model_id):
        raise RuntimeError("boom")

    job = await start_import(TINY, zone="de-fra-1")
    monkeypatch.setattr(ExoscaleClient, "get_model", broken)
    with pytest.raises(ExoModelsError) as err:
        await job.wait(timeout=30)
    assert "RuntimeError" in err.value.message and job.error is err.value and job.done


async def test_an_explicit_token_is_not_kept_in_clear_on_the_job(sb):
    job = await start_import(TINY, zone="de-fra-1", hf_token=sb.demo.hf_token)
    assert sb.demo.hf_token not in repr(vars(job))
    await job.wait(timeout=30)


async def test_a_caller_timing_out_stops_the_watch_it_alone_followed(sb):
    from jupyter_exo_models.core.imports import known_job

    seen = []
    with pytest.raises(WatchTimeout):
        await api.aimport_model(TINY, zone="de-fra-1", timeout=0.05, on_event=seen.append)
    job = known_job(TINY, "de-fra-1")
    for _ in range(500):
        if job.done:
            break
        await asyncio.sleep(0.01)
    assert job.state == "timeout" and not job.settled


async def test_a_stop_right_after_the_verdict_keeps_the_verdict(sb):
    job = await start_import(TINY, zone="de-fra-1")
    job.subscribe(lambda event: job.stop() if event.final else None)  # a Stop click as "created" shows
    assert (await job.wait(timeout=30)).state == "created"
    assert [e.state for e in job.events if e.final] == ["created"]


async def test_a_cancelled_caller_releases_the_watch_it_alone_followed(sb):
    from jupyter_exo_models.core.imports import known_job

    seen = []
    caller = asyncio.ensure_future(api.aimport_model(TINY, zone="de-fra-1", on_event=seen.append))
    while not seen:
        await asyncio.sleep(0.01)
    caller.cancel()  # what Ctrl-C on the blocking import_model does
    with pytest.raises(asyncio.CancelledError):
        await caller
    job = known_job(TINY, "de-fra-1")
    for _ in range(500):
        if job.done:
            break
        await asyncio.sleep(0.01)
    assert job.state == "stopped"
    heard = len(seen)
    await asyncio.sleep(0.3)
    assert len(seen) == heard
