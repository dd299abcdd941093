"""The pieces of hybrid ranking, one home each: `signals` (candidates and their evidence), `fusion` (the weighted
formula and the subject-review rule), `calibration` (the relevance probability behind "the corpus does not say"),
`diversify` (one passage per source, MMR). `rag.retrieval.HybridSearch` puts them together; the tuning and
calibration scripts in evals/ call the same functions."""
