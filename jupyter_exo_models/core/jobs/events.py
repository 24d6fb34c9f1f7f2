"""A job's events: the history of its state changes, and its subscribers, each served in order.

Events are recorded under the job's lock and delivered outside it, each subscriber through its own lock: a
subscriber registered from any thread gets its replay first, then every live event, in order, never one twice
and never one lost (the lock is taken at registration, under the job's lock, before any later event can be
delivered to it).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger("jupyter_exo_models.jobs")


@dataclass(frozen=True)
class StatusEvent:
    """One observation of a job, for progress displays.

    Attributes:
        state: the resource's state (a model's ``creating`` … ``created``), or ``timeout`` / ``stopped`` when
            watching ended without a verdict.
        final: the last event of one watch (a verdict, a stop, or giving up).
        changed: the state differs from the previous event's (displays that print lines show these only).
        watch: which watch of the job emitted it (a restarted watch counts up).
    """

    name: str
    zone: str
    state: str
    elapsed: float
    model_id: str | None = None
    size: int | None = None
    message: str = ""
    final: bool = False
    changed: bool = True
    watch: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Callback = Callable[[StatusEvent], None]


class _Subscriber:
    __slots__ = ("callback", "lock")

    def __init__(self, callback: Callback) -> None:
        self.callback = callback
        self.lock = threading.RLock()  # reentrant: a callback may subscribe or stop the job

    def deliver(self, event: StatusEvent) -> None:
        with self.lock:
            try:
                self.callback(event)
            except BaseException:  # a broken display (even sys.exit in it) must not end the watch
                log.exception("status subscriber failed")


class EventHub:
    """The history (state changes and final events) and the subscribers of one job; guarded by its lock."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self.history: list[StatusEvent] = []
        self.last: StatusEvent | None = None
        self._subscribers: list[_Subscriber] = []

    def record(self, event: StatusEvent) -> list[_Subscriber]:
        """Record ``event`` (the caller holds the lock); returns whom to deliver it to, after releasing the
        lock."""
        self.last = event
        if event.changed or event.final:  # transitions only, so a 2-hour watch stays small
            self.history.append(event)
        return list(self._subscribers)

    @staticmethod
    def deliver(event: StatusEvent, subscribers: list[_Subscriber]) -> None:
        for subscriber in subscribers:
            subscriber.deliver(event)

    @property
    def followed(self) -> bool:
        return bool(self._subscribers)

    def subscribe(
        self,
        callback: Callback,
        *,
        replay: bool = True,
        past: Callable[[list[StatusEvent]], list[StatusEvent]] | None = None,
    ) -> Callable[[], None]:
        """Deliver every later event to ``callback`` (from the emitting thread), after the past ones when
        ``replay``.

        ``past`` picks which recorded events to replay (default: all of them).
        """
        subscriber = _Subscriber(callback)
        with self._lock:
            events = (past or list)(list(self.history)) if replay else []
            self._subscribers.append(subscriber)
            subscriber.lock.acquire()  # before any later event can reach it: the replay comes first
        try:
            for event in events:
                subscriber.deliver(event)
        finally:
            subscriber.lock.release()
        return lambda: self._unsubscribe(subscriber)

    def _unsubscribe(self, subscriber: _Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    async def stream(self, current_watch: Callable[[], tuple[int, bool]]) -> AsyncIterator[StatusEvent]:
        """Past events, then live ones, until the final event of the watch under way (or the last one's).

        ``current_watch()`` (called under the lock) says which watch is current and whether it is still
        running: a final event of an earlier watch is history, not the end of this stream.
        """
        queue: asyncio.Queue[StatusEvent] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        ends: list[int] = []

        def past(events: list[StatusEvent]) -> list[StatusEvent]:
            watch, running = current_watch()
            ends.append(watch)
            if running:
                return [e for e in events if not e.final or e.watch == watch]
            return [e for e in events if not e.final or e is events[-1]]

        def forward(event: StatusEvent) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, event)

        unsubscribe = self.subscribe(forward, past=past)
        try:
            while True:
                event = await queue.get()
                yield event
                if event.final and event.watch >= ends[0]:
                    return
        finally:
            unsubscribe()
