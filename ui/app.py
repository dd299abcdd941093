"""The browser app (Gradio Blocks): a chat with a sources panel, filters, backend choice, export and feedback; an
evidence explorer (the corpus as a table) and an evidence map (heat maps and a timeline). A thin layer over
rag.assistant and rag.catalog; every piece of HTML comes from ui.render, which escapes all corpus and model text."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import gradio as gr

from rag import catalog, export, feedback
from rag.answering import Turn
from rag.assistant import Assistant
from rag.documents import Answer
from rag.filters import FilterError, Filters
from rag.index import IndexStoreError
from ui import render

log = logging.getLogger("ui.app")
STATIC = Path(__file__).resolve().parent / "static"
EXAMPLES = [
    "How do fibroblast exosomes make pancreatic cancer resist gemcitabine?",
    "What are the main mechanisms by which exosomes mediate chemotherapy resistance?",
    "Which exosomal lncRNAs have been linked to drug resistance?",
    "How do cancer cells use exosomes to export drugs such as cisplatin?",
    "Can blocking exosome secretion restore chemotherapy sensitivity?",
]
ASK_FILTERS = ("category", "cancer_type", "drug", "cargo", "exosome_source")
NOTE = ("Cited answers from the review *Progression of Exosome-Mediated Chemotherapy Resistance in Cancer* "
        "(Oncologie 2022) and the studies it discusses. **Research use only; not medical advice.** "
        "Click a [n] marker to see its passage.")


def head() -> str:
    return f"<script>{(STATIC / 'app.js').read_text(encoding='utf-8')}</script>"


def css() -> str:
    return (STATIC / "app.css").read_text(encoding="utf-8")


def active_filters(values: dict[str, Any], years: tuple[int, int], bounds: list[int]) -> dict[str, Any]:
    """The filters a person set, in the API's names: empty menus, full year ranges and 'include' are left out."""
    active = {k: v for k, v in values.items() if v}
    if years[0] > bounds[0]:
        active["year_min"] = int(years[0])
    if years[1] < bounds[1]:
        active["year_max"] = int(years[1])
    return active


def _export_files(folder: Path, n: int, answer: Answer) -> tuple[str | None, str | None]:
    if not answer.citations:
        return None, None
    bib, ris = folder / f"references-{n}.bib", folder / f"references-{n}.ris"
    bib.write_text(export.bibtex(answer.citations), encoding="utf-8")
    ris.write_text(export.ris(answer.citations), encoding="utf-8")
    return str(bib), str(ris)


def build_ui(assistant: Assistant) -> gr.Blocks:
    settings = assistant.settings
    downloads = Path(tempfile.mkdtemp(prefix="exorag-export-"))

    def load_options() -> dict[str, list[str]]:
        try:
            return catalog.options(assistant.index())
        except IndexStoreError:
            return {k: [] for k in ("category", "cancer_type", "drug", "cargo", "exosome_source")} | {"years": [1980, 2030]}

    opts = load_options()
    bounds = opts["years"]

    # ------------------------------------------------------------------ chat
    def chat_turn(message: str, chat: list, records: list, active: dict, backend: str):
        message = (message or "").strip()
        if not message:
            gr.Warning("Please type a question first, or click one of the examples.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if len(message) > settings.max_question_chars:
            gr.Warning(f"Your question is {len(message)} characters long; the limit is {settings.max_question_chars}. "
                       "Please shorten it.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [Turn(role, text) for q, a in records for role, text in (("user", q), ("assistant", a["answer"]))]
        chat = chat + [{"role": "user", "content": render.md_text(message)},
                       {"role": "assistant", "content": "Searching the corpus…"}]
        yield chat, records, gr.skip(), "", gr.skip(), gr.skip(), gr.skip()
        try:
            events = assistant.ask_events(message, backend or None, filters=Filters.from_mapping(active),
                                          history=history)
            draft = ""
            for kind, payload in events:
                if kind == "delta":
                    draft += payload
                    chat[-1] = {"role": "assistant", "content": render.progress_message(draft)}
                    yield chat, records, gr.skip(), "", gr.skip(), gr.skip(), gr.skip()
                elif kind == "answer":
                    answer = payload
        except (IndexStoreError, FilterError) as exc:
            chat[-1] = {"role": "assistant", "content": render.md_text(f"Sorry, the assistant could not answer: {exc}")}
            yield chat, records, gr.skip(), "", gr.skip(), gr.skip(), gr.skip()
            return
        except Exception:  # never a traceback in the chat; the operator's log has it
            log.exception("answer failed in the UI")
            chat[-1] = {"role": "assistant", "content": "Sorry, the answer failed. Please try again."}
            yield chat, records, gr.skip(), "", gr.skip(), gr.skip(), gr.skip()
            return
        chat[-1] = {"role": "assistant", "content": render.chat_message(answer)}
        records = records + [(message, answer.to_dict())]
        bib, ris = _export_files(downloads, id(answer), answer)
        yield (chat, records, render.sources_panel(answer, message), "", export.markdown(message, answer),
               gr.update(value=bib, interactive=bib is not None), gr.update(value=ris, interactive=ris is not None))

    def clear() -> tuple:
        return [], [], render.sources_panel(None), "", "", gr.update(value=None, interactive=False), \
            gr.update(value=None, interactive=False)

    def retry(chat: list, records: list) -> tuple[list, list, str]:
        if not records:
            return chat, records, ""
        return chat[:-2], records[:-1], records[-1][0]

    def on_like(records: list, data: gr.LikeData) -> str:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if not records or not isinstance(index, int) or index // 2 >= len(records):
            return ""
        question, answer = records[index // 2]
        ok = feedback.record(settings.data_dir, question, answer, "up" if data.liked else "down")
        return "Thanks: feedback saved." if ok else "Feedback could not be saved (the chat is unaffected)."

    def on_comment(comment: str, records: list) -> tuple[str, str]:
        if not comment.strip() or not records:
            return comment, "Ask a question first, then comment on its answer."
        question, answer = records[-1]
        ok = feedback.record(settings.data_dir, question, answer, "comment", comment.strip())
        return ("", "Thanks: comment saved.") if ok else (comment, "The comment could not be saved (the chat is unaffected).")

    # ------------------------------------------------------------------ filters
    def set_filters(category, cancer_type, drug, cargo, exosome_source, year_from, year_to, retracted):
        values = dict(zip(ASK_FILTERS, (category, cancer_type, drug, cargo, exosome_source)))
        values["retracted"] = None if retracted == "include" else retracted
        active = active_filters(values, (year_from, year_to), bounds)
        return active, render.chips(active)

    # ------------------------------------------------------------------ explorer and map
    def explore(query: str, category: str | None, cancer_type: str | None, drug: str | None, retracted: str,
                year: str | None = None):
        mapping = {"category": category, "cancer_type": cancer_type, "drug": drug, "year": year,
                   "retracted": retracted or "include"}
        try:
            page = catalog.list_sources(assistant.index(), Filters.from_mapping(mapping), query or "", 1, 1000)
        except (IndexStoreError, FilterError) as exc:
            return gr.update(value=[]), [], f"Cannot list sources: {exc}"
        rows = [render.explorer_row(item) for item in page.items]
        note = f"{page.total} of {len(assistant.index().sources)} sources" + (f" (year {year})" if year else "")
        return rows, [item["source_id"] for item in page.items], note

    def evidence_map() -> str:
        try:
            index = assistant.index()
        except IndexStoreError as exc:
            return f"<p>{render.esc(exc)}</p>"
        return (render.heatmap("Mechanism category × cancer site", catalog.cross_counts(index, "category", "cancer_site", 12),
                               "category", "cancer_type")
                + render.heatmap("Mechanism category × drug", catalog.cross_counts(index, "category", "drug", 12),
                                 "category", "drug")
                + render.timeline(catalog.by_year(index)))

    def ask_about(ids: list, event: gr.SelectData) -> tuple:
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        source = assistant.index().sources.get(ids[row]) if ids and row < len(ids) else None
        if source is None:
            return gr.skip(), gr.skip()
        return f"What did the study '{source.title}' find?", gr.Tabs(selected="ask")

    def on_action(action: str, active: dict):
        """Clicks in HTML (map cells, chip ×) arrive here as 'pick?category=x&drug=y|time' or 'unfilter?key=k|time'."""
        kind, _, query = (action or "").split("|")[0].partition("?")
        params = dict(parse_qsl(query))
        skip = (gr.skip(),) * 18  # one per output: the ask filters (10), then the explorer and the tabs (8)
        if kind == "unfilter" and params.get("key") in active:
            active = {k: v for k, v in active.items() if k != params["key"]}
            key = params["key"]
            menus = [gr.update(value=None) if name == key else gr.skip() for name in ASK_FILTERS]
            years = [gr.update(value=bounds[0]) if key == "year_min" else gr.skip(),
                     gr.update(value=bounds[1]) if key == "year_max" else gr.skip()]
            retracted = gr.update(value="include") if key == "retracted" else gr.skip()
            return (active, render.chips(active), *menus, *years, retracted, *skip[:8])
        if kind == "pick":
            rows, ids, note = explore("", params.get("category"), params.get("cancer_type"), params.get("drug"),
                                      "include", params.get("year"))
            return (*skip[:10], "", params.get("category"), params.get("cancer_type"), params.get("drug"),
                    rows, ids, note, gr.Tabs(selected="explorer"))
        return skip

    with gr.Blocks(title="Exosome chemoresistance assistant") as demo:
        gr.Markdown("# Exosome-mediated chemoresistance assistant")
        gr.Markdown(NOTE, elem_classes=["research-note"])
        records = gr.State([])  # (question, Answer dict) per turn, aligned with the chat's message pairs
        active = gr.State({})
        action = gr.Textbox(visible="hidden", elem_id="ui-action")
        with gr.Tabs() as tabs:
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Conversation", height=520, elem_id="chat", buttons=["copy", "copy_all"],
                                          sanitize_html=True, feedback_options=("Like", "Dislike"),
                                          placeholder="Ask a mechanism question, or click an example below.")
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask a mechanism question… (Enter sends)", lines=1,
                                                  max_lines=4, show_label=False, scale=5, elem_id="question",
                                                  max_length=settings.max_question_chars)
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="send")
                        with gr.Row():
                            retry_btn = gr.Button("Retry", size="sm")
                            clear_btn = gr.Button("Clear", size="sm")
                            usable = assistant.available_backends()
                            backend = gr.Dropdown(usable, label="Backend",
                                                  value=settings.backend if settings.backend in usable else "extractive",
                                                  scale=2, elem_id="backend")
                        gr.Examples(EXAMPLES, inputs=[question], label="Examples")
                    with gr.Column(scale=2):
                        sources = gr.HTML(render.sources_panel(None), elem_id="sources")
                with gr.Accordion("Filters", open=False, elem_id="filters"):
                    chip_box = gr.HTML(render.chips({}), elem_id="chips")
                    with gr.Row():
                        menus = [gr.Dropdown(opts[name], value=None, label=name.replace("_", " "),
                                             allow_custom_value=name != "category", elem_id=f"filter-{name}")
                                 for name in ASK_FILTERS]
                    with gr.Row():
                        year_from = gr.Slider(bounds[0], bounds[1], value=bounds[0], step=1, label="from year")
                        year_to = gr.Slider(bounds[0], bounds[1], value=bounds[1], step=1, label="to year")
                        retracted = gr.Radio(["include", "exclude", "only"], value="include", label="retracted studies")
                with gr.Accordion("Export and feedback", open=False, elem_id="export"):
                    markdown_out = gr.Textbox(label="Answer with references (Markdown)", lines=6,
                                              buttons=["copy"], elem_id="export-md")
                    with gr.Row():
                        bib_btn = gr.DownloadButton("BibTeX", interactive=False, elem_id="bibtex")
                        ris_btn = gr.DownloadButton("RIS", interactive=False, elem_id="ris")
                    comment = gr.Textbox(label="Comment on the last answer (optional)", lines=2)
                    comment_btn = gr.Button("Send feedback", size="sm")
                    feedback_note = gr.Markdown("")
            with gr.Tab("Evidence explorer", id="explorer"):
                with gr.Row():
                    ex_query = gr.Textbox(label="search title, authors, journal, facets", scale=3)
                    ex_category = gr.Dropdown(opts["category"], value=None, label="category", elem_id="ex-category")
                    ex_cancer = gr.Dropdown(opts["cancer_type"], value=None, label="cancer type", allow_custom_value=True,
                                            elem_id="ex-cancer")
                    ex_drug = gr.Dropdown(opts["drug"], value=None, label="drug", allow_custom_value=True)
                    ex_retracted = gr.Dropdown(["include", "exclude", "only"], value="include", label="retracted")
                ex_note = gr.Markdown(elem_id="explorer-note")
                ex_ids = gr.State([])
                table = gr.Dataframe(headers=render.EXPLORER_COLUMNS, datatype=["str"] * 10 + ["markdown"],
                                     interactive=False, wrap=True, max_height=620, elem_id="explorer",
                                     column_widths=["22%", "5%", "10%", "9%", "9%", "8%", "10%", "9%", "7%", "6%", "5%"],
                                     show_search="search")
                gr.Markdown("Click a row to ask the chat what that study found.")
            with gr.Tab("Evidence map", id="map"):
                gr.Markdown("Studies in the corpus by mechanism, cancer site and drug. Click a cell or a year to list "
                            "its studies in the explorer.")
                map_html = gr.HTML(elem_id="evidence-map")

        # The UI's own events stay out of the API page; API clients use the 'respond' endpoint below.
        private: dict[str, Any] = {"api_visibility": "private"}
        chat_outputs = [chat, records, sources, question, markdown_out, bib_btn, ris_btn]
        ask_inputs = [question, chat, records, active, backend]
        question.submit(chat_turn, ask_inputs, chat_outputs, **private)
        send.click(chat_turn, ask_inputs, chat_outputs, **private)
        retry_btn.click(retry, [chat, records], [chat, records, question], **private).then(
            chat_turn, ask_inputs, chat_outputs, **private)
        clear_btn.click(clear, None, chat_outputs, **private)
        chat.clear(clear, None, chat_outputs, **private)  # the chat's own trash icon resets the turns too
        chat.like(on_like, [records], [feedback_note], **private)
        comment_btn.click(on_comment, [comment, records], [comment, feedback_note], **private)
        filter_inputs = [*menus, year_from, year_to, retracted]
        for control in filter_inputs:
            control.change(set_filters, filter_inputs, [active, chip_box], **private)
        explorer_inputs = [ex_query, ex_category, ex_cancer, ex_drug, ex_retracted]
        for control in explorer_inputs:  # .input: user edits only, so a map click's own settings are not re-run
            control.input(explore, explorer_inputs, [table, ex_ids, ex_note], **private)
        table.select(ask_about, [ex_ids], [question, tabs], **private).then(chat_turn, ask_inputs, chat_outputs, **private)
        action.change(on_action, [action, active],
                     [active, chip_box, *menus, year_from, year_to, retracted,
                      ex_query, ex_category, ex_cancer, ex_drug, table, ex_ids, ex_note, tabs], **private)
        demo.load(explore, explorer_inputs, [table, ex_ids, ex_note], **private).then(evidence_map, None, map_html,
                                                                                    **private)

        def respond_plain(message: str) -> str:
            """One question -> the answer as Markdown with its references (for gradio_client)."""
            return render_plain(assistant.ask(message))

        gr.api(respond_plain, api_name="respond")
    return demo


def render_plain(answer: Answer) -> str:
    """Markdown of one answer for API clients of the UI (gradio_client): text, retraction warnings, references.
    Corpus text is escaped, so a client that renders the Markdown shows it literally and loads nothing."""
    parts = [render.md_answer(answer.answer)]
    parts += [f"> ⚠ {render.md_text(w)}" for w in answer.warnings if "retracted" in w]
    if answer.citations:
        parts.append("**References**\n\n" + "\n".join(f"{c.n}. {render.md_text(c.vancouver())}" for c in answer.citations))
    if answer.see_also:
        parts.append("**See also** (closest sources)\n\n" + "\n".join(f"- {render.md_text(c.vancouver())}"
                                                                       for c in answer.see_also))
    return "\n\n".join(parts)
