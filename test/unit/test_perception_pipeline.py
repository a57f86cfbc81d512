"""Scan processing: bad input never raises; it is named, counted and made safe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.health import Level
from robot_brain.core.perception.backend import NumpySectorBackend, OnnxSectorBackend
from robot_brain.core.perception.model_builder import model_bytes
from robot_brain.core.perception.monitor import PerceptionMonitor
from robot_brain.core.perception.pipeline import ScanOutcome, ScanProcessor, ScanResult

FULL = 2.0 * math.pi


@pytest.fixture(scope="module")
def processor() -> ScanProcessor:
    return ScanProcessor(OnnxSectorBackend(model_bytes(16), 16), max_beams=4096)


def process(p: ScanProcessor, ranges: np.ndarray, angle_min: float = -math.pi,
            inc: float | None = None, rmin: float = 0.1, rmax: float = 10.0) -> ScanResult:
    n = max(ranges.size, 1)
    return p.process(np.asarray(ranges, dtype=np.float32), angle_min,
                     FULL / n if inc is None else inc, rmin, rmax)


def test_good_scan(processor: ScanProcessor) -> None:
    res = process(processor, np.full(360, 2.0))
    assert res.outcome is ScanOutcome.OK and res.reason == ""
    assert res.sectors is not None and np.all(res.sectors == 2.0)
    assert res.inference_s >= 0.0 and res.invalid_beams == 0


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"ranges": np.zeros(0)}, "empty"),
    ({"ranges": np.ones(360), "inc": 0.5}, "full turn"),          # 360 x 0.5 rad >> 2 pi
    ({"ranges": np.ones(360), "inc": 0.0}, "angle_increment"),
    ({"ranges": np.ones(360), "inc": -0.01}, "angle_increment"),
    ({"ranges": np.ones(360), "inc": math.nan}, "angle_increment"),
    ({"ranges": np.ones(360), "angle_min": math.nan}, "angle_min"),
    ({"ranges": np.ones(360), "angle_min": math.inf}, "angle_min"),
    ({"ranges": np.ones(360), "rmin": math.nan}, "range limits"),
    ({"ranges": np.ones(360), "rmax": -1.0}, "range limits"),
])
def test_bad_geometry_gives_unknown_sectors(processor: ScanProcessor, kwargs: dict[str, object],
                                            fragment: str) -> None:
    res = process(processor, **kwargs)  # type: ignore[arg-type]
    assert res.outcome is ScanOutcome.INVALID
    assert fragment in res.reason
    assert res.sectors is not None and res.sectors.shape == (16,)
    assert np.all(np.isnan(res.sectors))


def test_negative_ranges_are_ignored_not_fatal(processor: ScanProcessor) -> None:
    r = np.full(360, 2.0)
    r[:180] = -1.0
    res = process(processor, r)
    assert res.outcome is ScanOutcome.OK and res.invalid_beams == 180
    assert res.sectors is not None
    assert np.all(np.isnan(res.sectors[:8])) and np.all(res.sectors[8:] == 2.0)


def test_huge_scan_is_dropped(processor: ScanProcessor) -> None:
    res = process(processor, np.ones(100_000))
    assert res.outcome is ScanOutcome.DROPPED and res.sectors is None
    assert "100000 beams exceed max_beams 4096" in res.reason


def test_index_cache_follows_geometry_changes() -> None:
    p = ScanProcessor(NumpySectorBackend(4), max_beams=100)
    r = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    a = p.process(r, -math.pi, FULL / 4, 0.1, 10.0).sectors
    b = p.process(r, 0.0, FULL / 4, 0.1, 10.0).sectors  # rotated by half a turn
    assert a is not None and b is not None
    assert a.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert b.tolist() == [3.0, 4.0, 1.0, 2.0]


class ExplodingBackend:
    n_sectors = 4

    def __call__(self, ranges: np.ndarray, sector_index: np.ndarray,
                 range_limits: np.ndarray) -> np.ndarray:
        raise RuntimeError("boom")


def test_backend_failure_gives_unknown_not_an_exception() -> None:
    res = ScanProcessor(ExplodingBackend(), 100).process(
        np.ones(8, dtype=np.float32), -math.pi, FULL / 8, 0.1, 10.0)
    assert res.outcome is ScanOutcome.INVALID and "boom" in res.reason
    assert res.sectors is not None and np.all(np.isnan(res.sectors))


def test_max_beams_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_beams"):
        ScanProcessor(NumpySectorBackend(4), 0)


# --- diagnostics figures -----------------------------------------------------------------

def ok(ms: float) -> ScanResult:
    return ScanResult(ScanOutcome.OK, np.zeros(4, np.float32), inference_s=ms / 1e3)


def test_monitor_waits_for_first_scan() -> None:
    rep = PerceptionMonitor(0.5).report(0.0)
    assert rep.level is Level.WARN and "first scan" in rep.message


def test_monitor_rates_and_percentiles() -> None:
    m = PerceptionMonitor(0.5)
    m.report(0.0)
    for k in range(10):
        m.on_scan(ok(0.01 * (k + 1)), 0.1 * k)
        m.on_odom(0.1 * k)
        m.on_callback(0.0002)
    rep = m.report(1.0)
    assert rep.values["callback_p99_ms"] == pytest.approx(0.2)
    assert rep.level is Level.OK
    assert rep.values["scan_rate_hz"] == pytest.approx(10.0)
    assert rep.values["odom_age_s"] == pytest.approx(0.1)
    assert rep.values["inference_p99_ms"] == pytest.approx(0.0991, abs=1e-3)
    assert rep.values["published_total"] == 10


def test_monitor_warns_on_bad_and_dropped_scans_then_recovers() -> None:
    m = PerceptionMonitor(0.5)
    m.report(0.0)
    m.on_scan(ScanResult(ScanOutcome.DROPPED, None, "too many"), 0.1)
    m.on_scan(ScanResult(ScanOutcome.INVALID, np.full(4, np.nan, np.float32), "empty scan"), 0.2)
    rep = m.report(0.3)
    assert rep.level is Level.WARN and "2 bad scan(s)" in rep.message
    assert rep.values["dropped_scans_total"] == 1 and rep.values["invalid_scans_total"] == 1
    assert rep.values["published_total"] == 1
    m.on_scan(ok(0.02), 0.4)
    assert m.report(0.5).level is Level.OK


def test_monitor_warns_on_stale_scan() -> None:
    m = PerceptionMonitor(0.5)
    m.on_scan(ok(0.02), 0.0)
    rep = m.report(2.0)
    assert rep.level is Level.WARN and "no scan for 2.0 s" in rep.message
