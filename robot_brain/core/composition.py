"""Which of the brain's nodes share a process (composition), decided once for every door.

`robot-brain demo` and `brain.launch.py` both ask `plan_processes` how to start a set of
nodes, so the two doors cannot drift apart. A composite executable hosts several nodes on one
executor (robot_brain.ros.runtime.run_nodes); the nodes keep their own names, parameter blocks,
topics and diagnostics, so nothing outside the process can tell (docs/composition.md).

Only the fast path is composed: perception feeds the controller at the scan rate, and one
process saves a DDS hop and an interpreter. The watchdog is never composed with what it
guards: a stalled process must be caught from outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

#: Composite executable -> the nodes it hosts, in build order (the last one's real-time
#: policy is the thread's).
COMPOSITES: dict[str, tuple[str, ...]] = {
    "fast_path": ("perception", "controller"),
}

#: Nodes that must keep a process of their own, whatever a composite says.
NEVER_COMPOSED = frozenset({"watchdog"})


@dataclass(frozen=True)
class ProcessSpec:
    """One OS process to start: its executable and the node names it hosts."""

    executable: str
    nodes: tuple[str, ...]

    @property
    def composed(self) -> bool:
        return len(self.nodes) > 1


def plan_processes(nodes: Sequence[str], compose: bool = True) -> list[ProcessSpec]:
    """The processes that run `nodes`, in start order.

    With `compose`, a composite whose nodes are all in `nodes` replaces them, started where its
    first node would have been; everything else is one process per node (the executable is
    named after the node).
    """
    specs: list[ProcessSpec] = []
    hosted: set[str] = set()
    for node in nodes:
        if node in hosted:
            continue
        composite = _composite_for(node, nodes) if compose else None
        if composite is not None:
            specs.append(ProcessSpec(composite, COMPOSITES[composite]))
            hosted.update(COMPOSITES[composite])
        else:
            specs.append(ProcessSpec(node, (node,)))
            hosted.add(node)
    return specs


def _composite_for(node: str, wanted: Sequence[str]) -> str | None:
    for executable, members in COMPOSITES.items():
        if node in members and set(members) <= set(wanted):
            return executable
    return None


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
