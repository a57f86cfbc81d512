"""The run report: figures streamed out of a rosbag2 bag, rendered as a table, Markdown and plots.

ROS-free: bags are read with the `rosbags` library (and `mcap` for damaged files), so the report
runs wherever the package is installed, with or without a ROS 2 distribution.
"""
