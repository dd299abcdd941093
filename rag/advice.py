"""Is a question a personal treatment decision (refused) or a research question (answered, even when it mentions
doses, patients or cohorts)? What separates "will oxaliplatin work for me?" from "was oxaliplatin response worse in
the cohort?" is who the question is about. A logistic model reads the question's sentence embedding plus three
grammatical signals of a particular person: first-person singular (I, me, my), a described individual ("a 60 kg
man", "at 82 years old"), and a decision asked with a personal subject ("should we", "can I"). Weights in `rag/data/advice_model.json`, fitted by `evals/fit_advice.py` on the
fitting half of `evals/questions/advice_probes.jsonl` and reported on the other half."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "data" / "advice_model.json"
# not part of a name ("RIG-I", "MHC-I") nor a numeral after a noun ("stage I", "complex I", "type I interferon")
_FIRST_PERSON = re.compile(r"(?<![\w-])(i|i'm|i've|me|my|mine|myself)(?![\w-])", re.IGNORECASE)
_NUMERAL_I = re.compile(r"\b(?:stage|phase|type|grade|complex|class|group|trial|part|figure|table)\s+I\b",
                        re.IGNORECASE)
_INDIVIDUAL = re.compile(r"\b\d+\s*(kg|kilos?|lbs?|pounds|-?\s*years?[- ]old|years of age)\b|\bweighing\b", re.IGNORECASE)
_DECISION = re.compile(r"\b(should|shall|can|could|will|would|must)\s+(i|we|he|she|they|you|my|our|his|her)\b",
                       re.IGNORECASE)


# A quoted phrase is someone else's words ("a 'do not eat me' signal"): its "me" is not the asker. An opening quote
# follows a space or the start, a closing one precedes a space or punctuation, so apostrophes ("I'm", "mother's")
# never pair up.
_QUOTED = re.compile(r"(?:(?<=\s)|^)(?:[\"\u201c][^\"\u201d]{1,80}[\"\u201d]|['\u2018][^\u2018\u2019]{1,80}?['\u2019])"
                     r"(?=[\s?.,!;:)]|$)")


# "me" as the one a request is made to ("Tell me about the osteosarcoma study", "Can you show me ...") is not the
# person a treatment would be for
_REQUEST = re.compile(r"\b(?:tell|show|give|explain to|help|let|remind|teach|walk)\s+me\b", re.IGNORECASE)


def person_signals(question: str) -> np.ndarray:
    unquoted = _NUMERAL_I.sub(" ", _REQUEST.sub(" ", _QUOTED.sub(" ", question)))
    return np.array([bool(_FIRST_PERSON.search(unquoted)), bool(_INDIVIDUAL.search(unquoted)),
                     bool(_DECISION.search(unquoted))], dtype=np.float32)


# someone described without figures: "a child", "an elderly woman" (with figures, _INDIVIDUAL: "a 60 kg man")
_A_PERSON = re.compile(r"\b(?:a|an)\s+(?:[a-z-]+\s+)?(?:man|woman|child|boy|girl|baby|infant|toddler|teenager|adult|"
                       r"person|patient|relative|friend)\b", re.IGNORECASE)


def names_a_person(question: str) -> bool:
    """The question is about someone in particular: a person signal, or a person described ("a child")."""
    unquoted = _REQUEST.sub(" ", _QUOTED.sub(" ", question))
    return bool(person_signals(question).any() or _A_PERSON.search(unquoted))


def advice_features(question: str, vector: np.ndarray) -> np.ndarray:
    """The classifier's input: the embedding, then the person signals."""
    return np.concatenate([np.asarray(vector, dtype=np.float32), person_signals(question)])


@lru_cache(maxsize=1)
def _model() -> tuple[np.ndarray, float, float]:
    model = json.loads(MODEL_PATH.read_text())
    return np.asarray(model["weights"], dtype=np.float32), float(model["bias"]), float(model["threshold"])


def advice_probability(question: str, vector: np.ndarray) -> float:
    """Probability that the question (with its normalised embedding) asks for a personal treatment decision."""
    weights, bias, _ = _model()
    return float(1.0 / (1.0 + np.exp(-(float(advice_features(question, vector) @ weights) + bias))))


def is_personal_advice(question: str, vector: np.ndarray) -> bool:
    """A personal treatment decision: about someone in particular, and the classifier says so. Without a person the
    embedding alone decides nothing: it read "Which drug class is doxorubicin?" (0.56) as advice, as it reads many
    a question about one drug."""
    return names_a_person(question) and advice_probability(question, vector) >= _model()[2]
