"""`auditor schedule serve`: run passes on the config's cron schedule until stopped.

The loop sleeps in short steps so SIGINT/SIGTERM stop it within a second between passes;
a signal during a pass interrupts the pass the way Ctrl-C does (finished samples are kept
in the logs and the next pass resumes them). Time comes from an injectable clock so the
scheduling logic is tested without waiting for the wall clock.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import datetime, timezone
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from croniter import croniter

SLEEP_STEP = 1.0  # seconds; how quickly a stop request is noticed between passes


class Clock(Protocol):
    def now(self) -> datetime: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def next_run(expression: str, after: datetime, tz: str | None = None) -> datetime:
    """The first time strictly after `after` that the cron expression fires (in `tz`, default local time)."""
    zone = ZoneInfo(tz) if tz else datetime.now().astimezone().tzinfo
    start = after.astimezone(zone)
    return croniter(expression, start).get_next(datetime)


class Server:
    """Runs `run_pass()` at each cron time; `stop()` (or a signal) ends it between passes."""

    def __init__(
        self, expression: str, run_pass: Callable[[], int], *, tz: str | None = None,
        clock: Clock | None = None, say: Callable[[str], None] = print,
    ) -> None:
        self.expression, self.run_pass, self.tz = expression, run_pass, tz
        self.clock = clock or SystemClock()
        self.say = say
        self.stopping = threading.Event()
        self.in_pass = False

    def stop(self) -> None:
        self.stopping.set()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop()
        if self.in_pass:
            raise KeyboardInterrupt  # interrupt the running pass like Ctrl-C; logs are kept

    def wait_until(self, moment: datetime) -> bool:
        """Sleep until `moment` in small steps; False when stopped first."""
        while not self.stopping.is_set():
            remaining = (moment - self.clock.now()).total_seconds()
            if remaining <= 0:
                return True
            self.clock.sleep(min(remaining, SLEEP_STEP))
        return False

    def _pass(self) -> int:
        self.in_pass = True
        try:
            return self.run_pass()
        finally:
            self.in_pass = False

    def serve(self, max_passes: int | None = None, run_now: bool = False, install_signals: bool = True) -> int:
        """Run passes until stopped or `max_passes` ran; returns the most severe pass exit code (3 > 2 > 0)."""
        previous = {}
        if install_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, self._on_signal)
        worst, passes = 0, 0
        try:
            if run_now and not self.stopping.is_set():
                worst, passes = _worse(worst, self._pass()), 1
            while not self.stopping.is_set() and (max_passes is None or passes < max_passes):
                moment = next_run(self.expression, self.clock.now(), self.tz)
                self.say(f"auditor: next pass at {moment.isoformat(timespec='minutes')} (schedule '{self.expression}')")
                if not self.wait_until(moment):
                    break
                worst, passes = _worse(worst, self._pass()), passes + 1
            if self.stopping.is_set():
                self.say("auditor: stopped")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return worst


def _worse(a: int, b: int) -> int:
    rank = {0: 0, 2: 1, 3: 2}
    return a if rank.get(a, 1) >= rank.get(b, 1) else b
