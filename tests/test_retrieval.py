"""Hybrid retrieval on the real pack index: synonyms, filters, exact-name ranking, calibrated relevance."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from rag import lay_terms
from rag.assistant import Assistant
from rag.filters import FilterError, Filters
from rag.lexical import fold_derivation, other_spellings, tokenize
from rag.normalize import canonical_entities
from rag.retrieval import RELEVANCE_THRESHOLD
from rag.retriever import HybridRetriever
from rag.settings import Settings
from rag.vocabulary import Vocabulary
from tests.conftest import BIN, rag_env


@pytest.fixture(scope="module")
def assistant(pack_settings: Settings) -> Assistant:
    return Assistant(pack_settings)


@pytest.mark.parametrize(
    "variants",
    [
        ["miR-21", "miR21", "microRNA-21", "hsa-miR-21-5p", "MIR 21"],
        ["P-gp", "P-glycoprotein", "MDR1", "ABCB1", "Pgp"],
        ["CAF", "CAFs", "cancer-associated fibroblasts", "cancer associated fibroblast"],
        ["TGF-β", "TGF-beta", "tgf beta"],
        ["5-FU", "5-fluorouracil", "fluorouracil"],
    ],
)
def test_synonym_variants_normalise_to_one_entity(variants: list[str]) -> None:
    entities = {tuple(canonical_entities(v)) for v in variants}
    assert len(entities) == 1 and entities != {()}
    token_sets = {frozenset(tokenize(v)) & set(next(iter(entities))) for v in variants}
    assert len(token_sets) == 1


@pytest.mark.parametrize(
    ("query_a", "query_b", "expected"),
    [
        ("ABCB1 transfer by microparticles", "P-glycoprotein transfer by microparticles", "bebawy-2009-microparticles-pgp"),
        ("microRNA-21 from adipocytes and paclitaxel", "miR21 from adipocytes and paclitaxel", "au-yeung-2016-mir21"),
    ],
)
def test_synonyms_match_both_ways(assistant: Assistant, query_a: str, query_b: str, expected: str) -> None:
    for query in (query_a, query_b):
        ids = [h.source.id for h in assistant.search(query, k=3, method="bm25")]
        assert expected in ids, (query, ids)


def test_exact_name_match_ranks_first(assistant: Assistant) -> None:
    for query, expected in [
        ("What does ciRS-122 do?", "wang-2020-cirs122"),
        ("exosomal ABCA3 and indomethacin", "koch-2016-indomethacin-abca3"),
        ("miR-365 gemcitabine", "binenbaum-2018-mir365"),
    ]:
        hits = assistant.search(query, k=5)
        assert hits[0].source.id == expected, (query, [h.source.id for h in hits])


def test_results_are_one_per_source(assistant: Assistant) -> None:
    hits = assistant.search("exosomes and drug resistance", k=10)
    ids = [h.source.id for h in hits]
    assert len(ids) == len(set(ids)) == 10


def test_off_topic_scores_below_threshold_and_on_topic_above(assistant: Assistant) -> None:
    for query in ["What is the capital of Australia?", "Who won the football World Cup in 2018?",
                  "How do I bake sourdough bread?", "How do I fine-tune a large language model on my own data?"]:
        assert assistant.search(query, k=1)[0].score < RELEVANCE_THRESHOLD, query
    for query in ["How do fibroblast exosomes make cancer resist chemotherapy?", "exosomal miR-21 paclitaxel",
                  "Can blocking exosome release restore drug sensitivity?"]:
        hits = assistant.search(query, k=1)
        assert hits[0].score > RELEVANCE_THRESHOLD, query
        assert 0.0 <= hits[0].score <= 1.0


def test_near_domain_questions_the_corpus_cannot_answer_score_below_threshold(assistant: Assistant) -> None:
    # cancer-biology questions about drugs and genes the corpus never mentions (none of them is in the calibration
    # probes of evals/questions/scope_probes.jsonl)
    for query in ["How does ibrutinib block BTK signalling in chronic lymphocytic leukaemia?",
                  "What does the KRAS G12C inhibitor sotorasib bind?",
                  "Which HLA alleles predict response to checkpoint inhibitors?"]:
        assert assistant.search(query, k=1)[0].score < RELEVANCE_THRESHOLD, query
    # paraphrases with no name from the corpus stay answerable
    for query in ["Do cancer cells throw drugs out inside vesicles?", "Which cells hand P-glycoprotein to drug-sensitive cells?"]:
        assert assistant.search(query, k=1)[0].score > RELEVANCE_THRESHOLD, query


def test_vocabulary_counts_technical_words_the_corpus_lacks(assistant: Assistant) -> None:
    vocabulary = Vocabulary(assistant.index().lexical.vocabulary)
    assert vocabulary.known_share("Which kinase does vemurafenib inhibit in melanoma?") < 1.0
    assert vocabulary.known_share("Who first named exosomes released by maturing reticulocytes?") == 1.0  # stems meet
    assert vocabulary.known_share("How many copies does a typical exosome carry?") == 1.0  # plain English words
    # a symbol ending in "s" is indexed after the light plural folding ("KRAS" as "kra"): the corpus knows it
    assert vocabulary.unknown_words("What does KRAS do in pancreatic cancer?") == []
    assert vocabulary.unknown_words("Is Rab27a mutated in Griscelli syndrome?") == ["griscelli"]


def test_a_noun_and_its_adjective_are_one_search_term() -> None:
    assert fold_derivation("hypoxia") == fold_derivation("hypoxic") == "hypoxic"
    assert fold_derivation("apoptosis") == "apoptotic" and fold_derivation("metastasis") == "metastatic"
    assert fold_derivation("leukaemia") == "leukaemic"
    assert [fold_derivation(w) for w in ("via", "media", "mir21", "exosome")] == ["via", "media", "mir21", "exosome"]
    assert "hypoxic" in tokenize("How does hypoxia change macrophages?")


def test_a_question_in_the_noun_finds_the_study_written_with_the_adjective(assistant: Assistant) -> None:
    # session 12: the study says "hypoxic macrophages", never "hypoxia"; BM25 gave it nothing and it ranked 27th
    question = "How does hypoxia affect exosome-mediated drug resistance?"
    assert "zhu-2019-mir223" in [h.source.id for h in assistant.searcher().search(question, k=5)]
    answer = assistant.ask(question)
    assert "zhu-2019-mir223" in {c.source_id for c in answer.citations}, answer.answer
    # the vocabulary the relevance curve reads knows the noun through the adjective too (ferroptosis/ferroptotic)
    assert Vocabulary(assistant.index().lexical.vocabulary).knows("ferroptosis")


def test_a_gene_family_name_finds_the_papers_on_its_members(assistant: Assistant) -> None:
    lexical = assistant.index().lexical
    assert set(lexical.query_terms(["rab27"])) == {"rab27", "rab27a", "rab27b"}
    assert lexical.query_terms(["mir95", "exosome"]) == ["mir95", "exosome"]  # "mir95p" is miR-9-5p, an arm
    # a British spelling the index lacks is read as the American one it holds; one it holds stays
    assert lexical.query_terms(tokenize("leukaemia")) == tokenize("leukemia")
    assert lexical.query_terms(["tumour"]) == ["tumour"] and other_spellings("four") == []
    hits = assistant.searcher().search("What is the role of Rab27 in drug resistance?", k=5)
    assert hits[0].source.id == "ostrowski-2010-rab27-exosome-secretion" and hits[0].score >= RELEVANCE_THRESHOLD


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(category="ncrna-lncrna"), lambda s: s.category == "ncrna-lncrna"),
        (Filters(cancer_type="gastric"), lambda s: any("gastric" in v for v in s.facets.get("cancer_types", []))),
        (Filters(drug="cisplatin"), lambda s: any("cisplatin" in v.lower() for v in s.facets.get("drugs", []))),
        (Filters(drug="adriamycin"), lambda s: any("doxorubicin" in v.lower() or "adriamycin" in v.lower() for v in s.facets.get("drugs", []))),
        (Filters(cargo="P-gp"), lambda s: any(k in v.lower() for v in s.facets.get("cargo", []) for k in ("p-gp", "p-glycoprotein", "abcb1", "mdr-1"))),
        (Filters(exosome_source="fibroblast"), lambda s: "fibroblast" in " ".join(s.facets.get("exosome_source", [])).lower()),
        (Filters(year_min=2018, year_max=2019), lambda s: s.year is not None and 2018 <= s.year <= 2019),
        (Filters(retracted="exclude"), lambda s: not s.retracted),
        (Filters(retracted="only"), lambda s: s.retracted),
    ],
)
def test_each_filter_narrows_both_sides(assistant: Assistant, filters: Filters, check) -> None:
    index = assistant.index()
    allowed = {s.id for s in index.sources.values() if check(s)}
    assert 0 < len(allowed) < len(index.sources)
    for method in ("dense", "bm25", "hybrid"):
        hits = assistant.search("exosomes transfer resistance to cancer cells", k=50, filters=filters, method=method)
        got = {h.source.id for h in hits}
        assert got and got <= allowed, (method, got - allowed)
    # the Chroma side on its own: the where clause returns exactly the allowed sources
    rows = index.collection.get(where=filters.where())
    assert {m["source_id"] for m in rows["metadatas"]} == allowed


def test_filter_parsing() -> None:
    f = Filters.parse(["drug=cisplatin", "year=2015-2019", "retracted=exclude"])
    assert (f.drug, f.year_min, f.year_max, f.retracted) == ("cisplatin", 2015, 2019, "exclude")
    with pytest.raises(FilterError):
        Filters.parse(["colour=blue"])
    with pytest.raises(FilterError):
        Filters.parse(["year=abc"])


def test_langchain_retriever_interface(assistant: Assistant) -> None:
    retriever = HybridRetriever(search_engine=assistant.searcher(), k=3)
    docs = retriever.invoke("macrophage exosomes gemcitabine pancreatic cancer")
    assert len(docs) == 3 and docs[0].metadata["source_id"] == "binenbaum-2018-mir365"
    assert docs[0].page_content and "score" in docs[0].metadata


def test_cli_search_json_with_filter(pack_settings: Settings) -> None:
    result = subprocess.run(
        [str(BIN / "rag"), "search", "exosomes and resistance", "--k", "4", "--filter", "category=drug-efflux", "--json"],
        env=rag_env(pack_settings), capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["results"]) == 4
    assert all(r["source_id"] and r["passage"] and 0 <= r["score"] <= 1 for r in data["results"])
    bad = subprocess.run([str(BIN / "rag"), "search", "x", "--filter", "nope"], env=rag_env(pack_settings),
                         capture_output=True, text=True, timeout=180)
    assert bad.returncode != 0 and "bad filter" in bad.stderr


def test_subject_review_leads_when_asked_about_and_yields_a_close_first_place_otherwise(assistant: Assistant) -> None:
    for asked in (
        "Which routes of exosome-mediated chemoresistance does the review describe?",
        "Which routes of exosome-mediated chemoresistance does the Oncologie article describe?",
    ):
        assert assistant.search(asked, k=3)[0].source.id == "zhang-2022-review", asked
    # not asked about, and another source scores within the margin: that source leads, the review follows
    hits = assistant.searcher().search("How do exosomes cause chemotherapy resistance?", k=5, diversify=False)
    assert [h.source.id for h in hits].index("zhang-2022-review") == 1
    assert hits[1].fused - hits[0].fused <= assistant.searcher().weights.subject_review_margin
    # a clear lead keeps first place even when the question does not name the review
    assert assistant.search("Which four routes of exosome-mediated chemoresistance are there?", k=3)[0].source.id == (
        "zhang-2022-review"
    )


def test_title_similarity_is_a_ranking_component(assistant: Assistant) -> None:
    query = "drug-sequestering vesicles rich in an ABC transporter"
    hit = assistant.search(query, k=1)[0]
    query_vector = assistant.searcher().query_vector(query)
    expected = float(np.dot(query_vector, assistant.embeddings.encode([hit.source.title])[0]))
    assert hit.title == pytest.approx(expected, abs=1e-4)
    assert hit.to_dict()["components"]["title"] == pytest.approx(expected, abs=1e-3)


def test_one_long_document_does_not_crowd_out_the_other_sources(tmp_path) -> None:
    """A user's long document on one topic fills both candidate pools (40 dense, 40 BM25); the search widens its
    candidates so k distinct sources still come back, with the long document's best passage among them."""
    from rag.ingest import ingest
    from tests.conftest import make_settings, pack_records, write_records

    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(12))
    paragraphs = [f"Section {i}. Exosomal miR-21 from fibroblasts lowers APAF1 and makes ovarian cancer cells resist "
                  f"paclitaxel; experiment {i} repeated this in line {i} with exosome uptake and paclitaxel doses."
                  for i in range(150)]
    (tmp_path / "corpus" / "notes.md").write_text("# Lab notes on miR-21\n\n" + "\n\n".join(paragraphs))
    settings = make_settings(tmp_path, chunk_max_chars=300)
    assert ingest(settings, progress=False, log=lambda _m: None).chunks > 100
    search = Assistant(settings).searcher()
    for method in ("hybrid", "bm25", "dense"):
        hits = search.search("exosomal miR-21 APAF1 paclitaxel ovarian cancer", k=5, method=method)  # type: ignore[arg-type]
        sources = [h.source.id for h in hits]
        assert len(hits) == 5 and len(set(sources)) == 5, (method, sources)
        assert any(s.startswith("file-notes") for s in sources)


def test_everyday_phrases_are_searched_in_the_literatures_terms() -> None:
    reading = lay_terms.read("Can a looped RNA in tiny bubbles help stomach tumours shrug off a platinum drug?")
    assert {"circRNA circular RNA", "exosomes extracellular vesicles", "gastric cancer"} <= set(reading.terms)
    assert {"looped", "bubbles", "stomach"} <= reading.covered
    assert lay_terms.read("Which microRNA targets PTEN?").terms == ()  # technical wording is left alone


@pytest.mark.parametrize(("plural", "term"), [("energy factories", "mitochondrial DNA"),
                                              ("little bubbles", "exosomes extracellular vesicles"),
                                              ("antifungal drugs", "ketoconazole antifungal")])
def test_a_lay_phrase_is_found_in_its_english_plural(plural: str, term: str) -> None:
    # "energy factory" -> "energy factories": a y-ending phrase was missed in the plural until session 8
    assert lay_terms.read(f"Do the {plural} of tumour cells matter under chemo?").terms[0] == term


@pytest.mark.parametrize(
    ("question", "study"),
    [
        # written for this test, in words none of the study's record uses for these things
        ("Do the connective-tissue helper cells of a pancreas tumour put out more little sacs when given chemo?",
         "richards-2017-caf-exosomes"),
        ("Which circle-shaped RNA lets bowel cancer cells burn sugar and dodge a platinum chemo?", "wang-2020-cirs122"),
        pytest.param("Do the white blood cells that eat debris in stomach tumours protect it from a platinum chemo?",
                     "zheng-2017-mir21", marks=pytest.mark.xfail(strict=True, reason=(
                         "known gap: the platinum-resistance study outranks it and the gate refuses (README, "
                         "'Refusals': about a quarter of unseen lay questions are still refused)"))),
    ],
)
def test_a_plain_language_question_finds_its_study_and_is_answered(assistant: Assistant, question: str,
                                                                   study: str) -> None:
    hits = assistant.search(question, k=3)
    assert study in [h.source.id for h in hits]
    assert hits[0].score > RELEVANCE_THRESHOLD, (question, hits[0].score)


def test_unknown_drug_names_weigh_more_than_unknown_everyday_words(assistant: Assistant) -> None:
    vocabulary = Vocabulary(assistant.index().lexical.vocabulary)
    drug = vocabulary.unknown_rarity("Does osimertinib resistance spread through exosomes?")
    everyday = vocabulary.unknown_rarity("Do helper cells help tumours regrow after chemo?")
    assert drug > everyday and vocabulary.unknown_rarity("Which microRNA targets PTEN?") == 0.0
