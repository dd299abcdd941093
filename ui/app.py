"""The browser UI (Gradio)."""

from __future__ import annotations

import gradio as gr

from rag.assistant import Assistant


def build_ui(assistant: Assistant) -> gr.Blocks:
    with gr.Blocks(title="Exosome chemoresistance assistant") as demo:
        gr.Markdown(
            "# Exosome-mediated chemoresistance assistant\n"
            "Answers from the review *Progression of Exosome-Mediated Chemotherapy Resistance in Cancer* "
            "(Oncologie 2022) and the studies it discusses."
        )
        stats = gr.JSON(label="Index")
        demo.load(lambda: assistant.index().stats(), outputs=stats)
    return demo
