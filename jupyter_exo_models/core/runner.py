"""Run coroutines from synchronous code on one background event loop.

Jupyter kernels (and Colab) already run an event loop in the main thread, so
``asyncio.run`` fails there. Like ``jupyter_core.utils.run_sync`` we run our
coroutines on a private loop in a daemon thread instead of patching the user's
loop with nest-asyncio. Background watches live on the same loop, so the
kernel's own loop is never blocked.

Should that loop's thread ever end (something stopped the loop), everything still waiting on it is told at
once, instead of blocking forever: each future :func:`submit` returned fails, and every exit hook runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .errors import LoopStopped

T = TypeVar("T")
log = logging.getLogger("jupyter_exo_models.runner")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_pending: weakref.WeakSet[concurrent.futures.Future[Any]] = weakref.WeakSet()
_exit_hooks: list[Callable[[], None]] = []


def add_exit_hook(hook: Callable[[], None]) -> None:
    """Call ``hook`` (in the loop's thread) whenever the background loop's thread ends."""
    _exit_hooks.append(hook)


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    try:
        loop.run_forever()
    except BaseException as exc:  # noqa: BLE001  a callback raised SystemExit (or worse) on the loop: say so, once
        log.error("the package's background loop stopped: %s", type(exc).__name__)
    finally:
        global _loop
        with _lock:  # from now on, a call starts a new loop instead of queueing on this stopped one
            if _loop is loop:
                _loop = None
        for future in list(_pending):
            if not future.done():
                future.set_exception(LoopStopped())
        for hook in _exit_hooks:
            hook()


def background_loop() -> asyncio.AbstractEventLoop:
    """The shared loop, started on first use (and again if its thread ended)."""
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or not (_thread and _thread.is_alive()):
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(
                target=_serve, args=(_loop,), name="jupyter-exo-models-loop", daemon=True
            )
            _thread.start()
        return _loop


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule ``coro`` on the background loop and return at once."""
    future = asyncio.run_coroutine_threadsafe(coro, background_loop())
    _pending.add(future)
    return future


async def on_background_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` run on the background loop, where state shared by every loop and thread lives."""
    if _thread is not None and threading.current_thread() is _thread:
        return await coro
    return await asyncio.wrap_future(submit(coro))


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code, even inside a running event loop.

    Raises:
        RuntimeError: if called from the background loop itself (it would deadlock).
        LoopStopped: the background loop stopped first.
    """
    if _thread is not None and threading.current_thread() is _thread:
        coro.close()
        raise RuntimeError("run_sync() called from the background loop: await the coroutine instead")
    future = submit(coro)
    try:
        return future.result()
    except KeyboardInterrupt:
        future.cancel()
        raise
