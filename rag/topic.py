"""Is the question about this corpus's subject at all (exosomes, chemotherapy resistance and the biology around
them)? A second opinion for the relevance gate, read from the question alone.

The relevance curve (rag/ranking/calibration.py) judges the best passage: a question in everyday words scores low
cosines and BM25 even when the right study ranks first, and a near-domain question ("exosomes from fat tissue and
insulin resistance") can score well on passages it is not answered by. A logistic model on the question's sentence
embedding learns the subject from written questions of both kinds instead. The gate adds its log-odds, weighted
and floored (a bounded veto), to the log-odds of the best passage's relevance. Weights in
`rag/data/topic_model.json`, fitted by `evals/fit_topic.py` on fitting sets only; the cleanest reporting set is
`evals/questions/gate_report.jsonl`. The model knows this corpus's subject only: RAG_SUBJECT_GATE=false turns it
off for a corpus about something else."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "data" / "topic_model.json"


class TopicModel(NamedTuple):
    weights: np.ndarray
    bias: float
    gate_weight: float  # how much the subject's log-odds count next to the passage's
    gate_offset: float
    floor: float  # the lowest subject log-odds the gate counts: a short question in the literature's terms can look
    # off-subject to the embedding ("What does Rab27a control?"), so the veto is bounded


@lru_cache(maxsize=1)
def _model() -> TopicModel:
    model = json.loads(MODEL_PATH.read_text())
    return TopicModel(np.asarray(model["weights"], dtype=np.float32), float(model["bias"]),
                      float(model["gate_weight"]), float(model["gate_offset"]), float(model["floor"]))


def topic_logit(vector: np.ndarray) -> float:
    """Log-odds that a question (its normalised embedding) is about the corpus's subject."""
    model = _model()
    return float(np.asarray(vector, dtype=np.float32) @ model.weights) + model.bias


def passage_logit(p: float) -> float:
    """The relevance curve's log-odds back from its probability (the gate with no subject term)."""
    p = min(max(p, 1e-12), 1.0 - 1e-12)
    return math.log(p / (1.0 - p))


def gate_logit(best_relevance: float, vector: np.ndarray, gate_weight: float | None = None,
               gate_offset: float | None = None) -> float:
    """The gate's log-odds: the best passage's relevance plus the weighted, floored subject score (>= 0 answers)."""
    model = _model()
    weight = model.gate_weight if gate_weight is None else gate_weight
    offset = model.gate_offset if gate_offset is None else gate_offset
    return passage_logit(best_relevance) + subject_term(topic_logit(vector), weight, offset, model.floor)


def subject_term(subject: float | np.ndarray, weight: float, offset: float, floor: float) -> float | np.ndarray:
    """What the subject adds to the passage's log-odds (evals/fit_topic.py fits weight, offset and floor on it)."""
    return weight * np.maximum(subject, floor) + offset


def in_scope(best_relevance: float, vector: np.ndarray, subject: bool = True) -> bool:
    """The gate; without `subject`, the relevance curve alone (as before this model). The caller leaves the subject
    out for a question that names a source ("According to the 2022 review, why ...?", "What did Koch and
    colleagues combine ...?"), which asks what a document says rather than about a subject, and when the
    `subject_gate` setting is off."""
    if not subject:
        return passage_logit(best_relevance) >= 0.0
    return gate_logit(best_relevance, vector) >= 0.0
