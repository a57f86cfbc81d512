"""The corpus generator (deterministic, decontaminated), the overlap check and the model file."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from robot_brain.core.planner.vertical.features import DEFAULT_DIM, featurize
from robot_brain.core.planner.vertical.intent_model import (
    Intent,
    IntentModel,
    ModelMetadata,
    VerticalModelError,
    default_model_path,
)
from robot_brain.core.planner.vertical.numbers import find_durations
from robot_brain.core.planner.vertical.text import fold
from robot_brain_lab.corpus_overlap import NEAR_DUPLICATE_JACCARD, find_overlaps
from robot_brain_lab.planner_scoring import (
    evaluation_texts,
    load_instruction_set,
    packaged_instruction_files,
)
from robot_brain_lab.vertical_corpus import LANGS, corpus_digest, generate, number_words

MAX_MODEL_BYTES = 3 * 1024 * 1024


def test_corpus_is_deterministic_and_covers_every_intent_and_language() -> None:
    a = generate(seed=3, n=2000)
    b = generate(seed=3, n=2000)
    assert a == b
    assert generate(seed=4, n=2000).examples != a.examples
    assert {i for e in a.examples for i in e.intents} == set(Intent)
    assert {e.lang for e in a.examples} == set(LANGS)
    assert any(len(e.intents) >= 3 for e in a.examples)


def test_shipped_corpus_never_produces_an_evaluation_text() -> None:
    meta = ModelMetadata.load(default_model_path().with_suffix(".json"))
    # Every packaged set: the apartment's and the office's (instructions_office.yaml).
    eval_texts = evaluation_texts()
    assert len(packaged_instruction_files()) >= 2
    corpus = generate(meta.seed, int(meta.extra["requested_examples"]), eval_texts)
    texts = [e.text for e in corpus.examples]
    assert find_overlaps(eval_texts, texts) == []
    # the shipped model was fit on exactly this corpus (retrain after changing either)
    assert corpus_digest(corpus.examples) == meta.extra["corpus_sha256"]
    # decontamination only trims what chance produced; it must not shape the corpus
    assert len(corpus.removed) < 0.01 * len(texts)


def test_overlap_check_finds_exact_and_near_duplicates() -> None:
    corpus = ["Go to the kitchen!", "please walk to the front door now", "wait 5 seconds"]
    found = find_overlaps(["go to the KITCHEN.", "Please walk to the front door now.",
                           "Walk slowly to the garden"], corpus)
    assert {(o.eval_text, o.corpus_text) for o in found} == {
        ("go to the KITCHEN.", "Go to the kitchen!"),
        ("Please walk to the front door now.", "please walk to the front door now")}
    near = find_overlaps(["please walk to the front doors now"], corpus)
    assert near and near[0].jaccard > NEAR_DUPLICATE_JACCARD


def test_numbers_in_words_and_digits() -> None:
    for lang in ("en", "fr", "de", "es", "zh"):
        for n in (1, 5, 12, 17, 21, 25, 38, 59):
            unit = {"en": "seconds", "fr": "secondes", "de": "Sekunden", "es": "segundos",
                    "zh": "秒"}[lang]
            sep = "" if lang == "zh" else " "
            found = find_durations(fold(f"{number_words(n, lang)}{sep}{unit}"))
            assert [d.seconds for d in found] == [n], (lang, n)
    assert [d.seconds for d in find_durations("wait 5 s then 2 min, then 15s")] == [5, 120, 15]
    assert [d.seconds for d in find_durations("half a minute")] == [30]


def test_features_are_deterministic_and_normalised() -> None:
    x = featurize(["go to the <p0>", "wait <d1>", ""])
    assert x.shape == (3, DEFAULT_DIM) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x[:2], axis=1), 1.0) and not x[2].any()
    assert np.array_equal(x[0], featurize(["go to the <p5>"])[0])  # slot identity ignored


def test_model_loads_and_matches_its_metadata() -> None:
    path = default_model_path()
    meta = json.loads(path.with_suffix(".json").read_text())
    blob = path.read_bytes()
    assert len(blob) == meta["bytes"] <= MAX_MODEL_BYTES
    assert hashlib.sha256(blob).hexdigest() == meta["sha256"]
    model = IntentModel()
    assert model.classes == tuple(Intent) and model.metadata.dim == meta["dim"]
    probs = model.predict(["go to the <p0>", "wait <d0>", "stop"])
    assert probs.shape == (3, len(Intent)) and np.allclose(probs.sum(axis=1), 1.0)
    assert [model.classes[i] for i in probs.argmax(axis=1)] == [Intent.NAVIGATE, Intent.WAIT,
                                                                 Intent.STOP]


def test_altered_model_is_refused(tmp_path: Path) -> None:
    src = default_model_path()
    dst = tmp_path / src.name
    shutil.copy(src.with_suffix(".json"), dst.with_suffix(".json"))
    blob = bytearray(src.read_bytes())
    blob[-1] ^= 0xFF
    dst.write_bytes(bytes(blob))
    with pytest.raises(VerticalModelError, match="sha256"):
        IntentModel(dst)
    with pytest.raises(VerticalModelError):
        IntentModel(tmp_path / "missing.onnx")


def test_evaluation_set_has_the_issue_14_composition() -> None:
    cases = load_instruction_set().cases
    count = {c: sum(1 for x in cases if x.category == c) for c in {x.category for x in cases}}
    assert len(cases) >= 150
    assert count["multi_step"] >= 30 and count["negation"] >= 20 and count["language"] >= 30
    assert count["hostile"] + count["impossible"] >= 20
