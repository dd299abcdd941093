"""Is the question about this corpus's subject at all (exosomes, chemotherapy resistance and the biology around
them)? A second opinion for the relevance gate, read from the question alone.

The relevance curve (rag/ranking/calibration.py) judges the best passage: a question in everyday words scores low
cosines and BM25 even when the right study ranks first, and a near-domain question ("exosomes from fat tissue and
insulin resistance") can score well on passages it is not answered by. A support-vector machine with an RBF kernel on
the question's sentence embedding learns the subject from written questions of both kinds instead: a kernel, not a
line, because plain-language questions on the subject and off it share most of their words ("tiny bubbles",
"cells") and differ in small regions of the embedding space (session 11: 10-fold CV on the fitting questions
refused half as many in-scope questions as the logistic model it replaced, at the same out-of-scope rate). The gate
adds its margin, weighted and floored, to the log-odds of the best passage's relevance. The model (support vectors,
their weights, the kernel width and the gate's weight, offset and floor) is `rag/data/topic_model.npz`, fitted by
`evals/fit_topic.py` on fitting sets only; the cleanest reporting set is `evals/questions/gate_report3.jsonl`. The
model knows this corpus's subject only: RAG_SUBJECT_GATE=false turns it off for a corpus about something else."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "data" / "topic_model.npz"
# The lowest subject margin at which a grounded question is answered: the midpoint between two margins that errs
# least on the grounded fitting questions the gate alone refused (evals/fit_grounded.py: 5 of 6 in scope answered, 3
# of 15 out of scope; on the reporting set short_report 5 of 6 and 0 of 4)
GROUNDED_FLOOR = -0.35
# The best passage's log-odds at which the subject model no longer vetoes: the model weighs 14 times its margin, so
# "How does ONECUT2 loss affect stemness?" (best passage 0.999, log-odds 6.7, margin -0.83) was refused. Chosen by
# evals/fit_certain.py on fitting questions (the midpoint above the highest-scoring refused near-domain one, "What is
# the survival rate of glioblastoma treated with temozolomide?" at 5.39); relevance 0.9976
CERTAIN_LOGIT = 6.04


class TopicModel(NamedTuple):
    support: np.ndarray  # (n, dimension): the embeddings of the fitting questions that bound the subject
    dual: np.ndarray  # (n,): their signed weights (positive: on the subject)
    intercept: float
    gamma: float  # the RBF kernel's width: exp(-gamma * squared distance)
    gate_weight: float  # how much the subject's margin counts next to the passage's log-odds
    gate_offset: float
    floor: float  # the lowest margin the gate counts (a bounded veto); -inf when unbounded


@lru_cache(maxsize=1)
def _model() -> TopicModel:
    with np.load(MODEL_PATH, allow_pickle=False) as model:
        return TopicModel(model["support"].astype(np.float32), model["dual"].astype(np.float32),
                          float(model["intercept"]), float(model["gamma"]), float(model["gate_weight"]),
                          float(model["gate_offset"]), float(model["floor"]))


def dimension() -> int:
    """The embedding size the model was fitted on."""
    return int(_model().support.shape[1])


def subject_score(vector: np.ndarray) -> float:
    """The SVM's margin for a question (its normalised embedding): above 0 on the corpus's subject."""
    model = _model()
    distances = np.sum((model.support - np.asarray(vector, dtype=np.float32)) ** 2, axis=1)
    return float(model.dual @ np.exp(-model.gamma * distances)) + model.intercept


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
    return passage_logit(best_relevance) + subject_term(subject_score(vector), weight, offset, model.floor)


def subject_term(subject: float | np.ndarray, weight: float, offset: float, floor: float) -> float | np.ndarray:
    """What the subject's margin adds to the passage's log-odds (evals/fit_topic.py fits weight, offset and floor)."""
    return weight * np.maximum(subject, floor) + offset


def in_scope(best_relevance: float, vector: np.ndarray, subject: bool = True, grounded: bool = False) -> bool:
    """The gate; without `subject`, the relevance curve alone (as before this model). The caller leaves the subject
    out for a question that names a source ("According to the 2022 review, why ...?", "What did Koch and
    colleagues combine ...?"), which asks what a document says rather than about a subject, and when the
    `subject_gate` setting is off. A `grounded` question (rag/grounding.py: it names a particular thing of the
    top-ranked study) is answered unless the subject model speaks clearly against it, and a question whose best
    passage is all but certain (CERTAIN_LOGIT) whatever the subject model says."""
    if not subject:
        return passage_logit(best_relevance) >= 0.0
    return passage_logit(best_relevance) >= CERTAIN_LOGIT or not gate_refuses(best_relevance, vector, grounded)


def gate_refuses(best_relevance: float, vector: np.ndarray, grounded: bool = False) -> bool:
    """The subject gate without the certain-passage rule (evals/fit_certain.py fits that rule on what this refuses)."""
    if grounded and subject_score(vector) >= GROUNDED_FLOOR:
        return False
    return gate_logit(best_relevance, vector) < 0.0
