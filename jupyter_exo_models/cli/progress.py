"""Import progress for terminals: one rewritten line on a TTY, one line per state change otherwise."""

from __future__ import annotations

import threading
from typing import TextIO

from ..core.imports import StatusEvent
from ..core.preflight import human_bytes

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._ticks = 0
        self._open = False
        self._lock = threading.Lock()  # events arrive on the background loop's thread

    def update(self, event: StatusEvent) -> None:
        with self._lock:
            size = f", {human_bytes(event.size)}" if event.size else ""
            text = f"{event.name} [{event.zone}] {event.state} {event.elapsed:5.1f}s{size}"
            if self.tty and not event.final:
                self._ticks += 1
                self.stream.write(f"\r\033[K{SPINNER[self._ticks % len(SPINNER)]} {text}")
                self._open = True
            elif event.changed or event.final:
                self._end_line()
                mark = (
                    "✔" if event.state in ("created", "ready") else ("✘" if event.state == "error" else "·")
                )
                self.stream.write(f"{mark} {text}\n")
            self.stream.flush()

    def _end_line(self) -> None:
        if self._open:
            self.stream.write("\r\033[K")
            self._open = False

    def close(self) -> None:
        with self._lock:
            self._end_line()
            self.stream.flush()
