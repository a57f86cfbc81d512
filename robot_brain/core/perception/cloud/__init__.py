"""Any number of point sources (3D clouds and 2D scans) in real frames -> the same sectors.

Modules, in the order a cloud goes through them:

* `pointcloud`: a PointCloud2's parts (`RawCloud`) -> x, y, z float32 arrays read from the
  message's own field table (any float32/float64 layout, padding, organised or not, either
  byte order), non-finite points left for the caller to count, a cap on points per cloud.
* `scan_points`: a LaserScan -> points in the laser frame, with REP-117's free beams.
* `mount`: the sensor frame's pose in base_link (`Mount`), from parameters or a transform.
* `attitude`: a short time-indexed buffer of the base's attitude, interpolated at a stamp.
* `body`: the self-filter (boxes and capsules of the robot's own body in base_link).
* `projection`: points in the sensor frame -> one source's sector minima (mount, self-filter,
  levelling per time slice, height band, free/unknown evidence).
* `sources`: one message of one source -> a `SourceResult` (checks, stamp, frame, attitude).
* `merge`: the newest result of every source -> the published sectors.
* `config`: the parameters (one declaration each), `monitor`: diagnostics figures.

No ROS here: the node (robot_brain/nodes/perception_sources.py) hands over plain values.
"""
