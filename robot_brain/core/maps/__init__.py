"""The robot's own map: occupancy grids as map_server/map_saver (and so slam_toolbox) write
them, and the places file that names points on them. ROS-free; see docs/maps.md."""
