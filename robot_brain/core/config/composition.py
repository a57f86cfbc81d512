"""Which of the brain's nodes share a process (composition), decided once for every door.

`robot-brain demo` and `brain.launch.py` both ask `plan_processes` how to start a set of
nodes, so the two doors cannot drift apart. A composite executable hosts several nodes on one
executor (robot_brain.nodes.container); the nodes keep their own names, parameter blocks,
topics and diagnostics, so nothing outside the process can tell (docs/composition.md).

* fast_path: perception feeds the controller at the scan rate; one process saves a DDS hop.
* slow_path: the planner, the power monitor and the project's recorder: none of them is on
  the fast path, each would otherwise pay a whole interpreter and DDS participant (~64 MB).

The watchdog is never composed: a stalled process must be caught from outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from robot_brain.core.errors import ConfigurationError

#: Composite executable -> the nodes it may host, in build order (in fast_path the controller
#: comes last: its real-time policy is the one the shared thread keeps).
COMPOSITES: dict[str, tuple[str, ...]] = {
    "fast_path": ("perception", "controller"),
    "slow_path": ("power_monitor", "planner", "recorder"),
}

#: Nodes that must keep a process of their own, whatever a composite says.
NEVER_COMPOSED = frozenset({"watchdog"})

NODES_FLAG = "--nodes"


class CompositionError(ConfigurationError):
    """A composite asked to host nodes it cannot."""


@dataclass(frozen=True)
class ProcessSpec:
    """One OS process to start: its executable and the node names it hosts."""

    executable: str
    nodes: tuple[str, ...]

    @property
    def composed(self) -> bool:
        return self.executable in COMPOSITES

    @property
    def title(self) -> str:
        """`fast_path (perception + controller)`, or the node's name."""
        return self.executable + (f" ({' + '.join(self.nodes)})" if self.composed else "")

    @property
    def arguments(self) -> list[str]:
        """Arguments before `--ros-args`: which nodes a composite hosts."""
        return [NODES_FLAG, ",".join(self.nodes)] if self.composed else []


def plan_processes(nodes: Sequence[str], compose: bool = True,
                   apart: Sequence[str] = ()) -> list[ProcessSpec]:
    """The processes that run `nodes`, in start order.

    With `compose`, the members of a composite that are in `nodes` share one process when
    there are at least two of them, started where the first of them would have been;
    everything else is one process per node (the executable is named after the node). Nodes
    in `apart` keep a process of their own even when composing (e.g. the recorder, to measure
    the brain without it); a name that is not a node to start is refused.
    """
    strays = sorted(set(apart) - set(nodes))
    if strays:
        raise CompositionError(f"cannot keep {strays} apart: not among the nodes to start "
                               f"{list(nodes)}")
    specs: list[ProcessSpec] = []
    hosted: set[str] = set()
    for node in nodes:
        if node in hosted:
            continue
        spec = ProcessSpec(node, (node,))
        if compose and node not in apart:
            for executable, members in COMPOSITES.items():
                present = tuple(m for m in members if m in nodes and m not in apart)
                if node in members and len(present) >= 2:
                    spec = ProcessSpec(executable, present)
        specs.append(spec)
        hosted.update(spec.nodes)
    return specs


def node_names(text: str) -> tuple[str, ...]:
    """Node names from a comma-separated list (`--nodes`, `--apart`, `apart:=`); blanks and
    empty entries dropped."""
    return tuple(n.strip() for n in text.split(",") if n.strip())


def parse_hosted(composite: str, argv: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """(the nodes to host, argv without `--nodes a,b`); no flag = every member."""
    members = COMPOSITES[composite]
    args = list(argv)
    ros_at = args.index("--ros-args") if "--ros-args" in args else len(args)
    if NODES_FLAG not in args[:ros_at]:
        return members, args
    at = args.index(NODES_FLAG)
    if at + 1 >= ros_at:
        raise CompositionError(f"{NODES_FLAG} needs a comma-separated list of nodes")
    wanted = node_names(args[at + 1])
    unknown = [n for n in wanted if n not in members]
    if unknown or not wanted:
        raise CompositionError(f"{composite} hosts {list(members)}; cannot host {unknown or '[]'}")
    # Build order is the table's, whatever order was asked for.
    hosted = tuple(m for m in members if m in wanted)
    return hosted, args[:at] + args[at + 2:]


def check_composites() -> None:
    """The table's own invariants (the tests call it; a bad edit fails there, not on a robot)."""
    seen: set[str] = set()
    for executable, members in COMPOSITES.items():
        if len(members) < 2:
            raise ValueError(f"composite '{executable}' hosts fewer than two nodes")
        alone = sorted(NEVER_COMPOSED & set(members))
        if alone:
            raise ValueError(f"composite '{executable}' hosts {alone}, which must keep its own "
                             "process")
        if seen & set(members):
            raise ValueError(f"composite '{executable}' shares nodes with another composite")
        seen.update(members)
