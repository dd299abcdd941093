"""Which way a change goes: a list question that asks what *reduces* something is not answered by a study whose
finding is that a drug *raised* it ("Which compounds reduce exosome release?" is not answered by "Cisplatin exposure
increased exosome release").

The verbs of change are a closed class of English words, grouped by direction (verbs only: a noun such as
"inhibitors" or "activators" names what changes rather than what is changed); a direction applies to the words that
follow it closely ("reduce exosome release", "increased exosome release from A549 cells"). A sentence states
the opposite of what a question asks when it changes one of the question's changed words the other way, and never
the asked way.
"""

from __future__ import annotations

import re

from rag.lexical import english_stemmer

DOWN = ("reduce", "reduced", "reduces", "reducing", "decrease", "decreased", "decreases", "lower", "lowered",
        "lowers", "inhibit", "inhibited", "inhibits", "block", "blocked", "blocks", "suppress", "suppressed",
        "suppresses", "prevent", "prevented", "prevents", "limit", "limited", "limits", "impair", "impaired",
        "impairs", "attenuate", "attenuated", "diminish", "diminished", "abolish", "abolished", "curb", "curbed",
        "cut", "stop", "stopped", "stops", "downregulate", "downregulated")
UP = ("increase", "increased", "increases", "increasing", "raise", "raised", "raises", "raising", "enhance",
      "enhanced", "enhances", "promote", "promoted", "promotes", "boost", "boosted", "boosts", "stimulate",
      "stimulated", "stimulates", "elevate", "elevated", "augment", "augmented", "upregulate", "upregulated")
WINDOW = 3  # words after the verb that it changes: "increased [exosome release from]"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_DIRECTION = {**{w: -1 for w in DOWN}, **{w: 1 for w in UP}}
_FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "from", "in", "by", "and", "or", "their", "its", "to", "cells",
                             "cell"})


def changes(text: str) -> list[tuple[int, frozenset[str]]]:
    """Each verb of change in the text: its direction (+1 up, -1 down) and the stems of the words it changes."""
    words = [w.lower() for w in _WORD.findall(text)]
    out = []
    for i, word in enumerate(words):
        if word in _DIRECTION:
            changed = [w for w in words[i + 1:i + 1 + WINDOW] if w not in _FUNCTION_WORDS and w not in _DIRECTION]
            out.append((_DIRECTION[word], frozenset(english_stemmer().stemWords(changed))))
    return out


def states_the_opposite(question: str, sentence: str) -> bool:
    """The sentence changes something the question asks about only in the other direction."""
    asked = changes(question)
    if len({d for d, _ in asked}) != 1:
        return False  # no direction asked, or both ("What raises or lowers ...?")
    direction = asked[0][0]
    targets = frozenset().union(*(stems for _, stems in asked))
    said = {d for d, stems in changes(sentence) if stems & targets}
    return said == {-direction}
