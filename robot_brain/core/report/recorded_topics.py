"""The brain's topics as a run is recorded and analysed, and how bag topic names map onto them.

RECORDED_TOPICS is the single list: the recorder node's default, what `ros2 bag record` gets in
launch/brain.launch.py (which reads it from here), and what the report expects to find. Every
topic on it has a publisher in the brain (test_report_topics checks it against the nodes).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

#: Topics names relative to the brain's namespace, except the ROS-global ones (leading '/').
RECORDED_TOPICS: tuple[str, ...] = (
    "scan", "odom", "battery_state", "cmd_vel", "controller/cmd_vel", "perception/obstacles",
    "perception/scene", "planner/plan", "planner/goal", "planner/hold", "planner/status",
    "brain/instruction", "brain/say", "power/mode", "power/endurance", "watchdog/estop", "estop",
    "/diagnostics",
    # The typed planner topics, the Instruct goals' states, the transforms.
    "planner/plan_typed", "planner/status_typed", "brain/instruct/_action/status", "/tf",
    "/tf_static",
)

SCAN = "scan"
ODOM = "odom"
BATTERY = "battery_state"
CMD_VEL = "cmd_vel"
CONTROLLER_CMD_VEL = "controller/cmd_vel"
PLAN = "planner/plan"
PLANNER_STATUS = "planner/status"
PLAN_TYPED = "planner/plan_typed"
PLANNER_STATUS_TYPED = "planner/status_typed"
POWER_MODE = "power/mode"
ENDURANCE = "power/endurance"
WATCHDOG_ESTOP = "watchdog/estop"
OPERATOR_ESTOP = "estop"
DIAGNOSTICS = "/diagnostics"

#: The topics the report decodes; the others (scans, scenes) are only counted.
ANALYSED_TOPICS: frozenset[str] = frozenset({
    ODOM, BATTERY, CMD_VEL, CONTROLLER_CMD_VEL, PLAN, PLANNER_STATUS, POWER_MODE, ENDURANCE,
    WATCHDOG_ESTOP, OPERATOR_ESTOP, DIAGNOSTICS, PLAN_TYPED, PLANNER_STATUS_TYPED,
})


def guess_namespace(bag_topics: Iterable[str],
                    known: Iterable[str] = RECORDED_TOPICS) -> str:
    """The namespace the brain ran in, from the fully qualified topic names of a bag.

    Each bag topic ending in a known relative name votes for the prefix before it; the prefix
    with most votes wins, the shorter one on a tie ('' = no namespace).
    """
    relative = sorted({k for k in known if not k.startswith("/")}, key=len, reverse=True)
    votes: Counter[str] = Counter()
    for topic in bag_topics:
        for name in relative:
            if topic.endswith("/" + name):
                votes[topic[: -len(name) - 1]] += 1
    if not votes:
        return ""
    best = max(votes.values())
    return min((ns for ns, n in votes.items() if n == best), key=len)


def topic_map(bag_topics: Iterable[str], namespace: str | None = None,
              known: Iterable[str] = RECORDED_TOPICS) -> Mapping[str, str]:
    """{bag topic: known relative name} for the bag topics that are one of `known`.

    `namespace` None means guess it from the bag. Global names match only themselves.
    """
    topics = list(bag_topics)
    ns = guess_namespace(topics, known) if namespace is None else namespace.rstrip("/")
    if ns and not ns.startswith("/"):
        ns = "/" + ns
    full = {(k if k.startswith("/") else f"{ns}/{k}"): k for k in known}
    return {t: full[t] for t in topics if t in full}
