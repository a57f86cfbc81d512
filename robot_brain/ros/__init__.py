"""Shared rclpy plumbing: QoS profiles, parameters, diagnostics, process runtime."""
