"""An rclpy node spun by a SingleThreadedExecutor on a background thread, stopped safely.

For observers beside a main thread that does other work (the demo's monitor, test probes,
benchmarks). Stopping joins the spin thread *before* destroying the node: destroying a node
that a wait set still holds aborts the process ("terminate called without an active
exception").

Stop it *before* the nodes it talks to exit: Fast DDS 3.2 can deadlock a participant that
destroys its endpoints while remote endpoints are being removed (seen once in a test probe:
the UDP receive thread, unpairing a departed writer, holds the discovery mutex and waits for
the event thread, which waits for that mutex; the destroying thread waits for both, for ever).

A node is destroyed with its action servers and clients (`destroy_node_fully`): rclpy's
`destroy_node` leaves them alive, and they keep the node's DDS endpoints in the graph after
the context is shut down.
"""

from __future__ import annotations

import threading

import rclpy
from rclpy.action import ActionClient, ActionServer
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node


def destroy_node_fully(node: Node) -> None:
    """Destroy `node` after its action servers and clients.

    A server left behind stays in this process's graph, even across a shutdown and a new
    rclpy.init(): a later client's `wait_for_server` then returns at once, before the real
    server is up, and the goal it sends is lost (seen in the graph tests).
    """
    for waitable in list(node.waitables):
        if isinstance(waitable, (ActionServer, ActionClient)):
            waitable.destroy()
    node.destroy_node()


class BackgroundSpinner:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(node)
        self.thread = threading.Thread(target=self._spin, daemon=True,
                                       name=f"spin:{node.get_name()}")
        self.thread.start()

    def _spin(self) -> None:
        try:
            self.executor.spin()
        except ExternalShutdownException:
            pass  # Ctrl-C shut the context down: the normal way a spin ends, not an error

    def stop(self, timeout: float = 10.0) -> None:
        self.executor.shutdown(timeout_sec=2.0)
        self.thread.join(timeout=timeout)
        destroy_node_fully(self.node)
        rclpy.try_shutdown()
