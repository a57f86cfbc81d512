#!/usr/bin/env python3
"""Train the vertical planner's clause-intent classifier and export it to ONNX.

    python scripts/train_planner_model.py --seed 0      # writes robot_brain/models/planner_intent.*

1. Corpus: robot_brain_lab.vertical_corpus.generate(seed) (templates in en/fr/de/es/zh,
   a training world whose places are not the apartment's).
2. Every text goes through the planner's own cleaning, slot extraction and clause splitting;
   an example whose clause count differs from its label count is dropped (and counted: a high
   rate means the splitter and the templates disagree).
3. Features: hashed character n-grams and words (vertical/features.py); a multinomial logistic
   regression (scikit-learn, lbfgs) fitted on them.
4. Held-out: a corpus from seed + 1 (never used for fitting) fits a temperature (calibration)
   and reports accuracy and the expected calibration error before and after.
5. Export: skl2onnx, checked against scikit-learn on held-out rows in onnxruntime; metadata
   JSON with the sha256, classes, temperature, the words seen in training and the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.planner.vertical.features import (  # noqa: E402
    DEFAULT_DIM,
    feature_indices,
    generalise,
)
from robot_brain.core.planner.vertical.intent_model import (  # noqa: E402
    INPUT_NAME,
    MODEL_FILE,
    PROB_OUTPUT,
    Intent,
    calibrate,
)
from robot_brain.core.planner.vertical.places import PlaceMatcher  # noqa: E402
from robot_brain.core.planner.vertical.slots import clauses_of  # noqa: E402
from robot_brain.core.planner.vertical.text import clean, tokens  # noqa: E402
from robot_brain_lab.planner_scoring import evaluation_texts  # noqa: E402
from robot_brain_lab.vertical_corpus import (  # noqa: E402
    TRAINING_PLACES,
    Corpus,
    corpus_digest,
    generate,
)

CLASSES = tuple(Intent)


def clause_rows(seed: int, n: int, exclude: list[str]) -> tuple[list[str], list[int],
                                                                  dict[str, int | str]]:
    matcher = PlaceMatcher(TRAINING_PLACES, TRAINING_PLACES)
    texts: list[str] = []
    labels: list[int] = []
    corpus: Corpus = generate(seed, n, exclude)
    stats = {"examples": 0, "dropped": 0, "decontaminated": len(corpus.removed),
             "corpus_sha256": corpus_digest(corpus.examples)}
    for ex in corpus.examples:
        stats["examples"] += 1
        cleaned = clean(ex.text)
        if cleaned.problem is not None:
            stats["dropped"] += 1
            continue
        _, clauses = clauses_of(cleaned.text, matcher)
        if len(clauses) != len(ex.intents):
            stats["dropped"] += 1
            continue
        texts += clauses
        labels += [CLASSES.index(i) for i in ex.intents]
    return texts, labels, stats


def sparse_features(clauses: list[str], dim: int):  # type: ignore[no-untyped-def]
    """The CSR twin of features.featurize (same values; checked in the unit tests)."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for clause in clauses:
        counts = feature_indices(clause, dim)
        cols = sorted(counts)
        vals = np.log1p(np.array([counts[c] for c in cols], dtype=np.float32))
        norm = float(np.linalg.norm(vals))
        if norm > 0:
            vals /= norm
        indices += cols
        data += vals.tolist()
        indptr.append(len(indices))
    return csr_matrix((np.array(data, dtype=np.float32), indices, indptr),
                      shape=(len(clauses), dim))


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    total = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        m = (conf > lo) & (conf <= lo + 1.0 / bins)
        if m.any():
            total += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(total)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--examples", type=int, default=40_000)
    ap.add_argument("--heldout", type=int, default=8_000)
    ap.add_argument("--dim", type=int, default=DEFAULT_DIM)
    ap.add_argument("--C", type=float, default=4.0, help="inverse L2 strength")
    ap.add_argument("--instructions", default="",
                    help="evaluation sets to decontaminate against, comma-separated (default: "
                         "the worlds' sets, scoring.WORLD_EVALUATION_SETS)")
    ap.add_argument("--out", default=str(ROOT / "robot_brain" / "models" / MODEL_FILE))
    args = ap.parse_args(argv)

    import onnxruntime as ort
    import sklearn
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LogisticRegression

    t0 = time.monotonic()
    eval_texts = evaluation_texts([Path(p) for p in args.instructions.split(",")]
                                  if args.instructions else None)
    texts, labels, stats = clause_rows(args.seed, args.examples, eval_texts)
    ho_texts, ho_labels, ho_stats = clause_rows(args.seed + 1, args.heldout, eval_texts)
    print(f"corpus: {stats['examples']} examples -> {len(texts)} clauses "
          f"({stats['dropped']} dropped, {stats['decontaminated']} removed as too close to an "
          f"evaluation text); held-out {len(ho_texts)} clauses ({ho_stats['dropped']} dropped)")
    x = sparse_features(texts, args.dim)
    y = np.array(labels)
    x_ho = sparse_features(ho_texts, args.dim)
    y_ho = np.array(ho_labels)
    t_fit = time.monotonic()
    clf = LogisticRegression(C=args.C, max_iter=400, random_state=args.seed)
    clf.fit(x, y)
    fit_s = time.monotonic() - t_fit
    if list(clf.classes_) != list(range(len(CLASSES))):
        print("a class is missing from the corpus", file=sys.stderr)
        return 1
    raw = clf.predict_proba(x_ho)
    temps = np.round(np.arange(0.5, 3.01, 0.05), 2)
    nll = [float(-np.mean(np.log(calibrate(raw, t)[np.arange(len(y_ho)), y_ho] + 1e-12)))
           for t in temps]
    temperature = float(temps[int(np.argmin(nll))])
    cal = calibrate(raw, temperature)
    acc = float((raw.argmax(axis=1) == y_ho).mean())
    print(f"fit {fit_s:.1f} s; held-out clause accuracy {acc:.4f}; ECE raw {ece(raw, y_ho):.4f} "
          f"-> T={temperature:g} {ece(cal, y_ho):.4f}")

    onx = convert_sklearn(clf, initial_types=[(INPUT_NAME, FloatTensorType([None, args.dim]))],
                          options={id(clf): {"zipmap": False}})
    for out in onx.graph.output:
        if out.name != "label":
            out.name = PROB_OUTPUT
    for node in onx.graph.node:
        node.output[:] = [PROB_OUTPUT if o == "probabilities" else o for o in node.output]
    onx.graph.name = "planner_intent"  # skl2onnx names the graph with a random uuid
    blob = onx.SerializeToString()
    sess = ort.InferenceSession(blob, providers=["CPUExecutionProvider"])
    sample = x_ho[:500].toarray().astype(np.float32)
    (onnx_probs,) = sess.run([PROB_OUTPUT], {INPUT_NAME: sample})
    gap = float(np.max(np.abs(onnx_probs - clf.predict_proba(sample))))
    print(f"onnx vs sklearn max |dp| = {gap:.2e}")
    if gap > 1e-4:
        print("ONNX export disagrees with scikit-learn", file=sys.stderr)
        return 1
    known = sorted({w for t in texts for w in tokens(generalise(t)) if w.isalpha()})
    out = Path(args.out)
    out.write_bytes(blob)
    meta = {
        "model": out.name, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob),
        "dim": args.dim, "classes": [c.value for c in CLASSES], "temperature": temperature,
        "seed": args.seed, "requested_examples": args.examples, "examples": stats["examples"],
        "decontaminated": stats["decontaminated"], "corpus_sha256": stats["corpus_sha256"],
        "clauses": len(texts),
        "dropped_examples": stats["dropped"], "heldout_clauses": len(ho_texts),
        "heldout_accuracy": round(acc, 4), "heldout_ece_raw": round(ece(raw, y_ho), 4),
        "heldout_ece_calibrated": round(ece(cal, y_ho), 4), "C": args.C,
        "fit_s": round(fit_s, 1), "total_s": round(time.monotonic() - t0, 1),
        "sklearn": sklearn.__version__, "known_words": known,
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    print(f"wrote {out} ({len(blob)} bytes) and {out.with_suffix('.json').name}; "
          f"{len(known)} known words; total {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
