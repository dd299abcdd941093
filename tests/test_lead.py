"""Which sentence opens an answer: the lead model's distinctive coverage (the question's words that tell the
candidate sentences apart), the specific names it counts, and fresh questions the refit (session 10) now leads
with the answering sentence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.assistant import Assistant
from rag.answer_types import facet_names
from rag.citations import claims
from rag.documents import Source
from rag.normalize import specific_terms
from rag.generation.lead import QuestionTerms, distinctive_coverage, local_idf, sentence_stems
from rag.settings import Settings


@pytest.fixture(scope="module")
def assistant(pack_settings: Settings) -> Assistant:
    return Assistant(pack_settings)


def test_the_sentence_sharing_the_question_s_rare_words_covers_more_of_it() -> None:
    question = QuestionTerms.of("Which RNA-binding protein sorts miR-103a-3p into fibroblast exosomes?")
    sentences = ["The RNA-binding protein Pum2 bound miR-103a-3p and helped sort it into CAF exosomes.",
                 "In the tumour cells miR-103a-3p directly targeted the pro-apoptotic gene Bak1.",
                 "The exosomal miR-103a-3p made NSCLC cells more resistant to cisplatin."]
    stems = [sentence_stems(s) for s in sentences]
    idf = local_idf(question, stems)
    # every sentence names the miRNA, so it weighs least; "sort" and "binding" are in one sentence only
    assert idf[next(s for s in question.stems if s.startswith("mir"))] < idf["sort"]
    scores = [distinctive_coverage(idf, s) for s in stems]
    assert scores[0] > scores[1] and scores[0] > scores[2], scores


@given(st.lists(st.sampled_from(["sort", "bind", "protein", "exosom", "mir103a3p", "caf", "tumour"]), max_size=7),
       st.lists(st.sampled_from(["sort", "bind", "protein", "exosom", "mir103a3p", "caf", "tumour"]), max_size=7))
def test_distinctive_coverage_is_a_share_that_grows_with_the_words_held(smaller: list[str], extra: list[str]) -> None:
    question = QuestionTerms.of("Which RNA-binding protein sorts miR-103a-3p into CAF exosomes in tumours?")
    candidates = [frozenset(smaller), frozenset(smaller + extra), frozenset({"tumour"})]
    idf = local_idf(question, candidates)
    low, high = distinctive_coverage(idf, candidates[0]), distinctive_coverage(idf, candidates[1])
    assert 0.0 <= low <= high <= 1.0


def test_a_name_with_a_capital_inside_is_a_specific_term() -> None:
    # before session 10 only all-capital symbols counted, so a circRNA study's record listed no name at all
    assert "circnfix" in specific_terms("The exosomal circular RNA CircNFIX was higher in serum.")
    assert {"trpc5", "mtor"} <= specific_terms("TrpC5 vesicles moved, and miR-100-5p regulated mTOR.")
    assert "survivin" not in specific_terms("Survivin rose.")  # a capitalised word is not a symbol
    # a Greek letter ends a symbol (session 21): "ERα" was no term, so a record listing it named nothing
    assert {"eralpha", "pdgfbeta"} <= specific_terms("It lowered ERα and the PDGFβ receptor.")


def test_a_record_names_a_protein_it_writes_as_a_proper_name() -> None:
    # "Snail" is an English word; written with a capital in a record's targets it is the transcription factor
    facets = {"targets": ["Snail", "autophagy", "Wnt/β-catenin pathway"], "cargo": ["proteins", "miR-21"]}
    source = Source(id="s", title="t", sections=[], facets=facets)
    assert facet_names(source, "targets") == {"snail"}
    assert facet_names(source, "cargo") == {"mir21"}
    assert facet_names(source, "targets", proper=False) == set()  # the reading the gate's grounding was fitted on


@pytest.mark.parametrize(("question", "expected"), [
    # written for this test (session 10), on facts in a study's later sentences; before the refit the first
    # opened with the study's human data and the second was answered from another study (Valadi's mast cells)
    ("Which cytokine acts in an autocrine loop when tumour exosome Hsp72 switches on suppressor cells?", "IL-6"),
    ("What proportion of plasma microRNA was recovered in the exosome fraction?", "small share"),
])
def test_the_sentence_holding_the_asked_fact_opens(assistant: Assistant, question: str, expected: str) -> None:
    answer = assistant.ask(question)
    assert expected in claims(answer.answer)[0][0], answer.answer
