"""The job engine's contract, against the sandbox: one watch at a time, each transition taken once under the
job's lock, events in order to every follower whatever its thread, and every waiter told how a watch ended."""

from __future__ import annotations

import asyncio
import sys
import threading
import time

import pytest

from jupyter_exo_models.core import api, runner
from jupyter_exo_models.core.errors import ExoModelsError, UsageError, WatchStopped, WatchTimeout
from jupyter_exo_models.core.fixes import Action
from jupyter_exo_models.core.imports import start_import
from jupyter_exo_models.core.jobs import TRANSITIONS, Phase, check_timeout

TINY = "sandbox-org/Tiny-Llama-1B"


@pytest.fixture
def slow(sb):
    sb.exoscale.timings.downloading = 30.0  # the watch stays under way for the whole test
    return sb


def wait_for(condition, what: str, seconds: float = 20.0) -> None:
    """Block until ``condition()``, bounded: the engine's threads decide when it holds, not a sleep."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.005)


def test_the_state_machine_is_written_down_once():
    assert TRANSITIONS[Phase.WATCHING] == {Phase.SUCCEEDED, Phase.FAILED, Phase.STOPPED}
    assert not TRANSITIONS[Phase.SUCCEEDED] and not TRANSITIONS[Phase.FAILED]  # a verdict is final
    assert TRANSITIONS[Phase.STOPPED] == {Phase.WATCHING}  # watching again is a new watch


async def test_a_stream_after_a_restart_does_not_end_on_the_old_final_event(sb):
    job = (await start_import(TINY, zone="de-fra-1")).start()
    job.stop()
    assert job.events[-1].final and job.state == "stopped"  # recorded before stop() returned
    job.start()
    states = [event.state async for event in job.stream()]
    assert states[-1] == "created" and job.events[-1].watch == 2
    assert "stopped" not in states  # the first watch's end is history, not this stream's end


async def test_a_stream_of_a_finished_job_replays_and_ends(sb):
    job = await api.aimport_model(TINY, zone="de-fra-1")
    states = [event.state async for event in job.stream()]
    assert states[-1] == "created" and states == [e.state for e in job.events]


async def test_a_subscriber_on_another_thread_gets_the_replay_before_any_live_event(slow):
    job = await start_import(TINY, zone="de-fra-1")
    downloading = threading.Event()
    job.subscribe(lambda event: downloading.set() if event.state == "downloading" else None)
    job.start()
    await asyncio.to_thread(downloading.wait, 20)
    replayed = list(job.events)
    got = []

    def follower(event):
        got.append(event)
        if len(got) == 1:  # mid-replay: let the watch record a live event meanwhile
            before = job.last_event
            wait_for(lambda: job.last_event is not before, "a live poll while the replay runs")

    await asyncio.to_thread(job.subscribe, follower)
    await asyncio.to_thread(wait_for, lambda: len(got) > len(replayed) + 1, "live events after the replay")
    job.stop()
    assert got[: len(replayed)] == replayed
    assert [e.elapsed for e in got] == sorted(e.elapsed for e in got)  # live ones never overtook the replay


async def test_a_stop_is_its_own_outcome_and_shows_at_once(slow):
    job = (await start_import(TINY, zone="de-fra-1")).start()
    waiter = asyncio.ensure_future(job.wait())
    await asyncio.sleep(0)
    job.stop()
    with pytest.raises(WatchStopped) as err:
        await waiter
    assert not isinstance(err.value, WatchTimeout) and "attach" in err.value.fix
    assert err.value.action == Action("attach", {"model": TINY, "zone": "de-fra-1"})  # each face phrases it
    assert job.state == "stopped" and job.done and not job.settled and job.error is None


async def test_a_timeout_must_be_a_positive_number_and_nothing_is_sent(sb):
    for bad in (-5, 0, float("nan"), float("inf"), "10", True):
        error = UsageError if isinstance(bad, float | int) and not isinstance(bad, bool) else TypeError
        with pytest.raises(error, match="timeout"):
            check_timeout(bad)
        with pytest.raises(error, match="timeout"):
            await api.aimport_model(TINY, zone="de-fra-1", timeout=bad)
    assert not [r for r in sb.requests if r.method == "POST"]


def test_a_subscriber_exiting_does_not_end_the_watch(sb):
    job = api.import_model(TINY, zone="de-fra-1", wait=False)
    job.subscribe(lambda event: sys.exit(3))  # a display calling sys.exit on the package's loop
    assert job.result(timeout=30).state == "created"


def test_waiters_are_told_when_the_background_loop_dies(slow):
    job = api.import_model(TINY, zone="de-fra-1", wait=False)
    wait_for(lambda: job.last_event is not None, "the watch's first poll")
    outcome: list[BaseException] = []
    waiting = threading.Event()

    def wait() -> None:
        try:
            job.result(on_event=lambda event: waiting.set())  # the replay: this waiter is registered
        except ExoModelsError as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    assert waiting.wait(20), "the waiter never began waiting"

    def die() -> None:
        raise SystemExit("something stopped the loop")

    runner.background_loop().call_soon_threadsafe(die)
    waiter.join(20)
    assert not waiter.is_alive(), "the waiter was left blocked"
    assert "background loop stopped" in outcome[0].message and job.done and not job.settled
    slow.exoscale.timings.downloading = 0.3
    assert (
        api.import_model("sandbox-org/single-safetensors", zone="de-fra-1").model.state == "created"
    )  # a new loop
