"""The MuJoCo simulator's core (ROS-free): the world file extruded to 3-D plus the robot
description's humanoid, a velocity-controlled base with a scripted gait, a MID-360-like head
lidar, a knee-height laser, contacts and the built-in sim's battery (docs/mujoco.md).

Only `simulator` imports mujoco; `config`, `scene`, `scan_pattern` and `gait` do not, so the
parameters and the model text are available where mujoco is not installed, and the default
demo (built-in sim) never imports it.
"""
