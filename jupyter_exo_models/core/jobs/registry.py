"""This process's jobs of one kind, one per (endpoint, zone, name): double clicks, concurrent cells and the
faces share one job, and each start of a job is serialized by its own lock (every start runs on the
package's loop, whatever loop or thread asked)."""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

from ..config import current_endpoints
from .engine import WatchedJob

J = TypeVar("J", bound=WatchedJob[Any])


class Registry(Generic[J]):
    def __init__(self) -> None:
        self._jobs: dict[tuple[str, str, str], J] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    @staticmethod
    def _key(name: str, zone: str) -> tuple[str, str, str]:
        return (current_endpoints().exoscale(zone), zone, name)

    def lock(self, name: str, zone: str) -> asyncio.Lock:
        return self._locks.setdefault(self._key(name, zone), asyncio.Lock())

    def get(self, name: str, zone: str) -> J | None:
        """The job this process started or attached to (with its diagnosis), if any."""
        return self._jobs.get(self._key(name, zone))

    def running(self, name: str, zone: str) -> J | None:
        """The job still watching, to share (a finished one may describe a resource deleted since)."""
        job = self.get(name, zone)
        return job if job is not None and not job.done and job.error is None else None

    def put(self, job: J) -> J:
        self._jobs[self._key(job.name, job.zone)] = job
        return job

    def drop(self, name: str, zone: str) -> None:
        """Stop the job of ``name`` and forget it (its resource changed elsewhere: scaled, deleted)."""
        job = self._jobs.pop(self._key(name, zone), None)
        if job is not None:
            job.stop()

    def forget(self) -> None:
        """Stop every watch and drop the registry (for tests: each starts with none)."""
        for job in self._jobs.values():
            job.stop()
        self._jobs.clear()
        self._locks.clear()
