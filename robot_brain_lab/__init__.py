"""The lab: what trains, scores and evaluates the brain offline, never what runs on the robot.

The policy's training scenarios and episodes, the vertical planner's corpus generator, the
planner scoring harness with its instruction set, and the closed-loop place legs. Scripts
(scripts/), benchmarks and tests import this package; nothing under robot_brain/ does
(test/unit/test_architecture.py guards it), so robot_brain/ is exactly what runs on the robot.
"""
