"""robot_brain: a split brain for a humanoid robot (fast ONNX path, slow asynchronous LLM)."""

__version__ = "0.1.0"
