"""scripts/make_gazebo_world.py: the shipped world is its current output; bad worlds are refused."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from robot_brain.core.resources import default_world_path
from robot_brain.core.world import load_world, parse_world
from test.unit.gazebo_files import GENERATOR, MODEL_SDF, ROOT, WORLD_SDF


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_gazebo_world", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class body runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _minimal(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {"name": "tiny",
                               "bounds": {"x_min": -2, "x_max": 2, "y_min": -2, "y_max": 2},
                               "start": {"x": 0.0, "y": 0.0}}
    data.update(extra)
    return data


def test_shipped_world_equals_the_generators_output(generator: ModuleType) -> None:
    expected = generator.world_sdf(load_world(default_world_path()))
    assert WORLD_SDF.read_text(encoding="utf-8") == expected, \
        "gazebo/worlds/apartment.sdf is stale: run scripts/make_gazebo_world.py"


def test_shipped_model_equals_the_generators_output(generator: ModuleType) -> None:
    assert MODEL_SDF.read_text(encoding="utf-8") == generator.model_sdf(), \
        "gazebo/models/humanoid.sdf is stale: run scripts/make_gazebo_world.py"


def test_writing_another_world_leaves_the_shipped_model_alone(generator: ModuleType,
                                                              tmp_path: Path) -> None:
    before = MODEL_SDF.stat().st_mtime_ns
    assert generator.main(["--output", str(tmp_path / "w.sdf")]) == 0
    assert MODEL_SDF.stat().st_mtime_ns == before
    model = tmp_path / "m.sdf"
    assert generator.main(["--output", str(tmp_path / "w.sdf"), "--model-output",
                           str(model)]) == 0
    assert model.read_text(encoding="utf-8") == generator.model_sdf()


def test_unmapped_furniture_is_in_the_gazebo_world(generator: ModuleType) -> None:
    from robot_brain.core.world import load_world_file
    world = load_world_file("apartment_rearranged.yaml", include_unmapped=True)
    root = ET.fromstring(generator.world_sdf(world))
    names = {m.get("name") for m in root.iter("model")}
    assert {o.name for o in world.unmapped} <= names
    top = next(m for m in root.iter("model") if m.get("name") == "side_table_top")
    z = float((top.findtext("pose") or "").split()[2])
    size = (top.findtext("link/collision/geometry/box/size") or "").split()
    assert z - float(size[2]) / 2 == pytest.approx(0.72) and z + float(size[2]) / 2 == \
        pytest.approx(0.76)


def test_check_mode_passes_on_the_shipped_world() -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_check_mode_fails_on_a_stale_file(generator: ModuleType, tmp_path: Path) -> None:
    stale = tmp_path / "apartment.sdf"
    stale.write_text("<sdf/>\n", encoding="utf-8")
    assert generator.main(["--check", "--output", str(stale)]) == 1
    assert generator.main(["--check", "--output", str(tmp_path / "missing.sdf")]) == 1


def test_writes_a_parseable_world(generator: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "w.sdf"
    assert generator.main(["--output", str(out)]) == 0
    assert ET.parse(out).getroot().find("world") is not None
    assert generator.main(["--check", "--output", str(out)]) == 0


def test_output_is_deterministic(generator: ModuleType) -> None:
    world = load_world(default_world_path())
    assert generator.world_sdf(world) == generator.world_sdf(world)


def test_unreadable_world_file_exits_2_with_its_name(generator: ModuleType, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert generator.main(["--world", str(missing), "--output", str(tmp_path / "o.sdf")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert not (tmp_path / "o.sdf").exists()


def test_invalid_world_file_exits_2(generator: ModuleType, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nbounds: {x_min: 1, x_max: 0, y_min: 0, y_max: 1}\n")
    assert generator.main(["--world", str(bad), "--output", str(tmp_path / "o.sdf")]) == 2
    assert "bounds" in capsys.readouterr().err


def test_duplicate_obstacle_names_are_refused(generator: ModuleType) -> None:
    world = parse_world(_minimal(
        boxes=[{"name": "crate", "center": [1.0, 1.0], "size": [0.2, 0.2]}],
        cylinders=[{"name": "crate", "center": [-1.0, -1.0], "radius": 0.2}]))
    with pytest.raises(generator.GazeboWorldError, match="'crate' is used twice"):
        generator.world_sdf(world)


@pytest.mark.parametrize("name", ["ground_plane", "place_kitchen"])
def test_reserved_obstacle_names_are_refused(generator: ModuleType, name: str) -> None:
    world = parse_world(_minimal(boxes=[{"name": name, "center": [1.0, 1.0],
                                         "size": [0.2, 0.2]}]))
    with pytest.raises(generator.GazeboWorldError, match="reserved"):
        generator.world_sdf(world)


def test_a_world_without_obstacles_or_places_still_has_ground_and_start(
        generator: ModuleType) -> None:
    root = ET.fromstring(generator.world_sdf(parse_world(_minimal())))
    world = root.find("world")
    assert world is not None and world.get("name") == "tiny"
    assert [m.get("name") for m in world.findall("model")] == ["ground_plane"]
    assert [f.get("name") for f in world.findall("frame")] == ["robot_start"]


@pytest.mark.parametrize("value, text", [(0.0, "0"), (-0.0, "0"), (-1e-9, "0"), (1.5, "1.5"),
                                         (2.0, "2"), (-3.1415926535, "-3.141593")])
def test_numbers_are_written_compactly_and_stably(generator: ModuleType, value: float,
                                                  text: str) -> None:
    assert generator._num(value) == text
