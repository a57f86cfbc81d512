"""The brain's processes as the demo supervises them: started from the installed
executables (composed as planned), their output echoed, checked alive, the instruction sent
once the planner listens, and stopped."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from robot_brain.cli.demo_options import DemoOptions
from robot_brain.cli.demo_params import node_overrides
from robot_brain.cli.demo_setup import DemoError, DemoSetup
from robot_brain.cli.log_tail import LogTail
from robot_brain.cli.processes import NodeProcess, stop_all
from robot_brain.core.config.composition import plan_processes

if TYPE_CHECKING:
    from robot_brain.cli.demo_observer import DemoMonitor

STARTUP_TIMEOUT_S = 60.0
PLANNER_READY_TIMEOUT_S = 120.0


class DemoBrain:
    """The brain's processes as the demo supervises them: started, echoed, checked alive."""

    def __init__(self, setup: DemoSetup, opts: DemoOptions, monitor: DemoMonitor) -> None:
        self.setup = setup
        self.opts = opts
        self.monitor = monitor
        self.processes: list[NodeProcess] = []
        self.tails: dict[str, LogTail] = {}
        self.what: dict[str, str] = {}  # process label -> how a failure names it

    def start(self) -> None:
        s = self.setup
        for spec in plan_processes(s.to_start, self.opts.compose, self.opts.apart):
            label = spec.executable
            log_path = s.log_dir / f"{label}.log"
            log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
            # Overrides per hosted node; a composite gets no __node remap (it would rename
            # every node it hosts).
            proc = NodeProcess(label, name=None if spec.composed else label,
                               params_files=s.params_files, env=s.env, log=log,
                               arguments=spec.arguments,
                               node_parameters={n: node_overrides(n, self.opts, s.nodes,
                                                                   s.run_dir)
                                                for n in spec.nodes})
            self.processes.append(proc.start())
            self.tails[label] = LogTail(label, log_path, None if self.opts.quiet else sys.stdout)
            self.what[label] = (f"'{label}' ({' + '.join(spec.nodes)})" if spec.composed
                                else f"node '{label}'")

    def pump(self) -> None:
        """Echo the nodes' new output and the observer's events."""
        for tail in self.tails.values():
            tail.pump()
        for event in self.monitor.drain_events():
            print(f"robot-brain demo: {event}", flush=True)

    def check_alive(self) -> None:
        """Raise DemoError naming the first process that exited."""
        for p in self.processes:
            code = p.returncode()
            if code is not None:
                self.pump()
                raise DemoError(
                    f"{self.what[p.label]} exited with code {code} "
                    f"(log {self.setup.log_dir / (p.label + '.log')})",
                    self.tails[p.label].last_lines())

    def wait_all_up(self) -> None:
        """Start-up: every node must appear in the graph."""
        expected = set(self.setup.to_start)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            self.pump()
            self.check_alive()
            missing = expected - set(self.monitor.get_node_names())
            if not missing:
                return
            if time.monotonic() > deadline:
                raise DemoError(f"node(s) {sorted(missing)} did not start within "
                                f"{STARTUP_TIMEOUT_S:.0f} s")
            time.sleep(0.1)

    def send_instruction(self) -> None:
        """Once the planner and the recorder listen, the instruction."""
        from robot_brain.cli.demo_observer import wait_until
        from robot_brain.ros.latest import poller_name

        # The recorder's subscriptions sit on its Poller node (recorder_node.py).
        listeners = frozenset({"planner", poller_name("recorder")} if self.setup.record
                              else {"planner"})
        if not wait_until(lambda: (self.pump(), self.check_alive(),
                                   self.monitor.planner_ready(listeners))[-1],
                          PLANNER_READY_TIMEOUT_S):
            raise DemoError("the planner did not become ready")
        how = self.monitor.send_instruction(self.opts.instruction)
        print(f"robot-brain demo: instruction sent ({how}): {self.opts.instruction!r}",
              flush=True)

    def run_until(self, end: float) -> None:
        """Supervise until `end` (monotonic), or the plan's end with --until-done."""
        while time.monotonic() < end:
            self.pump()
            self.check_alive()
            if self.opts.until_done and self.monitor.mission_over():
                print("robot-brain demo: the plan is over (--until-done)", flush=True)
                return
            time.sleep(0.1)

    def stop(self) -> None:
        stop_all(self.processes)
        for tail in self.tails.values():
            tail.pump()
        for p in self.processes:
            if p.log:
                p.log.close()
