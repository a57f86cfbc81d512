"""Thin rclpy nodes: message -> core type -> core call -> message."""
