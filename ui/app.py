"""The browser UI (Gradio): a chat over the assistant, answers rendered with their reference list."""

from __future__ import annotations

from typing import Any

import gradio as gr

from rag.answering import Turn
from rag.assistant import Assistant
from rag.documents import Answer


def render(answer: Answer) -> str:
    """Markdown for one answer: text, warnings, numbered references or 'see also'."""
    parts = [answer.answer]
    parts += [f"> ⚠ {w}" for w in answer.warnings if "retracted" in w]
    if answer.citations:
        parts.append("**References**\n\n" + "\n".join(f"{c.n}. {c.vancouver()}" for c in answer.citations))
    if answer.see_also:
        parts.append("**See also** (closest sources)\n\n" + "\n".join(f"- {c.vancouver()}" for c in answer.see_also))
    return "\n\n".join(parts)


def _history(history: list[Any]) -> list[Turn]:
    turns = []
    for item in history or []:
        if isinstance(item, dict) and isinstance(item.get("content"), str):
            turns.append(Turn(item.get("role", "user"), item["content"]))
    return turns


def build_ui(assistant: Assistant) -> gr.Blocks:
    def respond(message: str, history: list[Any]) -> str:
        try:
            return render(assistant.ask(message, history=_history(history)))
        except Exception as exc:  # never a traceback in the chat
            return f"Sorry, the assistant could not answer: {exc}"

    with gr.Blocks(title="Exosome chemoresistance assistant") as demo:
        gr.Markdown(
            "# Exosome-mediated chemoresistance assistant\n"
            "Cited answers from the review *Progression of Exosome-Mediated Chemotherapy Resistance in Cancer* "
            "(Oncologie 2022) and the studies it discusses. Research use only; not medical advice."
        )
        gr.ChatInterface(
            respond,
            examples=["How do fibroblast exosomes make pancreatic cancer resist gemcitabine?",
                      "Which exosomal lncRNAs have been linked to drug resistance?"],
        )
    return demo
