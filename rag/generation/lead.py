"""Which sentence should open an answer: a small logistic model over features of (question, sentence) pairs.

A sentence that answers carries something the question does not (the asked-for gene, drug, cell type or outcome)
while staying on its topic; a sentence that sets a study up (its aim, its methods) repeats the question's words and
adds nothing specific. The weights in `rag/data/lead_model.json` are fitted by `evals/fit_lead.py` on the fitting
sets only, dev and lead_fit (label: the sentence holds an expected answer fact), and reported on the held-out set;
see README "Answers" and "Evaluation".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.lexical import english_stemmer, tokenize
from rag.normalize import specific_terms

FEATURES = ("bias", "cosine", "coverage", "novel_specific", "has_novel", "novel_density", "first_sentence",
            "relative_position", "top_source", "source_score", "length", "asks_entity_x_novel", "cosine_x_novel",
            "novel_near_question_word", "fills_asked_kind", "frames_the_study", "distinctive_coverage")
# A sentence that frames the study rather than reporting a result (the "aim" and "method" moves of an abstract):
# the study or its authors as the subject (unless a verb of observing follows: "The authors note that circRNAs are
# stable" states a result; "The authors propose ..." stays an interpretation), an aim verb with its open question,
# or a method clause.
_REPORTING = (r"(?:also )?(?:found|finds?|showed|shows?|notes?|noted|describes?|described|reports?|reported|"
              r"demonstrated?|observed|identified|points? out|pointed out)\b")
_AUTHORS_AS_SUBJECT = re.compile(
    r"^(?:in (?:this|the|a) (?:study|work),? )?(?:the|this|these|our|a) (?:study|studies|authors|researchers|work|"
    rf"investigators|team|paper|trial)\b(?! {_REPORTING})", re.IGNORECASE)
# the stance verbs by which authors give their reading of a result (a closed class, like _REPORTING)
_INTERPRETING = re.compile(
    r"^(?:(?:the|these|our) (?:authors|researchers|investigators|team)|they) (?:also )?(?:propose|suggest|argue|"
    r"conclude|speculate|hypothesi[sz]e|interpret|call|name|term)", re.IGNORECASE)
_AIM_OR_METHOD = re.compile(
    # in the past tense of a study's summary or the present of a review's ("This review asks how ...")
    r"\b(?:ask(?:ed|s)|examin(?:ed|es)|investigat(?:ed|es)|test(?:ed|s)|aim(?:ed|s)|s(?:ought|eeks)|"
    r"explor(?:ed|es)|evaluat(?:ed|es)|assess(?:ed|es)|sets? out) (?:whether|how|if|to|the)\b"
    r"|\b(?:was|were) used to\b|^using\b"
    # how something was measured: "... protein levels were assessed by western blot"
    r"|\b(?:was|were) (?:assessed|measured|quantified|detected|analy[sz]ed|determined|evaluated|examined) "
    r"(?:by|with|using)\b", re.IGNORECASE)
NEAR = 3  # tokens: "suppressing FBXW7", "sponges miR-132", "M2-type macrophages"
_ASKS_ENTITY = frozenset({"which", "what", "name", "list"})
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "lead_model.json"


@dataclass(frozen=True)
class QuestionTerms:
    tokens: frozenset[str]
    stems: frozenset[str]
    specific: frozenset[str]
    asks_entity: bool  # "which/what ..." asks for a named thing; "how/why/does" for a mechanism or a yes/no
    slot: frozenset[str] = frozenset()  # index words of the kind the question asks for (rag/answer_types.py)

    @classmethod
    def of(cls, question: str, slot: frozenset[str] = frozenset()) -> QuestionTerms:
        words = question.lower().split()
        tokens = tokenize(question)
        stems = frozenset(english_stemmer().stemWords(tokens))
        return cls(frozenset(tokens), stems, frozenset(specific_terms(question)),
                   bool(_ASKS_ENTITY & set(words[:3])), slot - frozenset(tokens))


def sentence_stems(sentence: str) -> frozenset[str]:
    return frozenset(english_stemmer().stemWords(tokenize(sentence)))


def local_idf(q: QuestionTerms, candidates: Sequence[frozenset[str]]) -> dict[str, float]:
    """How rare each of the question's stems is among the candidate sentences (BM25's idf, over sentences). A word
    every sentence of the study repeats (its miRNA, its drug) tells them apart less than the question's relation
    ("sorts", "transcription factor", "loading method"), which only the answering sentence may share."""
    n = len(candidates)
    df = {s: sum(s in c for c in candidates) for s in q.stems}
    return {s: math.log(1 + (n - d + 0.5) / (d + 0.5)) for s, d in df.items() if d}


def distinctive_coverage(idf: Mapping[str, float], stems: frozenset[str]) -> float:
    """The share of the question's idf weight (over its stems found in some candidate) this sentence holds."""
    total = sum(idf.values())
    return sum(w for s, w in idf.items() if s in stems) / total if total else 0.0


def features(q: QuestionTerms, sentence: str, cosine: float, position: int, n_sentences: int, rank: int,
             source_score: float, distinctive: float) -> np.ndarray:
    """The model's inputs for one candidate sentence, in the order of FEATURES (`distinctive`: its
    distinctive_coverage among the question's candidate sentences)."""
    novel_terms = specific_terms(sentence) - q.specific
    novel = len(novel_terms)
    words = len(sentence.split())
    sentence_tokens = set(tokenize(sentence))
    coverage = len(q.tokens & sentence_tokens) / max(len(q.tokens), 1)
    has_novel = float(novel > 0)
    return np.array([
        1.0, cosine, coverage, math.log1p(novel), has_novel, min(novel / max(words, 1) * 5, 1.0),
        float(position == 0), position / max(n_sentences - 1, 1), float(rank == 0), source_score,
        min(words, 80) / 40, float(q.asks_entity) * has_novel, cosine * has_novel,
        float(_near_question_word(q, sentence, novel_terms)), float(bool(q.slot & sentence_tokens)),
        float(frames_the_study(sentence)), distinctive,
    ], dtype=np.float32)


def frames_the_study(sentence: str) -> bool:
    """'The study asked whether ...', 'The authors examined ...', 'Microarrays were used to ...'."""
    return bool(_AUTHORS_AS_SUBJECT.search(sentence) or _AIM_OR_METHOD.search(sentence))


# a question asking what a study found ("What did the TNBC neoadjuvant study find?", "What did they show?")
# ... or for its results in other words ("What were the main results ...?", "Summarise the Ning 2017 study.")
_ASKS_FINDINGS = re.compile(r"\b(?:find|found|findings|show|showed|shown|report|reported|discover|discovered|"
                            r"demonstrate|demonstrated|conclude|concluded|conclusions?|observe|observed|learn|learned|"
                            r"learnt|results?|summari[sz]e|summary)\b", re.IGNORECASE)


def asks_for_findings(question: str) -> bool:
    """The question asks for what a study found, not for how it was done."""
    return bool(_ASKS_FINDINGS.search(question))


def interprets(sentence: str) -> bool:
    """A framing sentence that gives the authors' reading of their results ("The authors proposed ... and called
    these vesicles exosomes", "The authors suggest ..."), not the study's aim or its methods ("The authors set up a
    screen ...")."""
    return bool(_INTERPRETING.search(sentence))


def _near_question_word(q: QuestionTerms, sentence: str, novel: set[str]) -> bool:
    """A new specific term next to one of the question's words: the slot the question asks to fill."""
    tokens = tokenize(sentence)
    stems = english_stemmer().stemWords(tokens)
    asked = [i for i, st in enumerate(stems) if st in q.stems and tokens[i] not in q.specific]
    return any(abs(i - j) <= NEAR for i, t in enumerate(tokens) if t in novel for j in asked)


@lru_cache(maxsize=1)
def weights() -> np.ndarray:
    model = json.loads(MODEL_PATH.read_text())
    if tuple(model["features"]) != FEATURES:
        raise RuntimeError(f"{MODEL_PATH} was fitted for other features: run evals/fit_lead.py")
    return np.asarray(model["weights"], dtype=np.float32)


def lead_scores(matrix: np.ndarray) -> np.ndarray:
    """Log-odds that each row's sentence holds the answer (higher opens the answer)."""
    return matrix @ weights() if len(matrix) else np.zeros(0, dtype=np.float32)
