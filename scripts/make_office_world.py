#!/usr/bin/env python3
"""Writes the packaged office world: robot_brain/worlds/office.yaml + office.pgm (a map as
Nav2's map_saver writes one: trinary PGM with map_saver's header, yaml-cpp YAML), and checks
office.places.yaml (its places, written by hand, aliases in English and German) against it.

A 24 m x 14 m office floor at 5 cm, in a 0.5 m margin of unknown space (as a SLAM map shows
the outside of a building): a corridor across the middle; south of it the lobby with the
reception, an open-plan area with desks, a print room and the restrooms; north of it a
meeting room, the manager's office, the server room and a kitchen; a lift off the corridor.
Doors are 1.2 m wide, walls 10 cm.

  python scripts/make_office_world.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.maps.map_saver import SaverDialect, save_map  # noqa: E402
from robot_brain.core.maps.metadata import MapOrigin  # noqa: E402
from robot_brain.core.maps.occupancy import OccupancyGrid  # noqa: E402
from robot_brain.core.maps.places_file import load_places_file  # noqa: E402
from robot_brain.core.world import load_world  # noqa: E402

RES = 0.05
MARGIN = 0.5
W_M, H_M = 24.0, 14.0
OUT = ROOT / "robot_brain" / "worlds"



def draw() -> OccupancyGrid:
    nx, ny = round((W_M + 2 * MARGIN) / RES), round((H_M + 2 * MARGIN) / RES)
    data = np.full((ny, nx), -1, dtype=np.int8)   # unknown outside the building

    def cell(v: float) -> int:
        return round((v + MARGIN) / RES)

    def box(x0: float, y0: float, x1: float, y1: float, value: int) -> None:
        data[cell(y0):cell(y1), cell(x0):cell(x1)] = value

    def wall(x0: float, y0: float, x1: float, y1: float) -> None:
        t = 0.05                                  # half of a 10 cm wall
        box(min(x0, x1) - t, min(y0, y1) - t, max(x0, x1) + t, max(y0, y1) + t, 100)

    def door(x0: float, y0: float, x1: float, y1: float) -> None:
        box(min(x0, x1) - 0.05, min(y0, y1) - 0.05, max(x0, x1) + 0.05, max(y0, y1) + 0.05, 0)

    box(0.0, 0.0, W_M, H_M, 0)                    # the floor
    for x0, y0, x1, y1 in ((0, 0, W_M, 0), (0, H_M, W_M, H_M), (0, 0, 0, H_M), (W_M, 0, W_M, H_M)):
        wall(x0, y0, x1, y1)
    # The corridor, y 6 .. 8, runs the whole width; rooms open onto it through doors.
    wall(6.0, 6.0, W_M, 6.0)                      # south side (the lobby, x < 6, is open)
    wall(0.0, 8.0, W_M - 2.0, 8.0)                # north side (the lift bay, x > 22, is open)
    for x in (6.0, 15.0, 20.0):                   # south rooms: lobby | open space | print | WC
        wall(x, 0.0, x, 6.0)
    for x in (6.0, 11.0, 16.0):                   # north: meeting | manager | server | kitchen
        wall(x, 8.0, x, H_M)
    wall(W_M - 2.0, 8.0, W_M - 2.0, H_M)          # the lift shaft's side
    for x0 in (7.0, 16.5, 21.5):                  # doors of the south rooms
        door(x0, 6.0, x0 + 1.2, 6.0)
    door(6.0, 2.0, 6.0, 3.2)                      # lobby <-> open space
    for x0 in (2.5, 8.0, 13.0, 18.5):             # doors of the north rooms
        door(x0, 8.0, x0 + 1.2, 8.0)
    # Furniture: desks in the open space, the reception counter, meeting table, server racks,
    # kitchen counter, the copier.
    for dx in (7.5, 10.5, 13.0):
        for dy in (2.6, 4.2):
            box(dx, dy, dx + 1.6, dy + 0.8, 100)
    box(1.5, 1.6, 4.5, 2.2, 100)                  # reception counter
    box(2.0, 9.8, 4.5, 10.4, 100)                 # meeting table (leaves room round it)
    box(12.0, 12.8, 15.5, 13.6, 100)              # server racks along the north wall
    box(16.5, 13.2, 21.5, 13.8, 100)              # kitchen counter
    box(16.5, 0.3, 18.3, 1.1, 100)                # the copier, against the south wall
    box(20.5, 0.3, 23.6, 1.3, 100)                # restroom cubicles
    return OccupancyGrid(data, RES, MapOrigin(-MARGIN, -MARGIN, 0.0), "office")


def main() -> int:
    grid = draw()
    save_map(grid, OUT / "office.yaml", SaverDialect.NAV2, free_thresh=0.196)
    load_places_file(OUT / "office.places.yaml")
    world = load_world(OUT / "office.yaml")      # checks every place against the map
    print(f"office: {grid.width} x {grid.height} cells, {len(world.places)} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
