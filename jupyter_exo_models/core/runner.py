"""Run coroutines from synchronous code on one background event loop.

Jupyter kernels (and Colab) already run an event loop in the main thread, so
``asyncio.run`` fails there. Like ``jupyter_core.utils.run_sync`` we run our
coroutines on a private loop in a daemon thread instead of patching the user's
loop with nest-asyncio. Background watches live on the same loop, so the
kernel's own loop is never blocked.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def background_loop() -> asyncio.AbstractEventLoop:
    """The shared loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or not (_thread and _thread.is_alive()):
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(
                target=_loop.run_forever, name="jupyter-exo-models-loop", daemon=True
            )
            _thread.start()
        return _loop


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule ``coro`` on the background loop and return at once."""
    return asyncio.run_coroutine_threadsafe(coro, background_loop())


async def on_background_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` run on the background loop, where state shared by every loop and thread lives."""
    if _thread is not None and threading.current_thread() is _thread:
        return await coro
    return await asyncio.wrap_future(submit(coro))


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code, even inside a running event loop.

    Raises:
        RuntimeError: if called from the background loop itself (it would deadlock).
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
