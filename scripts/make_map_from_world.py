#!/usr/bin/env python3
"""Draw a world file into a map as map_saver writes one: <out>.yaml + <out>.pgm, and its
places (and start) into <out>.places.yaml beside them.

  scripts/make_map_from_world.py --world apartment --resolution 0.05 --out /tmp/apartment_map

The map then works as a world of its own (world_file: /tmp/apartment_map.yaml): a user's map
of the same rooms. test_maps_world.py checks that it routes as the world's shapes do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robot_brain.core.maps.map_saver import SaverDialect, save_map  # noqa: E402
from robot_brain.core.maps.places_file import PlacesFile, save_places_file  # noqa: E402
from robot_brain.core.navigation.rasterize import rasterize  # noqa: E402
from robot_brain.core.world import WorldError, load_world_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="", help="world file ('' = the packaged apartment)")
    ap.add_argument("--resolution", type=float, default=0.05, help="m per cell")
    ap.add_argument("--out", required=True, help="output path without extension")
    ap.add_argument("--dialect", choices=[d.value for d in SaverDialect], default="nav2")
    args = ap.parse_args(argv)
    try:
        world = load_world_file(args.world)
    except WorldError as exc:
        print(exc, file=sys.stderr)
        return 1
    out = Path(args.out)
    grid = rasterize(world, args.resolution)
    yaml_path, image = save_map(grid, out.with_suffix(".yaml"), SaverDialect(args.dialect),
                                free_thresh=0.196)
    places = out.with_name(out.name + ".places.yaml")
    save_places_file(places, PlacesFile(dict(world.places), world.start))
    print(f"{yaml_path}, {image} ({grid.width} x {grid.height} cells at {args.resolution} m), "
          f"{places} ({len(world.places)} places)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
