"""The job engine (a watched operation's state machine and its events), shared by every kind of job."""

from .engine import TRANSITIONS, Phase, Verdict, WatchedJob, check_timeout
from .events import EventHub, StatusEvent

__all__ = ["TRANSITIONS", "EventHub", "Phase", "StatusEvent", "Verdict", "WatchedJob", "check_timeout"]
