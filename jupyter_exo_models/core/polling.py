"""The polling schedule of the exo CLI and the Exoscale SDKs."""

from __future__ import annotations

import os

MIN_INTERVAL = 3.0
MAX_INTERVAL = 60.0
RAMP_START = 30.0  # seconds of polling at MIN_INTERVAL
RAMP_END = 900.0  # MAX_INTERVAL is reached at 15 minutes
MAX_CONSECUTIVE_ERRORS = 5


def sdk_interval(elapsed: float) -> float:
    """Every 3 s for 30 s, then linear up to 60 s at 15 min, then every 60 s."""
    slope = (MAX_INTERVAL - MIN_INTERVAL) / (RAMP_END - RAMP_START)
    interval = MIN_INTERVAL + slope * (elapsed - RAMP_START)
    return min(MAX_INTERVAL, max(MIN_INTERVAL, interval))


class PollSchedule:
    """``fixed`` (or ``EXO_MODELS_POLL_INTERVAL``) overrides the SDK schedule, for tests and the sandbox."""

    def __init__(self, fixed: float | None = None) -> None:
        if fixed is None and (env := os.environ.get("EXO_MODELS_POLL_INTERVAL", "").strip()):
            try:
                fixed = float(env)
            except ValueError:
                fixed = None
        self.fixed = fixed if fixed is None or fixed > 0 else None

    def interval(self, elapsed: float) -> float:
        return self.fixed if self.fixed is not None else sdk_interval(elapsed)

    def __repr__(self) -> str:
        return f"PollSchedule(fixed={self.fixed})" if self.fixed else "PollSchedule(sdk)"
