"""Perception core: lidar scan -> sector minima (numpy reference and ONNX model) -> scene.

Modules: `sectors` (contract, REP-117 rules, numpy reference), `model_builder` (the ONNX
graph), `model_contract` (its documented inputs/outputs and the start-up check), `backend`
(onnxruntime and numpy backends), `pipeline` (input checks, cached beam index, timing),
`monitor` (diagnostics figures), `scene` (the planner's JSON summary).
"""
