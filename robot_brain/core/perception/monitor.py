"""Perception health: input rates, inference time percentiles, invalid and dropped scans.

Times are the receiver's steady clock (seconds, monotonic), passed in by the node, so the
figures are testable and independent of sim time.
"""

from __future__ import annotations

import math

from robot_brain.core.health import HealthReport, Level
from robot_brain.core.perception.pipeline import ScanOutcome, ScanResult
from robot_brain.core.timing.stats import RollingWindow

REPORT_NAME = "perception"


class PerceptionMonitor:
    def __init__(self, scan_timeout_s: float, window: int = 1000) -> None:
        self.scan_timeout_s = scan_timeout_s
        self.inference_ms = RollingWindow(window)
        #: Whole scan callback, message in to message published: the node's own latency share.
        self.callback_ms = RollingWindow(window)
        self.scans = 0
        self.published = 0
        self.invalid = 0
        self.dropped = 0
        self.odoms = 0
        self.last_problem = ""
        self._last_scan_t = math.nan
        self._last_odom_t = math.nan
        self._period_start = math.nan
        self._period_scans = 0
        self._period_problems = 0
        self._invalid_beams_last = 0

    def on_scan(self, result: ScanResult, now: float) -> None:
        self.scans += 1
        self._period_scans += 1
        self._last_scan_t = now
        if result.outcome is ScanOutcome.DROPPED:
            self.dropped += 1
        elif result.outcome is ScanOutcome.INVALID:
            self.invalid += 1
        if result.outcome is not ScanOutcome.OK:
            self._period_problems += 1
            self.last_problem = result.reason
        if result.sectors is not None:
            self.published += 1
        if not math.isnan(result.inference_s):
            self.inference_ms.add(result.inference_s * 1e3)
        self._invalid_beams_last = result.invalid_beams

    def on_callback(self, duration_s: float) -> None:
        self.callback_ms.add(duration_s * 1e3)

    def on_odom(self, received: float) -> None:
        """The newest odometry, received at `received` (taken at the node's own rate, so
        its age, not a rate, is what this node can tell)."""
        self.odoms += 1
        self._last_odom_t = max(received, self._last_odom_t) if not math.isnan(
            self._last_odom_t) else received

    def report(self, now: float) -> HealthReport:
        """The report for the period since the previous call; starts a new period."""
        period = now - self._period_start if not math.isnan(self._period_start) else math.nan
        scan_rate = self._period_scans / period if period > 0 else math.nan
        odom_age = now - self._last_odom_t
        problems = self._period_problems
        self._period_start = now
        self._period_scans = self._period_problems = 0

        values: dict[str, object] = {
            "scan_rate_hz": scan_rate,
            "odom_age_s": odom_age,
            "inference_p50_ms": self.inference_ms.percentile(50),
            "inference_p99_ms": self.inference_ms.percentile(99),
            "inference_max_ms": self.inference_ms.max(),
            "callback_p99_ms": self.callback_ms.percentile(99),
            "scans_total": self.scans,
            "published_total": self.published,
            "invalid_scans_total": self.invalid,
            "dropped_scans_total": self.dropped,
            "invalid_beams_last_scan": self._invalid_beams_last,
            "last_problem": self.last_problem or "none",
        }
        if math.isnan(self._last_scan_t):
            return HealthReport(REPORT_NAME, Level.WARN, "waiting for the first scan", values)
        age = now - self._last_scan_t
        if age > self.scan_timeout_s:
            return HealthReport(REPORT_NAME, Level.WARN,
                                f"no scan for {age:.1f} s (timeout {self.scan_timeout_s} s)",
                                values)
        if problems:
            return HealthReport(REPORT_NAME, Level.WARN,
                                f"{problems} bad scan(s) in the last period: {self.last_problem}",
                                values)
        return HealthReport(REPORT_NAME, Level.OK, "ok", values)
