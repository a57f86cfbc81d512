"""The recorder node's settings: which topics go into the bag, where, and how often it writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.report.bagwriter import STORAGES
from robot_brain.core.report.recorded_topics import RECORDED_TOPICS


class RecorderConfigError(ConfigurationError):
    """A recorder setting it cannot record with (an empty topic list)."""


@dataclass(frozen=True)
class RecorderConfig:
    robot: RobotConfig = group(RobotConfig)
    topics: tuple[str, ...] = param(RECORDED_TOPICS, "Topics to record; relative names resolve "
                                    "in the node's namespace.")
    output_dir: str = param("", "Bag directory to create (must not exist); '' = "
                            "runs/<timestamp>/bag under the working directory.")
    storage: str = param("mcap", "rosbag2 storage plugin of the bag.", choices=tuple(STORAGES))
    discovery_period_s: float = param(0.5, "Period of the graph check for new publishers.",
                                      unit="s", min=0.05, max=60.0)
    flush_period_s: float = param(1.0, "Buffered messages are written to the file at this "
                                  "period; a crash loses at most this much.", unit="s",
                                  min=0.05, max=600.0)
    queue_depth: int = param(100, "Subscription queue depth per topic (keep last): it must "
                             "hold one take period of the fastest topic.", min=1, max=10000)
    take_period_s: float = param(0.05, "What arrived is taken from the queues and written, in "
                                 "receipt order, at this period: one wake-up per period "
                                 "instead of one per message.", unit="s", min=0.001, max=1.0)
    diagnostics_period_s: float = param(1.0, "Period of the recorder's /diagnostics.",
                                        unit="s", min=0.1, max=60.0)

    def __post_init__(self) -> None:
        if not self.topic_names:
            raise RecorderConfigError("parameter 'topics' is empty: nothing to record")

    @property
    def topic_names(self) -> tuple[str, ...]:
        """The topics, stripped, blanks and repeats left out, in the given order."""
        return tuple(dict.fromkeys(t.strip() for t in self.topics if t.strip()))

    def output_path(self, now: datetime) -> Path:
        """`output_dir`, or runs/<timestamp of `now`>/bag under the working directory."""
        if self.output_dir:
            return Path(self.output_dir).expanduser()
        return Path.cwd() / "runs" / now.strftime("%Y%m%d-%H%M%S") / "bag"
