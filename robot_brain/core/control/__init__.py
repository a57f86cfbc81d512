"""The fast path's pure logic: observation, analytic expert, ONNX policy, safety filter."""
