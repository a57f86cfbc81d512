"""`robot-brain places`: teach the running robot a place where it stands, list, forget.

    robot-brain places save printer --alias Drucker --alias copier
    robot-brain places list
    robot-brain places remove printer

A client of the planner's places/save, places/list and places/remove services (robot_brain_
interfaces): the place is the robot's current pose on its map, checked and written to the
places file by the planner, and used by the next plan. One line out; exit 0 on success, 1 on
a refusal (its reason), 2 when no planner answers.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

#: How long to wait for the planner's service, then for its answer (s).
SERVICE_WAIT_S = 10.0


def add_places_parser(sub: Any) -> None:
    places = sub.add_parser("places", help="save, list or remove the running robot's places",
                            description=__doc__.splitlines()[0] if __doc__ else None)
    verbs = places.add_subparsers(dest="verb", required=True)
    save = verbs.add_parser("save", help="save where the robot stands as a named place")
    save.add_argument("name", help="one word (letters, digits, '_' or '-')")
    save.add_argument("--alias", action="append", default=[],
                      help="another word for it, in any language (repeat for more)")
    verbs.add_parser("list", help="the places the planner knows")
    remove = verbs.add_parser("remove", help="forget a place")
    remove.add_argument("name")
    places.add_argument("--namespace", default="", help="the brain's namespace (default none)")


def run_places(args: argparse.Namespace) -> int:
    import rclpy
    from robot_brain_interfaces.srv import ListPlaces, RemovePlace, SavePlace

    kinds = {"save": SavePlace, "list": ListPlaces, "remove": RemovePlace}
    srv = kinds[args.verb]
    ns = args.namespace.strip("/")
    name = f"/{ns}/places/{args.verb}" if ns else f"places/{args.verb}"
    rclpy.init()
    node = rclpy.create_node("robot_brain_places_cli")
    try:
        client = node.create_client(srv, name)
        if not client.wait_for_service(timeout_sec=SERVICE_WAIT_S):
            print(f"robot-brain places: no planner answers on {name} (is the brain running?)",
                  file=sys.stderr)
            return 2
        request = srv.Request()
        if args.verb == "save":
            request.name, request.aliases = args.name, list(args.alias)
        elif args.verb == "remove":
            request.name = args.name
        future = client.call_async(request)
        rclpy.spin_until_future_complete(node, future, timeout_sec=SERVICE_WAIT_S)
        response = future.result()
        if response is None:
            print(f"robot-brain places: {name} did not answer within {SERVICE_WAIT_S:g} s",
                  file=sys.stderr)
            return 2
        if args.verb == "list":
            for p in response.places:
                aliases = f"  ({', '.join(p.aliases)})" if p.aliases else ""
                print(f"{p.name}: ({p.x:.2f}, {p.y:.2f}, yaw {p.yaw:.2f}){aliases}")
            return 0
        print(("" if response.success else "refused: ") + response.message,
              file=sys.stdout if response.success else sys.stderr)
        return 0 if response.success else 1
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
