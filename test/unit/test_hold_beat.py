"""The controller's held-command heartbeat: which ticks publish while the command is zero."""

from __future__ import annotations

from robot_brain.core.control.hold_beat import HoldBeat
from robot_brain.core.geometry import ZERO_VELOCITY, Velocity

TICK = 0.01
GO = Velocity(0.3, 0.0)
TURN = Velocity(0.0, -0.2)


def published(beat: HoldBeat, commands: list[Velocity], jitter: float = 0.0) -> list[int]:
    """The indices of the ticks (every TICK, +-jitter alternating) that publish."""
    out = []
    for i, v in enumerate(commands):
        t = 100.0 + i * TICK + (jitter if i % 2 else -jitter)
        if beat.due(t, v):
            out.append(i)
    return out


def test_only_exact_zero_is_held() -> None:
    assert ZERO_VELOCITY.is_zero() and Velocity(-0.0, 0.0).is_zero()
    assert not GO.is_zero() and not TURN.is_zero() and not Velocity(1e-12, 0.0).is_zero()


def test_every_moving_command_goes_out() -> None:
    beat = HoldBeat(0.1, TICK)
    assert published(beat, [GO] * 50) == list(range(50))


def test_a_hold_publishes_every_tenth_tick_even_with_jitter() -> None:
    for jitter in (0.0, 0.002):
        beat = HoldBeat(0.1, TICK)
        assert published(beat, [ZERO_VELOCITY] * 51, jitter) == [0, 10, 20, 30, 40, 50]


def test_changes_are_never_delayed() -> None:
    beat = HoldBeat(0.1, TICK)
    commands = [GO] * 5 + [ZERO_VELOCITY] * 25 + [TURN] * 3 + [ZERO_VELOCITY] * 3
    out = published(beat, commands)
    # The first zero after motion (5), the beats (15, 25), the first move after the hold (30)
    # and every moving tick, the first zero after it (33).
    assert out == [0, 1, 2, 3, 4, 5, 15, 25, 30, 31, 32, 33]


def test_period_zero_publishes_every_tick() -> None:
    beat = HoldBeat(0.0, TICK)
    assert published(beat, [ZERO_VELOCITY] * 20) == list(range(20))
