"""Every piece of text the assistant says on its own behalf (and, later, LLM prompt text) lives here."""

REFUSAL_OUT_OF_SCOPE = (
    "The corpus does not cover this question: none of the review or the studies it discusses is relevant enough "
    "to answer it. The closest sources are listed under 'see also'."
)
REFUSAL_NO_SUPPORT = (
    "The corpus does not say: the retrieved passages do not support an answer to this question. "
    "The closest sources are listed under 'see also'."
)
REFUSAL_MEDICAL_ADVICE = (
    "I cannot give personal medical advice such as doses or treatment choices for a patient. Please ask the "
    "treating oncologist or a clinical pharmacist. This assistant only summarises published research on "
    "exosome-mediated chemotherapy resistance."
)
REFUSAL_EMPTY_QUESTION = "Please ask a question."
RETRACTED_WARNING = "cites a retracted study: {title} ({source_id}). {note}"
RETRACTED_IN_TEXT = "Caution: source [{n}] has been retracted ({note}); treat its findings as unreliable."
