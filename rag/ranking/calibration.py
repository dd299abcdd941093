"""The relevance probability: whether the best passage answers the question at all (the refusal's evidence)."""

from __future__ import annotations

import math

from rag.ranking.signals import Candidates

RELEVANCE_THRESHOLD = 0.5
FEATURES = ("dense", "sentence", "bm25_per_token", "entity", "known_share", "unknown_rarity", "lay_phrases")
MAX_LAY_PHRASES = 3  # everyday phrases counted (a cap chosen before fitting: credit for wording stays bounded)

# Logistic weights per feature (0: not used) and the intercept. These are the curve fitted before the lay and
# near-domain fitting sets existed, on dev, held-out and scope_probes.jsonl: held-out's refusal figures are
# therefore not clean, and lay_report.jsonl and scope_report.jsonl are the gate's clean reporting sets.
# evals/calibrate_relevance.py refits on the fitting sets only (dev, lay_fit, scope_fit, scope_probes,
# scope_lay_fit) and chooses the features by cross-validation; its best refit was tried and not adopted: the answer
# layer also keeps only secondary passages above RELEVANCE_THRESHOLD, and the flatter refit dropped second studies
# from multi-study answers (dev citation hit 0.947 -> 0.920) while refusing more lay questions (README, "Refusals").
# lay_phrases (session 8): the question's everyday phrases that rag/lay_terms.py translated (a plain-language
# question scores lower cosines and BM25 than the same question in the literature's terms). Its weight alone is
# fitted with the others fixed (`python evals/calibrate_relevance.py`). On the first fitting sets (no lay-worded
# out-of-scope question among them) it came out at 2.0 and cut lay_report's false refusals 0.233 -> 0.033, but
# it also accepted half of the lay-worded out-of-scope questions of scope_lay_report.jsonl (0.75 -> 0.50 refused).
# With scope_lay_fit.jsonl (20 such questions) among the fitting sets the best weight is 0: plain wording is as
# common off the corpus as on it, so it is kept at 0 and only the script reports it.
WEIGHTS = {"dense": 14.0, "sentence": 0.0, "bm25_per_token": 4.7, "entity": 3.2, "known_share": 6.1,
           "unknown_rarity": 0.0, "lay_phrases": 0.0}
INTERCEPT = -16.0


def relevance_features(c: Candidates, row: int) -> tuple[float, ...]:
    """What the curve reads for one candidate (evals/calibrate_relevance.py fits on exactly these)."""
    return (float(c.dense[row]), float(c.sentence[row]), min(float(c.lexical_per_token[row]), 3.0),
            float(c.entity[row]), c.known_share, c.unknown_rarity, float(min(c.lay_phrases, MAX_LAY_PHRASES)))


def relevance(features: tuple[float, ...], weights: dict[str, float] | None = None,
              intercept: float | None = None) -> float:
    """Calibrated probability-like score from absolute evidence (not from ranks, which always have a top 1).

    A logistic curve over the passage and best-sentence cosines, BM25 per query token, the named-entity field
    share, the share of the question's technical words the corpus knows, how rare in English the rarest
    unknown one is (near-domain questions about drugs or genes the corpus never mentions fail there), and how many
    everyday phrases the lay vocabulary translated.
    """
    weights = WEIGHTS if weights is None else weights
    z = (INTERCEPT if intercept is None else intercept) + sum(weights[n] * v for n, v in zip(FEATURES, features))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
