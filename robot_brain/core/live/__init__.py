"""The live view's ROS-free parts: what the bridge serves, conversions to Foxglove schemas.

The `live_view` node (robot_brain.nodes.live_view_node) stays thin: it takes ROS messages
apart into plain values and hands them to these modules, which build the Foxglove messages
(`foxglove.messages`), the ros2msg schema texts of the passed-through topics and the layout.
"""
