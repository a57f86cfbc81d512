"""A world made from a map: routes, plan checks and bounds as on the world's shapes. The
apartment drawn into a 5 cm PGM (as scripts/make_map_from_world.py does) routes as the
apartment itself."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from robot_brain.core.maps.map_saver import SaverDialect, save_map
from robot_brain.core.maps.metadata import MapOrigin
from robot_brain.core.maps.occupancy import OccupancyGrid
from robot_brain.core.maps.places_file import PlacesFile, save_places_file
from robot_brain.core.navigation.rasterize import rasterize
from robot_brain.core.navigation.route_errors import GoalBlockedError, NoRouteError
from robot_brain.core.navigation.route_grid import MAP_OBSTACLE
from robot_brain.core.navigation.route_planner import Route, RoutePlanner
from robot_brain.core.planner.skills import PlanLimits
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.resources import default_world_path
from robot_brain.core.world import World, load_world, map_world


@pytest.fixture(scope="module")
def apartment() -> World:
    return load_world(default_world_path())


@pytest.fixture(scope="module")
def apartment_map(apartment: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The apartment as a user's map: a 5 cm PGM + YAML as map_saver writes them, and its
    places in a places file beside it."""
    out = tmp_path_factory.mktemp("apartment_map")
    save_map(rasterize(apartment, 0.05), out / "apartment.yaml", SaverDialect.NAV2,
             free_thresh=0.196)
    save_places_file(out / "apartment.places.yaml",
                     PlacesFile(dict(apartment.places), apartment.start))
    return load_world(out / "apartment.yaml")


def _samples(route: Route, step: float = 0.02) -> np.ndarray:
    pts = (route.start,) + route.waypoints
    return np.vstack([np.linspace(a, b, max(2, int(math.dist(a, b) / step) + 1))
                      for a, b in itertools.pairwise(pts)])


def _hausdorff(a: Route, b: Route) -> float:
    pa, pb = _samples(a), _samples(b)
    d = np.hypot(pa[:, None, 0] - pb[None, :, 0], pa[:, None, 1] - pb[None, :, 1])
    return float(max(d.min(axis=1).max(), d.min(axis=0).max()))


def test_the_map_world_has_the_apartments_places_and_bounds(apartment: World,
                                                            apartment_map: World) -> None:
    assert apartment_map.grid is not None and not apartment_map.walls
    assert dict(apartment_map.places) == dict(apartment.places)
    assert apartment_map.start == apartment.start
    b, m = apartment.bounds, apartment_map.bounds
    assert (m.x_min, m.x_max, m.y_min, m.y_max) == pytest.approx(
        (b.x_min, b.x_max, b.y_min, b.y_max))


def test_a_map_of_the_apartment_gives_the_same_routes(apartment: World,
                                                      apartment_map: World) -> None:
    shapes, grid = RoutePlanner(apartment), RoutePlanner(apartment_map)
    ends = [apartment.start] + list(apartment.places.values())
    legs = 0
    for a, b in itertools.permutations(ends, 2):
        if b is apartment.start:
            continue
        r_shape = shapes.plan((a.x, a.y), (b.x, b.y))
        r_map = grid.plan((a.x, a.y), (b.x, b.y))
        legs += 1
        # The same way round the same furniture: every point of one route within 0.35 m of
        # the other, the length within 3 % (the map's walls sit up to half a cell off).
        assert _hausdorff(r_shape, r_map) <= 0.35, (a.name, b.name)
        assert r_map.length == pytest.approx(r_shape.length, rel=0.03), (a.name, b.name)
        # And the map's route keeps the body clear of the true shapes.
        pts = _samples(r_map)
        clear = min(apartment.clearance(float(x), float(y)) for x, y in pts[::5])
        assert clear >= 0.25, (a.name, b.name, clear)
    assert legs == 49


def test_plans_are_checked_against_the_map(apartment_map: World) -> None:
    validator = PlanValidator(apartment_map, PlanLimits())   # robot_radius 0.25 m
    ok = validator.validate_data({"steps": [{"skill": "navigate_to", "x": 0.5, "y": -2.0}]})
    assert ok.accepted, ok.reason
    for x, y, why in ((-1.5, 1.5, "inside an obstacle"),       # the table
                      (1.0, 2.5, "inside an obstacle"),        # the kitchen partition
                      (-1.5, 2.05, "from an obstacle"),        # 0.15 m from the table
                      (6.0, 0.0, "outside the map")):
        verdict = validator.validate_data({"steps": [{"skill": "navigate_to", "x": x, "y": y}]})
        assert not verdict.accepted and why in verdict.reason, (x, y, verdict.reason)
    kitchen = validator.validate_data({"steps": [{"skill": "navigate_to", "place": "kitchen"}]})
    assert kitchen.accepted


def test_a_goal_in_a_wall_of_the_map_is_no_route(apartment_map: World) -> None:
    planner = RoutePlanner(apartment_map)
    with pytest.raises(GoalBlockedError, match=MAP_OBSTACLE):
        planner.plan((0.0, 0.0), (1.0, 2.5))


def test_a_map_turned_by_its_origin_yaw_routes_round_its_wall() -> None:
    # A 6 m x 4 m room at 0.05 m turned 90 degrees, with a wall across it leaving a 1.5 m gap.
    data = np.zeros((80, 120), dtype=np.int8)
    data[0, :] = data[-1, :] = data[:, 0] = data[:, -1] = 100
    data[:50, 58:62] = 100
    grid = OccupancyGrid(data, 0.05, MapOrigin(2.0, -3.0, math.pi / 2))
    world = map_world(grid)
    b = world.bounds
    assert (b.x_min, b.x_max, b.y_min, b.y_max) == pytest.approx((-2.0, 2.0, -3.0, 3.0))
    # In the map frame the wall runs along y = 0 from x = 2 (the image's bottom) to x = -0.5.
    assert world.inside_obstacle(1.0, 0.0) and not world.inside_obstacle(-1.3, 0.0)
    route = RoutePlanner(world).plan((1.0, -2.0), (1.0, 2.0))
    assert any(x < -0.4 for x, _ in route.waypoints)        # round the wall's free end
    assert all(not world.inside_obstacle(float(x), float(y)) for x, y in _samples(route))


def test_unknown_space_is_not_routed_through() -> None:
    data = np.zeros((40, 100), dtype=np.int8)
    data[:, 45:55] = -1            # an unexplored band across the map
    world = map_world(OccupancyGrid(data, 0.05, MapOrigin(0.0, 0.0, 0.0)))
    with pytest.raises(NoRouteError):
        RoutePlanner(world).plan((0.7, 1.0), (4.3, 1.0))


def test_both_map_saver_dialects_read_to_the_same_grid(tmp_path: Path, apartment: World) -> None:
    # The same apartment written ROS 1 style: a different dialect reads to the same grid.
    y1, _ = save_map(rasterize(apartment, 0.05), tmp_path / "a.yaml", SaverDialect.ROS1)
    y2, _ = save_map(rasterize(apartment, 0.05), tmp_path / "b.yaml", SaverDialect.NAV2,
                     free_thresh=0.196)
    g1, g2 = load_world(y1).grid, load_world(y2).grid
    assert g1 is not None and g2 is not None and np.array_equal(g1.data, g2.data)


def test_the_live_view_draws_the_maps_obstacles_and_places(apartment_map: World) -> None:
    from robot_brain.core.live.foxglove_scene import world_scene
    from robot_brain.core.maps.outline import obstacle_boxes
    from test.live_decode import decoder

    grid = apartment_map.grid
    assert grid is not None
    boxes = obstacle_boxes(grid)
    # The row runs cover exactly the obstacle cells.
    covered = np.zeros_like(grid.blocked)
    for m in boxes:
        u, v = grid.to_grid(m.cx, m.cy)
        j = int(np.floor(v))
        i0 = int(round(float(u) - m.sx / grid.resolution / 2))
        covered[j, i0:i0 + int(round(m.sx / grid.resolution))] = True
    assert np.array_equal(covered, grid.blocked)
    assert len(obstacle_boxes(grid, max_boxes=50)) <= 50      # coarsened, still drawn
    msg = world_scene(apartment_map, "map", 0)
    schema = type(msg).get_schema()
    out = decoder(schema.name, schema.encoding, schema.data, "protobuf")(msg.encode())
    entities = {e.id: e for e in out.entities}
    assert len(entities["world/walls"].cubes) == len(boxes)
    assert sorted(t.text for t in entities["world/places"].texts) == sorted(apartment_map.places)
