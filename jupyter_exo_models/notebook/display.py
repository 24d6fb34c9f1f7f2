"""How IPython shows the core's jobs: registered by name by the notebook face, so the core imports no UI.

``jem.deploy(...)`` as a cell's last line shows the deployment's timeline (HTML, with its plain-text
fallback), kept up to date in a kernel while the job is still watched (``wait=False``). Registered by
``%load_ext jupyter_exo_models`` and by the package's first public attribute used in an IPython shell.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from typing import Any

JOB = ("jupyter_exo_models.core.deployments", "DeploymentJob")
# jobs a magic already displays live, with the cell that displays them: echoing the magic's value there
# (``%exo_deploy m`` as the last line) must not show the timeline twice
_shown_live: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def register(shell: Any) -> None:
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    shell.display_formatter.ipython_display_formatter.for_type_by_name(*JOB, show_deployment)


def shown_live(job: Any, shell: Any) -> None:
    _shown_live[job] = getattr(shell, "execution_count", 0)


def show_deployment(job: Any) -> None:
    from IPython import get_ipython
    from IPython.display import display

    from . import render
    from .login import _in_kernel

    shell = get_ipython()
    if shell is not None and _shown_live.get(job) == shell.execution_count:
        display({"text/plain": repr(job)}, raw=True)  # the one-line echo a plain object would have
        return
    handle = display(render.deployment_bundle(job), raw=True, display_id=True)
    if job.done or not _in_kernel():  # a terminal would print every update anew: once is enough there
        return
    follow(job, handle, every_poll=True)


def redrawer(job: Any, handle: Any, *, every_poll: bool) -> Callable[[Any], None]:
    """An ``on_event`` callback redrawing ``handle`` on every poll, or on state changes only (a terminal
    prints each update anew)."""
    from . import render

    def redraw(event: Any) -> None:
        if every_poll or event is None or event.changed or event.final:
            handle.update(render.deployment_bundle(job), raw=True)

    return redraw


def follow(job: Any, handle: Any, *, every_poll: bool) -> None:
    """Redraw ``handle`` on the job's events until the end of its watch (nobody waits: ``wait=False``)."""
    redraw = redrawer(job, handle, every_poll=every_poll)
    unsubscribe: list[Any] = []

    def drop() -> None:  # once, from whichever thread sees the end first
        with contextlib.suppress(IndexError):
            unsubscribe.pop()()

    def on_event(event: Any) -> None:
        redraw(event)
        if event.final:
            drop()  # a display must not keep a finished watch followed

    unsubscribe.append(job.subscribe(on_event, replay=False))
    if job.done:  # it ended before the subscription: its final event was missed
        drop()
        redraw(None)
