"""The job engine: "an operation was started at Exoscale; watch it and its resource until a verdict".

An import and (later) a deployment are both such jobs. The engine owns the watch's state machine, the lock,
the polling schedule, the events and the wait/stop/release contract; a job kind supplies what to poll, what
counts as success, and how a failure is explained (:class:`WatchedJob`'s ``_observe`` and friends).

The watch's phases and their transitions, each taken under the job's one lock, with the watch's final event
recorded and its outcome resolved in the same step::

    idle ──start──▶ watching ──verdict──▶ succeeded | failed      (final: the resource decided)
                      │  ▲
          stop, timeout│  │start (a new watch: its number counts up)
          gave up      ▼  │
                     stopped

Whatever a watch does after its job left ``watching`` (a poll already under way when ``stop()`` came) is
dropped: an event or a verdict of a watch that is not the current one is never recorded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import enum
import logging
import math
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from ..clock import SYSTEM_CLOCK, Clock
from ..errors import ExoModelsError, NotFoundError, UsageError, WatchStopped, WatchTimeout
from ..fixes import Action
from ..polling import MAX_CONSECUTIVE_ERRORS, PollSchedule
from ..runner import add_exit_hook, background_loop, run_sync, submit
from .events import Callback, EventHub, StatusEvent

log = logging.getLogger("jupyter_exo_models.jobs")

R = TypeVar("R")


class Phase(enum.Enum):
    IDLE = "idle"
    WATCHING = "watching"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"


TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.IDLE: frozenset({Phase.WATCHING}),
    Phase.WATCHING: frozenset({Phase.SUCCEEDED, Phase.FAILED, Phase.STOPPED}),
    Phase.STOPPED: frozenset({Phase.WATCHING}),
    Phase.SUCCEEDED: frozenset(),
    Phase.FAILED: frozenset(),
}


class Verdict(Exception):
    """Raised by ``_observe`` when the resource ended in failure: carries the error the waiters get."""

    def __init__(self, error: ExoModelsError, event_message: str) -> None:
        super().__init__(error.message)
        self.error = error
        self.event_message = event_message


def check_timeout(timeout: object, name: str = "timeout") -> float | None:
    """``timeout`` as seconds (None: no limit).

    Raises:
        TypeError: not a number (``"10"``, ``True``).
        UsageError: not a finite number greater than 0 (``-5``, ``nan``, ``inf``).
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, not {type(timeout).__name__}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise UsageError(
            f"{name} must be a number of seconds greater than 0, not {timeout:g}",
            fix=f"Pass e.g. {name}=600, or None for no limit",
        )
    return float(timeout)


_watching: weakref.WeakSet[WatchedJob[Any]] = weakref.WeakSet()


def _loop_died() -> None:
    for job in list(_watching):
        job._end_without_verdict(
            ExoModelsError(
                f"Watching {job.name} ended: the package's background loop stopped",
                fix=job._resume_fix(),
                action=job._resume_action(),
            )
        )


add_exit_hook(_loop_died)


class WatchedJob(Generic[R]):
    """One job in one zone, and its watch (run on the package's loop, whoever starts or awaits it).

    Attributes:
        name: what the job is about (a model's Hugging Face id).
        zone: the Exoscale zone.
        events: the :class:`StatusEvent` of each state change so far, and each watch's final event.
        last_event: the newest event (state changes and plain polls).
        error: why the last watch ended without success (a verdict's error, or why watching gave up).
    """

    what = "job"  # "import", "deployment": how messages name the job
    watch_limit: float | None = (
        None  # seconds one watch may last (a server's watches: nobody may follow them)
    )

    def __init__(
        self, name: str, zone: str, *, schedule: PollSchedule | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.name = name
        self.zone = zone
        self.error: ExoModelsError | None = None
        self._schedule = schedule or PollSchedule()
        self._clock = clock
        self._started = clock.time()
        self._lock = threading.RLock()
        self._hub = EventHub(self._lock)
        self._phase = Phase.IDLE
        self._watch = 0
        self._outcome: concurrent.futures.Future[R] | None = None
        self._task: asyncio.Task[Any] | None = None
        self._waiters: set[object] = set()

    # -- what a job kind supplies -------------------------------------------------------------
    def _open(self, on_wait: Callable[[str], None]) -> AbstractAsyncContextManager[Any]:
        """The client the watch polls with (kept for the whole watch); ``on_wait`` hears why it waits."""
        raise NotImplementedError

    async def _observe(self, client: Any) -> tuple[str, bool]:
        """Refresh; return the resource's state and whether it succeeded. Raise :class:`Verdict` on failure,
        ``NotFoundError`` when the resource is gone, any other ``ExoModelsError`` for a failed poll."""
        raise NotImplementedError

    def _result(self) -> R:
        raise NotImplementedError

    def _event_fields(self) -> dict[str, Any]:
        return {}

    def _success_message(self) -> str:
        return ""

    def _vanished(self) -> Exception:
        """What a 404 on the watched resource means (default: a failure verdict)."""
        error = ExoModelsError(
            f"{self.name} no longer exists in {self.zone}", fix=f"Start the {self.what} again"
        )
        return Verdict(error, error.message)

    def _resume_fix(self) -> str:
        return f"The {self.what} goes on at Exoscale: watch it again later"

    def _resume_action(self) -> Action | None:
        """What resumes the watch, as data for the faces (see :mod:`core.fixes`)."""
        return None

    @property
    def observed_state(self) -> str:
        """The resource's state as last seen (before any event)."""
        return "creating"

    # -- state --------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        last = self._hub.last
        return last.state if last else self.observed_state

    @property
    def events(self) -> list[StatusEvent]:
        return self._hub.history

    @property
    def last_event(self) -> StatusEvent | None:
        return self._hub.last

    @property
    def done(self) -> bool:
        """The last watch ended (a verdict, a stop, or giving up)."""
        with self._lock:
            return self._phase in (Phase.SUCCEEDED, Phase.FAILED, Phase.STOPPED)

    @property
    def settled(self) -> bool:
        """Exoscale gave its verdict (success or failure); a stopped or timed-out watch did not."""
        with self._lock:
            return self._phase in (Phase.SUCCEEDED, Phase.FAILED)

    @property
    def watching(self) -> bool:
        with self._lock:
            return self._phase is Phase.WATCHING

    @property
    def elapsed(self) -> float:
        return self._clock.time() - self._started

    def _transition(self, to: Phase) -> None:
        if to not in TRANSITIONS[self._phase]:
            raise AssertionError(f"{self.what} {self.name}: no transition {self._phase.value} -> {to.value}")
        self._phase = to

    # -- events -------------------------------------------------------------------------------
    def subscribe(self, callback: Callback, *, replay: bool = True) -> Callable[[], None]:
        """Call ``callback`` with every event (the past ones first when ``replay``); returns an unsubscribe.

        Live events come from the package's loop thread (or the thread that stops the job), in order.
        """
        return self._hub.subscribe(callback, replay=replay)

    def stream(self) -> AsyncIterator[StatusEvent]:
        """``async for event in job.stream()``: past events, then live ones until the current watch's final
        one."""
        return self._hub.stream(lambda: (self._watch, self._phase is Phase.WATCHING))

    def _event(self, state: str, message: str, final: bool) -> StatusEvent:
        previous = self._hub.last.state if self._hub.last else None
        return StatusEvent(
            name=self.name,
            zone=self.zone,
            state=state,
            elapsed=round(self.elapsed, 3),
            message=message,
            final=final,
            changed=state != previous,
            watch=self._watch,
            **self._event_fields(),
        )

    def _emit(self, watch: int, state: str, message: str = "") -> None:
        """An observation of watch number ``watch``; dropped when that watch is no longer the current one."""
        with self._lock:
            if watch != self._watch or self._phase is not Phase.WATCHING:
                return
            event = self._event(state, message, final=False)
            subscribers = self._hub.record(event)
        if event.changed:
            log.info("%s in %s: %s %s", self.name, self.zone, state, message)
        self._hub.deliver(event, subscribers)

    def _finish(
        self,
        watch: int | None,
        to: Phase,
        state: str,
        message: str,
        *,
        result: Any = None,
        error: ExoModelsError | None = None,
    ) -> bool:
        """End watch ``watch`` (None: whichever is current) in phase ``to``, then tell its followers."""
        with self._lock:
            complete = self._end(watch, to, state, message, result, error)
        if complete is not None:
            complete()
        return complete is not None

    def _end(
        self,
        watch: int | None,
        to: Phase,
        state: str,
        message: str,
        result: Any,
        error: ExoModelsError | None,
    ) -> Callable[[], None] | None:
        """The transition itself, under the lock (held by the caller): the final event recorded, the phase
        changed.

        Returns what to do once the lock is released (deliver the event, then wake the waiters), or None when
        watch ``watch`` is not the one under way (it ended already: nothing changes).
        """
        if self._phase is not Phase.WATCHING or (watch is not None and watch != self._watch):
            return None
        self._transition(to)
        event = self._event(state, message, final=True)
        subscribers = self._hub.record(event)
        outcome = self._outcome
        self.error = None if isinstance(error, WatchStopped) else error  # what ended the last watch
        _watching.discard(self)

        def complete() -> None:
            log.info("%s in %s: %s %s", self.name, self.zone, state, message)
            self._hub.deliver(event, subscribers)  # before the waiters wake: whoever follows has seen the end
            if outcome is not None and not outcome.done():
                if error is None:
                    outcome.set_result(result)
                else:
                    outcome.set_exception(error)

        return complete

    # -- watching -----------------------------------------------------------------------------
    def start(self) -> WatchedJob[R]:
        """Start watching in the background (unless a watch runs or the verdict is in)."""
        with self._lock:
            if self._phase in (Phase.IDLE, Phase.STOPPED):
                self._transition(Phase.WATCHING)
                self._watch += 1
                self._outcome = concurrent.futures.Future()
                self._task = None
                _watching.add(self)
                submit(self._run(self._watch))
        return self

    async def wait(self, timeout: float | None = None, *, on_event: Callback | None = None) -> R:
        """Watch until the verdict: the resource (success), or its failure raised.

        Args:
            timeout: stop waiting after this many seconds (validated: a number greater than 0, or None).
            on_event: follow the job meanwhile: called with every event (the past ones first). This caller's
                follow ends with the wait; on a timeout or a cancellation (Ctrl-C) the watch is released, so
                it stops unless another waiter or subscriber still follows the job. This is the one "follow"
                contract every face uses.

        Raises:
            the kind's failure (e.g. ``ImportFailed``), with ``.cause`` and ``.fix``.
            WatchTimeout: ``timeout`` seconds passed first (the job goes on at Exoscale).
            WatchStopped: ``stop()`` ended the watch (the job goes on at Exoscale).
            ExoModelsError: watching gave up (polling errors in a row).
            UsageError, TypeError: ``timeout`` is not a usable number of seconds.
        """
        timeout = check_timeout(timeout)
        unsubscribe = self.subscribe(on_event) if on_event is not None else None
        self.start()
        waiter = object()
        with self._lock:
            outcome = self._outcome
            self._waiters.add(waiter)
        assert outcome is not None
        verdict = asyncio.wrap_future(outcome)
        try:
            return await asyncio.wait_for(asyncio.shield(verdict), timeout)
        except asyncio.TimeoutError:
            self._stop_following(unsubscribe, "timeout", waiter)
            raise WatchTimeout(
                f"Stopped waiting for {self.name} after {timeout:g} s (state {self.state})",
                fix=self._resume_fix(),
                action=self._resume_action(),
            ) from None
        except asyncio.CancelledError:  # the waiter itself was cancelled (Ctrl-C on result())
            self._stop_following(unsubscribe, "stopped", waiter)
            raise
        finally:
            if unsubscribe is not None:
                unsubscribe()
            with self._lock:
                self._waiters.discard(waiter)
            # a waiter gone early leaves the verdict to others: it is no error that this copy goes unread
            verdict.add_done_callback(lambda done: done.cancelled() or done.exception())

    def result(self, timeout: float | None = None, *, on_event: Callback | None = None) -> R:
        """Blocking form of :meth:`wait`, for plain scripts and kernel cells."""
        return run_sync(self.wait(timeout, on_event=on_event))

    def _stop_following(self, unsubscribe: Callable[[], None] | None, reason: str, waiter: object) -> None:
        if unsubscribe is not None:
            unsubscribe()  # this caller's own follower goes first: it no longer keeps the watch alive
        self.release(reason, waiter)

    def release(self, reason: str = "stopped", waiter: object = None) -> None:
        """Stop watching unless another waiter or a subscriber still follows this job (a widget, a stream)."""
        with self._lock:
            followed = bool(self._waiters - {waiter}) or self._hub.followed
            complete = None if followed else self._stop(reason)
        if complete is not None:
            complete()

    def stop(self, reason: str = "stopped") -> None:
        """Stop watching now (the job itself goes on at Exoscale); the final event is recorded before this
        returns.

        ``reason`` (``stopped`` or ``timeout``) is the final event's state.
        """
        with self._lock:
            complete = self._stop(reason)
        if complete is not None:
            complete()

    def _stop(self, reason: str) -> Callable[[], None] | None:
        task = self._task
        complete = self._end(
            None,
            Phase.STOPPED,
            reason,
            f"stopped watching; the {self.what} goes on at Exoscale",
            None,
            WatchStopped(
                f"Stopped watching {self.name} (state {self.state})",
                fix=self._resume_fix(),
                action=self._resume_action(),
            ),
        )
        if complete is not None and task is not None:
            loop = background_loop()
            if not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)  # a wake-up already queued must not poll again
        return complete

    def _end_without_verdict(self, error: ExoModelsError) -> None:
        self._finish(None, Phase.STOPPED, self.observed_state, error.message, error=error)

    async def _run(self, watch: int) -> None:
        with self._lock:
            if watch != self._watch or self._phase is not Phase.WATCHING:
                return  # stopped before it began
            self._task = asyncio.current_task()
        try:
            result = await self._poll(watch)
        except asyncio.CancelledError:
            return  # stop() already ended this watch
        except Verdict as verdict:
            self._finish(watch, Phase.FAILED, "error", verdict.event_message, error=verdict.error)
        except ExoModelsError as exc:
            self._finish(watch, Phase.STOPPED, self.observed_state, exc.message, error=exc)
        except Exception as exc:  # noqa: BLE001  a bug must end the watch with a typed error, not silently
            log.error(
                "watching %s failed: %s", self.name, type(exc).__name__
            )  # its text might quote a secret
            error = ExoModelsError(
                f"Watching {self.name} failed unexpectedly ({type(exc).__name__})",
                fix=self._resume_fix(),
                action=self._resume_action(),
            )
            self._finish(watch, Phase.STOPPED, self.observed_state, error.message, error=error)
        else:
            self._finish(watch, Phase.SUCCEEDED, self.observed_state, self._success_message(), result=result)

    async def _poll(self, watch: int) -> R:
        failures, began = 0, self.elapsed
        async with self._open(lambda why: self._emit(watch, self.state, why)) as client:
            while True:
                limit = self.watch_limit
                if limit is not None and self.elapsed - began >= limit:  # nobody may be left to see it end
                    raise ExoModelsError(
                        f"Stopped watching {self.name} after {limit / 3600:g} h (state {self.state})",
                        fix=self._resume_fix(),
                        action=self._resume_action(),
                    )
                try:
                    state, succeeded = await self._observe(client)
                    failures = 0
                except NotFoundError:
                    raise self._vanished() from None
                except Verdict:
                    raise
                except ExoModelsError as exc:
                    failures += 1
                    log.debug("polling %s failed (%d in a row): %s", self.name, failures, type(exc).__name__)
                    if failures >= MAX_CONSECUTIVE_ERRORS:
                        raise ExoModelsError(
                            f"Gave up watching {self.name} after {failures} polling errors in a row: "
                            f"{exc.message}",
                            fix=self._resume_fix(),
                            action=self._resume_action(),
                        ) from None
                else:
                    if succeeded:
                        return self._result()
                    self._emit(watch, state)  # an unknown state too: shown as it is, and watched
                await self._clock.sleep(self._schedule.interval(self.elapsed))
