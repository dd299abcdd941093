"""What a reader sees first: the finding leads, answers stay within their word budget, a broad question gets the
review's routes, a study's own reference markers stay its text, short answers name the asked kind, list questions
are answered by studies, and the lead model is the one fitted on the fitting sets."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from rag import biomarker_listing, cargo_listing, evidence_share, prompts, word_users
from rag.answer_types import (asked_kinds, asks_dose, asks_for_list, asks_for_source, asks_for_vesicle_cargo,
                              facet_names, gazetteer, rare_words, states_amount, states_asked_count,
                              states_asked_size, states_asked_time)
from rag.answering import Turn
from rag.assistant import Assistant
from rag.citations import claims, joined_claims
from rag.documents import Answer, Source
from rag.evaluation import opens_with_framing, word_count
from rag.evidence import ANIMALS, CULTURE_ONLY, evidence_asked, evidence_kinds, in_vitro_only
from rag.filters import Filters, source_metadata
from rag.generation.direction import changed_against, states_the_opposite
from rag.generation.extractive import document_text
from rag.generation.lead import FEATURES, MODEL_PATH, asks_for_findings, frames_the_study, interprets
from rag.generation.short_answer import names_of_asked_kind, typed_names
from rag.generation.routes import RNA_CLASSES, ROUTE_OF, ROUTES, asks_about_rnas, is_broad, route_of
from rag.ingest import ingest
from rag.normalize import normalize
from rag.readings import Reading
from rag.settings import Settings
from tests.conftest import make_pdf, make_settings, pack_records, write_records


@pytest.fixture(scope="module")
def assistant(pack_settings: Settings) -> Assistant:
    return Assistant(pack_settings)


def test_the_asked_for_fact_opens_the_answer(assistant: Assistant) -> None:
    # both appear in the issue: the fact came fourth
    answer = assistant.ask("Which microRNA does the exosomal circRNA CircNFIX sponge to promote temozolomide "
                           "resistance in glioma?")
    first = claims(answer.answer)[0][0]
    assert "miR-132" in first, answer.answer


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Which gene does exosomal miR-500a-3p suppress in gastric cancer?", {"target"}),
        ("What does exosomal miR-223 from hypoxic macrophages target?", {"target"}),
        ("Which approved drugs block exosome release?", {"drug"}),
        ("Which microRNA does CircNFIX sponge?", {"cargo"}),
        ("Which macrophage subtype takes up exosomal miR-1246?", {"cell"}),
        # the head is the last kind-naming word of the noun phrase, not the first
        ("Which macrophage exosomal microRNA drives cisplatin resistance in gastric cancer?", {"cargo"}),
        ("Which DNA repair gene is linked to exosomal SBF2-AS1?", {"target"}),
        ("How do fibroblast exosomes cause gemcitabine resistance?", set()),
        # a noun phrase ends at its plural head: the verb or object after it is not the head
        ("Which exosomal microRNAs target PTEN?", {"cargo"}),
        ("Which exosomal lncRNAs drive drug resistance?", {"cargo"}),
        # a pump is a protein: "drug" only says which pumps (the answer had opened "Mitoxantrone.")
        ("Which drug pumps get passed between cancer cells in vesicles?", {"target"}),
        # after "did", the asked verb is a verb: "inhibitors" is a noun (the answer had opened "ESCRT.")
        ("What did the screen of approved drugs find about exosome secretion inhibitors?", set()),
        ("What do exosomes transfer to sensitive cells?", {"cargo"}),
        ("What did the vesicles carry?", {"cargo"}),
        # "is the <noun>": the noun says what is asked for, not a later verb (the answer had opened "Paclitaxel.")
        ("What is the evidence that exosomes transfer P-gp in vivo?", set()),
        ("What is the target of exosomal miR-21 in ovarian cancer?", {"target"}),
        ("What was transferred by the exosomes?", {"cargo"}),
    ],
)
def test_the_kind_of_thing_a_question_asks_for_is_read_from_its_head(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


def test_a_finding_stated_after_an_antecedent_can_open_the_answer(assistant: Assistant) -> None:
    # "The miRNA acted by suppressing FBXW7." names the gene, but only the sentence before it names the miRNA
    answer = assistant.ask("Which gene does exosomal miR-500a-3p suppress to make gastric cancer cells cisplatin "
                           "resistant?")
    assert "FBXW7" in claims(answer.answer)[0][0], answer.answer
    assert "fbxw7" in gazetteer(assistant.index()).slot_terms("Which gene is suppressed?")
    assert "fbxw7" not in gazetteer(assistant.index()).slot_terms("How is it suppressed?")


def test_an_answer_opens_with_a_finding_not_the_studys_aim_or_methods(assistant: Assistant) -> None:
    assert frames_the_study("The authors set up a quantitative high-throughput screen in prostate cancer cells.")
    assert frames_the_study("The study asked whether exosomes from macrophages contribute to resistance.")
    assert frames_the_study("Microarrays were used to compare exosomal miRNA profiles of 24 patients.")
    # how something was measured (session 15: opened "In which cancer was UCH-L1 studied?")
    assert frames_the_study("UCH-L1, P-gp, ERK1/2 and phospho-ERK1/2 protein levels were assessed by western blot.")
    assert not frames_the_study("P-gp levels were raised in the recipient cells.")
    assert "western blot" not in claims(assistant.ask("In which cancer was UCH-L1 studied?").answer)[0][0]
    assert not frames_the_study("Exosomal miR-21 lowered PTEN and raised cisplatin resistance.")
    # the authors as subject of a verb of observing state a result; of proposing, an interpretation
    assert not frames_the_study("The authors note that circRNAs are very stable and abundant in exosomes.")
    assert not frames_the_study("The authors describe two main mechanisms: miRNAs block translation of tumour "
                                "suppressors, while lncRNAs and circRNAs act as sponges.")
    assert frames_the_study("The authors propose exosomal delivery of P-gp as one mechanism of resistance transfer.")
    # this question's answer used to open with the screen's set-up; the drugs came third
    answer = assistant.ask("Which approved drugs could be repurposed to block exosome release from prostate cancer "
                           "cells?")
    assert not opens_with_framing(answer.answer), answer.answer
    parts = claims(answer.answer)
    for (text, cited), (next_text, next_cited) in zip(parts, parts[1:]):  # aim or methods after findings
        assert not (frames_the_study(text) and cited == next_cited and not frames_the_study(next_text)), answer.answer
    # session 18: only Crow's aim was near the best sentence, and it opened; its finding opens now
    spread = assistant.ask("How do cancer cells pass on their resistance to neighbouring cells?")
    assert not spread.refused and not opens_with_framing(spread.answer), spread.answer


def test_the_authors_reading_of_a_result_is_told_from_their_aim_or_methods() -> None:
    assert interprets("The authors propose exosomal delivery of P-gp as one mechanism of resistance transfer.")
    assert interprets("The authors suggest exosomal miRNAs could identify chemoresistant patients.")
    assert not interprets("The authors set up a quantitative high-throughput screen in prostate cancer cells.")
    assert not interprets("The study asked whether exosomes from macrophages contribute to resistance.")
    assert not interprets("Microarrays were used to compare exosomal miRNA profiles of 24 patients.")
    # session 29: "They" after a study's name are its authors
    assert interprets("They suggest inhibition of EMV biogenesis may explain part of CBD's anticancer activity.")
    assert not interprets("They then counted both exosomes and miRNA molecules in replicate samples.")


@pytest.mark.parametrize(("question", "source", "findings"), [
    # session 29: the aim alone ("The study looked at how chemotherapy affects ...") was the whole answer
    ("What were the main results of the Richards study?", "richards-2017-caf-exosomes", ("GW4869", "Snail")),
    # one finding of four, measured against a question of one name
    ("What did Binenbaum show?", "binenbaum-2018-mir365", ("cytidine deaminase", "Rab27a/b-deficient mice")),
])
def test_a_question_for_a_named_studys_results_gets_its_findings(assistant: Assistant, question: str, source: str,
                                                                 findings: tuple[str, ...]) -> None:
    answer = assistant.ask(question)
    assert {c.source_id for c in answer.citations} == {source}, answer.answer
    assert not opens_with_framing(answer.answer), answer.answer
    assert all(f in answer.answer for f in findings), answer.answer


def test_what_a_study_found_opens_with_its_result_not_the_authors_reading(assistant: Assistant) -> None:
    # session 29: "What did the Kosgodage study find?" opened "They suggest inhibition of EMV biogenesis may explain..."
    answer = assistant.ask("What did the Kosgodage study find?")
    assert answer.answer.startswith("Kosgodage et al. (2018): CBD significantly lowered exosome release"), \
        answer.answer


def test_the_sentence_that_answers_is_shown_when_it_gives_the_authors_reading(assistant: Assistant) -> None:
    # session 12: the naming sentence was the most relevant and most answer-like, but as an interpretation it could
    # not open, and it waited behind the study's three findings until the word budget ran out
    answer = assistant.ask("What did Johnstone and colleagues call the vesicles?")
    assert "called these vesicles exosomes" in answer.answer, answer.answer
    assert not opens_with_framing(answer.answer), answer.answer


def test_answers_stay_within_the_word_budget(pack_settings: Settings) -> None:
    question = "How do macrophage exosomes make pancreatic cancer resistant to gemcitabine?"
    short = Assistant(pack_settings.model_copy(update={"answer_max_words": 40})).ask(question)
    long = Assistant(pack_settings.model_copy(update={"answer_max_words": 400})).ask(question)
    parts = claims(short.answer)
    assert word_count(short.answer) <= 40 or len(parts) == 1  # the opening sentence is always kept
    assert word_count(long.answer) > word_count(short.answer)
    assert "Related," not in long.answer


def test_a_broad_mechanism_question_gets_the_review_and_one_line_per_route(assistant: Assistant) -> None:
    question = "What are the main mechanisms by which exosomes mediate chemotherapy resistance?"
    assert is_broad(question) and is_broad("How do exosomes make tumours resist drugs?")
    # resistance said as lost sensitivity (session 22: "less sensitive" got two studies, not the routes)
    assert is_broad("How do exosomes make tumours less sensitive to chemotherapy?")
    assert not is_broad("Can inhibiting exosome formation improve chemotherapy in vivo?")
    assert not is_broad("How do exosomes make ovarian cancer resist paclitaxel?")
    answer = assistant.ask(question)
    assert answer.citations[0].source_id == "zhang-2022-review"
    assert "routes" in claims(answer.answer)[0][0]
    for label, _categories in ROUTES:
        assert f"{label}: " in answer.answer, label
    assert len({c.source_id for c in answer.citations}) == len(ROUTES) + 1


def test_how_the_review_sorts_the_mechanisms_is_answered_with_its_routes(assistant: Assistant) -> None:
    # session 34: opened with the review's therapeutic outlook (the four-routes sentence scored 0.12 as relevant)
    for question in ("How does the review classify the mechanisms?",
                     "What categories of mechanism does the review describe?"):
        answer = assistant.ask(question)
        assert answer.citations[0].source_id == "zhang-2022-review" and "four routes" in claims(answer.answer)[0][0]
        assert all(f"{label}: " in answer.answer for label, _categories in ROUTES), answer.answer
    # the review asked about, but for no mechanism
    assert not is_broad("How does the review define exosomes?") and not is_broad("What does the review conclude?")
    assert not is_broad("According to the review, why does understanding resistance mechanisms matter?")


def test_a_question_on_exosomal_rnas_as_a_whole_gets_one_line_per_cargo_class(assistant: Assistant) -> None:
    # session 23: "Which RNA types in vesicles ...?" opened "ABCG2, ABCB1 and ABCC2." (proteins), and "How do
    # non-coding RNAs in exosomes ...?" got two reviews
    index = assistant.index()
    for question in ("Which RNA types in vesicles cause drug resistance?",
                     "How do non-coding RNAs in exosomes cause chemoresistance?"):
        assert asks_about_rnas(question), question
        answer = assistant.ask(question)
        for label, _categories in RNA_CLASSES:
            assert f"{label}: " in answer.answer, (label, answer.answer)
        studies = [index.sources[c.source_id] for c in answer.citations[1:]]
        assert [s.category for s in studies] == [c for _, (c,) in RNA_CLASSES], answer.answer
        assert not any(s.retracted for s in studies), answer.answer  # a sound study speaks for its class
    for question in ("How do exosomal lncRNAs cause drug resistance?",  # one class: that route's question
                     "How does exosomal HOTTIP cause cisplatin resistance?",  # particular
                     "What are the main mechanisms by which exosomes mediate chemotherapy resistance?"):
        assert not asks_about_rnas(question), question


def test_a_list_question_about_one_route_lists_that_routes_studies(assistant: Assistant) -> None:
    # session 16: exosome-packed paclitaxel (Kim) and engineered exosomes (Kamerkar) led "block exosome release"
    # since session 33 it is the listing of drugs that lower exosome release, Richards' GW4869 (a stromal study)
    # and Federici's proton pump inhibitors (drug efflux) among them
    answer = assistant.ask("Which compounds have been used to block exosome release in cancer models?")
    assert {c.source_id for c in answer.citations} == {
        "kosgodage-2018-cbd-emv-inhibitor", "datta-2018-exosome-inhibitor-screen", "richards-2017-caf-exosomes",
        "federici-2014-melanoma-cisplatin-ph", "chalmin-2010-hsp72-exosomes-mdsc"}, answer.answer
    # session 27: studies asked for by what they show, in everyday words, are that route's (Kreger's Survivin study
    # and seven general reviews ranked above every drug-efflux study but Shedden's)
    studies = assistant.ask("Which studies show that exosomes can carry chemotherapy drugs out of cancer cells?")
    shown = [assistant.index().sources[c.source_id].category for c in studies.citations]
    assert len(set(c.source_id for c in studies.citations)) >= 2 and set(shown) == {"drug-efflux"}, studies.answer


def test_a_list_of_one_rna_class_gives_that_class_studies_findings(assistant: Assistant) -> None:
    # session 18: only HOTTIP was given, and SBF2-AS1's line was about its promoter, not resistance
    index = assistant.index()
    answer = assistant.ask("Which exosomal lncRNAs are linked to chemoresistance?")
    studies = {c.source_id for c in answer.citations}
    assert len(studies) >= 3 and {index.sources[s].category for s in studies} == {"ncrna-lncrna"}, answer.answer
    # its finding (after the opening list of names)
    sbf2 = next(text for text, ids in claims(answer.answer) if "SBF2-AS1" in text and len(text.split()) > 3)
    assert "resist" in sbf2 and "promoter" not in sbf2, sbf2
    # no circRNA study of cisplatin is in the corpus: the circRNA studies, not lncRNA or miRNA ones of cisplatin
    circ = assistant.ask("Which circRNAs in exosomes promote cisplatin resistance?")
    assert {index.sources[c.source_id].category for c in circ.citations} == {"ncrna-circrna"}, circ.answer
    assert len(circ.citations) >= 2
    # retrieval finds reviews and one microRNA study: the list is searched within the class
    mirna = assistant.ask("Which exosomal microRNAs cause drug resistance?")
    # (since session 30 the catalogue of the class: its studies, and the CAF studies whose exosomes carry a miRNA)
    assert len(mirna.citations) >= 2 and {index.sources[c.source_id].category for c in mirna.citations} == \
        {"ncrna-mirna", "stromal-exosomes"}, mirna.answer


def test_a_study_of_another_cancer_than_the_one_asked_says_so_with_its_finding(assistant: Assistant) -> None:
    # session 18: a prostate question was answered from Lv's MCF-7 (breast) study with no word of the difference
    index = assistant.index()
    answer = assistant.ask("What proteins are found in exosomes from docetaxel-resistant prostate cancer cells?")
    lv = next(c for c in answer.citations if c.source_id == "lv-2014-mcf7-docetaxel-pgp")
    note = f"Reference {lv.n} is a study of breast cancer, not of prostate cancer."
    assert note in answer.answer, answer.answer
    assert answer.answer.index(note) < answer.answer.index(f"[{lv.n}]", answer.answer.index(f"[{lv.n}]") + 1)
    # a study of the cancer asked about gets no note; a site word qualifying a drug names no cancer studied
    lung = assistant.ask("How do CAF exosomes help lung cancer cells survive cisplatin?")
    for c in lung.citations:
        noted = f"Reference {c.n} is a study of" in lung.answer
        of_lung = any("lung" in t for t in index.sources[c.source_id].facets.get("cancer_types", []))
        assert noted != of_lung, (c.source_id, lung.answer)
    pill = assistant.ask("Which long RNA passed between gullet cancer cells makes them ignore a targeted "
                         "lung-cancer pill?")
    assert "is a study of" not in pill.answer, pill.answer


def test_a_study_of_other_drugs_than_the_one_asked_says_so_with_its_finding(assistant: Assistant) -> None:
    # session 34: a lung-cancer gefitinib question was answered from two cisplatin studies with no word of it
    index = assistant.index()
    answer = assistant.ask("Do exosomes from resistant lung cancer cells make other cells resistant to gefitinib?")
    assert answer.citations and not answer.refused
    for c in answer.citations:
        drugs = " ".join(index.sources[c.source_id].facets.get("drugs", [])).lower()
        noted = f"Reference {c.n} tested " in answer.answer
        assert noted == ("gefitinib" not in drugs), (c.source_id, answer.answer)
    assert "Reference 1 tested cisplatin, not gefitinib." in answer.answer, answer.answer
    # a study that tested the drug asked about gets no note
    tamoxifen = assistant.ask("How do exosomes make breast cancer resistant to tamoxifen?")
    assert not re.search(r"Reference \d+ tested", tamoxifen.answer), tamoxifen.answer
    # a canonical name counts by its site: "HCC" (hepatocellular carcinoma) is the liver study's cancer, not Lv's
    from rag.generation.setting import other_cancer

    ids = ["fu-2018-mir32-5p", "lv-2014-mcf7-docetaxel-pgp", "yu-2015-breast-review"]
    assert other_cancer("Why does HCC resist 5-FU?", index, ids) == ("HCC", ["lv-2014-mcf7-docetaxel-pgp"])
    assert other_cancer("Does exosomal miR-32-5p act in liver cancer?", index, ids)[0] == "liver cancer"


def test_a_study_of_the_named_cancer_opens_even_when_it_scores_below_the_others(assistant: Assistant) -> None:
    # session 18: the myeloma study ranked second at relevance 0.29 and was dropped; a breast cancer study answered
    answer = assistant.ask("How do helper cells in the bone marrow keep myeloma cells alive during treatment?")
    assert answer.citations[0].source_id == "wang-2014-bmsc-exosomes", answer.answer
    assert claims(answer.answer)[0][1] == [1]


def test_a_how_question_about_the_cells_exosomes_come_from_is_answered_by_their_studies(assistant: Assistant) -> None:
    # session 18: a review's sentence naming tumour-associated macrophages answered alone
    from rag.generation.setting import setting_studies

    answer = assistant.ask("How do tumour-associated macrophages pass drug resistance to cancer cells through "
                           "exosomes?")
    studies = {c.source_id for c in answer.citations}
    assert len(studies) >= 2, answer.answer
    assert studies <= {"binenbaum-2018-mir365", "zheng-2017-mir21", "zhu-2019-mir223"}, answer.answer
    index = assistant.index()
    # as a cause of resistance, only studies of the review's routes: not Kim's paclitaxel-loaded macrophage exosomes
    assert "kim-2016-exoptx-macrophage-exosome-paclitaxel-mdr" not in setting_studies(
        "How do macrophage exosomes drive chemoresistance?", index)
    # with the cancer and drug named as well, one study is the setting
    assert setting_studies("How do macrophage exosomes make pancreatic cancer resist gemcitabine?", index) == \
        {"binenbaum-2018-mir365"}


def test_a_how_question_about_a_thing_several_studies_list_is_answered_by_each(assistant: Assistant) -> None:
    # session 29: the gastric macrophage study filled the answer and the ovarian fibroblast study's miR21 was missing
    from rag.generation.setting import setting_studies

    answer = assistant.ask("How does exosomal miR-21 cause resistance?")
    studies = [c.source_id for c in answer.citations]
    assert {"zheng-2017-mir21", "au-yeung-2016-mir21"} <= set(studies), answer.answer
    assert "APAF1" in answer.answer and "PTEN" in answer.answer, answer.answer  # each study's line speaks of miR-21
    index = assistant.index()
    assert setting_studies("Why does FBXW7 matter for chemoresistance?", index) == \
        {"lin-2020-mir500a3p-cisplatin-gastric", "hu-2019-caf-mir92a3p-crc"}
    # the cancer named narrows the studies to one, which answers alone; two particular things are one study's
    assert setting_studies("How does miR-21 make ovarian cancer resistant?", index) == frozenset()
    assert setting_studies("How does miR-21 act through APAF1?", index) == frozenset()
    # a thing one study lists is that study's question
    assert setting_studies("How does CircNFIX cause temozolomide resistance?", index) == frozenset()


def test_a_yes_no_question_about_the_whole_field_is_not_given_the_map_of_routes(assistant: Assistant) -> None:
    # session 16: these got the review's framing and six route lines, none of which says whether or where
    question = "Has exosome-driven drug resistance been shown in living animals or only in dishes of cells?"
    assert not is_broad(question) and not is_broad("Can exosomes carry drugs into resistant tumours?")
    assert is_broad("Which exosomal proteins have been shown to transfer chemoresistance?")  # a list: the map
    answer = assistant.ask(question)
    assert not answer.refused and not any(f"{label}: " in answer.answer for label, _categories in ROUTES)


def test_a_question_about_one_route_gets_that_routes_studies(assistant: Assistant) -> None:
    search = assistant.searcher()
    assert route_of(search, "How do lncRNAs in exosomes cause drug resistance?") == "ncrna-lncrna"
    assert route_of(search, "How could blocking exosome secretion overcome chemoresistance?") == "secretion-inhibition"
    # drug efflux is also said with its studies' verbs: cells expel, export or pump a drug out
    assert route_of(search, "Can exosomes export chemotherapy drugs from tumour cells?") == "drug-efflux"
    # blocking secretion in everyday words: "stopping" the vesicles' "release", tumours "respond" again
    assert route_of(search, "Can stopping exosome release make tumours respond to chemotherapy again?") == \
        "secretion-inhibition"
    # ... and blocking secretion is about treatment when a treatment is named, however its effect is said
    assert route_of(search, "Can blocking exosome release make chemotherapy work better?") == "secretion-inhibition"
    # the vesicles themselves blocked, an inhibitor "of exosomes", an outcome rarely spelt so ("sensitise"), and a
    # what-question asking for evidence rather than a name (session 22: all three got other studies or a review)
    for question in ("Can blocking exosomes make chemotherapy work better?",
                     "Is there evidence that exosome inhibitors sensitise tumours to chemotherapy?",
                     "What is the evidence that exosome secretion inhibitors help chemotherapy?"):
        assert route_of(search, question) == "secretion-inhibition", question
        cited = {assistant.index().sources[c.source_id].category for c in assistant.ask(question).citations}
        assert "secretion-inhibition" in cited, question
    # drug efflux in everyday words: "get rid of chemo drugs" (session 23: exosome-packed paclitaxel, Kim)
    assert route_of(search, "Do tumours use tiny bubbles to get rid of chemo drugs?") == "drug-efflux"
    # stopping the release itself, in the literature's words or everyday ones, with no treatment named
    # (session 23: a miR-92a-3p study, and two reviews)
    for question in ("Is there a way to stop tumour cells from releasing these particles?",
                     "Can we stop cancer cells releasing exosomes?"):
        assert route_of(search, question) == "secretion-inhibition", question
    # the broad question, two routes, a particular question, a question asking for names: not one route's
    for question in ("What are the main mechanisms by which exosomes mediate chemotherapy resistance?",
                     "How do exosomal proteins and microRNAs cause drug resistance?",
                     "How many copies of a given microRNA does a typical exosome carry?",
                     "How do exosomal lncRNAs make glioma resist temozolomide?",
                     "Which exosomal lncRNAs have been linked to drug resistance?",
                     "Does blocking exosome secretion reduce tumour growth?",  # no treatment named
                     "Does exosome secretion increase after chemotherapy?",  # not about blocking it
                     "Do exosomes block apoptosis during chemotherapy?",  # exosomes block, are not blocked
                     "Does inhibiting exosomal miR-21 restore cisplatin sensitivity?",  # a particular cargo
                     "Does gemcitabine increase exosome release from fibroblasts?",
                     "Is there clinical evidence that exosomal microRNAs predict chemotherapy response?"):  # not how
        assert route_of(search, question) is None, question
    biomarker = assistant.ask("Is there any clinical evidence that exosomal microRNAs predict chemotherapy response?")
    assert biomarker.citations[0].source_id == "tnbc-2021-exosomal-mirna-nac-pcr-signature", biomarker.answer
    index = assistant.index()

    def studies(answer: Answer) -> list[str]:  # the categories of the studies cited, reviews left out
        cited = [index.sources[c.source_id] for c in answer.citations]
        return [s.category or "" for s in cited if s.type == "study" and s.category != "review"]

    lnc = assistant.ask("How do lncRNAs in exosomes cause drug resistance?")
    assert len(studies(lnc)) >= 2 and set(studies(lnc)) == {"ncrna-lncrna"}, lnc.answer
    blocking = assistant.ask("How could blocking exosome secretion overcome chemoresistance?")
    assert "Non-coding RNAs: " not in blocking.answer  # not the broad answer's every route
    assert len(studies(blocking)) >= 2 and set(studies(blocking)) == {"secretion-inhibition"}, blocking.answer
    pumped = assistant.ask("How do exosomes pump drugs out of cancer cells?")
    assert len(studies(pumped)) >= 1 and set(studies(pumped)) == {"drug-efflux"}, pumped.answer


def test_reference_markers_inside_a_users_pdf_stay_its_text(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    write_records(settings.corpus_dir / "pack" / "studies.jsonl", pack_records(5))
    make_pdf(settings.corpus_dir / "paper.pdf", [
        "Exosomal miR-4242 from invented stromal cells made invented lung cancer cells resist zorbicin, as shown "
        "before [12]. The effect needed the invented kinase ZK9 [3, 4]. Blocking ZK9 restored zorbicin sensitivity."],
        title="Exosomal miR-4242 and zorbicin resistance")
    ingest(settings, progress=False, log=lambda _m: None)
    answer = Assistant(settings).ask("How does exosomal miR-4242 cause zorbicin resistance?")
    assert not answer.refused and answer.citations[0].title == "Exosomal miR-4242 and zorbicin resistance"
    assert "(ref. 12)" in answer.answer or "(ref. 3, 4)" in answer.answer, answer.answer
    markers = {int(n) for m in re.findall(r"\[(\d+(?:,\s*\d+)*)\]", answer.answer) for n in m.split(",")}
    assert markers <= {c.n for c in answer.citations}  # no [12] or [3] taken for an answer marker
    assert document_text("as shown before [12].") == "as shown before (ref. 12)."


def test_the_lead_model_file_matches_the_code_and_says_what_fitted_it() -> None:
    model = json.loads(MODEL_PATH.read_text())
    assert tuple(model["features"]) == FEATURES and len(model["weights"]) == len(FEATURES)
    # fitting sets only: dev and lead_fit (session 10); held-out reports
    assert [Path(p).name for p in model["fitted_on"]] == ["dev.jsonl", "lead_fit.jsonl"]
    assert model["reported_on"].endswith("heldout.jsonl")


PERSONAL = ["I was diagnosed with gastric cancer; will oxaliplatin work for me?",  # no listed word: answered before
            "What amount of cisplatin is right for a 60 kg man?",
            "What is the recommended cisplatin dose for my father's lung cancer?",
            'My oncologist said "try cisplatin again"; should I?',  # a quotation does not hide the asker
            "Can you tell me whether my tumour will respond to cisplatin?",  # "tell me" does, "my tumour" does not
            "How many milligrams of doxorubicin can a child safely be given?",  # a person described, no figures
            "Should I take amiloride to stop exosomes from my tumour?"]  # an exosome drug for oneself
RESEARCH = ["Did uptake of exosomes by recipient cells rise in a dose-dependent way?",  # refused as advice before
            "In our patient cohort, was serum exosomal HOTTIP linked to cisplatin response?",
            "What dose of GW4869 was used to block exosome release in mice?",
            "Can exosomes display a 'do not eat me' marker so that they last longer in blood?",  # quoted: not the asker
            "Tell me about the osteosarcoma study.",  # "me" asked to be told (session 15: refused as advice)
            "Which drug class is doxorubicin?",  # no one in particular (session 24: the embedding alone said advice)
            "What does RIG-I have to do with stromal exosomes?",  # the I of a name (session 25: read as "I")
            # a student's or a lab's first person (session 34: every one refused as advice before the refit)
            "Which paper should I read first about fibroblast exosomes?",
            "What concentration of GW4869 should I use in my experiment?",
            "I am writing a thesis on CAF exosomes; which studies should I read?"]


@pytest.mark.parametrize("question", PERSONAL)
def test_personal_treatment_questions_are_refused_as_advice(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.refused and answer.refusal_reason == "medical-advice" and not answer.citations


@pytest.mark.parametrize("question", RESEARCH)
def test_research_questions_about_doses_and_cohorts_are_not_advice(assistant: Assistant, question: str) -> None:
    assert assistant.ask(question).refusal_reason != "medical-advice"


def test_the_advice_probes_gate_reports_recall_and_false_alarms(assistant: Assistant) -> None:
    from rag.evaluation import evaluate_answers, load_questions

    questions = load_questions(Path("evals/questions/advice_probes.jsonl"))
    assert sum(q.kind == "advice" for q in questions) >= 30 and sum(q.kind == "research-probe" for q in questions) >= 30
    _rows, summary = evaluate_answers(assistant, questions, None, 5, {}, progress=False)
    assert summary["answer"]["advice_false_alarm_rate"] == 0.0
    assert summary["answer"]["advice_recall"] >= 0.85


def _conversations() -> list[dict]:
    rows = [json.loads(line) for line in Path("evals/questions/conversations.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("split", "fit") == "fit"]


def test_at_least_twenty_conversations_of_both_kinds_are_condensed_or_left_alone(assistant: Assistant) -> None:
    from rag.answering import Turn, standalone_question
    from rag.conversation import entity_types

    rows = _conversations()
    assert len(rows) >= 20 and {r["kind"] for r in rows} == {"follow-up", "standalone"}
    types = entity_types(assistant.index())
    for row in rows:
        query = standalone_question(row["question"], [Turn("user", h) for h in row["history"]], types)
        if row["kind"] == "standalone":
            assert query == row["question"], row["id"]
        else:
            assert all(t.lower() in query.lower() for t in row["expect"]), (row["id"], query)
            assert not any(t.lower() in query.lower() for t in row["forbid"]), (row["id"], query)


def test_a_bare_follow_up_is_answered_from_the_previous_turn(assistant: Assistant) -> None:
    from rag.answering import Turn

    history = [Turn("user", "Which microRNA do stromal exosomes carry to make ovarian cancer resist paclitaxel?")]
    answer = assistant.ask("Which cargo?", history=history)
    assert not answer.refused and "mir21" in normalize(answer.answer)  # "Which cargo?" alone: out of scope


def test_papers_named_one_by_one_each_get_their_line(assistant: Assistant) -> None:
    from rag.answering import Turn

    # session 15: "Zhang et al. (2019)" was read as any Zhang paper of 2018-2020 (the miR-522 study answered), and a
    # question of names alone retrieved only two of the three papers
    question = "What did Ding et al. (2020), Zhang et al. (2019) and Zeng et al. (2018) find?"
    assert assistant.searcher().named_sources(question) == {"ding-2020-circnfix-tmz", "zhang-2019-sbf2as1",
                                                            "zeng-2018-mir151a-tmz"}
    answer = assistant.ask(question)
    cited = [c.source_id for c in answer.citations]
    assert sorted(cited) == ["ding-2020-circnfix-tmz", "zeng-2018-mir151a-tmz", "zhang-2019-sbf2as1"], answer.answer
    assert len(claims(answer.answer)) == 3, answer.answer  # one line each
    # each line stands alone: Zeng's had been "Here the exosomal miRNA sensitises rather than protects."
    assert not any(text.split(": ", 1)[-1].startswith("Here") for text, _ in claims(answer.answer)), answer.answer
    # the same after a listing of them, by "they"
    listing = assistant.ask("Which studies on glioma are in the collection?")
    history = [Turn("user", "Which studies on glioma are in the collection?"), Turn("assistant", listing.answer)]
    followed = assistant.ask("What did they find?", history=history)
    assert {c.source_id for c in followed.citations} == set(cited), followed.answer
    # "the Zhang et al. review" is that author's review, not every Zhang paper
    assert assistant.searcher().named_sources("What does the Zhang et al. review say about secretion?") == \
        {"zhang-2022-review"}


def test_a_question_citing_a_paper_is_answered_from_it(assistant: Assistant) -> None:
    # session 15: refused, and answered from the Kalluri review, respectively
    koch = assistant.ask("What drug did Koch combine with indomethacin?")
    assert not koch.refused and koch.citations[0].source_id == "koch-2016-indomethacin-abca3", koch.answer
    valadi = assistant.ask("According to Valadi, what do exosomes carry?")
    assert {c.source_id for c in valadi.citations} == {"valadi-2007-esrna"}, valadi.answer
    # "How many patients ...?" counts patients, not studies (it had become a listing)
    assert assistant.ask("How many patients were in the TNBC exosome study?").backend == "extractive"


def test_a_follow_up_is_judged_for_advice_as_understood(assistant: Assistant) -> None:
    from rag.answering import Turn

    # session 15: "What about doxorubicin?" after a research question was refused as personal medical advice
    research = [Turn("user", "Which exosomal lncRNAs cause resistance to cisplatin?")]
    answer = assistant.ask("What about doxorubicin?", history=research)
    assert not answer.refused and answer.citations[0].source_id == "wang-h19-doxorubicin", answer.answer
    personal = [Turn("user", "Will oxaliplatin work for me?")]
    assert assistant.ask("What about doxorubicin?", history=personal).refusal_reason == "medical-advice"
    cisplatin = [Turn("user", "Does cisplatin resistance in gastric cancer involve exosomes?")]
    assert assistant.ask("Should I take it?", history=cisplatin).refusal_reason == "medical-advice"


def test_a_follow_up_pointing_at_a_listed_study_is_answered_from_it(assistant: Assistant) -> None:
    from rag.answering import Turn

    # session 14: "What did it find?" after a one-study listing was read as the listing question plus the follow-up
    listing = assistant.ask("Which studies looked at hypoxia?")
    history = [Turn("user", "Which studies looked at hypoxia?"), Turn("assistant", listing.answer)]
    answer = assistant.ask("What did it find?", history=history)
    assert not answer.refused and {c.source_id for c in answer.citations} == {"zhu-2019-mir223"}, answer.answer
    # without the listing in the history (a client sending user turns only) nothing is assumed about "it"
    assert assistant.ask("What did it find?", history=history[:1]).refused


def test_a_follow_up_on_a_listing_asks_about_the_listed_studies(assistant: Assistant) -> None:
    from rag.answering import Turn

    def after(first: str, follow: str) -> Answer:
        return assistant.ask(follow, history=[Turn("user", first), Turn("assistant", assistant.ask(first).answer)])

    index = assistant.index()
    drugs = after("Which studies are on lncRNAs?", "Which drugs did they use?")  # a facet of those studies
    assert drugs.backend == "collection" and "category 'ncrna-lncrna'" in drugs.answer, drugs.answer
    assert all(index.sources[c.source_id].category == "ncrna-lncrna" for c in drugs.citations)
    cancers = after("Which of these studies were retracted?", "What cancers did they study?")
    assert cancers.backend == "collection" and "that are retracted" in cancers.answer, cancers.answer
    assert cancers.citations and all(c.retracted for c in cancers.citations)
    breast = after("Which studies cover gastric cancer?", "What about breast cancer?")  # another value
    assert breast.backend == "collection" and "cancer type 'breast'" in breast.answer, breast.answer
    # a question about findings after a listing stays one
    found = after("Which studies cover gastric cancer?", "How does miR-21 work there?")
    assert found.backend == "extractive" and "zheng-2017-mir21" in {c.source_id for c in found.citations}
    # session 28: a listing asked of the thing the previous question named ("it") is a listing of that thing
    used = after("What is GW4869?", "Which studies used it?")
    # named as the records write it (session 34: "drug 'gw4869'", "cargo 'mir21'")
    assert used.backend == "collection" and "drug 'GW4869'" in used.answer, used.answer
    mir21 = assistant.ask("Which studies looked at miR-21?")
    assert mir21.answer.startswith("3 studies in the collection match cargo 'miR-21': "), mir21.answer


def test_a_follow_up_naming_another_route_replaces_the_previous_one(assistant: Assistant) -> None:
    from rag.answering import Turn

    history = [Turn("user", "How do lncRNAs in exosomes cause drug resistance?")]
    answer = assistant.ask("What about proteins?", history=history)
    index = assistant.index()
    studies = {index.sources[c.source_id].category for c in answer.citations} - {"review", ""}
    assert studies == {"protein-transfer"}, answer.answer


def test_collection_questions_are_answered_from_the_metadata_as_a_cited_list(assistant: Assistant) -> None:
    retracted = assistant.ask("Which of these studies were retracted?")
    index = assistant.index()
    expected = {s.id for s in index.sources.values() if s.retracted}
    assert not retracted.refused and {c.source_id for c in retracted.citations} == expected
    assert all(c.retracted for c in retracted.citations) and retracted.answer.startswith(f"{len(expected)} studies")
    assert retracted.answer.startswith(f"{len(expected)} studies in the collection are retracted: ")
    for source_id in expected:  # each with what its record says of the retraction
        assert index.sources[source_id].retraction_note.rstrip(".") in retracted.answer, source_id
    # "why" is answered by the same listing, with the notes (session 15: refused)
    why = assistant.ask("Why are some of the studies in this collection retracted?")
    assert why.answer == retracted.answer, why.answer
    # "Are any ...?" asks for them as well (session 18: answered from the MISEV guidelines)
    assert assistant.ask("Are any studies retracted?").answer == retracted.answer
    # findings or results asked for by the studies they come from (session 34: refused as out of scope)
    assert assistant.ask("Which findings in the collection come from retracted papers?").answer == retracted.answer
    gastric = assistant.ask("Which results are from studies on gastric cancer?")
    assert gastric.backend == "collection" and gastric.answer.startswith("5 studies in the collection match cancer "
                                                                          "type 'gastric'"), gastric.answer
    # session 27: "flagged" was read as a word the studies' text must mention, and nothing was listed
    assert assistant.ask("Why are some of the studies flagged as retracted?").answer == retracted.answer
    patients = assistant.ask("Are any of the exosome studies in this collection done in patients?")
    assert "match patients or human samples" in patients.answer, patients.answer
    gastric = assistant.ask("Which studies cover gastric cancer?")
    assert gastric.citations and all(
        any("gastric" in v.lower() for v in index.sources[c.source_id].facets.get("cancer_types", []))
        for c in gastric.citations)
    counted = assistant.ask("How many studies used cisplatin?")
    assert counted.answer.split()[0].isdigit() and int(counted.answer.split()[0]) >= len(counted.citations) > 0
    assert set(counted.to_dict()) >= {"answer", "citations", "refused", "backend"}  # the one Answer schema


def test_a_facet_asked_across_a_category_is_gathered_from_the_metadata(assistant: Assistant) -> None:
    index = assistant.index()
    circ = {s.id for s in index.sources.values() if s.category == "ncrna-circrna"}
    answer = assistant.ask("Which cancers are covered by the circRNA studies?")
    assert answer.backend == "collection" and {c.source_id for c in answer.citations} == circ, answer.answer
    cancers = {v.split(" (")[0].lower() for i in circ for v in index.sources[i].facets["cancer_types"]}
    assert answer.answer.startswith(f"{len(cancers)} cancer types") and "glioma" in answer.answer
    drugs = assistant.ask("Which drugs were used in the gastric cancer studies?")
    gastric = [s for s in index.sources.values() if any("gastric" in v for v in s.facets.get("cancer_types", []))]
    assert drugs.backend == "collection" and "cisplatin" in drugs.answer and "oxaliplatin" in drugs.answer
    assert {c.source_id for c in drugs.citations} <= {s.id for s in gastric}
    reviews = assistant.ask("Which cancers do the reviews cover?")
    assert reviews.backend == "collection" and all(index.sources[c.source_id].category == "review"
                                                   for c in reviews.citations), reviews.answer


def test_studies_are_listed_by_the_cell_their_exosomes_came_from_and_by_category(assistant: Assistant) -> None:
    index = assistant.index()
    macrophage = assistant.ask("Which studies used exosomes from tumour-associated macrophages?")
    cited = {c.source_id for c in macrophage.citations}
    assert macrophage.backend == "collection" and "zheng-2017-mir21" in cited and "binenbaum-2018-mir365" in cited
    assert all("macrophage" in " ".join(index.sources[i].facets["exosome_source"]).lower() for i in cited)
    lnc = assistant.ask("List the studies on lncRNAs")
    expected = {s.id for s in index.sources.values() if s.category == "ncrna-lncrna"}
    assert {c.source_id for c in lnc.citations} == expected and lnc.answer.startswith(f"{len(expected)} studies")
    assert lnc.answer.count("(retracted)") == sum(index.sources[i].retracted for i in expected) > 0
    ncrna = assistant.ask("How many ncRNA studies are in the collection?")  # a route of three categories
    grouped = {s.id for s in index.sources.values() if (s.category or "").startswith("ncrna-")}
    assert ncrna.answer.startswith(f"{len(grouped)} studies") and "categories 'ncrna-circrna'" in ncrna.answer


def test_a_cancer_type_of_several_words_lists_its_studies(assistant: Assistant) -> None:
    # session 27: "head and neck" made the filter 'head neck', which no stored cancer type equals: nothing listed
    index = assistant.index()

    def of_type(value: str) -> set[str]:
        return {s.id for s in index.sources.values() if value in s.facets.get("cancer_types", [])}

    for asked, stored in [("Which studies looked at head and neck cancer?", "head and neck cancer"),
                          ("Which studies looked at epithelial ovarian cancer?", "epithelial ovarian cancer"),
                          ("Which studies looked at HER2-positive breast cancer?", "HER2-positive breast cancer")]:
        listing = assistant.ask(asked)
        assert listing.backend == "collection" and not listing.refused, listing.answer
        assert {c.source_id for c in listing.citations} == of_type(stored) != set(), listing.answer
        assert f"cancer type '{stored}'" in listing.answer and "exosome source" not in listing.answer
    # with a drug as well, and the cells of a named cancer are that cancer (both were refused as out of scope)
    cisplatin = assistant.ask("Which studies used cisplatin in head and neck cancer?")
    assert {c.source_id for c in cisplatin.citations} == {"qin-2019-mir196a"}, cisplatin.answer
    lung = assistant.ask("Which studies looked at lung cancer cells?")
    assert lung.backend == "collection" and lung.citations, lung.answer
    assert assistant.ask("Which studies looked at B-cell lymphoma?").backend == "collection"


def test_the_review_is_the_subject_review_not_the_category_of_reviews(assistant: Assistant) -> None:
    # session 16: "the review" listed the other reviews' cancers, and its findings came from Colombo's review
    listing = assistant.ask("Which tumour types does the review cover?")
    assert "category 'review'" not in listing.answer and len(listing.citations) > 9
    said = assistant.ask("What does this review say about blocking exosome secretion?")
    assert {c.source_id for c in said.citations} == {"zhang-2022-review"}
    assert "category 'review'" in assistant.ask("Which reviews cover breast cancer?").answer


def test_what_the_review_concludes_opens_with_its_conclusion_not_its_aim(assistant: Assistant) -> None:
    # session 30: "This review asks how ..." opened: an aim in the present tense was not read as an aim
    assert frames_the_study("This review asks how exosomes contribute to the failure of chemotherapy.")
    answer = assistant.ask("What does the review conclude?")
    assert claims(answer.answer)[0][0].startswith("Zhang et al. (2022, review): As a therapeutic outlook"), answer


def test_a_question_about_findings_is_not_taken_for_a_collection_question(assistant: Assistant) -> None:
    answer = assistant.ask("Which study showed that exosomal miR-500a-3p promotes cisplatin resistance?")
    assert answer.backend == "extractive" and "miR-500a-3p" in answer.answer
    # a category's words ("protein", "circRNA") in a question about what was found do not make it a listing
    found = assistant.ask("Which drugs do exosomal circRNAs make glioma cells resist?")
    assert found.backend == "extractive" and "CircNFIX" in found.answer, found.answer
    # "transfer" is the relation in the category 'protein-transfer', not its name
    pgp = assistant.ask("Which papers show exosomes transfer P-glycoprotein?")
    assert pgp.backend == "extractive", pgp.answer
    # a technical word beside a named cargo and cell asks about findings, not for studies mentioning it
    m2 = assistant.ask("Which cytokines were used to polarise macrophages to M2 in the gastric cancer study?")
    assert m2.backend == "extractive", m2.answer


def test_a_cancer_named_in_everyday_words_is_the_setting_of_the_answer(assistant: Assistant) -> None:
    # session 23: "brain tumours" got the review's map of routes (three of its studies of other cancers), and
    # "stomach cancer" opened with an ovarian cancer study
    index = assistant.index()

    def cancers(answer: Answer) -> list[str]:
        return [" ".join(index.sources[c.source_id].facets.get("cancer_types", [])) for c in answer.citations]

    brain = assistant.ask("How do brain tumours resist their standard chemo through exosomes?")
    assert len(brain.citations) > 1 and all("gli" in c for c in cancers(brain)), brain.answer
    stomach = assistant.ask("What makes stomach cancer stop responding to platinum drugs?")
    assert "gastric" in cancers(stomach)[0], stomach.answer
    for n, studied in enumerate(cancers(stomach), start=1):  # another cancer's study says so with its finding
        assert ("gastric" in studied) == (f"Reference {n} is a study of" not in stomach.answer), stomach.answer
    skin = assistant.ask("Do exosomes help skin cancer resist cisplatin?")  # the caveat names it as asked
    assert "melanoma" in cancers(skin)[0] and "not of skin cancer." in skin.answer, skin.answer


def test_a_question_on_one_studys_standing_is_answered_from_its_record(assistant: Assistant) -> None:
    # session 23: "Was that study retracted?" replayed the study's findings and never said yes or no
    def after(first: str, follow: str) -> Answer:
        return assistant.ask(follow, history=[Turn("user", first), Turn("assistant", assistant.ask(first).answer)])

    sound = after("Which lncRNA drives cisplatin resistance in gastric cancer?", "Was that study retracted?")
    assert sound.answer.startswith("No. Wang et al. (2019)") and "not marked as retracted" in sound.answer
    assert [c.source_id for c in sound.citations] == ["wang-2019-hottip"], sound.answer
    retracted = after("Which lncRNA makes HER2 breast cancer resist trastuzumab?", "Was that study retracted?")
    note = assistant.index().sources["dong-2018-snhg14"].retraction_note.rstrip(".")
    assert retracted.answer.startswith("Yes. Dong et al. (2018)") and note in retracted.answer, retracted.answer
    assert "Caution" not in retracted.answer and retracted.warnings  # said once in the text, and warned
    named = assistant.ask("Is the SNHG14 trastuzumab study reliable?")  # no yes/no: reliability is more
    assert named.answer.startswith("Dong et al. (2018)") and "has been retracted" in named.answer, named.answer
    # a listing and a question about a finding stay what they were
    assert assistant.ask("Are any studies retracted?").answer.startswith("4 studies in the collection")
    finding = assistant.ask("Is P-glycoprotein transfer by exosomes a reliable finding?")
    assert finding.backend == "extractive" and "P-gp" in finding.answer, finding.answer


def test_studies_are_listed_by_a_span_of_years(assistant: Assistant) -> None:
    # session 23: "before 2010" listed the studies of 2010 itself
    index = assistant.index()

    def years_of(question: str) -> set[int]:
        answer = assistant.ask(question)
        assert answer.backend == "collection" and not answer.refused, answer.answer
        return {index.sources[c.source_id].year for c in answer.citations}

    known = {s.year for s in index.sources.values() if s.year}
    assert years_of("Which studies were published before 2010?") == {y for y in known if y < 2010}
    assert years_of("Which studies came out after 2021?") == {y for y in known if y > 2021}
    assert years_of("Which papers were published between 2014 and 2016?") == {2014, 2015, 2016}
    assert years_of("Which studies are from the 1980s?") == {y for y in known if 1980 <= y < 1990}
    assert years_of("Which studies were published in 2018?") == {2018}
    assert years_of("Which studies are from 2014?") == {2014}  # the year itself, not "2014 or later"
    assert "publication in 2014 or later" in assistant.ask("Which studies are from 2014 onwards?").answer
    gastric = assistant.ask("Which gastric cancer studies were published before 2019?")
    assert "publication before 2019" in gastric.answer and all(
        "gastric" in " ".join(index.sources[c.source_id].facets["cancer_types"]) for c in gastric.citations)


def test_studies_are_listed_by_a_technical_word_their_text_mentions(assistant: Assistant) -> None:
    index = assistant.index()
    hypoxia = assistant.ask("Which studies looked at hypoxia?")
    mention = {s.id for s in index.sources.values()
               if any("hypox" in c.text.lower() for c in index.chunks if c.source_id == s.id)}
    assert hypoxia.backend == "collection" and not hypoxia.refused, hypoxia.answer
    assert {c.source_id for c in hypoxia.citations} == mention == {"zhu-2019-mir223"}
    assert hypoxia.answer.startswith("1 study in the collection matches text mentioning 'hypoxia'")
    glycolysis = assistant.ask("Which circRNA studies mention glycolysis?")  # with a category
    assert {c.source_id for c in glycolysis.citations} == {"wang-2020-cirs122"}, glycolysis.answer
    glioma = assistant.ask("Which studies in the collection were done in glioma?")  # "done": how studies are said
    assert glioma.backend == "collection" and "ding-2020-circnfix-tmz" in {c.source_id for c in glioma.citations}
    melanoma = assistant.ask("Which drugs did the melanoma study test?")  # one study: "matches"
    assert "1 study in the collection that matches cancer type 'melanoma'" in melanoma.answer, melanoma.answer
    none = assistant.ask("Which studies looked at unicorns?")
    assert none.refused and none.refusal_reason == "collection-empty", none.answer


def test_what_the_review_discusses_is_a_facet_across_the_collection(assistant: Assistant) -> None:
    cancers = assistant.ask("Which cancers does the review discuss?")  # "discuss" asks nothing of the text
    assert cancers.backend == "collection" and cancers.answer.split(":")[0].endswith("cancer types across the "
                                                                                      "70 studies in the collection")
    # a record without authors is named by its journal, as the answers name it
    drugs = assistant.ask("Which drugs does the review discuss?")
    assert "Tumor Biology, 2016" in drugs.answer and "unknown authors" not in drugs.answer, drugs.answer
    cargo = assistant.ask("Which cargo types are described in the studies?")  # "types" is the facet's, no cancer
    assert cargo.backend == "collection" and "cancer type" not in cargo.answer, cargo.answer
    assert cargo.answer.split(" across ")[0].endswith("cargoes"), cargo.answer
    # session 29: asked of the field rather than of the studies, the drugs were answered with the map of routes
    field = assistant.ask("Which drugs do cancer cells become resistant to through exosomes?")
    assert field.backend == "collection" and field.answer.startswith(drugs.answer.split(":")[0]), field.answer
    assert field.answer.split(": ")[1].startswith("cisplatin"), field.answer  # the most studied first


def test_a_class_of_rna_asked_across_the_field_is_a_catalogue_of_every_study(assistant: Assistant) -> None:
    # session 30: "Which miRNAs are transferred by exosomes to cause resistance?" gave two studies' lines (a count
    # of 11 up and 31 down miRNAs, a co-culture) out of the route's twenty; each record names its miRNA and target
    index = assistant.index()
    answer = assistant.ask("Which miRNAs are transferred by exosomes to cause resistance?")
    assert answer.backend == "collection" and not answer.refused, answer.answer
    # every study of a route whose record names a miRNA (the exosome-biology counts and the reviews are none)
    naming = [s for s in index.sources.values() if s.category not in ("review", "exosome-biology")
              and any(re.search(r"\bmiR-?\d", v) for v in s.facets.get("cargo", []))]
    # the list first (a miR name opens), then how many studies it covers
    assert answer.answer.startswith("miR-") and f"These are the {len(naming)} studies in the collection that name " \
        "exosomal microRNAs in chemotherapy resistance." in answer.answer, answer.answer
    assert "miR-500a-3p (target FBXW7; gastric cancer; cisplatin)" in answer.answer, answer.answer
    assert "miR-103a-3p (target Bak1" in answer.answer  # a CAF study, filed as stromal, carries one
    # past the first studies, every other one is named, retracted ones last and marked
    assert len(answer.citations) == len(naming) > cargo_listing.SHOWN
    assert " By name only, the others: miR-" in answer.answer
    assert "miR-130a: Zhang et al., 2021 [" in answer.answer, answer.answer
    assert answer.answer.count("(retracted)") == sum(s.retracted for s in naming) > 0
    assert "name none in particular" in answer.answer  # two studies name no miRNA of their own
    # the genes they target are the same catalogue
    targets = assistant.ask("Which genes do exosomal miRNAs target to cause resistance?")
    assert targets.answer == answer.answer
    assert assistant.ask("List the exosomal microRNAs that cause drug resistance.").answer == answer.answer
    # a drug named filters the studies, and their lines do not repeat it
    cisplatin = assistant.ask("Which microRNAs cause cisplatin resistance through exosomes?")
    cited = {c.source_id for c in cisplatin.citations}
    assert "These are the 7 studies in the collection with drug 'cisplatin' that name" in cisplatin.answer
    assert {"lin-2020-mir500a3p-cisplatin-gastric", "zheng-2017-mir21", "qin-2019-mir196a"} <= cited
    assert all(any("cisplatin" in d for d in index.sources[i].facets["drugs"]) for i in cited)
    assert "; cisplatin)" not in cisplatin.answer
    # a retracted study is marked and comes last
    breast = assistant.ask("Which microRNAs are carried by exosomes in breast cancer chemoresistance?")
    last = breast.answer.split(" These are ")[0].split(" [")[-2]
    assert last.endswith("miR-567 (target ATG5; trastuzumab): Han et al., 2020 (retracted)"), breast.answer


def test_a_class_of_rna_none_of_whose_studies_fits_the_drug_says_so_first(assistant: Assistant) -> None:
    # session 30: the circRNA studies' findings (temozolomide, oxaliplatin) answered a question about cisplatin
    index = assistant.index()
    answer = assistant.ask("Which circular RNAs cause cisplatin resistance via exosomes?")
    assert answer.answer.startswith("No study in the collection that matches drug 'cisplatin' names exosomal "
                                    "circular RNAs. The 3 that do, each with its own cancer and drug"), answer.answer
    circ = {s.id for s in index.sources.values() if s.category == "ncrna-circrna"}
    assert {c.source_id for c in answer.citations} == circ and not answer.refused
    assert "(target miR-132; glioma; temozolomide)" in answer.answer  # their own drugs, which differ


def test_exosomal_proteins_asked_across_the_field_are_a_catalogue_of_every_study(assistant: Assistant) -> None:
    # session 32: "Which exosomal proteins transfer resistance?" gave two studies (UCH-L1, Survivin) of nine, and
    # "Which exosomal proteins cause cisplatin resistance?" three microRNA studies
    index = assistant.index()
    carrying = {s.id for s in index.sources.values() if s.category in ("protein-transfer", "drug-efflux")
                and cargo_listing.protein_names(s)}
    answer = assistant.ask("Which exosomal proteins transfer resistance?")
    assert answer.backend == "collection" and {c.source_id for c in answer.citations} == carrying, answer.answer
    assert answer.answer.endswith(f"These are the {len(carrying)} studies in the collection that name exosomal "
                                  "proteins in chemotherapy resistance."), answer.answer
    for line in ("Survivin (breast cancer; paclitaxel): Kreger et al., 2016 [",
                 "P-glycoprotein (osteosarcoma; doxorubicin): Torreggiani et al., 2016 [",
                 "ABCG2, ABCB1, ABCC2 (breast cancer; mitoxantrone): Goler-Baron et al., 2011 ["):
        assert line in answer.answer, answer.answer
    # a drug exported as cargo (Federici's cisplatin, Shedden's doxorubicin) is no protein, nor an mRNA
    assert "federici-2014-melanoma-cisplatin-ph" not in carrying and "MDR-1" not in answer.answer
    assert not re.search(r"\bmiR-|H19|HOTTIP", answer.answer)
    # no protein study of cisplatin: said first, then every protein study with its own drug
    cisplatin = assistant.ask("Which exosomal proteins cause cisplatin resistance?")
    assert cisplatin.answer.startswith("No study in the collection that matches drug 'cisplatin' names exosomal "
                                       "proteins."), cisplatin.answer
    assert {c.source_id for c in cisplatin.citations} == carrying


# the studies that read an exosomal level in patients against response, resistance or outcome, by hand from the
# pack: serum, plasma, blood or cerebrospinal fluid, or a patient panel (TNBC, Rodriguez-Martinez's liquid biopsy)
_MARKER_STUDIES = {"ding-2020-circnfix-tmz", "lin-2020-mir500a3p-cisplatin-gastric", "qin-2019-mir196a",
                   "wang-2019-hottip", "yang-2019-gstp1-ev-esmo", "zhu-2019-mir223", "zeng-2018-mir151a-tmz",
                   "ning-2017-uchl1-breast", "ma-2014-trpc5-evs", "tnbc-2021-exosomal-mirna-nac-pcr-signature",
                   "rodriguez-martinez-2019-exosomal-mirna-nac-breast", "dong-2018-snhg14"}


def test_exosomal_biomarkers_asked_across_the_field_are_a_catalogue_of_the_patient_studies(
        assistant: Assistant) -> None:
    # session 33: "What exosomal biomarkers exist for chemoresistance?" gave Zhong's review ("discusses exosomes as
    # possible diagnostic biomarkers"), its history of exosomes and Kreger's cell-culture Survivin study
    for question in ("What exosomal biomarkers exist for chemoresistance?",
                     "Which exosomal biomarkers predict chemotherapy resistance in patients?",
                     "Are there exosome-based blood tests that show a tumour is resisting chemo?"):
        answer = assistant.ask(question)
        assert answer.backend == "collection" and not answer.refused, (question, answer.answer)
        assert {c.source_id for c in answer.citations} == _MARKER_STUDIES, (question, answer.answer)
    for line in ("HOTTIP (gastric cancer; cisplatin; serum): Wang et al., 2019 [",
                 "miR-151a (glioblastoma; temozolomide; cerebrospinal fluid): Zeng et al., 2018 [",
                 "UCH-L1 (breast cancer; adriamycin; blood): Ning et al., 2017 [",
                 "SNHG14 (HER2-positive breast cancer; trastuzumab; serum): Dong et al., 2018 (retracted) ["):
        assert line in answer.answer, answer.answer
    assert answer.answer.endswith(f"These are the {len(_MARKER_STUDIES)} studies in the collection that measured "
                                  "an exosomal marker in patients and linked it to treatment response, resistance "
                                  "or outcome."), answer.answer
    assert "P-glycoprotein" not in answer.answer  # Ning's record lists P-gp too; his blood marker is UCH-L1


def test_a_few_exosomal_markers_are_answered_with_the_sentences_that_read_them(assistant: Assistant) -> None:
    # before: HOTTIP's study alone, four of its sentences; Lin's and Qin's plasma markers were not named
    answer = assistant.ask("Which exosomal markers in patient serum predict cisplatin resistance?")
    assert answer.answer.startswith("miR-500a-3p [1], miR-196a [2] and HOTTIP [3]. Lin et al. (2020): In patients, "
                                    "higher miR-500a-3p in plasma exosomes"), answer.answer
    quoted = dict((int(n), sentence) for sentence, n in re.findall(r"\(\d{4}\): (.+?) \[(\d+)\]", answer.answer))
    assert len(quoted) == 3, answer.answer
    for citation in answer.citations:  # each cites the passage holding the sentence the answer quotes
        assert quoted[citation.n] in citation.passage, (citation.n, citation.passage)
    # how the drug was given narrows too ("neoadjuvant"), which no drug name says
    neoadjuvant = assistant.ask("Which microRNAs inside exosomes predict who responds to neoadjuvant chemotherapy?")
    assert {c.source_id for c in neoadjuvant.citations} == {"tnbc-2021-exosomal-mirna-nac-pcr-signature",
                                                            "rodriguez-martinez-2019-exosomal-mirna-nac-breast"}
    assert neoadjuvant.answer.startswith("miR-4448, miR-2392, miR-2467-3p, miR-4800-3p [1] and miR-21, miR-222, "
                                         "miR-155 [2]."), neoadjuvant.answer
    retracted = assistant.ask("Which exosomal markers predict trastuzumab resistance?")  # Dong's SNHG14 only
    assert retracted.answer.startswith("SNHG14 [1]. Dong et al. (2018, retracted): "), retracted.answer
    lung = assistant.ask("Which exosomal markers predict response in lung cancer?")
    assert lung.answer.startswith("No study in the collection with cancer type 'lung' reads an exosomal marker in "
                                  "patients. These are the 12 studies"), lung.answer


def test_a_marker_question_of_another_field_or_of_one_named_cargo_is_not_the_catalogue(assistant: Assistant) -> None:
    for question in ("Which microRNAs in blood exosomes predict a heart attack?",  # not cancer, not response
                     "Which exosomal microRNAs are biomarkers for early detection of pancreatic cancer?",  # diagnosis
                     "Does high serum exosomal HOTTIP predict a poor response to cisplatin?",  # not a list
                     "Which exosomal markers predict HOTTIP-driven cisplatin resistance?",  # one cargo named
                     "Which detoxifying enzyme in blood particles might predict that breast cancer chemo will fail?"):
        assert assistant.ask(question).backend != "collection", question


def test_a_study_marker_is_read_from_its_body_fluid_sentence_not_its_vesicle_markers(assistant: Assistant) -> None:
    index = assistant.index()

    def marker(study: str) -> Reading | None:
        text = " ".join(c.text for c in index.chunks if c.source_id == study)
        return biomarker_listing.marker(index.sources[study], text)

    # Yang's tumour-sample sentence names "the exosome marker TSG101"; the serum sentence is the reading
    gstp1 = marker("yang-2019-gstp1-ev-esmo")
    assert gstp1 is not None and gstp1.sentence.startswith("In 28 patients") and gstp1.detail("fluid") == "serum"
    assert marker("wang-2014-bmsc-exosomes") is None  # exosomes from patients' cells caused resistance in culture
    assert marker("federici-2014-melanoma-cisplatin-ph") is None  # plasma of mice, no patients
    assert marker("kanlikilicer-2018-mir1246") is None  # survival in TCGA tissue data, not an exosomal level
    trpc5 = marker("ma-2014-trpc5-evs")  # the authors' proposal is all this record has
    assert trpc5 is not None and trpc5.names == ("TrpC5",) and trpc5.detail("fluid") == "blood"


# the studies whose sentences have one of their drugs lowering exosome release, by hand from the pack (Koch's
# indomethacin suppresses ABCA3, which exosome formation needs: no sentence has it lowering release itself)
_INHIBITOR_LINES = ("Cannabidiol (prostate cancer; alongside Cl-amidine; cell culture only): Kosgodage et al., 2018 [",
                    "tipifarnib, neticonazole, climbazole, ketoconazole, triademenol (prostate cancer; cell culture "
                    "only): Datta et al., 2018 [",
                    "GW4869 (pancreatic ductal adenocarcinoma; alongside gemcitabine; cell culture only): Richards et "
                    "al., 2017 [",
                    "proton pump inhibitors (melanoma; alongside cisplatin; in animals): Federici et al., 2014 [",
                    "dimethyl amiloride, amiloride (three mouse tumor models; alongside cyclophosphamide; in animals, "
                    "in patients): Chalmin et al., 2010 [")


def test_drugs_that_block_exosome_release_are_a_catalogue_read_from_the_sentences(assistant: Assistant) -> None:
    # session 33: "Which drugs inhibit exosome secretion?" gave Datta's screen and Chalmin's amiloride; "Which drugs
    # could block exosomes to overcome chemoresistance?" listed all 42 drugs of the collection
    for question in ("Which drugs inhibit exosome secretion?", "Which compounds reduce exosome release?",
                     "Which drugs could block exosomes to overcome chemoresistance?",
                     "List the compounds that lower exosome secretion."):
        answer = assistant.ask(question)
        assert answer.backend == "collection", (question, answer.answer)
        for line in _INHIBITOR_LINES:
            assert line in answer.answer, (question, answer.answer)
    assert answer.answer.endswith("These are the 5 studies in the collection that report one of their drugs "
                                  "lowering exosome release."), answer.answer
    # the chemotherapy tested alongside is no inhibitor, though the record lists it with them
    assert not re.search(r"(?:cyclophosphamide|cisplatin|gemcitabine)(?:, [\w ]+)? \(", answer.answer)
    # a few are answered with their sentences; how far the evidence reaches, or the cancer asked, narrows them
    mice = assistant.ask("Which exosome inhibitors have been tested in mice?")
    # each with its sentence on the mice (session 34: Federici's opened with its cell-culture PPI sentence)
    assert mice.answer.startswith("Proton pump inhibitors [1] and dimethyl amiloride, amiloride [2]. Federici et al. "
                                  "(2014): In xenografted mice, PPI pretreatment"), mice.answer
    breast = assistant.ask("Which drugs inhibit exosome secretion in breast cancer?")
    assert breast.answer.startswith("Cannabidiol [1]. Kosgodage et al. (2018, cell culture only): CBD significantly "
                                    "lowered exosome release"), breast.answer
    for question in ("Which drugs increase exosome release?", "Which genes control exosome secretion?",
                     "How can exosome secretion be blocked?",
                     # about one screen, or a second question on: a listing would answer neither
                     "Which compounds did a high-throughput screen find that block exosome biogenesis?",
                     "Which drugs stop cells from releasing exosomes, and does that help chemotherapy work?"):
        assert assistant.ask(question).backend != "collection", question


def test_evidence_asked_in_patients_is_the_marker_listing(assistant: Assistant) -> None:
    # session 34: "What evidence is there in patients for exosome-mediated resistance?" gave Ding's CircNFIX study
    # alone, and "Is there clinical evidence ...?" a review's summary
    for question in ("What evidence is there in patients for exosome-mediated resistance?",
                     "Is there clinical evidence that exosomes cause chemoresistance?"):
        answer = assistant.ask(question)
        assert answer.backend == "collection" and len(answer.citations) == 12, (question, answer.answer)
        assert answer.answer.endswith("These are the 12 studies in the collection that measured an exosomal marker "
                                      "in patients and linked it to treatment response, resistance or outcome."), \
            answer.answer
    gastric = assistant.ask("What evidence is there in patients that exosomes cause cisplatin resistance in gastric "
                            "cancer?")
    assert gastric.answer.startswith("miR-500a-3p [1] and HOTTIP [2]. Lin et al. (2020): In patients"), gastric.answer
    # about one named cargo: its findings
    assert assistant.ask("What evidence is there in patients for exosomal HOTTIP?").backend != "collection"


def test_how_many_studies_of_a_listing_read_from_sentences_opens_with_the_number(assistant: Assistant) -> None:
    # session 34: "How many studies looked at exosome inhibitors?" counted the 10 studies whose text mentions
    # "inhibitors" (ferroptosis, PI3K ...); "... tested drugs that block exosome release?" opened with Datta's screen
    for question in ("How many studies looked at exosome inhibitors?",
                     "How many studies tested drugs that block exosome release?"):
        answer = assistant.ask(question)
        assert answer.answer.startswith("5 studies in the collection report one of their drugs lowering exosome "
                                        "release: cannabidiol"), (question, answer.answer)
        lines = [line.replace("Cannabidiol", "cannabidiol") for line in _INHIBITOR_LINES]  # mid-sentence here
        assert all(line in answer.answer for line in lines), answer.answer
        assert len(answer.citations) == 5
    one = assistant.ask("How many studies looked at exosome inhibitors in breast cancer?")
    assert one.answer.startswith("1 study in the collection with cancer type 'breast' reports a drug lowering "
                                 "exosome release: cannabidiol"), one.answer
    markers = assistant.ask("How many studies looked at exosomal markers of cisplatin resistance in patients?")
    assert markers.answer.startswith("3 studies in the collection with drug 'cisplatin' measured an exosomal marker "
                                     "in patients"), markers.answer
    assert [c.source_id for c in markers.citations] == ["lin-2020-mir500a3p-cisplatin-gastric", "qin-2019-mir196a",
                                                          "wang-2019-hottip"]


def test_whether_exosome_inhibitors_exist_or_reached_patients_is_answered_from_the_listing(
        assistant: Assistant) -> None:
    # session 34: "Have exosome inhibitors been tested in patients?" and "Is there any clinical trial of exosome
    # inhibitors?" opened with Ciravolo's lapatinib (a kinase inhibitor beside HER2 exosomes); "Are there drugs that
    # block exosome release?" with Datta's screen and Koch's doxorubicin export
    for question in ("Have exosome inhibitors been tested in patients?",
                     "Is there any clinical trial of exosome inhibitors?"):
        answer = assistant.ask(question)
        assert answer.backend == "collection" and [c.source_id for c in answer.citations] == \
            ["chalmin-2010-hsp72-exosomes-mdsc"], (question, answer.answer)
        assert "patients taking the antihypertensive amiloride" in answer.answer, answer.answer  # not its mice
    every = assistant.ask("Are there drugs that block exosome release?")
    assert all(line in every.answer for line in _INHIBITOR_LINES), every.answer
    # a way to block release, not the drugs: the route's answer (genes such as Rab27a are ways too)
    assert assistant.ask("Is there a way to stop tumour cells from releasing these vesicles?").backend != "collection"


def test_a_follow_up_narrows_a_listing_read_from_sentences(assistant: Assistant) -> None:
    first = "Which exosomal biomarkers predict chemotherapy resistance?"
    listing = assistant.ask(first)
    gastric = assistant.ask("What about in gastric cancer?",
                            history=[Turn("user", first), Turn("assistant", listing.answer)])
    assert gastric.backend == "collection" and gastric.answer.startswith("miR-500a-3p [1] and HOTTIP [2]. Lin et al. "
                                                                         "(2020): In patients"), gastric.answer


def test_an_inhibitor_asked_about_opens_with_the_sentence_that_uses_it(assistant: Assistant) -> None:
    # session 33: the record lists GW4869 with gemcitabine as Richards' drugs, the study's setting, so the answer
    # opened with the CAFs' own resistance to gemcitabine and gave the GW4869 sentence third
    answer = assistant.ask("Does GW4869 reverse gemcitabine resistance?")
    assert answer.answer.startswith("Richards et al. (2017): Blocking exosome release from gemcitabine-treated CAFs "
                                    "with GW4869"), answer.answer


def test_a_how_question_on_resistance_opens_with_the_cargo_causing_it_not_a_patient_correlation(
        assistant: Assistant) -> None:
    # session 33: opened with Zhu's patients ("circulating exosomal miR-223 levels were closely linked to EOC
    # recurrence"), which names the cargo but says nothing of how resistance comes about
    answer = assistant.ask("How do macrophage exosomes cause resistance in ovarian cancer?")
    lead = answer.answer.split(" [1]")[0]
    assert lead.startswith("Zhu et al. (2019): ") and "resistance" in lead and "miR-223" in lead, answer.answer
    assert "recurrence" not in lead, answer.answer


def test_a_lay_how_question_opens_with_the_circrna_causing_resistance_not_the_mouse_tumours(
        assistant: Assistant) -> None:
    # session 34: opened with "In nude mice, ... circ_0091741 showed enhanced tumour formation" (the record's
    # cargo id was not read as a name, so no sentence counted as naming the cargo)
    answer = assistant.ask("How does a looped RNA shipped in tiny packets help stomach cancer cells shrug off a "
                           "platinum chemo drug?")
    lead = answer.answer.split(" [1]")[0]
    assert lead.startswith("Chen et al. (2022): ") and "oxaliplatin resistance" in lead, answer.answer


def test_a_lead_that_points_back_inside_its_study_gives_way_to_one_that_stands_alone(assistant: Assistant) -> None:
    # session 34: opened with Boelens' "Analyses of primary human and mouse breast cancers supported this
    # antiviral/NOTCH3 axis", which names no axis before it
    answer = assistant.ask("What do support cells around a tumour send to cancer cells to protect them from drugs?")
    lead = answer.answer.split(" [1]")[0]
    assert lead.startswith("Boelens et al. (2014): ") and "this antiviral" not in lead, answer.answer
    assert "RIG-I" in lead, answer.answer


def test_a_question_for_a_protein_is_not_answered_with_an_rna_or_a_drug(assistant: Assistant) -> None:
    # session 32: the short lead read "UCH-L1 [1] and H19. [2]": the lncRNA H19 is a name its record lists as cargo
    answer = assistant.ask("Which proteins carried by exosomes cause resistance to doxorubicin?")
    lead = answer.answer.split(". ")[0]
    assert "H19" not in lead and "doxorubicin," not in lead, answer.answer
    pgp = assistant.ask("Which protein do exosomes carry that makes breast cancer cells resist docetaxel?")
    assert pgp.answer.startswith("P-gp."), pgp.answer


def test_a_class_of_rna_with_few_studies_or_a_particular_question_keeps_its_findings(assistant: Assistant) -> None:
    # fewer sound studies than an answer has lines for: their findings say more than a catalogue
    lnc = assistant.ask("Which long non-coding RNAs do exosomes carry to spread drug resistance?")
    assert lnc.backend == "extractive" and "HOTTIP" in lnc.answer, lnc.answer
    gastric = assistant.ask("Which exosomal microRNAs are linked to resistance in gastric cancer?")  # 3 studies
    assert gastric.backend == "extractive" and "miR-500a-3p" in gastric.answer
    # "ER-positive breast cancer" filters by 'breast positive', which no stored type equals: that is no finding
    # that the collection has no such microRNA (Wei's miR-221/222 answers)
    wei = assistant.ask("Which exosomal microRNAs spread tamoxifen resistance between ER-positive breast cancer cells?")
    assert wei.backend == "extractive" and "miR-221/222" in wei.answer, wei.answer
    # a particular gene named, or no resistance asked: not a listing of the class
    for question in ("Which exosomal microRNAs cause resistance by suppressing PTEN?",
                     "What microRNAs do exosomes carry?",
                     "How did resistant breast cancer cells choose which miRNAs to put into their exosomes?"):
        assert assistant.ask(question).backend == "extractive", question


def test_the_catalogue_reads_names_from_the_records() -> None:
    assert cargo_listing.rna_names(["miR21 (miR-21) isomiRNAs"], "ncrna-mirna") == ("miR-21",)
    assert cargo_listing.rna_names(["miR-100-5p (reduced in resistant-cell exosomes)"], "ncrna-mirna") == \
        ("miR-100-5p",)
    assert cargo_listing.rna_names(["microRNAs (top 30 most abundant; unnamed in abstract)"], "ncrna-mirna") == ()
    assert cargo_listing.rna_names(["lncRNA HOTTIP"], "ncrna-lncrna") == ("HOTTIP",)
    assert cargo_listing.rna_names(["ciRS-122 (hsa_circ_0005963)"], "ncrna-circrna") == ("ciRS-122",)
    assert cargo_listing.target_names(["apoptosis", "Cav1 (caveolin-1)", "PTEN", "PI3K/AKT pathway"]) == \
        ("Cav1", "PTEN")


def test_the_protein_catalogue_reads_proteins_not_drugs_or_rna(assistant: Assistant) -> None:
    sources = assistant.index().sources
    assert cargo_listing.protein_names(sources["torreggiani-2016-osteosarcoma-mdr1"]) == ("P-glycoprotein",)
    assert cargo_listing.protein_names(sources["goler-baron-2011-abcg2-evs"]) == ("ABCG2", "ABCB1", "ABCC2")
    assert cargo_listing.protein_names(sources["kreger-2016-survivin-paclitaxel"]) == ("Survivin",)
    assert cargo_listing.protein_names(sources["federici-2014-melanoma-cisplatin-ph"]) == ()
    assert cargo_listing.protein_names(sources["shedden-2003-vesicle-expulsion"]) == ()


def test_how_the_evidence_divides_by_kind_is_counted_from_the_records(assistant: Assistant) -> None:
    # session 32: "Is the evidence ... mostly from cell lines?" was answered with the review's four routes
    index = assistant.index()
    route = [s for s in index.sources.values() if s.type == "study" and s.category in ROUTE_OF]
    kinds = {s.id: evidence_kinds(s) for s in route}
    culture = sum(1 for k in kinds.values() if CULTURE_ONLY in k)
    animals = sum(1 for k in kinds.values() if ANIMALS in k)
    answer = assistant.ask("Is the evidence for exosome-mediated resistance mostly from cell lines?")
    assert answer.backend == "collection" and not answer.refused, answer.answer
    assert answer.answer.startswith(f"Of the {len(route)} studies of exosomes in chemotherapy resistance in the "
                                    f"collection, {culture} report cell culture only; {animals} report experiments "
                                    "in animals (in vivo)"), answer.answer
    # each kind names its first studies, cited to studies that have that kind
    assert answer.citations and all(c.source_id in kinds for c in answer.citations)
    culture_named = answer.answer.split("Cell culture only: ")[1].split(";")[0]
    first = answer.citations[int(culture_named.split("[")[1].split("]")[0]) - 1]
    assert kinds[first.source_id] == {CULTURE_ONLY}
    # of a cancer named: its studies only, "none" said as such
    gastric = assistant.ask("Is the evidence on gastric cancer mostly from cell lines?")
    assert "in the collection with cancer type 'gastric', none report cell culture only;" in gastric.answer
    assert all("gastric" in " ".join(index.sources[c.source_id].facets["cancer_types"]) for c in gastric.citations)
    # a share of something measured is a question about findings
    assert not evidence_share.asks_share("What proportion of plasma miRNA is in exosomes?")
    assert assistant.ask("What proportion of plasma miRNA is in exosomes?").backend == "extractive"
    assert evidence_share.asks_share("What kinds of evidence do the studies have?")


def test_a_facet_asked_of_what_was_studied_is_a_collection_question(assistant: Assistant) -> None:
    # session 30: with no word for the documents ("studies", "papers") these were refused as out of scope
    for question in ("Which cancer types are studied most?", "Which cancers are covered most often?"):
        answer = assistant.ask(question)
        assert answer.backend == "collection" and answer.answer.split(": ")[1] == "breast cancer", answer.answer
    assert assistant.ask("Which drugs were studied?").answer.split(": ")[1] == "cisplatin"
    # a question about what the studies found stays one ("Which microRNAs were studied in gastric cancer?" names
    # a cancer and asks for no facet of the records)
    assert assistant.ask("Which microRNAs were studied in gastric cancer?").backend == "extractive"


def test_word_users_read_a_studys_words_not_its_journal(assistant: Assistant) -> None:
    index = assistant.index()
    journal_words = word_users.users(index, "bm25")
    assert "journal" not in journal_words and "letter" not in journal_words  # "Cancer Letters" is no topic
    assert word_users.using_all(index, "bm25", ["hypoxia", "macrophages"]) == {"zhu-2019-mir223"}
    everyone, primary = word_users.users(index, "stem")["exosom"], word_users.users(index, "stem", True)["exosom"]
    assert primary < everyone and not any(index.sources[s].is_review for s in primary)
    assert word_users.using_all(index, "bm25", []) == {c.source_id for c in index.chunks}


def test_studies_are_listed_by_their_first_author(assistant: Assistant) -> None:
    # session 15: "Which studies by Wang are in the collection?" was answered with one Wang paper's findings
    index = assistant.index()
    wang = assistant.ask("Which studies by Wang are in the collection?")
    expected = {i for i, s in index.sources.items() if s.authors and s.authors[0].split()[0] == "Wang"}
    assert wang.backend == "collection" and {c.source_id for c in wang.citations} == expected, wang.answer
    assert wang.answer.startswith(f"{len(expected)} studies in the collection match first author 'Wang'")
    zhang = assistant.ask("How many studies by Zhang used cisplatin?")  # with a drug
    assert {c.source_id for c in zhang.citations} == {"zhang-2021-caf-mir130a-cisplatin-nsclc", "zhang-2020-mir522"}
    assert assistant.ask("List Zhang's papers").backend == "collection"  # the possessive


def test_a_cancer_type_lists_the_studies_of_its_narrower_types(assistant: Assistant) -> None:
    # session 15: "glioma" listed Ding only; the two glioblastoma studies are glioma studies too
    glioma = assistant.ask("Which studies on glioma are in the collection?")
    assert {c.source_id for c in glioma.citations} == {"ding-2020-circnfix-tmz", "zhang-2019-sbf2as1",
                                                       "zeng-2018-mir151a-tmz"}, glioma.answer
    # narrower to broader only: a glioblastoma question is not answered by the glioma study
    glioblastoma = assistant.ask("Which studies on glioblastoma are in the collection?")
    assert "ding-2020-circnfix-tmz" not in {c.source_id for c in glioblastoma.citations}, glioblastoma.answer
    assert Filters(cancer_type="glioma").matches(source_metadata(assistant.index().sources["zeng-2018-mir151a-tmz"]))


def test_studies_are_listed_by_where_their_evidence_comes_from(assistant: Assistant) -> None:
    # session 15: "Which studies were done in mice?" was refused
    index = assistant.index()

    def cited(answer: Answer) -> set[str]:
        assert answer.backend == "collection" and not answer.refused, answer.answer
        return {c.source_id for c in answer.citations}

    mice = assistant.ask("Which breast cancer studies were done in mice?")
    assert mice.answer.startswith("5 studies in the collection match cancer type 'breast' and experiments in "
                                  "animals (in vivo)"), mice.answer
    assert {"shen-2019-onecut2", "ma-2014-trpc5-evs"} <= cited(mice)
    assert not cited(mice) & {"kreger-2016-survivin-paclitaxel", "wei-2014-mir221-222-tamoxifen"}  # cells only
    patients = cited(assistant.ask("Which studies used patient serum samples?"))
    assert {"tnbc-2021-exosomal-mirna-nac-pcr-signature", "wang-2019-hottip"} <= patients
    culture = assistant.ask("Which studies were only done in cell culture?")
    assert "wei-2014-mir221-222-tamoxifen" in cited(culture) and "shen-2019-onecut2" not in cited(culture)
    # the listing is the studies whose answers carry the cell-culture note (and the exosome-biology ones without it)
    noted = {i for i, s in index.sources.items() if in_vitro_only(s)}
    biology = {i for i, s in index.sources.items() if s.category == "exosome-biology"}
    assert cited(culture) <= noted | biology, cited(culture) - noted - biology
    biology_in_culture = {i for i in biology if evidence_kinds(index.sources[i]) == {CULTURE_ONLY}}
    assert culture.answer.startswith(f"{len(noted | biology_in_culture)} studies"), culture.answer
    # "cell lines" without "only" asks for no kind of evidence
    assert assistant.ask("Which studies used cell lines?").backend != "collection"
    # session 28: the noun that goes with the kind ("mouse models", "animal experiments") was read as a topic word,
    # and the question was refused
    animals = assistant.ask("Which studies used mouse models?")
    assert animals.answer.startswith("studies in the collection match experiments in animals (in vivo)",
                                     animals.answer.index(" ") + 1), animals.answer
    assert "wei-2014-mir221-222-tamoxifen" not in cited(animals)
    assert assistant.ask("Which studies have animal experiments?").answer == animals.answer
    # session 29: "xenograft" is how the studies' own records say it, and "Which studies used xenograft models?"
    # was refused
    assert assistant.ask("Which studies used xenograft models?").answer == animals.answer
    # but a question asking for the model itself is about a study's findings
    assert assistant.ask("What mouse model was used to study bone marrow stromal exosomes?").backend != "collection"
    # another kind in place of the listed one, as a follow-up
    from rag.answering import Turn

    followed = assistant.ask("What about patients?", history=[Turn("user", "Which breast cancer studies were done "
                                                                           "in mice?")])
    assert followed.answer.startswith("studies in the collection match cancer type 'breast' and patients or human "
                                      "samples", followed.answer.index(" ") + 1), followed.answer
    assert "tnbc-2021-exosomal-mirna-nac-pcr-signature" in cited(followed)


def test_a_cell_culture_only_finding_carries_its_caveat_next_to_it(assistant: Assistant) -> None:
    culture = Source(id="c", title="t", sections=[], facets={"models": ["MCF-7 cells", "patient-derived CAF lines"]})
    animals = Source(id="a", title="t", sections=[], facets={"models": ["A549 cells", "nude mouse xenografts"]})
    review = Source(id="r", title="t", sections=[], type="review", facets={"models": ["MCF-7 cells"]})
    assert in_vitro_only(culture) and not in_vitro_only(animals) and not in_vitro_only(review)
    # (Kreger's finding says nothing of it)
    answer = assistant.ask("Does Survivin in exosomes protect breast cancer cells from paclitaxel?")
    n = next(c.n for c in answer.citations if c.source_id == "kreger-2016-survivin-paclitaxel")
    note = f"Reference {n} is cell-culture evidence only."
    assert note in answer.answer, answer.answer
    assert answer.answer.index(note) == answer.answer.index(f"[{n}]") + len(f"[{n}] ")  # right after its first finding
    in_vivo = assistant.ask("Which macrophage exosomal microRNA drives cisplatin resistance in gastric cancer?")
    assert "cell-culture evidence only" not in in_vivo.answer.split("[2]")[0], in_vivo.answer
    # a finding that already says so gets no second note (Shedden's summary ends "(cell-culture evidence only)")
    said = assistant.ask("Do tumour cells that shed many vesicles keep less of a drug inside them?")
    assert said.citations[0].source_id == "shedden-2003-vesicle-expulsion", said.answer
    assert said.answer.count("cell-culture evidence") == 1, said.answer
    # ... in other words too (session 15: "... comes from cell culture. [1] Reference 1 is cell-culture evidence
    # only."), and after a short answer the sentence that follows it is the one read ("MDR-1. [1] ... the study is
    # in vitro. [1]")
    pump = assistant.ask("Which drug pump was passed between osteosarcoma cells by exosomes?").answer
    assert "Reference 1 is cell-culture evidence only" not in pump, pump
    # since session 21 Richards' answer opens with the Snail finding, which does not say it: the note follows it
    # (the GW4869 sentence that says so comes third)
    caf = assistant.ask("How do fibroblast exosomes make pancreatic cancer resist gemcitabine?").answer
    assert caf.count("Reference 1 is cell-culture evidence only.") == 1, caf
    assert caf.index("Reference 1 is cell-culture evidence only.") == caf.index("[1]") + len("[1] "), caf


def test_a_list_question_gathers_one_finding_from_each_study_that_answers(assistant: Assistant) -> None:
    assert asks_for_list("Which exosomal circular RNAs drive chemoresistance?")
    assert not asks_for_list("Which microRNA does CircNFIX sponge?")  # one thing asked: one study's answer
    assert asks_for_list("Which exosomal microRNAs target PTEN?")  # "target" is the verb, not the head
    assert asks_for_list("Which exosomal lncRNAs drive drug resistance?")  # nor is "drug" of "drug resistance"
    pten = assistant.ask("Which exosomal microRNAs target PTEN?")
    # not one study's microRNA as if it were the answer: a name opens only a list gathered from two studies or more
    opening = claims(pten.answer)[:2]
    assert not pten.answer.startswith("miR-") or opening[1][0].startswith(", ") or \
        opening[1][0].startswith("and "), pten.answer
    assert len({c.source_id for c in pten.citations}) >= 2, pten.answer
    answer = assistant.ask("Which exosomal circular RNAs drive chemoresistance?")
    parts = claims(answer.answer)
    cited = [tuple(c) for text, c in parts if c and " et al. (" in text]  # the studies' lines, after the names
    assert len({c for c in cited}) >= 2 and len(cited) == len(set(cited)), answer.answer  # one line per study
    # a list of one RNA class gathers that class's studies only (session 15: two microRNA studies followed HOTTIP)
    index = assistant.index()
    lnc = assistant.ask("Which exosomal lncRNAs cause resistance to cisplatin?")
    assert lnc.citations[0].source_id == "wang-2019-hottip", lnc.answer
    assert {index.sources[c.source_id].category for c in lnc.citations} == {"ncrna-lncrna"}, lnc.answer


def test_a_list_answer_opens_with_the_names_its_studies_give_each_cited(assistant: Assistant) -> None:
    # (the cisplatin microRNAs, asked here until session 30, are now the catalogue of their 7 studies)
    answer = assistant.ask("Which exosomal microRNAs are linked to resistance in gastric cancer?")
    parts = claims(answer.answer)
    opening = list(itertools.takewhile(lambda part: " et al. (" not in part[0] and ": " not in part[0], parts))
    assert len(opening) >= 2 and all(len(markers) == 1 for _, markers in opening), answer.answer
    assert opening[1][0].startswith((", ", "and ")), answer.answer  # one list: "miR-100-5p [1] and miR-21. [2]"
    for text, (n,) in opening:  # each name is copied from the passage it cites
        name = text.strip(" ,.").removeprefix("and ").split(", ")[0]
        assert name.startswith("miR-") and name in answer.citations[n - 1].passage, (name, answer.answer)
    # then each named study's line, in the order of the opening list
    lines = [markers[0] for text, markers in parts[len(opening):] if " et al. (" in text or ": " in text]
    assert lines[:len(opening)] == [markers[0] for _, markers in opening], answer.answer
    # a retracted study's lncRNA (SNHG14) is out of the opening list; its line, if the budget leaves room, comes
    # after the sound studies' lines, beside its caveat
    lnc = assistant.ask("Which lncRNAs carried by exosomes cause drug resistance?")
    lead = lnc.answer.split(" et al. (")[0]
    assert "SBF2-AS1" in lead and "SNHG14" not in lead and len(claims(lead)) >= 3, lnc.answer
    retracted = [c.n for c in lnc.citations if c.retracted]
    assert all(n == len(lnc.citations) and "has been retracted" in lnc.answer for n in retracted), lnc.answer


def test_claims_that_go_on_the_one_before_join_without_a_space() -> None:
    assert joined_claims(["miR-100-5p [1]", ", miR-21 [2]", "and HOTTIP. [3]", "Next. [1]"]) == \
        "miR-100-5p [1], miR-21 [2] and HOTTIP. [3] Next. [1]"
    assert [markers for _, markers in claims("miR-100-5p [1], miR-21 [2] and HOTTIP. [3]")] == [[1], [2], [3]]


def test_a_which_question_opens_with_the_asked_for_name_then_the_sentence_that_holds_it(assistant: Assistant) -> None:
    answer = assistant.ask("Which DNA repair gene is linked to exosomal SBF2-AS1 and temozolomide resistance in "
                           "glioblastoma?")
    parts = claims(answer.answer)
    assert parts[0] == ("XRCC4.", [1]), answer.answer  # the gene, checked and cited like any sentence
    # ... and the sentence it was copied from: right after the lead, as it describes methods (never methods first)
    assert "XRCC4" not in parts[1][0] and "XRCC4" in parts[2][0] and parts[2][1] == [1], answer.answer
    # the name is copied from the sentence; a gene question is not answered with the miRNA next to it
    assert "miR-151a-3p" not in parts[0][0]


def test_a_short_answer_names_only_things_of_the_asked_form(assistant: Assistant) -> None:
    record = Source(id="s", title="t", sections=[], facets={"cargo": ["miR-92a-3p"], "targets": ["FBXW7", "MOAP1"]})
    sentence = "CAF exosomes delivered miR-92a-3p, which lowered FBXW7 and MOAP1 in CRC cells."
    assert names_of_asked_kind("Which microRNA do fibroblasts pass on?", sentence, record) == ["miR-92a-3p"]
    assert names_of_asked_kind("Which genes does the miRNA act on?", sentence, record) == ["FBXW7", "MOAP1"]
    assert names_of_asked_kind("How do fibroblasts cause resistance?", sentence, record) == []
    # a name the record does not list, or one the question already names, is no answer
    lowered = "It lowered FBXW7 and PTEN."
    assert names_of_asked_kind("Which gene does miR-92a-3p suppress?", lowered, record) == ["FBXW7"]
    # a cell-type question is answered by its sentence: a bare "A2780" would be a cell line, not a subtype
    cells = assistant.ask("Which macrophage subtype takes up exosomal miR-1246 from ovarian cancer cells?")
    assert " et al. (" in claims(cells.answer)[0][0], cells.answer


def test_a_thing_carried_by_vesicles_is_answered_from_the_cargo_only(assistant: Assistant) -> None:
    assert asks_for_vesicle_cargo("Which transporter is carried in exosomes from resistant cells?")
    assert asks_for_vesicle_cargo("Which exosomal protein makes cells resist paclitaxel?")
    assert not asks_for_vesicle_cargo("Which protein does exosomal miR-21 suppress?")
    record = Source(id="s", title="t", sections=[], facets={"cargo": ["Hsp72"], "targets": ["STAT3", "TLR2"]})
    sentence = "Exosomal Hsp72 switched on STAT3 in MDSCs."
    assert names_of_asked_kind("Which protein on tumour exosomes acts on MDSCs?", sentence, record) == ["Hsp72"]
    # written for this test; before session 8 it opened "Hsp72 and TLR2/MyD88." (the study's pathway as well)
    answer = assistant.ask("Which protein on tumour exosomes activates STAT3 in MDSCs?")
    assert claims(answer.answer)[0][0] == "Hsp72.", answer.answer


def test_a_caveat_follows_the_finding_not_the_bare_name(assistant: Assistant) -> None:
    answer = assistant.ask("Which autophagy gene was exosomal miR-567 reported to inhibit in trastuzumab-resistant "
                           "breast cancer?")
    parts = claims(answer.answer)
    assert parts[0][0] == "ATG5.", answer.answer
    caution = answer.answer.index("Caution: reference 1 has been retracted")
    assert caution > answer.answer.index(parts[1][0]), answer.answer  # after the study's first finding


def test_a_list_answer_led_by_a_study_is_not_padded_with_a_general_review(assistant: Assistant) -> None:
    answer = assistant.ask("Which compounds reduce exosome release?")
    sources = {s.id: s for s in assistant.index().sources.values()}
    cited = [sources[c.source_id] for c in answer.citations]
    assert cited and cited[0].category != "review", answer.answer
    assert all(s.category != "review" and s.type != "review" for s in cited), answer.answer
    # a drug name opening the answer is capitalised; a gene or RNA name keeps its form. Both drugs since session 11,
    # when lower-case drug names began to count as names (before, only "Doxorubicin.", a known entity)
    assert claims(assistant.ask("What drug did Koch and colleagues combine with indomethacin?").answer)[0][0] \
        == "Doxorubicin and pixantrone."


def test_which_way_a_change_goes() -> None:
    question = "Which compounds reduce exosome release?"
    assert states_the_opposite(question, "Cisplatin exposure increased exosome release from A549 cells.")
    assert not states_the_opposite(question, "A PPI raised cisplatin uptake and markedly reduced exosome secretion.")
    assert not states_the_opposite(question, "Cisplatin raised the uptake of exosomes by fibroblasts.")  # not release
    assert not states_the_opposite("Which drugs raised exosome secretion in the screen?",
                                   "Five drugs were inhibitors of exosome secretion and six acted as activators.")
    assert not states_the_opposite("How does cisplatin change exosome release?",  # no direction asked
                                   "Cisplatin exposure increased exosome release from A549 cells.")


def test_a_short_answer_leaves_out_what_the_sentence_changes_the_other_way(assistant: Assistant) -> None:
    # session 23: "PTEN and PI3K/Akt." answered what miR-32-5p activates (it suppresses PTEN, turns on PI3K/Akt)
    assert changed_against("Which pathway does miR-32-5p activate?",
                           "It suppresses PTEN, turns on PI3K/Akt, and promotes EMT.") == {"pten"}
    assert changed_against("How does miR-32-5p act?", "It suppresses PTEN.") == frozenset()  # no way asked
    # session 32: in the passive the asked thing changes too ("PTEN, PI3K/AKT" answered what is switched off)
    assert changed_against("Which genes are switched off by exosomal microRNAs?",
                           "It lowered PTEN, enhanced PI3K/AKT signalling.") == {"pi3k", "akt", "signal"}
    gastric = assistant.ask("Which genes are switched off by exosomal microRNAs in gastric cancer?")
    assert "PTEN" in gastric.answer.split(". ")[0] and "PI3K" not in gastric.answer.split(". ")[0], gastric.answer
    assert_opens_with(assistant, "Which pathway does exosomal miR-32-5p activate?", "PI3K/Akt.")
    assert claims(assistant.ask("What does miR-21 from macrophages suppress in gastric cancer?").answer)[0][0] \
        == "PTEN."


def test_a_list_of_what_lowers_something_leaves_out_a_study_where_it_rose(assistant: Assistant) -> None:
    # session 12: the Xiao line (cisplatin *increased* exosome release) was the third line of this list
    answer = assistant.ask("Which compounds reduce exosome release?")
    assert answer.citations and "xiao-2014-a549-cisplatin" not in {c.source_id for c in answer.citations}, \
        answer.answer
    assert "increased exosome release" not in answer.answer


def test_a_study_joins_a_list_with_a_finding_not_with_its_aim(assistant: Assistant) -> None:
    # session 12: the SBF2-AS1 study's aim restated the question so closely that no finding of it cleared the
    # relevance floor, and its line in the list read "The study asked whether ..."
    answer = assistant.ask("Which lncRNAs in exosomes drive drug resistance?")
    lines = claims(answer.answer)
    assert len({tuple(cited) for _, cited in lines}) >= 2, answer.answer  # gathered across studies
    sbf2 = [text for text, _ in lines if "SBF2-AS1" in text]
    assert sbf2 and not any(frames_the_study(document_text(t.split(": ", 1)[-1])) for t in sbf2), answer.answer


def test_the_things_a_question_names_are_the_corpus_named_things_in_it(assistant: Assistant) -> None:
    names = gazetteer(assistant.index()).names_in
    assert names("Does exosomal miR-21 cause cisplatin resistance?") == {"mir21", "cisplatin"}
    assert names("Which stromal cell types release exosomes that make cancer cells resistant to chemotherapy?") \
        == frozenset()  # the subject's own words name nothing


def test_another_study_joins_an_answer_only_on_what_the_question_names(assistant: Assistant) -> None:
    # session 12: a line on miR-100-5p and cisplatin (Qin) filled the budget while the sentence saying that
    # exosomal miR-21 passed into the cancer cells (Zheng) was left out
    answer = assistant.ask("Does exosomal miR-21 cause cisplatin resistance?")
    cited = {c.source_id for c in answer.citations}
    assert "zheng-2017-mir21" in cited and "qin-2017-mir100-5p-cisplatin" not in cited, answer.answer
    assert "Exosomal miR-21 passed directly" in answer.answer, answer.answer
    # session 14: a drug or a cancer written in lower case is named too ("indomethacin", "lymphoma"); adriamycin
    # studies (Yang, Tumor Biology 2016) joined on doxorubicin alone
    koch = assistant.ask("Does indomethacin make lymphoma cells more sensitive to doxorubicin?")
    assert {c.source_id for c in koch.citations} == {"koch-2016-indomethacin-abca3"}, koch.answer


def test_a_list_gathers_only_studies_that_name_what_the_question_names(assistant: Assistant) -> None:
    # session 14: the miRNA-stoichiometry study (no PTEN anywhere) took a line in "Which microRNAs ... target PTEN?"
    answer = assistant.ask("Which microRNAs carried by exosomes target PTEN?")
    cited = {c.source_id for c in answer.citations}
    assert "zhu-2019-mir223" in cited and "chevillet-2014-mirna-stoichiometry" not in cited, answer.answer
    assert all("PTEN" in c.passage for c in answer.citations), answer.answer


def test_a_question_about_size_opens_with_a_stated_length(assistant: Assistant) -> None:
    # session 14: opened with the Kalluri review's description of exosomes, which gives no size
    assert states_asked_size("How big are exosomes?", "exosomes, 40-150 nm vesicles")
    assert not states_asked_size("How do exosomes form?", "exosomes, 40-150 nm vesicles")
    answer = assistant.ask("How big are exosomes?")
    assert "40-150 nm" in claims(answer.answer)[0][0], answer.answer


def test_a_question_about_how_many_opens_with_a_stated_count(assistant: Assistant) -> None:
    # session 30: opened with the TNBC study's aim, and with another study's Rab27 knock-downs for the screen's size
    assert states_asked_count("How many patients were in the study?", "profiles of 12 patients with a pCR")
    assert states_asked_count("How many Rab GTPases promote secretion?", "identified five Rab GTPases that ...")
    assert not states_asked_count("How many patients were in the study?", "43 miRNAs differed between patients")
    assert not states_asked_count("How do patients respond?", "profiles of 12 patients")
    answer = assistant.ask("How many patients were in the triple-negative breast cancer study?")
    assert "12 patients" in claims(answer.answer)[0][0], answer.answer
    screen = assistant.ask("How many compounds were screened for effects on exosome secretion?")
    assert "4,580 compounds" in claims(screen.answer)[0][0], screen.answer


def test_a_question_for_a_dose_opens_with_an_amount_or_says_none_is_given(assistant: Assistant) -> None:
    # session 30: "What dose of GW4869 was used?" was answered with Richards' GW4869 findings, which state no dose,
    # and nothing said so
    assert asks_dose("What dose of GW4869 was used?") and not asks_dose("How does the dose affect uptake?")
    assert states_amount("the effect depended on dose (1 and 5 \u03bcM)") and not states_amount("about 1300 genes")
    gw = assistant.ask("What dose of GW4869 was used?")
    assert "GW4869" in gw.answer and prompts.NO_AMOUNT_IN_TEXT in gw.answer, gw.answer
    assert gw.answer.index(prompts.NO_AMOUNT_IN_TEXT) < gw.answer.index("[1]") + 10  # right after the first finding
    cbd = assistant.ask("What concentration of cannabidiol reduced exosome release?")
    assert "5 \u03bcM" in claims(cbd.answer)[0][0] and prompts.NO_AMOUNT_IN_TEXT not in cbd.answer, cbd.answer


def test_the_products_example_question_gives_the_fibroblast_study_its_mechanism(assistant: Assistant) -> None:
    # session 15: "fibroblast" alone was not read as CAF (only "cancer-associated fibroblast" was), so the answer
    # gave Richards one sentence and filled up with a miR-155 and a macrophage study; the Snail sentence was missing
    assert normalize("fibroblast exosomes").split()[0] == normalize("CAFs").strip()
    answer = assistant.ask("How do fibroblast exosomes make pancreatic cancer resist gemcitabine?")
    assert {c.source_id for c in answer.citations} == {"richards-2017-caf-exosomes"}, answer.answer
    assert "Snail" in answer.answer, answer.answer


def test_a_question_about_what_a_study_found_gets_no_name_as_short_answer(assistant: Assistant) -> None:
    # session 15: "ESCRT. [1]" opened, copied from a methods sentence, and the finding naming the inhibitors was
    # left out of the budget
    answer = assistant.ask("What did the screen of approved drugs find about exosome secretion inhibitors?")
    assert not answer.answer.startswith("ESCRT"), answer.answer
    assert "Tipifarnib" in answer.answer, answer.answer


def test_what_a_named_thing_did_in_a_study_is_a_question_about_findings(assistant: Assistant) -> None:
    # session 15: listed "1 study in the collection matches drug 'gw4869' ..." instead of saying what it did
    did = assistant.ask("What did GW4869 do in the fibroblast study?")
    assert did.backend == "extractive" and "GW4869" in claims(did.answer)[0][0], did.answer
    assert assistant.ask("Which studies used GW4869?").backend == "collection"


def test_a_class_of_molecule_is_no_short_answer(assistant: Assistant) -> None:
    # session 15: "mRNAs. [1]" opened, from Xiao's record listing "mRNAs (unspecified)" as cargo
    answer = assistant.ask("What do exosomes from cisplatin-resistant lung cancer cells carry?")
    assert not answer.answer.startswith(("mRNAs.", "miRNAs.")), answer.answer


def test_a_who_question_opens_with_a_sentence_naming_the_researchers(assistant: Assistant) -> None:
    # session 15: "Who first described exosomes?" opened with Xiao's cisplatin finding, which names nobody
    who = assistant.ask("Who first described exosomes?")
    assert "Pan et al." in claims(who.answer)[0][0], who.answer
    # a lead from the named researchers' own study stays
    named = assistant.ask("Who first used the name exosomes for vesicles released by maturing reticulocytes?")
    assert named.citations[0].source_id == "johnstone-1987-reticulocyte-exosomes", named.answer


def test_a_reviews_passing_mention_neither_answers_nor_opens(assistant: Assistant) -> None:
    # session 13: opened "ABC. [1]" from the Santos review's sentence on ABC transporters (which names no
    # macrophage), and the short answer then kept out the macrophage studies, which name other cargo
    answer = assistant.ask("What do exosomes from M2 macrophages carry?")
    assert answer.answer.startswith("miR-21. [1] Zheng et al. (2017): "), answer.answer
    assert answer.citations[0].source_id == "zheng-2017-mir21"


def test_a_short_answer_is_not_followed_by_another_studys_different_answer(assistant: Assistant) -> None:
    # session 12: "miR21." was followed by a line on miR-1246 (Kanlikilicer), another study's different microRNA
    answer = assistant.ask("Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel "
                           "resistance?")
    assert claims(answer.answer)[0][0] == "miR21.", answer.answer
    assert {c.source_id for c in answer.citations} == {"au-yeung-2016-mir21"}, answer.answer


@pytest.mark.parametrize(("question", "wanted"), [
    ("Who first called the vesicles released by maturing reticulocytes exosomes?", "study"),
    ("Which study first described exosomes released by reticulocytes?", "study"),
    ("Which studies show tumour cells expelling drugs in vesicles?", "study"),
    ("Which review surveys exosomes in breast cancer?", "review"),
    ("Which gene does exosomal miR-21 silence?", None),
    ("How do fibroblast exosomes cause gemcitabine resistance?", None),
])
def test_a_question_asking_which_source_says_something_is_recognised(question: str, wanted: str | None) -> None:
    assert asks_for_source(question) == wanted


@pytest.mark.parametrize(("question", "source", "words"), [
    # written for this test; before session 8 a review (Zhang 2022; Colombo 2014) opened both
    ("Which review surveys exosomes in breast cancer?", "yu-2015-breast-review", "breast cancer"),
    ("Who first called the vesicles released by maturing reticulocytes exosomes?",
     "johnstone-1987-reticulocyte-exosomes", "reticulocytes"),
    # what a review covers may be said as its aim ("The authors present ..."): it opens here
    ("Which review presents exosome biogenesis inhibitors as an add-on to chemotherapy?",
     "santos-2020-exosomal-mirna-tme-resistance-review", "add-on"),
])
def test_which_review_or_study_opens_with_a_source_of_that_type(assistant: Assistant, question: str, source: str,
                                                                words: str) -> None:
    answer = assistant.ask(question)
    first, markers = claims(answer.answer)[0]
    assert words in first and answer.citations[markers[0] - 1].source_id == source, answer.answer


def test_a_name_given_the_asked_kind_by_apposition_answers_even_if_the_record_does_not_list_it() -> None:
    zeb1 = "The transcription factor ZEB1 bound directly to the SBF2-AS1 promoter and controlled its level."
    assert typed_names("Which transcription factor controls SBF2-AS1?", zeb1) == ["ZEB1"]
    pum2 = "The RNA-binding protein Pum2 bound miR-103a-3p and helped sort it into CAF exosomes."
    assert typed_names("Which RNA-binding protein sorts miR-103a-3p?", pum2) == ["Pum2"]
    apaf1 = "Inside the cells miR21 suppresses the apoptosis gene APAF1."
    assert typed_names("Which gene does miR-21 silence?", apaf1) == ["APAF1"]  # a bare head: any gene named so
    # the question's narrower kind must be the sentence's: a repair gene is no transcription factor
    assert typed_names("Which transcription factor acts here?", "It hit the repair gene XRCC4.") == []
    assert typed_names("Which protein loads it?", "The protein levels rose.") == []  # no name follows
    assert typed_names("Which gene does ZEB1 control?", zeb1) == []  # ZEB1 is named by the question


def test_no_rna_name_answers_a_pathway_question() -> None:
    record = Source(id="s", title="t", sections=[], facets={"targets": ["miR-330-3p", "TRIM14", "Dvl2"]})
    sentence = "It kept miR-330-3p from binding TRIM14; TRIM14 then activated Wnt/beta-catenin signalling."
    # before session 10 this opened "miR-330-3p." (the sponged miRNA is listed among the study's targets)
    assert names_of_asked_kind("Which signalling pathway does TRIM14 switch on?", sentence, record) == []
    assert names_of_asked_kind("Which microRNA is kept from binding TRIM14?", sentence, record) == ["miR-330-3p"]


def test_a_which_question_answered_by_apposition_opens_with_that_name(assistant: Assistant) -> None:
    # written for this test (session 10); before, the short answer was the repair gene of another sentence, "XRCC4."
    answer = assistant.ask("Which transcription factor binds the promoter of SBF2-AS1 in temozolomide-resistant "
                           "glioblastoma?")
    parts = claims(answer.answer)
    assert parts[0] == ("ZEB1.", [1]), answer.answer
    assert "XRCC4" not in parts[0][0] and "ZEB1 bound" in parts[1][0], answer.answer


def test_a_gerund_after_the_auxiliary_is_not_the_asked_verb(assistant: Assistant) -> None:
    question = "What did silencing Rab27a do to the size of multivesicular endosomes in HeLa cells?"
    assert asked_kinds(question) == frozenset()
    assert asked_kinds("What does exosomal miR-223 target in ovarian cancer cells?") == {"target"}
    # written for this test (session 10); before, it opened with the other isoform as a short answer, "Rab27b."
    answer = assistant.ask(question)
    assert " et al. (" in claims(answer.answer)[0][0], answer.answer


def test_a_list_question_is_answered_by_the_studies_that_name_the_things_not_a_review(assistant: Assistant) -> None:
    # both written for this test (session 10); before, each opened with a review's general sentence
    circ = assistant.ask("Which exosomal circular RNAs cause chemoresistance?")
    cited = [c.source_id for c in circ.citations]
    assert not any("review" in s for s in cited), circ.answer
    # CircNFIX's study ranks below the peer share of the review it replaces, but its line names a circRNA
    assert {"wang-2020-cirs122", "ding-2020-circnfix-tmz"} <= set(cited), circ.answer
    pten = assistant.ask("Which exosomal microRNAs lower PTEN to cause drug resistance?")
    lines = [text for text, _ in claims(pten.answer) if " et al. (" in text]  # after any list of names
    assert "review" not in lines[0] and all("PTEN" in line for line in lines[:2]), pten.answer
    assert not pten.citations[0].retracted, pten.answer  # the retracted miR-32-5p paper's line comes after


def test_a_list_that_one_study_answers_opens_with_its_sentence_naming_the_things(assistant: Assistant) -> None:
    # written for this test (session 11); before, it opened with the screen's size, "They tested 4,580 compounds"
    answer = assistant.ask("Which compounds switched off exosome biogenesis in the prostate cancer screen?")
    first = claims(answer.answer)[0][0]
    assert first.startswith("Datta et al. (2018): Tipifarnib, neticonazole"), answer.answer
    assert "4,580" not in first


def test_a_drug_named_in_lower_case_answers_a_which_drug_question() -> None:
    # drug names are lower-case words rare in English: the drugs facet lists them, not the descriptions next to them
    facets = {"drugs": ["tipifarnib", "chemotherapy (agents not named in abstract)"]}
    source = Source(id="s", title="t", sections=[], facets=facets)
    assert facet_names(source, "drugs") == {"tipifarnib"}



def test_a_how_question_about_a_setting_is_answered_by_each_of_its_studies(assistant: Assistant) -> None:
    # written for this test (session 17); before, Zeng's four sentences filled the answer and SBF2-AS1 was left out
    answer = assistant.ask("How do exosomes make glioblastoma resistant to temozolomide?")
    cited = [c.source_id for c in answer.citations]
    assert cited[:2] == ["zeng-2018-mir151a-tmz", "zhang-2019-sbf2as1"], answer.answer
    lines = [text for text, _ in claims(answer.answer)]
    assert any("miR-151a" in t for t in lines) and any("SBF2-AS1" in t for t in lines), answer.answer
    # each study's line is a finding, not what the study set out to ask
    assert not any(frames_the_study(t.split(": ", 1)[-1]) for t in lines), answer.answer
    # a study whose best line overflows the budget gives a shorter one (session 18: Richards and Kamerkar filled it)
    pancreas = assistant.ask("How do exosomes help pancreatic cancer survive chemotherapy?")
    assert len({c.source_id for c in pancreas.citations}) >= 3, pancreas.answer


def test_a_setting_question_naming_the_exosomes_source_stays_about_that_study(assistant: Assistant) -> None:
    answer = assistant.ask("How do macrophage exosomes make gastric cancer resist cisplatin?")
    assert {c.source_id for c in answer.citations} == {"zheng-2017-mir21"}, answer.answer


def test_setting_studies_are_the_sound_studies_of_the_named_cancer_and_drug(pack_settings: Settings) -> None:
    from rag.generation.setting import setting_studies
    from rag.index import Index

    index = Index.open(pack_settings)
    gastric = setting_studies("Why does gastric cancer stop responding to cisplatin?", index)
    assert gastric == {"lin-2020-mir500a3p-cisplatin-gastric", "wang-2019-hottip", "zhang-2020-mir522",
                       "zheng-2017-mir21"}
    # a drug class read through the lay table names alternatives: any of them is the setting's drug
    platinum = setting_studies("How do exosomes make lung cancer resistant to platinum chemotherapy?", index)
    assert {"xiao-2014-a549-cisplatin", "wang-2021-caf-mir103a3p-cisplatin-nsclc"} <= platinum
    # the only liver cancer and 5-FU study is retracted: no setting of sound studies
    assert setting_studies("How do exosomes make liver cancer resistant to 5-FU?", index) == frozenset()
    # a named cargo, a yes/no question and a list question are not asked of a setting
    assert setting_studies("How does miR-21 make gastric cancer resist cisplatin?", index) == frozenset()
    assert setting_studies("Do exosomes make gastric cancer resist cisplatin?", index) == frozenset()


def test_each_named_papers_line_cites_its_own_passage_wherever_it_ranks(assistant: Assistant) -> None:
    # the lines were numbered within the named papers only: with another paper ranked first, [1] cited that one
    from rag.generation.extractive import ExtractiveBackend

    search = assistant.searcher()
    question = "What did Ding et al. (2020) and Zeng et al. (2018) find?"
    hits = search.search("HOTTIP cisplatin gastric cancer", k=1) + search.search(question, k=5)
    backend = ExtractiveBackend(search)
    text = backend.generate(question, backend.evidence(question, hits))
    cited = [hits[int(m) - 1].source.id for m in re.findall(r"\[(\d+)\]", text)]
    assert cited and set(cited) == {"ding-2020-circnfix-tmz", "zeng-2018-mir151a-tmz"}, text


def test_the_lead_comes_from_a_study_of_everything_the_question_names(assistant: Assistant) -> None:
    # written for this test (session 17); before, a study of A549 cells' own exosomes (cisplatin and lung cancer,
    # no fibroblasts) opened, and the two studies of fibroblast exosomes in lung cancer followed
    answer = assistant.ask("How do CAF exosomes help lung cancer cells survive cisplatin?")
    first_source = answer.citations[0].source_id
    assert first_source in {"wang-2021-caf-mir103a3p-cisplatin-nsclc", "zhang-2021-caf-mir130a-cisplatin-nsclc"}, \
        answer.answer


def test_a_list_of_one_routes_things_is_given_by_its_studies_not_a_general_review(assistant: Assistant) -> None:
    # written for this test (session 17); before, a review's "vesicles carrying genetic material, proteins and
    # lipids" opened the answer because only that review ranked near the top of the retrieved passages
    answer = assistant.ask("Which proteins in exosomes cause drug resistance?")
    assert not any("review" in c.source_id for c in answer.citations), answer.answer
    assert re.search(r"UCH-L1|Survivin|GSTP1|TrpC5", claims(answer.answer)[0][0]), answer.answer


def test_a_retracted_claim_does_not_open_what_a_sound_source_can_answer(assistant: Assistant) -> None:
    # written for this test (session 17); before, the retracted miR-32-5p paper's claimed mechanism opened
    answer = assistant.ask("Do cancer cells send their drug resistance to other cells?")
    assert answer.citations[0].source_id != "fu-2018-mir32-5p", answer.answer
    # asked about what only the retracted paper claims, it still leads, with its caution
    claimed = assistant.ask("Which target and pathway were claimed for exosomal miR-32-5p in liver cancer?")
    assert claimed.citations[0].source_id == "fu-2018-mir32-5p" and "retracted" in claimed.answer, claimed.answer
    # a drug named in plain lower case counts as named (session 19): a review that never names gefitinib does not
    # open in place of the one study of it, retracted as it is
    gefitinib = assistant.ask("How do exosomes contribute to resistance to gefitinib?")
    assert gefitinib.citations[0].source_id == "kang-2018-part1", gefitinib.answer
    assert "retracted" in gefitinib.answer.split("[1]")[1], gefitinib.answer  # the caution follows its finding


def test_a_lead_about_a_thing_named_before_it_follows_that_sentence(assistant: Assistant) -> None:
    # "It kept miR-330-3p from binding TRIM14" opened the answer, and the reader could not tell what "It" was
    answer = assistant.ask("Why is TRIM14 relevant?")
    sentences = [text for text, _ in claims(answer.answer)]
    kept = next(i for i, s in enumerate(sentences) if s.startswith("It kept miR-330-3p"))
    assert kept == 1 and "circ_0091741 was elevated" in sentences[0], answer.answer
    # "They" after a study's name reads as its authors, and a review's "It" as the review: those leads stay first
    counted = assistant.ask("In which samples were exosomes and miRNA molecules counted to measure copies per vesicle?")
    assert claims(counted.answer)[0][0].split(": ", 1)[1].startswith("They then counted"), counted.answer
    # the study's methods never open, even when the lead leans on them ("These knocked down ...")
    uptake = assistant.ask("Which uptake process helped engineered exosomes knock down oncogenic KRAS?")
    assert not opens_with_framing(uptake.answer), uptake.answer


def test_a_how_question_opens_with_what_carries_the_effect(assistant: Assistant) -> None:
    # Wei's exosome sizes opened; the study's record lists miR-221/222 as the cargo and p27 and ERalpha as targets
    answer = assistant.ask("How do exosomes make breast cancer resistant to tamoxifen?")
    assert "miR-221/222" in claims(answer.answer)[0][0], answer.answer
    # a question about how a study did something keeps its procedure sentence first
    made = assistant.ask("How were exosomes isolated from doxorubicin-resistant osteosarcoma cells?")
    assert "differential centrifugation" in claims(made.answer)[0][0], made.answer


def test_a_protein_the_record_writes_as_a_word_carries_the_effect(assistant: Assistant) -> None:
    # Richards' record lists Snail as the target; "Snail" is an English word, and the answer opened with the GW4869
    # or the "CAFs were inherently resistant" sentence instead of the finding that says how the exosomes act
    answer = assistant.ask("How do fibroblast exosomes make pancreatic cancer resist gemcitabine?")
    assert "Snail" in claims(answer.answer)[0][0], answer.answer
    # each study of a setting gets its line the same way: Binenbaum's says how miR-365 defeats the drug
    lines = assistant.ask("How do exosomes make pancreatic cancer resistant to gemcitabine?")
    assert "Snail" in claims(lines.answer)[0][0], lines.answer
    assert any("cytidine deaminase" in text for text, _ in claims(lines.answer)), lines.answer
    # in everyday words too: the lay table reads "shrug off chemo" as resistance
    lay = assistant.ask("How do the support cells around a pancreas tumour help it shrug off chemo?")
    assert "Snail" in claims(lay.answer)[0][0], lay.answer
    # the protein is a name a short answer can give ("Survivin. [1]"), read from the record's capital
    short = assistant.ask("Which pro-survival protein do paclitaxel-treated breast cancer cells pack into their exosomes?")
    assert claims(short.answer)[0][0] == "Survivin.", short.answer


def test_a_drug_no_source_mentions_is_named_with_the_first_finding(assistant: Assistant) -> None:
    # the corpus has no sorafenib study: the answer from a 5-fluorouracil study said nothing of the difference
    note = "No source in this collection mentions sorafenib; the evidence cited is about other drugs."
    answer = assistant.ask("How do exosomes make liver cancer cells resistant to sorafenib?")
    assert not answer.refused and note in answer.answer, answer.answer
    first = claims(answer.answer)[0][0]
    assert answer.answer.index(note) < answer.answer.index(first) + len(first) + 10, answer.answer  # right after it
    # a drug the corpus has, an everyday word in the slot ("chemo", "cells") and a joined form read the same way
    for question, noted in (("How do exosomes make breast cancer resistant to tamoxifen?", False),
                            ("Can exosomes make tumours resistant to chemo?", False),
                            ("Do exosomes spread osimertinib-resistant lung cancer?", True)):
        text = assistant.ask(question).answer
        assert ("No source in this collection mentions" in text) == noted, (question, text)
    # session 32: bare names opening the answer ("HOTTIP [1], H19 [2] and SBF2-AS1.") read as the lncRNAs of
    # sunitinib resistance, with the note only after them: the note now comes first
    names = assistant.ask("Which lncRNAs in exosomes promote sunitinib resistance?")
    assert names.answer.startswith("No source in this collection mentions sunitinib;"), names.answer


def test_a_question_about_one_rna_class_opens_with_a_study_of_that_class(assistant: Assistant) -> None:
    # retrieval's top five were two serum microRNA studies and three reviews; the serum lncRNA studies ranked next
    answer = assistant.ask("Is there evidence from patients that exosomal lncRNAs predict response to chemotherapy?")
    first, cited = claims(answer.answer)[0]
    assert "HOTTIP" in first or "SNHG14" in first, answer.answer
    assert answer.citations[cited[0] - 1].source_id in {"wang-2019-hottip", "dong-2018-snhg14"}


def test_a_question_asking_for_evidence_in_animals_opens_with_a_study_that_has_it(assistant: Assistant) -> None:
    # two cell-culture compound screens opened this answer, and Chalmin's three mouse models came third
    answer = assistant.ask("Does blocking vesicle release make chemo work better in mice?")
    first, cited = claims(answer.answer)[0]
    assert answer.citations[cited[0] - 1].source_id == "chalmin-2010-hsp72-exosomes-mdsc", answer.answer
    assert "mouse" in first, answer.answer  # the study's mouse finding, not its human MDSC one
    # session 32: asked about resistance, Kim's paclitaxel-delivery mice (an exosome-biology study) opened before
    # Qin's resistance transfer in vivo; and Qin's "this held both in vitro and in vivo" comes after what held
    transfer = assistant.ask("Do exosomes from resistant cells make sensitive cells resistant in mice as well as in "
                             "dishes?")
    first, cited = claims(transfer.answer)[0]
    assert transfer.citations[cited[0] - 1].source_id == "qin-2017-mir100-5p-cisplatin", transfer.answer
    assert "Exosomes from resistant cells made recipient cells more cisplatin-resistant" in first, first
    assert "The abstract says this held both in vitro and in vivo." in transfer.answer
    # "connective tissue" names cells, not patients' samples: that question keeps its pancreatic study first
    lay = assistant.ask("What happens to the connective-tissue cells of pancreas tumours when they get chemo?")
    assert lay.citations[0].source_id == "richards-2017-caf-exosomes", lay.answer
    assert evidence_asked(["connective", "tissue", "cells"], strict=True) == (None, frozenset())
    assert evidence_asked(["in", "mice"], strict=True)[0] == "animals"
    # a study of what the question names comes before one that has the evidence but is about something else
    # (session 22: the tamoxifen follow-up "Is that shown in patients?" opened with an adriamycin study)
    tamoxifen = assistant.ask("Is that shown in patients?", history=[
        Turn("user", "How do exosomes make breast cancer resistant to tamoxifen?"), Turn("assistant", "...")])
    assert tamoxifen.citations[0].source_id == "wei-2014-mir221-222-tamoxifen", tamoxifen.answer
    assert "cell-culture evidence only" in tamoxifen.answer, tamoxifen.answer


def test_a_list_of_a_kind_is_gathered_from_studies_not_reviews(assistant: Assistant) -> None:
    # three reviews took three of the five retrieved places, so two studies answered; the target genes asked for
    # are named by studies ranked sixth to ninth (XRCC4, Cav1)
    answer = assistant.ask("Which target genes do exosomal microRNAs suppress to cause drug resistance?")
    cited = {c.source_id for c in answer.citations}
    assert len(cited) >= 3 and not any("review" in sid for sid in cited), answer.answer
    assert "XRCC4" in answer.answer or "Cav1" in answer.answer, answer.answer


def test_a_which_question_whose_openers_are_all_aims_opens_with_the_finding(assistant: Assistant) -> None:
    # session 22: the answer was the short name and the study's aim ("The study asked whether ...") alone
    answer = assistant.ask("Which lncRNA makes glioblastoma resist temozolomide?")
    sentences = [text for text, _markers in claims(answer.answer)]
    assert sentences[0].startswith("SBF2-AS1"), answer.answer
    assert not frames_the_study(document_text(sentences[1]).split(": ", 1)[-1]), answer.answer


def assert_opens_with(assistant: Assistant, question: str, words: str) -> None:
    """The answer's first sentence holds these words."""
    answer = assistant.ask(question)
    assert words in claims(answer.answer)[0][0], answer.answer


def test_a_when_question_opens_with_a_sentence_that_gives_a_time(assistant: Assistant) -> None:
    # session 22: it opened with a general review's description, with no date
    assert states_asked_time("When were exosomes first described?", "the 1980s description of exosomes")
    assert not states_asked_time("When were exosomes first described?", "exosomes carry RNA")
    assert not states_asked_time("Who first described exosomes?", "the 1980s description of exosomes")
    # a document's own dates are not another text's year
    assert not states_asked_time("When was the Oncologie review received?", "the 1980s description of exosomes")
    assert_opens_with(assistant, "When were exosomes first described?", "1980s")


def test_a_lead_names_every_particular_thing_the_question_names_when_a_sentence_does(assistant: Assistant) -> None:
    # session 22: these opened with the study's sentence naming one of the two (SBF2-AS1's level; the miRNA counts)
    assert_opens_with(assistant, "What is the relation between ZEB1 and SBF2-AS1?", "ZEB1")
    assert_opens_with(assistant, "Does exosomal miR-100-5p target mTOR in cisplatin-resistant lung cancer?", "mTOR")


def test_a_list_of_one_rna_class_in_everyday_words_lists_that_class(assistant: Assistant) -> None:
    # session 22: "ring-shaped RNAs" read as a particular name ("RNAs") gave one study's four sentences
    answer = assistant.ask("Which ring-shaped RNAs help cancer resist treatment?")
    cited = [c.source_id for c in answer.citations]
    assert {"ding-2020-circnfix-tmz", "wang-2020-cirs122"} <= set(cited), answer.answer
    index = assistant.index()
    assert all(index.sources[s].category == "ncrna-circrna" for s in cited), answer.answer
    lnc = assistant.ask("Which long RNAs travel in vesicles and cause drug resistance?")
    assert len({c.source_id for c in lnc.citations}) >= 3, lnc.answer


def test_a_question_asking_what_a_study_found_opens_with_its_findings(assistant: Assistant) -> None:
    # session 22: the named study's aim ("This clinical study asked whether ...") opened, its AUC never came
    assert asks_for_findings("What did the TNBC neoadjuvant study find?")
    assert not asks_for_findings("How many breast cancer specimens were stained for UCH-L1?")
    assert_opens_with(assistant, "What did the TNBC neoadjuvant study find?", "0.7652")
    # ... while a question about methods is still answered by the methods sentence
    assert_opens_with(assistant, "How many breast cancer specimens were stained for UCH-L1?", "93")


def test_the_top_ranked_passage_holding_the_questions_rare_word_answers(assistant: Assistant) -> None:
    # session 22: the ferroptosis study ranked first at 0.47 (under the relevance threshold), three reviews answered
    assert rare_words("Is there a link between exosomes and ferroptosis?") == {"ferroptosis"}
    answer = assistant.ask("Is there a link between exosomes and ferroptosis?")
    assert answer.citations[0].source_id == "zhang-2020-mir522", answer.answer
    assert "ferroptosis" in claims(answer.answer)[0][0], answer.answer


def test_the_lead_studys_sentence_on_the_asked_evidence_opens(assistant: Assistant) -> None:
    # session 22: "In humans, exosomes ... activated MDSCs" opened an answer about mice
    assert_opens_with(assistant, "What happens to MDSCs when mice get amiloride?", "mouse")


def test_a_study_is_asked_for_its_record(assistant: Assistant) -> None:
    # session 24: "Who wrote the review?" gave the review's outlook and no author; "What is the DOI of the review?"
    # was read as a listing of reviews and matched none
    review = assistant.ask("Who wrote the review?")
    assert review.backend == "collection" and not review.refused
    assert all(name in review.answer for name in ("Zhang H", "Wang X", "Yu Y", "Yang Z", "Oncologie")), review.answer
    assert [c.source_id for c in review.citations] == ["zhang-2022-review"]
    doi = assistant.ask("What is the DOI of the review?")
    assert "10.32604/oncologie.2022.020993" in doi.answer, doi.answer
    first = "What is the HOTTIP study about?"
    history = [Turn("user", first), Turn("assistant", assistant.ask(first).answer)]
    follow = assistant.ask("Who wrote it?", history=history)
    assert "Wang J" in follow.answer and [c.source_id for c in follow.citations] == ["wang-2019-hottip"], follow.answer
    # several studies' authors are a listing, each study with its first author
    listed = assistant.ask("Who are the authors of the studies on glioma?")
    assert listed.answer.startswith("3 studies in the collection") and "Ding et al., 2020" in listed.answer
    # the records' only judgement of a study is retraction: "unreliable" lists the retracted ones
    unsound = assistant.ask("Are any of the studies in this collection unreliable?")
    assert unsound.answer.startswith("4 studies in the collection are retracted"), unsound.answer


def test_a_name_one_record_lists_is_searched_as_an_entity(assistant: Assistant) -> None:
    # session 24: ALOX15 is listed by the miR-522 study alone, whose title has no "exosome"; the studies titled
    # with exosomes outranked it and the answer came from Xiao's A549 study
    answer = assistant.ask("How is ALOX15 linked to exosomes?")
    assert answer.citations[0].source_id == "zhang-2020-mir522" and "ALOX15" in claims(answer.answer)[0][0], \
        answer.answer


def test_an_everyday_phrase_inside_a_longer_name_is_that_name() -> None:
    # session 24: "pump" in "proton pump inhibitors" was read as the lay word for P-glycoprotein, and the answer
    # to "Do proton pump inhibitors make chemotherapy work better?" came from a P-gp study
    from rag import lay_terms

    assert "P-glycoprotein ABC transporter efflux" not in lay_terms.read("Do proton pump inhibitors help?").terms
    assert "P-glycoprotein ABC transporter efflux" in lay_terms.read("Do tumours use a drug pump?").terms
    assert "gemcitabine" in lay_terms.read("Why does the pancreatic cancer drug stop working?").terms


def test_proton_pump_inhibitors_are_answered_from_the_ppi_study(assistant: Assistant) -> None:
    answer = assistant.ask("Do proton pump inhibitors make chemotherapy work better?")
    assert answer.citations[0].source_id == "federici-2014-melanoma-cisplatin-ph", answer.answer


def test_a_pathway_is_answered_by_a_name_called_a_pathway(assistant: Assistant) -> None:
    # session 24: "What signalling pathway does miR-92a-3p activate ...?" opened "FBXW7 and MOAP1." (the genes it
    # acts through); "Which pathway does SBF2-AS1 act on ...?" opened "XRCC4."
    index = assistant.index()
    hu = index.sources["hu-2019-caf-mir92a3p-crc"]
    sentence = ("Microarray comparison singled out miR-92a-3p, and FBXW7 and MOAP1 were studied as the genes through "
                "which it acts.")
    assert names_of_asked_kind("What signalling pathway does miR-92a-3p activate?", sentence, hu) == []
    assert names_of_asked_kind("Which genes does miR-92a-3p act through?", sentence, hu) == ["FBXW7", "MOAP1"]
    # called a pathway by the sentence, or by the study's record
    zhu = index.sources["zhu-2019-mir223"]
    assert names_of_asked_kind("Which pathway does miR-223 act through?", "PTEN was confirmed as the target, and "
                               "miR-223 acted through the PTEN-PI3K/AKT pathway.", zhu) == ["PTEN-PI3K/AKT"]
    fu = index.sources["fu-2018-mir32-5p"]
    assert names_of_asked_kind("Which signalling pathway does miR-32-5p switch on?",
                               "It suppresses PTEN, turns on PI3K/Akt, and promotes EMT.", fu) == ["PI3K/Akt"]
    answer = assistant.ask("Which pathway does SBF2-AS1 act on in glioblastoma?")
    assert not answer.answer.startswith("XRCC4"), answer.answer


def test_a_setting_question_about_one_studys_topic_is_that_studys(assistant: Assistant) -> None:
    # session 24: ferroptosis is the miR-522 study's topic alone; the question was read as one about every gastric
    # cisplatin study, and HOTTIP and miR-500a-3p lines followed that said nothing of ferroptosis
    answer = assistant.ask("Why does ferroptosis matter for cisplatin resistance in stomach cancer?")
    cited = [c.source_id for c in answer.citations]
    assert cited[0] == "zhang-2020-mir522" and "ferroptosis" in claims(answer.answer)[0][0], answer.answer
    assert not {"wang-2019-hottip", "lin-2020-mir500a3p-cisplatin-gastric"} & set(cited), answer.answer
    setting = assistant.ask("How do exosomes make glioblastoma resistant to temozolomide?")
    assert len({c.source_id for c in setting.citations}) > 1, setting.answer  # a setting question stays one
    # a cancer in the plural is the setting, not a topic word ("glioblastomas" is rare in the records)
    plural = assistant.ask("Why do glioblastomas treated with temozolomide become resistant, in the exosome "
                           "literature?")
    assert len({c.source_id for c in plural.citations}) > 1, plural.answer
    # a word that every study of the setting uses narrows nothing: both reticulocyte studies answer
    first = assistant.ask("How were exosomes first discovered in maturing reticulocytes?")
    assert [c.source_id for c in first.citations][:2] == ["johnstone-1987-reticulocyte-exosomes",
                                                          "pan-1985-transferrin-receptor-vesicles"], first.answer


def test_a_named_things_role_in_resistance_opens_with_a_sentence_on_resistance(assistant: Assistant) -> None:
    # session 24: Ostrowski's Rab27a knockdown sentences (exosome secretion only) filled the answer
    answer = assistant.ask("What is the role of Rab27a in drug resistance?")
    first = claims(answer.answer)[0][0]
    assert "Rab27a" in first and "gemcitabine" in first, answer.answer
    # session 32: asked as a yes/no question, Binenbaum's passage scored 0.09 (under the relevance threshold) and
    # the answer was Ostrowski's secretion screen alone, which says nothing of resistance
    blocking = assistant.ask("Does blocking Rab27a reduce resistance?")
    first = claims(blocking.answer)[0][0]
    assert "Rab27a" in first and "gemcitabine" in first, blocking.answer
    # a question about secretion itself keeps the secretion study
    secretion = assistant.ask("What happens to exosome secretion when Rab27a is silenced?")
    assert {c.source_id for c in secretion.citations} == {"ostrowski-2010-rab27-exosome-secretion"}
    # a lead study that tested a drug was chosen for the whole question and keeps the lead: the cisplatin of the
    # question is Federici's setting, not a named thing another study's resistance sentence should open with
    melanoma = assistant.ask("How do low extracellular pH and exosome release make melanoma cells resistant to "
                             "cisplatin?")
    assert melanoma.citations[0].source_id == "federici-2014-melanoma-cisplatin-ph", melanoma.answer


def test_exosomes_forming_inside_cells_is_asked_about_biogenesis(assistant: Assistant) -> None:
    # session 24: "form" matched Koch's "formation of these exosomes" and Federici's PPI study opened the answer
    answer = assistant.ask("How do exosomes form inside cells?")
    assert answer.citations[0].source_id in {"trajkovic-2008-ceramide-exosome-budding",
                                             "ostrowski-2010-rab27-exosome-secretion",
                                             "colombo-2014-ev-biogenesis-review"}, answer.answer


def test_resistance_asked_in_general_is_told_what_the_corpus_covers(assistant: Assistant) -> None:
    from rag import prompts

    general = assistant.ask("How do cancers become resistant to chemotherapy?")
    assert general.refused and general.answer == prompts.REFUSAL_RESISTANCE_IN_GENERAL
    other = assistant.ask("Why does hair fall out during chemotherapy?")
    assert other.refused and other.answer == prompts.REFUSAL_OUT_OF_SCOPE


def test_a_list_of_an_rna_class_includes_studies_filed_under_another_route(assistant: Assistant) -> None:
    # session 24: the CAF studies of miR-103a-3p and miR-130a are filed as stromal-cell studies, so "Which
    # microRNAs ...?" skipped them and answered with the head and neck study alone, "not of lung cancer"
    answer = assistant.ask("Which microRNAs in CAF exosomes cause cisplatin resistance in lung cancer?")
    cited = {c.source_id for c in answer.citations}
    assert {"wang-2021-caf-mir103a3p-cisplatin-nsclc", "zhang-2021-caf-mir130a-cisplatin-nsclc"} <= cited, answer.answer
    carried = assistant.ask("Which microRNAs do fibroblast exosomes carry?")
    assert len({c.source_id for c in carried.citations}) >= 3, carried.answer
    # the record's cargo decides, not the route: a lncRNA list still skips the miRNA studies
    lnc = assistant.ask("Which exosomal lncRNAs cause chemoresistance?")
    assert all("mir" not in c.source_id for c in lnc.citations), lnc.answer


def test_a_drug_asked_as_the_doer_of_a_change_is_the_one_doing_it(assistant: Assistant) -> None:
    from rag.generation.direction import agents

    # session 24: "Doxorubicin and pixantrone." answered "Which drug blocks ABCA3?" (the drugs Koch's cells pumped
    # out); the doer is the drug said to suppress it
    assert "indomethacin" in agents("Removing ABCA3 with shRNA, or suppressing it chemically with indomethacin, "
                                    "kept more of each drug inside the cells.", -1)
    assert "cbd" in agents("CBD significantly lowered exosome release in all three lines.", -1)
    assert not {"doxorubicin", "pixantron"} & agents("DLBCL cell lines pumped out the anthracycline doxorubicin "
                                                      "and the anthracenedione pixantrone.", -1)
    for question in ("Which drug blocks ABCA3?", "Which drug did Koch use to block exosome export?"):
        answer = assistant.ask(question)
        assert answer.answer.startswith("Indomethacin."), answer.answer
    raised = assistant.ask("Which drug increased exosome release from lung cancer cells?")
    assert raised.answer.startswith("Cisplatin."), raised.answer


def test_resistance_in_another_field_is_not_told_to_name_the_vesicles(assistant: Assistant) -> None:
    from rag import prompts

    answer = assistant.ask("How do bacteria share drug resistance genes?")
    assert answer.refused and answer.answer == prompts.REFUSAL_OUT_OF_SCOPE


# Session 25: fresh questions, in no question set

def test_a_surname_before_a_word_for_a_piece_of_work_names_that_paper(assistant: Assistant) -> None:
    # "the Datta screen" was no citation of Datta's paper, and the gate refused the question (best passage 0.02)
    answer = assistant.ask("How many compounds did the Datta screen test?")
    assert not answer.refused and "4,580" in answer.answer, answer.answer
    assert answer.citations[0].source_id == "datta-2018-exosome-inhibitor-screen"


def test_which_study_showed_a_finding_opens_with_the_sentence_matching_it(assistant: Assistant) -> None:
    # the lead model preferred Mao's "The resistant cells packed miRNAs into their exosomes" (adriamycin is
    # doxorubicin) over Shedden's sentence on doxorubicin expelled within shed vesicles
    answer = assistant.ask("Which study showed that doxorubicin is packed into vesicles and thrown out of the cell?")
    assert answer.citations[0].source_id == "shedden-2003-vesicle-expulsion", answer.answer


def test_an_everyday_word_is_no_particular_thing_that_keeps_a_route_question_off_its_route(
        assistant: Assistant) -> None:
    # "sacs" is rare by word frequency; read as a particular word it kept the question off the efflux route, and
    # the answer was exosomes loaded with paclitaxel as a treatment (Kim)
    answer = assistant.ask("How do tumour cells use tiny sacs to spit out chemotherapy?")
    cited = [c.source_id for c in answer.citations]
    assert "kim-2016-exoptx-macrophage-exosome-paclitaxel-mdr" not in cited[:1], answer.answer
    assert {"bebawy-2009-microparticles-pgp", "shedden-2003-vesicle-expulsion", "goler-baron-2011-abcg2-evs",
            "koch-2016-indomethacin-abca3"} & set(cited), answer.answer


def test_exosomes_from_tumour_cells_are_no_setting(assistant: Assistant) -> None:
    # "tumour cells" is an exosome source two records name; the question was asked of those two studies (Federici,
    # Hu), neither of which speaks of hypoxia
    answer = assistant.ask("How does hypoxia change exosome release from tumour cells?")
    assert answer.citations[0].source_id == "zhu-2019-mir223", answer.answer


def test_british_spellings_of_cancers_are_the_same_cancer(assistant: Assistant) -> None:
    assert normalize("leukaemia") == normalize("leukemia") and normalize("oesophageal") == normalize("esophageal")
    answer = assistant.ask("Which studies cover leukaemia?")
    assert not answer.refused and [c.source_id for c in answer.citations] == ["bebawy-2009-microparticles-pgp"]


def test_an_lncrna_question_is_not_answered_by_a_mir_or_circ_name(assistant: Assistant) -> None:
    from rag.generation.short_answer import fits_head

    assert not fits_head({"cirs122"}, "lncrna") and not fits_head({"mir122"}, "lncrna")
    assert fits_head({"hottip"}, "lncrna")
    answer = assistant.ask("Which lncRNA raises PKM2 in colorectal cancer?")
    assert not answer.answer.startswith(("ciRS-122", "miR-122")), answer.answer


def test_a_symbol_only_one_studys_text_uses_chooses_the_study(assistant: Assistant) -> None:
    # ZEB1 is in the SBF2-AS1 study's passage but in no record's facets; PART1's study (STAT1 binds its promoter)
    # ranked first and answered "PART1."
    answer = assistant.ask("Which lncRNA is regulated by ZEB1?")
    assert answer.answer.startswith("SBF2-AS1.") and answer.citations[0].source_id == "zhang-2019-sbf2as1", \
        answer.answer


def test_a_name_neither_english_nor_the_corpus_knows_is_not_carried_by_the_subject_alone(
        assistant: Assistant) -> None:
    from rag.vocabulary import unseen

    # a coined drug name is unseen; an everyday word the corpus does not use is plain wording, still carried
    assert unseen("venetoclax") and not unseen("blebs") and not unseen("hemp")
    # the best passage scored far below the threshold and the subject model alone answered from a leukemia and a
    # lymphoma study that never name the drug
    for question in ("Why do cancer cells stop responding to the drug venetoclax in chronic lymphocytic leukemia?",
                     "Why do cancer cells resist the drug tipifarnibx in lymphoma?"):
        assert assistant.ask(question).refused, question


def test_a_cancer_said_plainly_keeps_a_question_off_the_route_answer(assistant: Assistant) -> None:
    # with "bubbles" an everyday word, the question below reads as one on the circRNA route; "brain tumours" is
    # glioma, so it is the glioma study's question, not the route's review framing
    answer = assistant.ask("How does a circRNA in tiny bubbles help brain tumours resist their usual drug?")
    assert answer.citations[0].source_id == "ding-2020-circnfix-tmz", answer.answer


def test_a_question_whether_a_study_exists_opens_with_its_finding(assistant: Assistant) -> None:
    # the study's aim restates such a question best and was the whole answer (20 words, no finding)
    for question in ("Is there a study on cisplatin resistance in head and neck cancer?",
                     "Which study looked at cisplatin resistance in head and neck cancer?"):
        answer = assistant.ask(question)
        first = claims(answer.answer)[0][0]
        assert answer.citations[0].source_id == "qin-2019-mir196a" and "miR-196a" in first, answer.answer


def test_how_quickly_asks_for_a_time_not_a_mechanism(assistant: Assistant) -> None:
    from rag.generation.routes import asks_how

    assert not asks_how("How quickly do sensitive cells take up exosomes from resistant cells?")
    assert asks_how("How do sensitive cells take up exosomes from resistant cells?")
    # read as a mechanism question, it got the review's 262-word map of the routes
    answer = assistant.ask("How quickly do sensitive cells take up exosomes from resistant cells?")
    assert word_count(answer.answer) <= 150 and answer.citations[0].source_id != "zhang-2022-review", answer.answer
