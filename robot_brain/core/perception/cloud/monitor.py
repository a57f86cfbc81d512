"""Diagnostics of perception's sources: messages, refusals by kind, trimmed clouds, timing.

One `HealthReport` ("sources") with, per source `<name>`: `<name>_messages`,
`<name>_refused_<kind>` for every refusal kind (frame, stamp, attitude, format, geometry,
oversize, backend, mount), `<name>_decimated_clouds`, `<name>_invalid_points_last` (non-finite
points or invalid beams of the last message), `<name>_self_filtered_last`,
`<name>_obstacle_points_last`, `<name>_sector_model_last` (the last message ran the ONNX
sector model: a centred, level LaserScan), `<name>_process_p99_ms`, `<name>_age_s`; and for
the attitude
input `attitude_samples` and `attitude_rejected`; where a source takes its mount from
/tf_static, `tf_static_transforms` (taken), `tf_static_refused` and `tf_static_waiting` (the
sources without a mount yet, with the chain they wait for). WARN while a source is silent beyond its
timeout or when a message was refused in the last period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from robot_brain.core.health import HealthReport, Level
from robot_brain.core.perception.cloud.sources import Refusal, SourceOutcome, SourceResult
from robot_brain.core.perception.cloud.static_tf import TfStaticMounts
from robot_brain.core.timing.stats import RollingWindow

REPORT_NAME = "sources"


@dataclass
class _Counts:
    name: str
    timeout_s: float
    messages: int = 0
    decimated: int = 0
    refused: dict[str, int] = field(default_factory=lambda: {k: 0 for k in Refusal.ALL})
    last: SourceResult | None = None
    last_t: float = -math.inf
    last_ok_t: float = -math.inf
    process_ms: RollingWindow = field(default_factory=lambda: RollingWindow(500))


class SourcesMonitor:
    def __init__(self, names: Sequence[str], timeouts_s: Sequence[float]) -> None:
        self._sources = [_Counts(n, t) for n, t in zip(names, timeouts_s, strict=True)]
        self._period_refusals: list[str] = []
        self.attitude_samples = 0
        self.attitude_rejected = 0
        #: The /tf_static mounts, when a source takes its mount from there.
        self.tf_static: TfStaticMounts | None = None

    def on_result(self, source: int, result: SourceResult, now: float) -> None:
        c = self._sources[source]
        c.messages += 1
        c.last = result
        c.last_t = now
        if result.outcome is SourceOutcome.OK:
            c.last_ok_t = now
            if result.stride > 1:
                c.decimated += 1
        else:
            c.refused[result.kind] = c.refused.get(result.kind, 0) + 1
            self._period_refusals.append(f"{c.name}: {result.reason}")
        if not math.isnan(result.process_s):
            c.process_ms.add(result.process_s * 1e3)

    def refused_total(self, source: int) -> int:
        return sum(self._sources[source].refused.values())

    def report(self, now: float) -> HealthReport:
        values: dict[str, object] = {}
        silent = []
        for c in self._sources:
            last = c.last
            values[f"{c.name}_messages"] = c.messages
            for kind, count in c.refused.items():
                values[f"{c.name}_refused_{kind}"] = count
            values[f"{c.name}_decimated_clouds"] = c.decimated
            values[f"{c.name}_invalid_points_last"] = last.invalid if last else 0
            values[f"{c.name}_self_filtered_last"] = last.self_filtered if last else 0
            values[f"{c.name}_obstacle_points_last"] = last.obstacle_points if last else 0
            values[f"{c.name}_sector_model_last"] = bool(last and last.model)
            values[f"{c.name}_process_p99_ms"] = c.process_ms.percentile(99)
            age = now - c.last_ok_t
            values[f"{c.name}_age_s"] = age if math.isfinite(age) else math.nan
            if age > c.timeout_s:
                silent.append(c.name)
        values["attitude_samples"] = self.attitude_samples
        values["attitude_rejected"] = self.attitude_rejected
        if self.tf_static is not None:
            values["tf_static_transforms"] = self.tf_static.transforms
            values["tf_static_refused"] = self.tf_static.refused
            values["tf_static_waiting"] = ", ".join(self.tf_static.waiting())
        refusals, self._period_refusals = self._period_refusals, []
        if refusals:
            return HealthReport(REPORT_NAME, Level.WARN, f"{len(refusals)} message(s) refused "
                                f"in the last period, last: {refusals[-1]}", values)
        if silent:
            return HealthReport(REPORT_NAME, Level.WARN, "no usable message from "
                                f"{', '.join(silent)} within its timeout", values)
        return HealthReport(REPORT_NAME, Level.OK, "ok", values)
