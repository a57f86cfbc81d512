"""Files shipped inside the Python package (worlds, schemas, models), found without ROS."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def package_file(*parts: str) -> Path:
    return PACKAGE_DIR.joinpath(*parts)


def default_world_path() -> Path:
    return package_file("worlds", "apartment.yaml")


def resolve_world_path(world_file: str) -> Path:
    """'' means the packaged default; a bare name is looked up among the packaged worlds
    ("office" or "office.yaml")."""
    if not world_file:
        return default_world_path()
    path = Path(world_file).expanduser()
    if not path.is_absolute() and not path.exists():
        for name in (world_file, world_file + ".yaml"):
            packaged = package_file("worlds", name)
            if packaged.is_file():
                return packaged
    return path
