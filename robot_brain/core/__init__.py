"""ROS-free core of robot_brain: pure Python and numpy, no rclpy or message imports."""
