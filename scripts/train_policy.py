#!/usr/bin/env python3
"""Train the controller's ONNX policy by imitating the analytic expert (CPU, numpy only).

    python scripts/train_policy.py --seed 0            # writes robot_brain/models/policy.onnx

1. Data: lockstep episodes on the sim core (robot_brain_lab.policy_episodes) in seeded
   random worlds of the `train` family, driven by the analytic expert; every step records the
   observation and the expert's command.
2. DAgger: the fitted network then drives further episodes (the safety filter still on) and
   the expert labels the states the network itself visits, so it learns to recover from its
   own mistakes; the network is refitted on everything.
3. Fit: an MLP (tanh, two hidden layers) by Adam on the mean squared error of the command,
   inputs and outputs standardised (the scaling is folded into the exported weights).
4. Report: held-out imitation error (expert episodes on seeds never used for fitting) against
   the best constant command (the mean of the training labels); the script fails unless the
   network's MSE is under 20 % of the baseline's.
5. Export: an ONNX graph built with onnx.helper (Concat -> Gemm -> Tanh -> Gemm -> Tanh ->
   Gemm), checked with onnx.checker and against the numpy forward pass in onnxruntime, plus
   policy.json with the figures.

The ONNX contract (input/output names, shapes and encodings) is documented in
robot_brain/core/control/observation.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread: the matrices are small and the machine is shared; a thread pool only adds
# contention (set before numpy is imported).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.control.expert import AnalyticExpert, ExpertConfig  # noqa: E402
from robot_brain.core.control.observation import (  # noqa: E402
    CMD_FEATURES,
    GOAL_FEATURES,
    INPUT_GOAL,
    INPUT_SECTORS,
    INPUT_VELOCITY,
    OUTPUT_CMD,
    VELOCITY_FEATURES,
    build_observation,
    sanitize_sectors,
)
from robot_brain.core.control.policy import OnnxPolicy  # noqa: E402
from robot_brain.core.control.safety_filter import SafetyConfig  # noqa: E402
from robot_brain.core.geometry import Velocity  # noqa: E402
from robot_brain_lab.policy_episodes import EpisodeConfig, run_episode  # noqa: E402
from robot_brain_lab.policy_scenarios import Family, random_scenario  # noqa: E402

OPSET = 17
#: Seeds of the `train` family are drawn from [seed * SEED_BLOCK, (seed + 1) * SEED_BLOCK).
SEED_BLOCK = 100_000


@dataclass
class Dataset:
    sectors: list[np.ndarray]
    goal: list[np.ndarray]
    velocity: list[np.ndarray]
    target: list[np.ndarray]

    @classmethod
    def empty(cls) -> Dataset:
        return cls([], [], [], [])

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        x = np.hstack([np.vstack(self.sectors), np.vstack(self.goal), np.vstack(self.velocity)])
        return x.astype(np.float64), np.vstack(self.target).astype(np.float64)

    def __len__(self) -> int:
        return len(self.target)


class Mlp:
    """tanh MLP with standardised inputs/outputs; parameters as a list for Adam."""

    def __init__(self, sizes: list[int], rng: np.random.Generator) -> None:
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            self.params.append(rng.normal(0.0, 1.0 / math.sqrt(fan_in), (fan_in, fan_out)))
            self.params.append(np.zeros(fan_out))
        self.x_mean = np.zeros(sizes[0])
        self.x_std = np.ones(sizes[0])
        self.y_mean = np.zeros(sizes[-1])
        self.y_std = np.ones(sizes[-1])

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        h = (x - self.x_mean) / self.x_std
        acts = [h]
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            h = h @ self.params[2 * i] + self.params[2 * i + 1]
            if i < n_layers - 1:
                h = np.tanh(h)
            acts.append(h)
        return h, acts

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)[0] * self.y_std + self.y_mean

    def gradients(self, x: np.ndarray, y_norm: np.ndarray) -> tuple[float, list[np.ndarray]]:
        out, acts = self.forward(x)
        diff = out - y_norm
        loss = float(np.mean(np.sum(diff * diff, axis=1)))
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        delta = 2.0 * diff / len(x)
        n_layers = len(self.params) // 2
        for i in reversed(range(n_layers)):
            grads[2 * i] = acts[i].T @ delta
            grads[2 * i + 1] = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ self.params[2 * i].T) * (1.0 - acts[i] ** 2)
        return loss, grads


def fit(mlp: Mlp, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, epochs: int,
        batch: int = 256, lr: float = 2e-3) -> float:
    mlp.x_mean = x.mean(axis=0)
    mlp.x_std = np.maximum(x.std(axis=0), 1e-3)
    mlp.y_mean = y.mean(axis=0)
    mlp.y_std = np.maximum(y.std(axis=0), 1e-3)
    y_norm = (y - mlp.y_mean) / mlp.y_std
    m = [np.zeros_like(p) for p in mlp.params]
    v = [np.zeros_like(p) for p in mlp.params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = 0
    loss = math.nan
    for epoch in range(epochs):
        rate = lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))  # cosine decay
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            batch_loss, grads = mlp.gradients(x[idx], y_norm[idx])
            total += batch_loss * len(idx)
            step += 1
            for i, g in enumerate(grads):
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                m_hat = m[i] / (1 - b1 ** step)
                v_hat = v[i] / (1 - b2 ** step)
                mlp.params[i] -= rate * m_hat / (np.sqrt(v_hat) + eps)
        loss = total / len(x)
    return loss


class MlpPolicy:
    """The numpy network as a Policy, for the DAgger rollouts."""

    name = "mlp"

    def __init__(self, mlp: Mlp, n_sectors: int) -> None:
        self.mlp = mlp
        self.n_sectors = n_sectors

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        obs = build_observation(sectors, self.n_sectors, goal_dx, goal_dy, velocity.linear,
                                velocity.angular)
        x = np.hstack([obs.sectors, obs.goal, obs.velocity]).astype(np.float64)
        out = self.mlp.predict(x)[0]
        return Velocity(float(out[0]), float(out[1]))


class ExpertPolicy:
    name = "analytic"

    def __init__(self, expert: AnalyticExpert) -> None:
        self.expert = expert
        self.n_sectors = expert.n_sectors

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        return self.expert.command(sanitize_sectors(sectors, self.n_sectors), goal_dx, goal_dy,
                                   velocity)


def collect(driver: object, expert: AnalyticExpert, seeds: list[int], n_sectors: int,
            data: Dataset, time_limit_s: float) -> tuple[int, int]:
    """Run episodes driven by `driver`, label every visited state with the expert."""
    successes = collisions = 0
    cfg = EpisodeConfig(n_sectors=n_sectors, time_limit_s=time_limit_s)

    def hook(sectors: np.ndarray, dx: float, dy: float, vel: Velocity) -> None:
        obs = build_observation(sectors, n_sectors, dx, dy, vel.linear, vel.angular)
        label = expert.command(sanitize_sectors(sectors, n_sectors), dx, dy, vel)
        data.sectors.append(obs.sectors)
        data.goal.append(obs.goal)
        data.velocity.append(obs.velocity)
        data.target.append(np.array([[label.linear, label.angular]]))

    for seed in seeds:
        result = run_episode(random_scenario(Family.TRAIN, seed), driver,  # type: ignore[arg-type]
                             SafetyConfig(), cfg, on_step=hook)
        successes += result.success
        collisions += result.collisions
    return successes, collisions


def export_onnx(mlp: Mlp, n_sectors: int, path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = [p.copy() for p in mlp.params]
    # Fold the input standardisation into the first layer and the output one into the last.
    w0, b0 = weights[0], weights[1]
    weights[0] = w0 / mlp.x_std[:, None]
    weights[1] = b0 - (mlp.x_mean / mlp.x_std) @ w0
    weights[-2] = weights[-2] * mlp.y_std[None, :]
    weights[-1] = weights[-1] * mlp.y_std + mlp.y_mean
    inits = []
    nodes = [helper.make_node("Concat", [INPUT_SECTORS, INPUT_GOAL, INPUT_VELOCITY], ["x0"],
                              axis=1)]
    n_layers = len(weights) // 2
    h = "x0"
    for i in range(n_layers):
        w_name, b_name = f"W{i}", f"b{i}"
        inits.append(numpy_helper.from_array(weights[2 * i].astype(np.float32), w_name))
        inits.append(numpy_helper.from_array(weights[2 * i + 1].astype(np.float32), b_name))
        last = i == n_layers - 1
        out = OUTPUT_CMD if last else f"z{i}"
        nodes.append(helper.make_node("Gemm", [h, w_name, b_name], [out]))
        if not last:
            nodes.append(helper.make_node("Tanh", [out], [f"h{i}"]))
            h = f"h{i}"
    graph = helper.make_graph(
        nodes, "robot_brain_policy",
        [helper.make_tensor_value_info(INPUT_SECTORS, TensorProto.FLOAT, ["batch", n_sectors]),
         helper.make_tensor_value_info(INPUT_GOAL, TensorProto.FLOAT, ["batch", GOAL_FEATURES]),
         helper.make_tensor_value_info(INPUT_VELOCITY, TensorProto.FLOAT,
                                       ["batch", VELOCITY_FEATURES])],
        [helper.make_tensor_value_info(OUTPUT_CMD, TensorProto.FLOAT, ["batch", CMD_FEATURES])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="robot_brain scripts/train_policy.py")
    model.ir_version = 8
    model.doc_string = ("Reactive walking policy imitating robot_brain's analytic expert. "
                        "Contract: robot_brain/core/control/observation.py.")
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())


def mse(pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.mean((pred - y) ** 2, axis=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sectors", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--episodes", type=int, default=100, help="expert episodes")
    ap.add_argument("--dagger-rounds", type=int, default=2)
    ap.add_argument("--dagger-episodes", type=int, default=50)
    ap.add_argument("--heldout-episodes", type=int, default=25)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--time-limit", type=float, default=45.0, help="episode time limit (s)")
    ap.add_argument("--output", type=Path, default=ROOT / "robot_brain" / "models" /
                    "policy.onnx")
    args = ap.parse_args(argv)
    t_start = time.monotonic()
    rng = np.random.default_rng([args.seed, 7])
    n = args.sectors
    expert = AnalyticExpert(ExpertConfig(), n)
    base = args.seed * SEED_BLOCK
    next_seed = base

    def take(count: int) -> list[int]:
        nonlocal next_seed
        seeds = list(range(next_seed, next_seed + count))
        next_seed += count
        return seeds

    heldout = Dataset.empty()
    ok, col = collect(ExpertPolicy(expert), expert, take(args.heldout_episodes), n, heldout,
                      args.time_limit)
    print(f"held-out expert episodes: {args.heldout_episodes} ({ok} reached the goal, "
          f"{col} collisions), {len(heldout)} samples", flush=True)
    data = Dataset.empty()
    ok, col = collect(ExpertPolicy(expert), expert, take(args.episodes), n, data,
                      args.time_limit)
    print(f"expert episodes: {args.episodes} ({ok} reached the goal, {col} collisions), "
          f"{len(data)} samples", flush=True)
    sizes = [n + GOAL_FEATURES + VELOCITY_FEATURES, args.hidden, args.hidden, CMD_FEATURES]
    mlp = Mlp(sizes, rng)
    x, y = data.arrays()
    loss = fit(mlp, x, y, rng, args.epochs)
    print(f"fit 0: {len(x)} samples, train loss (standardised) {loss:.4f} "
          f"[{time.monotonic() - t_start:.0f} s]", flush=True)
    dagger_stats = []
    for r in range(args.dagger_rounds):
        ok, col = collect(MlpPolicy(mlp, n), expert, take(args.dagger_episodes), n, data,
                          args.time_limit)
        dagger_stats.append({"episodes": args.dagger_episodes, "success": ok,
                             "collisions": col})
        x, y = data.arrays()
        loss = fit(mlp, x, y, rng, args.epochs)
        print(f"DAgger round {r + 1}: network drove {args.dagger_episodes} episodes ({ok} "
              f"reached the goal, {col} collisions); refit on {len(x)} samples, train loss "
              f"{loss:.4f} [{time.monotonic() - t_start:.0f} s]", flush=True)

    hx, hy = heldout.arrays()
    net_mse = mse(mlp.predict(hx), hy)
    const = y.mean(axis=0)
    base_mse = mse(np.broadcast_to(const, hy.shape), hy)
    net_mae = np.mean(np.abs(mlp.predict(hx) - hy), axis=0)
    base_mae = np.mean(np.abs(const - hy), axis=0)
    ratio = float(net_mse.sum() / base_mse.sum())
    ratio_mae = float(net_mae.sum() / base_mae.sum())
    print(f"held-out imitation MSE (linear, angular): network {net_mse.round(5).tolist()}, "
          f"constant baseline {base_mse.round(5).tolist()}; ratio {ratio:.3f} (MAE ratio "
          f"{ratio_mae:.3f})", flush=True)

    export_onnx(mlp, n, args.output)
    policy = OnnxPolicy(args.output, n)
    onnx_out = policy.run_batch(hx[:, :n], hx[:, n:n + GOAL_FEATURES], hx[:, n + GOAL_FEATURES:])
    max_dev = float(np.max(np.abs(onnx_out - mlp.predict(hx))))
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    elapsed = time.monotonic() - t_start
    meta = {
        "model": args.output.name,
        "sha256": digest,
        "bytes": args.output.stat().st_size,
        "seed": args.seed,
        "n_sectors": n,
        "layers": sizes,
        "activation": "tanh",
        "inputs": {INPUT_SECTORS: ["batch", n], INPUT_GOAL: ["batch", GOAL_FEATURES],
                   INPUT_VELOCITY: ["batch", VELOCITY_FEATURES]},
        "outputs": {OUTPUT_CMD: ["batch", CMD_FEATURES]},
        "training_samples": len(x),
        "heldout_samples": len(hx),
        "expert_episodes": args.episodes,
        "dagger": dagger_stats,
        "epochs": args.epochs,
        "heldout_mse": {"linear": float(net_mse[0]), "angular": float(net_mse[1])},
        "baseline_mse": {"linear": float(base_mse[0]), "angular": float(base_mse[1])},
        "baseline_command": {"linear": float(const[0]), "angular": float(const[1])},
        "mse_ratio": ratio,
        "mae_ratio": ratio_mae,
        "onnx_vs_numpy_max_abs": max_dev,
        "train_seconds": round(elapsed, 1),
        "numpy": np.__version__,
    }
    args.output.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.output} ({meta['bytes']} bytes, sha256 {digest[:12]}) and "
          f"{args.output.with_suffix('.json').name}; onnx vs numpy max |diff| {max_dev:.2e}; "
          f"{elapsed:.0f} s", flush=True)
    if ratio >= 0.2:
        print(f"FAILED: imitation MSE ratio {ratio:.3f} is not under 0.2", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
