"""The robot's one description (shapes, mass, sensor mounts) and the files generated from it:
MJCF for MuJoCo, URDF for `robot_description`; the Gazebo SDF is written by
scripts/make_gazebo_world.py from the same description."""

from __future__ import annotations

from robot_brain.core.robot_model.description import (
    HUMANOID,
    BodyPart,
    Mid360Spec,
    Pose3D,
    RobotDescription,
    SensorMount,
    ShapeKind,
)

__all__ = ["HUMANOID", "BodyPart", "Mid360Spec", "Pose3D", "RobotDescription", "SensorMount",
           "ShapeKind"]
