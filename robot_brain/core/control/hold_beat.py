"""Which of the controller's ticks publish while it holds the robot still.

Every tick's command goes out while the robot is commanded to move; a zero command repeated
tick after tick carries no news. While the command stays exactly zero the controller publishes
it at `hold_publish_hz` instead, a heartbeat the watchdog judges against its longer
`hold_deadline_s` (robot_brain.core.watchdog.deadline). Nav2's controller_server and twist_mux
stop publishing altogether when idle; the heartbeat keeps the watchdog's view that the
controller is alive, at a tenth of the messages (each costs a wake-up in the watchdog, the
robot driver and the recorder).

The first zero after motion goes out at once, and so does the first non-zero command after a
hold: the thinning never delays a change of command.
"""

from __future__ import annotations

import math

from robot_brain.core.geometry import Velocity


class HoldBeat:
    """Publish-or-not for each tick; times are seconds on one monotonic clock.

    `period_s` 0 publishes every tick. `tick_s` is the control period: a beat is due once the
    next tick would be later than one period after the last beat, so at 100 Hz and a 0.1 s
    period every tenth tick publishes (a tick's jitter does not stretch it to eleven).
    """

    def __init__(self, period_s: float, tick_s: float) -> None:
        self._period_s = period_s
        self._slack_s = 0.5 * tick_s
        self._last_t = -math.inf
        self._last_zero = False

    def due(self, now: float, velocity: Velocity) -> bool:
        """Should the command of the tick at `now` be published? (Assumes it then is.)"""
        zero = velocity.is_zero()
        publish = (self._period_s <= 0.0 or not zero or not self._last_zero
                   or now - self._last_t >= self._period_s - self._slack_s)
        if publish:
            self._last_t = now
            self._last_zero = zero
        return publish
